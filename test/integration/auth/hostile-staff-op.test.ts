import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatPageRoutes } from '../../../src/chat/pages/chat-page-routes.js';
import { BrowserSession, type PageResult } from '../../helpers/browser-session.js';
import { type HostileOp, startHostileOp } from '../../helpers/hostile-op.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';

/**
 * The staff login against an OpenID Provider that lies: the organisation's IdP is trusted for
 * roles, but what it says about the employee (name, e-mail, subject) reaches citizens and other
 * staff, so a staff login holding something no directory would is refused like a citizen's.
 */

const CLIENT = { clientId: 'gateway-staff-hostile', clientSecret: 'hostile-staff-secret-0123456789abcdef' };

/** An employee of the demo tenant, as the IdP signs them in; the hostile OP's citizen claims under it. */
const AGENT = {
  roles: ['chat-agent'],
  tenant: 'demo',
  name: 'Alex Agent',
  email: 'alex.agent@demo.example',
  socialno: undefined,
  identityscheme: undefined,
};

let op: HostileOp;
let gw: TestGateway;

beforeAll(async () => {
  op = await startHostileOp({ ...CLIENT, path: '/staff-idp' });
  gw = await startTestGateway({
    features: () => [{ routes: chatPageRoutes }],
    tenants: [
      testTenant({
        staff: {
          issuer: op.issuer,
          ...CLIENT,
          roleClaim: 'roles',
          roleMap: { 'chat-agent': 'agent', 'chat-admin': 'admin' },
          tenantClaim: 'tenant',
        },
      }),
    ],
  });
});

afterEach(() => {
  op.mode = 'honest';
  op.claims = {};
});

afterAll(async () => {
  await gw?.close();
  await op?.close();
});

async function staffOf(browser: BrowserSession): Promise<unknown> {
  const response = await browser.get(`${gw.url}/api/chat/bootstrap`);
  return (JSON.parse(response.text) as { staff?: unknown }).staff;
}

/** The page is the staff sign-in error page for `code`, and `browser` holds no staff login. */
async function expectRefused(browser: BrowserSession, page: PageResult, code: string, status: number) {
  expect(page.url.startsWith(`${gw.url}/staff/callback?`)).toBe(true);
  expect(page.status).toBe(status);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.text).toContain(`Error code: ${code}`);
  expect(await staffOf(browser)).toBeUndefined();
}

describe('GET /staff/callback with a hostile staff IdP', () => {
  it('honest: signs the employee in with the mapped role (control)', async () => {
    op.claims = AGENT;
    const browser = new BrowserSession();
    const page = await browser.get(`${gw.url}/staff/login`);
    expect(page.url).toBe(`${gw.url}/agent`);
    expect(await staffOf(browser)).toEqual({ name: 'Alex Agent', roles: ['agent'] });
  });

  it('refuses a citizen’s claims (no role claim) with staff_no_role', async () => {
    op.claims = { tenant: 'demo' };
    const browser = new BrowserSession();
    await expectRefused(browser, await browser.get(`${gw.url}/staff/login`), 'staff_no_role', 403);
  });

  for (const [what, roles] of [
    ['role names of the gateway itself where a roleMap is configured', ['admin', 'security', 'agent']],
    ['names of Object.prototype', ['__proto__', 'constructor', 'toString', 'hasOwnProperty']],
    ['mapped names in another case or with spaces', ['Chat-Agent', ' chat-admin', 'chat-admin ']],
    ['an object and numbers in place of names', [{ 'chat-admin': true }, 1, null]],
  ] as const) {
    it(`refuses ${what} with staff_no_role`, async () => {
      op.claims = { ...AGENT, roles };
      const browser = new BrowserSession();
      await expectRefused(browser, await browser.get(`${gw.url}/staff/login`), 'staff_no_role', 403);
    });
  }

  it('refuses an employee whose tenant claim is an array naming this tenant with staff_wrong_tenant', async () => {
    op.claims = { ...AGENT, tenant: ['demo', 'other'] };
    const browser = new BrowserSession();
    await expectRefused(browser, await browser.get(`${gw.url}/staff/login`), 'staff_wrong_tenant', 403);
  });

  for (const [what, claims] of [
    ['a name with a right-to-left override', { name: 'Alex \u202Etnega\u202C' }],
    ['a name with a line break', { name: 'Alex Agent\nSupervisor on duty' }],
    ['a name of 10 000 characters', { name: 'A'.repeat(10_000) }],
    [
      'a preferred_username with a control character (no name)',
      { name: undefined, preferred_username: 'alex\u0007' },
    ],
    ['an e-mail address of 10 000 characters', { email: `${'a'.repeat(10_000)}@demo.example` }],
    ['a sub of 10 000 characters', { sub: 's'.repeat(10_000) }],
  ] as const) {
    it(`refuses ${what} with claims_invalid`, async () => {
      op.claims = { ...AGENT, ...claims };
      const browser = new BrowserSession();
      const page = await browser.get(`${gw.url}/staff/login`);
      await expectRefused(browser, page, 'claims_invalid', 400);
      expect(page.text).not.toContain('tnega');
      expect(page.text).not.toContain('AAAAAAAAAA');
    });
  }

  for (const [what, claims] of [
    [
      'an ID token whose aud also names another client (its azp the gateway)',
      { aud: [CLIENT.clientId, 'another-client'], azp: CLIENT.clientId },
    ],
    ['an ID token of 100 000 characters (a claim nobody reads padding it)', { padding: 'x'.repeat(100_000) }],
  ] as const) {
    it(`refuses ${what} with id_token_invalid`, async () => {
      op.claims = { ...AGENT, ...claims };
      const browser = new BrowserSession();
      await expectRefused(browser, await browser.get(`${gw.url}/staff/login`), 'id_token_invalid', 400);
    });
  }
});

describe('a staff IdP rotating to a key it never published before', () => {
  it('signs the employee in with the new key right after a sign-in with the old one', async () => {
    op.claims = AGENT;
    const before = new BrowserSession();
    expect((await before.get(`${gw.url}/staff/login`)).url).toBe(`${gw.url}/agent`);
    const fetched = op.jwksServed;
    await op.rotateUnannounced();
    const after = new BrowserSession();
    expect((await after.get(`${gw.url}/staff/login`)).url).toBe(`${gw.url}/agent`);
    expect(await staffOf(after)).toEqual({ name: 'Alex Agent', roles: ['agent'] });
    expect(op.jwksServed).toBe(fetched + 1);
  });
});
