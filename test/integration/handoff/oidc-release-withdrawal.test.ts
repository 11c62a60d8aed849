import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { ChatSystemRp, RP_REDIRECT, reachConsent, releaseTo } from '../../helpers/chat-system-rp.js';
import { redisGatewayConfig } from '../../helpers/redis-gateways.js';
import { useTestRedis } from '../../helpers/redis-suite.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';

/**
 * What the citizen released to a chat system through the gateway's OpenID Provider is theirs to
 * call back, as an identity shared into the gateway's own chat is: withdrawing in that browser or
 * logging out revokes the grant, and the chat system's access token stops answering at userinfo
 * (with `invalid_token`, RFC 6750) at once, on every instance. (An idle session's end needs
 * nothing more: oidc-provider's tokens expire with its own session, which lives as long.)
 */

const NATIONAL_ID = '12838540056';
const SECRET = 'puzzel-client-secret-0123456789abcdef';

function handoffTenant(): Record<string, unknown> {
  return testTenant({
    handoff: {
      oidcClients: [
        {
          clientId: 'puzzel',
          label: 'Puzzel Secure Chat',
          clientSecret: SECRET,
          redirectUris: [RP_REDIRECT],
          releasableClaims: ['name', 'nationalId'],
        },
      ],
    },
  });
}

/** Kari released her name to the chat system, which redeemed the code. */
async function released(gw: TestGateway, browser = new BrowserSession()) {
  const rp = await ChatSystemRp.discover(`${gw.url}/oidc`, 'puzzel', SECRET);
  const { callback } = await releaseTo(rp, ['name'], { browser });
  const tokens = await rp.redeem(callback);
  const sub = String(tokens.claims()?.sub);
  // Answers before the withdrawal: what the test later sees refused is the revocation.
  expect(await rp.userinfo(tokens.access_token, sub)).toMatchObject({ name: 'Kari Nordmann' });
  return { rp, tokens, sub, browser };
}

