import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../../helpers/browser-session.js';
import { type HostileOp, startHostileOp } from '../../helpers/hostile-op.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';

/**
 * Two tenants on one host (one session cookie) whose providers are the same broker client: an
 * answer to a login at one tenant must not complete a login at the other, though its state,
 * nonce and `iss` are all genuine.
 */

const CLIENT = { clientId: 'gateway-shared', clientSecret: 'hostile-shared-secret-0123456789abcdef' };

let op: HostileOp;
let gw: TestGateway;

function tenant(id: string): Record<string, unknown> {
  return testTenant({
    id,
    name: id,
    providers: [
      {
        id: 'hostile',
        label: 'Hostile',
        issuer: op.issuer,
        ...CLIENT,
        scopes: ['openid', 'ssn'],
        acrValues: ['urn:grn:authn:no:bankid'],
        minimumLoa: 'high',
        claimProfile: 'idura',
      },
    ],
    staff: undefined,
  });
}

beforeAll(async () => {
  op = await startHostileOp({ ...CLIENT, path: '/shared' });
  gw = await startTestGateway({ tenants: [tenant('north'), tenant('south')] });
});

afterAll(async () => {
  await gw?.close();
  await op?.close();
});

/** Starts a login at `tenant` and returns the callback URL the broker sent the browser to. */
async function callbackFrom(browser: BrowserSession, tenant: string): Promise<URL> {
  const login = await browser.get(`${gw.url}/t/${tenant}/auth/hostile/login`, { follow: false });
  const atOp = await browser.get(login.headers.get('location') ?? '', { follow: false });
  return new URL(atOp.headers.get('location') ?? '');
}

async function stateAt(browser: BrowserSession, tenant: string): Promise<string> {
  return (JSON.parse((await browser.get(`${gw.url}/t/${tenant}/api/session`)).text) as { state: string })
    .state;
}

describe('an answer to a login at one tenant delivered to another', () => {
  it('honest: each tenant’s own answer completes its login (control)', async () => {
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'north');
    expect(callback.pathname).toBe('/t/north/auth/hostile/callback');
    expect((await browser.get(callback.href)).url).toBe(`${gw.url}/t/north/consent`);
  });

  it('is state_mismatch at the other tenant’s callback, redeeming no code, and completes neither', async () => {
    const browser = new BrowserSession();
    const callback = await callbackFrom(browser, 'north');
    const issued = op.tokensIssued;
    const page = await browser.get(`${gw.url}/t/south/auth/hostile/callback${callback.search}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('Error code: state_mismatch');
    expect(op.tokensIssued).toBe(issued);
    expect(await stateAt(browser, 'south')).toBe('anonymous');
    // The state is spent: the answer no longer completes the login it belonged to either.
    expect((await browser.get(callback.href)).text).toContain('Error code: login_expired');
    expect(await stateAt(browser, 'north')).toBe('anonymous');
  });

  it('replay-accepting: refuses one tenant’s code under the other tenant’s state (its redirect_uri)', async () => {
    op.mode = 'replay-accepting';
    try {
      const browser = new BrowserSession();
      const north = await callbackFrom(browser, 'north');
      const south = await callbackFrom(browser, 'south');
      south.searchParams.set('code', north.searchParams.get('code') ?? '');
      const page = await browser.get(south.href);
      expect(page.status).toBe(400);
      expect(page.text).toContain('Error code: token_exchange_failed');
      expect(await stateAt(browser, 'south')).toBe('anonymous');
    } finally {
      op.mode = 'honest';
    }
  });
});