/** The userinfo endpoint's answer to a bearer token, as a chat system sends it. */
async function userinfoStatus(gw: TestGateway, accessToken: string) {
  const response = await fetch(`${gw.url}/oidc/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
}

async function csrfOf(gw: TestGateway, browser: BrowserSession): Promise<string> {
  return (JSON.parse((await browser.get(`${gw.url}/api/session`)).text) as { csrfToken: string }).csrfToken;
}

/** The widget's withdrawal (`POST /api/identity/withdraw`) in `browser`. */
async function withdrawIn(gw: TestGateway, browser: BrowserSession) {
  return browser.postJson(
    `${gw.url}/api/identity/withdraw`,
    {},
    { 'x-csrf-token': await csrfOf(gw, browser), origin: gw.url },
  );
}

describe('withdrawing what was released to a chat system', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ tenants: [handoffTenant()] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('revokes the access token at POST /api/identity/withdraw and keeps a withdrawal receipt naming the chat system', async () => {
    const { tokens, browser } = await released(gw);
    const withdrawal = await withdrawIn(gw, browser);
    expect(withdrawal.status).toBe(200);
    expect(JSON.parse(withdrawal.text)).toEqual({ withdrawn: true });

    const answer = await userinfoStatus(gw, tokens.access_token);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toContain('invalid_token');

    const receipts = await gw.gateway.deps.store.receipts.listBySubject(
      'demo',
      gw.gateway.deps.fieldCrypto.blindIndex(NATIONAL_ID),
    );
    expect(receipts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          decision: 'withdrawn',
          claims: ['name'],
          recipient: { kind: 'oidc-client', id: 'puzzel', name: 'Puzzel Secure Chat' },
        }),
      ]),
    );
    // Nothing left to withdraw the second time.
    const again = await withdrawIn(gw, browser);
    expect(JSON.parse(again.text)).toEqual({ withdrawn: false });
  });

  it('revokes at the form POST /consent/withdraw, and refuses a code not yet redeemed', async () => {
    const rp = await ChatSystemRp.discover(`${gw.url}/oidc`, 'puzzel', SECRET);
    const { callback, browser } = await releaseTo(rp, ['name']);
    const withdrawal = await browser.post(
      `${gw.url}/consent/withdraw`,
      { _csrf: await csrfOf(gw, browser) },
      { follow: false },
    );
    expect(withdrawal.status).toBe(303);
    await expect(rp.redeem(callback)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes at logout', async () => {
    const { tokens, browser } = await released(gw);
    await browser.post(`${gw.url}/auth/logout`, { _csrf: await csrfOf(gw, browser) }, { follow: false });
    expect((await userinfoStatus(gw, tokens.access_token)).status).toBe(401);
  });

  it('revokes at another person’s login in the same browser, and keeps them at the same person’s', async () => {
    const kari = await released(gw);
    await kari.browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    expect(await kari.rp.userinfo(kari.tokens.access_token, kari.sub)).toMatchObject({
      name: 'Kari Nordmann',
    });

    const ola = await kari.browser.get(`${gw.url}/auth/bankid/login?login_hint=ola-nordmann`);
    expect(ola.status).toBe(200);
    expect((await userinfoStatus(gw, kari.tokens.access_token)).status).toBe(401);
  });

  it('leaves what another browser released alone', async () => {
    const mine = await released(gw);
    const other = await released(gw);
    await withdrawIn(gw, mine.browser);
    expect((await userinfoStatus(gw, mine.tokens.access_token)).status).toBe(401);
    expect(await other.rp.userinfo(other.tokens.access_token, other.sub)).toMatchObject({
      name: 'Kari Nordmann',
    });
  });
});

describe('a withdrawal in another tab while a release is being made', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ tenants: [handoffTenant()] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  /**
   * Runs `during` once, just before the release's entry in the visitor's index is stored (after
   * the consent request read the session and created the grant).
   */
  function beforeIndexing(during: () => Promise<void>): () => void {
    const repository = gw.gateway.deps.store.oidcProvider;
    const upsert = repository.upsert.bind(repository);
    let ran = false;
    repository.upsert = async (key, payload, expiresAt, index) => {
      if (!ran && key.includes(':VisitorRelease:')) {
        ran = true;
        await during();
      }
      return upsert(key, payload, expiresAt, index);
    };
    return () => {
      repository.upsert = upsert;
    };
  }

  it('revokes the release it could not list: the chat system gets access_denied and no token', async () => {
    const rp = await ChatSystemRp.discover(`${gw.url}/oidc`, 'puzzel', SECRET);
    const browser = new BrowserSession();
    const restore = beforeIndexing(async () => {
      const withdrawal = await withdrawIn(gw, browser);
      expect(withdrawal.status).toBe(200);
    });
    try {
      const { callback } = await releaseTo(rp, ['name'], { browser });
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.has('code')).toBe(false);
    } finally {
      restore();
    }
    // Nothing of it is left to revoke or to read: the grant and its index entry are gone.
    const withdrawal = await withdrawIn(gw, browser);
    expect(JSON.parse(withdrawal.text)).toEqual({ withdrawn: false });
  });

  it('keeps a release made after a withdrawal had finished (control)', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/api/session`);
    await withdrawIn(gw, browser);
    const { tokens, sub, rp } = await released(gw, browser);
    expect(await rp.userinfo(tokens.access_token, sub)).toMatchObject({ name: 'Kari Nordmann' });
  });
});

describe('releases with several instances on one Redis', () => {
  const suite = useTestRedis();
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const config = redisGatewayConfig(suite.redis);
    [a, b] = await Promise.all([
      startTestGateway({ tenants: [handoffTenant()], config }),
      startTestGateway({ tenants: [handoffTenant()], config }),
    ]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('revokes on instance A what was released there when the citizen withdraws on instance B', async () => {
    const { tokens, browser } = await released(a);
    const withdrawal = await withdrawIn(b, browser);
    expect(JSON.parse(withdrawal.text)).toEqual({ withdrawn: true });
    expect((await userinfoStatus(a, tokens.access_token)).status).toBe(401);
  });

  it('takes one decision when the consent is posted on two instances at once', async () => {
    const receipts = () =>
      a.gateway.deps.store.receipts.listBySubject('demo', a.gateway.deps.fieldCrypto.blindIndex(NATIONAL_ID));
    const before = (await receipts()).length;
    const rp = await ChatSystemRp.discover(`${a.url}/oidc`, 'puzzel', SECRET);
    const browser = new BrowserSession();
    const { consent, interactionUrl } = await reachConsent(
      browser,
      await rp.authorizationUrl({ login_hint: 'kari-nordmann' }),
    );
    const path = `${new URL(interactionUrl).pathname}/consent`;
    const form = { _csrf: inputValue(consent.text, '_csrf'), claims: ['name'], decision: 'share' };
    // A double click whose two posts a load balancer sends to both instances.
    const answers = await Promise.all(
      [a, b].map((gw) =>
        browser.post(`${gw.url}${path}`, form, { follow: false, headers: { origin: gw.url } }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 409]);
    expect(answers.find((answer) => answer.status === 409)?.text).toContain('consent_not_pending');
    // One release, one receipt.
    expect((await receipts()).length - before).toBe(1);
  });
});
