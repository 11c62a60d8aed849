import { decodeProtectedHeader, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { ninchatSecret, rsaPrivateJwk } from '../../helpers/handoff-keys.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  verifyChatwoot,
  verifyIntercom,
  verifyNinchat,
  verifyOmnichannel,
  verifySalesforce,
  verifyZendesk,
} from '../../helpers/vendor-verifiers.js';

const NATIONAL_ID = '12838540056';
const ZENDESK_SECRET = 'zendesk-shared-secret-0123456789';
const HMAC_TOKEN = 'chatwoot-inbox-hmac-token-0123';
const MESSENGER_SECRET = 'intercom-messenger-api-secret-5f2c9a';
const MASTER_KEY_SECRET = ninchatSecret();

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    tenants: [
      testTenant({
        allowedOrigins: ['https://kommune.example'],
        handoff: {
          targets: [
            { id: 'zendesk', vendor: 'zendesk', label: 'Zendesk', keyId: 'app_1', secret: ZENDESK_SECRET },
            {
              id: 'salesforce',
              vendor: 'salesforce',
              label: 'Salesforce',
              privateKeyJwk: await rsaPrivateJwk(),
            },
            {
              id: 'ninchat',
              vendor: 'ninchat',
              label: 'Ninchat',
              masterKeyId: 'mk1',
              masterKeySecret: MASTER_KEY_SECRET,
              releaseNationalId: true,
            },
            {
              id: 'omnichannel',
              vendor: 'omnichannel',
              label: 'Omnichannel',
              privateKeyJwk: await rsaPrivateJwk(),
            },
            { id: 'chatwoot', vendor: 'chatwoot', label: 'Chatwoot', hmacToken: HMAC_TOKEN },
            { id: 'intercom', vendor: 'intercom', label: 'Intercom', secret: MESSENGER_SECRET },
          ],
        },
      }),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
});

// Verifiers take the time after the answer: a token issued in a later second than a date taken
// earlier would not yet be valid (`nbf`).

/** Logs in as Kari Nordmann and shares `claims`; returns the CSRF token of the session. */
async function shareAs(browser: BrowserSession, claims: string[]): Promise<string> {
  const consent = await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
  const csrf = inputValue(consent.text, '_csrf');
  await browser.post(`${gw.url}/consent`, { _csrf: csrf, claims, decision: 'share' });
  return csrf;
}

async function requestToken(
  browser: BrowserSession,
  target: string,
  csrf: string | undefined,
  origin = gw.url,
): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
  const response = await fetch(`${gw.url}/api/handoff/${target}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin,
      cookie: browser.cookieHeader(gw.url),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    body: '{}',
  });
  const text = await response.text();
  return {
    status: response.status,
    json: JSON.parse(text) as Record<string, unknown>,
    text,
    headers: response.headers,
  };
}

async function publicJwks(target: string) {
  const response = await fetch(`${gw.url}/api/handoff/${target}/jwks.json`);
  return (await response.json()) as never;
}

describe('POST /api/handoff/:target/token', () => {
  it('answers each vendor a credential its documented verifier accepts, with only the ticked claims', async () => {
    const browser = new BrowserSession();
    const csrf = await shareAs(browser, ['name']);

    const zendesk = await requestToken(browser, 'zendesk', csrf);
    expect(zendesk.status).toBe(200);
    expect(zendesk.headers.get('cache-control')).toBe('no-store');
    const zPayload = await verifyZendesk(String(zendesk.json.token), {
      secret: ZENDESK_SECRET,
      keyId: 'app_1',
      now: new Date(),
    });
    expect(zPayload.name).toBe('Kari Nordmann');

    const salesforce = await requestToken(browser, 'salesforce', csrf);
    const sPayload = await verifySalesforce(String(salesforce.json.token), {
      jwks: await publicJwks('salesforce'),
      issuer: gw.url,
      now: new Date(),
    });
    expect(sPayload.sub).toEqual(expect.any(String));

    const ninchat = await requestToken(browser, 'ninchat', csrf);
    const metadata = await verifyNinchat(String(ninchat.json.token), {
      masterKeyId: 'mk1',
      masterKeySecret: MASTER_KEY_SECRET,
      now: new Date(),
    });
    expect(metadata).toMatchObject({ verified_name: 'Kari Nordmann', loa: 'high', eid_provider: 'bankid' });
    expect(metadata).not.toHaveProperty('national_id');
    expect(metadata).not.toHaveProperty('verified_birth_date');

    const omnichannel = await requestToken(browser, 'omnichannel', csrf);
    const pem = await (await fetch(`${gw.url}/api/handoff/omnichannel/public-key.pem`)).text();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const { context } = await verifyOmnichannel(String(omnichannel.json.token), {
      publicKeyPem: pem,
      now: new Date(),
    });
    expect(context).toEqual({ verified_name: 'Kari Nordmann', loa: 'high', eid_provider: 'bankid' });

    const chatwoot = await requestToken(browser, 'chatwoot', csrf);
    verifyChatwoot(chatwoot.json.fields as Record<string, unknown>, HMAC_TOKEN);

    const intercom = await requestToken(browser, 'intercom', csrf);
    const iPayload = await verifyIntercom(String(intercom.json.token), {
      secret: MESSENGER_SECRET,
      now: new Date(),
    });
    expect(iPayload).toMatchObject({ name: 'Kari Nordmann', verified_name: 'Kari Nordmann', loa: 'high' });
    expect(iPayload.user_id).toEqual(expect.any(String));

    for (const response of [zendesk, salesforce, ninchat, omnichannel, chatwoot, intercom]) {
      expect(response.text).not.toContain(NATIONAL_ID);
      expect(response.text).not.toContain('1985-03-12');
    }
  });

  it('releases the national id only to a target allowed to receive it, and only when ticked', async () => {
    const browser = new BrowserSession();
    const csrf = await shareAs(browser, ['name', 'nationalId', 'birthDate']);
    const ninchat = await requestToken(browser, 'ninchat', csrf);
    const metadata = await verifyNinchat(String(ninchat.json.token), {
      masterKeyId: 'mk1',
      masterKeySecret: MASTER_KEY_SECRET,
      now: new Date(),
    });
    expect(metadata).toMatchObject({ national_id: NATIONAL_ID, verified_birth_date: '1985-03-12' });

    const pem = await (await fetch(`${gw.url}/api/handoff/omnichannel/public-key.pem`)).text();
    const omnichannel = await requestToken(browser, 'omnichannel', csrf);
    const { context, payload } = await verifyOmnichannel(String(omnichannel.json.token), {
      publicKeyPem: pem,
      now: new Date(),
    });
    expect(context).not.toHaveProperty('national_id');
    expect(JSON.stringify(payload)).not.toContain(NATIONAL_ID);
    const chatwoot = await requestToken(browser, 'chatwoot', csrf);
    expect(chatwoot.text).not.toContain(NATIONAL_ID);
    const intercom = await requestToken(browser, 'intercom', csrf);
    const attributes = await verifyIntercom(String(intercom.json.token), {
      secret: MESSENGER_SECRET,
      now: new Date(),
    });
    expect(attributes).toMatchObject({ verified_birth_date: '1985-03-12' });
    expect(JSON.stringify(attributes)).not.toContain(NATIONAL_ID);
    expect(gw.logs()).not.toContain(NATIONAL_ID);
    expect(gw.logs()).not.toContain(String(ninchat.json.token));
  });

  it('gives the same citizen one stable subject per target and different subjects across targets', async () => {
    const first = new BrowserSession();
    const second = new BrowserSession();
    const csrfA = await shareAs(first, ['birthDate']);
    const csrfB = await shareAs(second, ['name']);
    const subject = async (browser: BrowserSession, csrf: string, target: string) =>
      ((await requestToken(browser, target, csrf)).json.fields as { identifier: string } | undefined)
        ?.identifier;
    const a = await subject(first, csrfA, 'chatwoot');
    expect(a).toBe(await subject(second, csrfB, 'chatwoot'));
    const zendesk = await requestToken(first, 'zendesk', csrfA);
    const { decodeJwt } = await import('jose');
    const externalId = decodeJwt(String(zendesk.json.token)).external_id;
    expect(externalId).not.toBe(a);
    expect(a).not.toContain(NATIONAL_ID);
  });

  it('names on the consent page, before the opt-in, every chat system the identity can be handed to', async () => {
    const consent = await new BrowserSession().get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    expect(consent.status).toBe(200);
    const recipients = /<strong>(Recipients?:[^<]*)<\/strong>/.exec(consent.text)?.[1] ?? '';
    expect(recipients).toContain('Test Municipality');
    for (const label of ['Zendesk', 'Salesforce', 'Ninchat', 'Omnichannel', 'Chatwoot', 'Intercom']) {
      expect(recipients).toContain(label);
    }
  });

  it('keeps a signed consent receipt naming the chat system for each release', async () => {
    const browser = new BrowserSession();
    const csrf = await shareAs(browser, ['name', 'nationalId']);
    await requestToken(browser, 'zendesk', csrf);
    const receipts = await gw.gateway.deps.store.receipts.listBySubject(
      'demo',
      gw.gateway.deps.fieldCrypto.blindIndex(NATIONAL_ID),
    );
    const released = receipts.filter((r) => r.decision === 'released');
    expect(released.at(-1)).toMatchObject({
      recipient: { kind: 'vendor-token', id: 'zendesk', name: 'Zendesk' },
      // Zendesk cannot receive the national id: the receipt names what actually left.
      claims: ['name'],
    });
  });

  it('names in the receipt only the claims that left in the target’s credential', async () => {
    const browser = new BrowserSession();
    const csrf = await shareAs(browser, ['name', 'birthDate', 'nationalId']);
    const receiptFor = async (target: string) => {
      expect((await requestToken(browser, target, csrf)).status).toBe(200);
      const receipts = await gw.gateway.deps.store.receipts.listBySubject(
        'demo',
        gw.gateway.deps.fieldCrypto.blindIndex(NATIONAL_ID),
      );
      return receipts.filter((r) => r.decision === 'released').at(-1);
    };
    // Zendesk's token has a place for the name only; Salesforce's for the subject only.
    expect(await receiptFor('zendesk')).toMatchObject({ recipient: { id: 'zendesk' }, claims: ['name'] });
    expect(await receiptFor('salesforce')).toMatchObject({ recipient: { id: 'salesforce' }, claims: [] });
    expect(await receiptFor('ninchat')).toMatchObject({
      recipient: { id: 'ninchat' },
      claims: ['name', 'nationalId', 'birthDate'],
    });
  });

  const refusals: Array<
    [string, (b: BrowserSession, csrf: string) => ReturnType<typeof requestToken>, number, string]
  > = [
    ['without a CSRF token', (b) => requestToken(b, 'zendesk', undefined), 403, 'csrf_invalid'],
    ['with a wrong CSRF token', (b) => requestToken(b, 'zendesk', 'x'.repeat(43)), 403, 'csrf_invalid'],
    [
      'from an origin the tenant does not allow',
      (b, c) => requestToken(b, 'zendesk', c, 'https://evil.example'),
      403,
      'csrf_invalid',
    ],
    ['for a target not configured', (b, c) => requestToken(b, 'giosg', c), 404, 'handoff_target_unknown'],
  ];
  for (const [what, send, status, code] of refusals) {
    it(`refuses a request ${what} with ${status} ${code}`, async () => {
      const browser = new BrowserSession();
      const csrf = await shareAs(browser, ['name']);
      const response = await send(browser, csrf);
      expect(response.status).toBe(status);
      expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
    });
  }

  it('accepts an allowed embedding origin', async () => {
    const browser = new BrowserSession();
    const csrf = await shareAs(browser, ['name']);
    expect((await requestToken(browser, 'zendesk', csrf, 'https://kommune.example')).status).toBe(200);
  });

  it('refuses with 409 handoff_not_shared before opt-in, after declining and after withdrawal', async () => {
    const anonymous = new BrowserSession();
    await anonymous.get(`${gw.url}/api/chat/bootstrap`);
    const boot = await anonymous.get(`${gw.url}/api/chat/bootstrap`);
    const csrf = (JSON.parse(boot.text) as { csrfToken: string }).csrfToken;
    const before = await requestToken(anonymous, 'zendesk', csrf);
    expect(before.status).toBe(409);
    expect(before.json).toEqual({ error: { code: 'handoff_not_shared', message: expect.any(String) } });

    const pending = new BrowserSession();
    const consent = await pending.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    const pendingCsrf = inputValue(consent.text, '_csrf');
    expect((await requestToken(pending, 'zendesk', pendingCsrf)).status).toBe(409);
    await pending.post(`${gw.url}/consent`, { _csrf: pendingCsrf, decision: 'decline' });
    expect((await requestToken(pending, 'zendesk', pendingCsrf)).status).toBe(409);

    const withdrawn = new BrowserSession();
    const csrfW = await shareAs(withdrawn, ['name']);
    await withdrawn.post(`${gw.url}/consent/withdraw`, { _csrf: csrfW });
    expect((await requestToken(withdrawn, 'zendesk', csrfW)).status).toBe(409);
  });
});

describe('GET /api/handoff/:target/jwks.json', () => {
  it('publishes the public key of an RS256 target, without private members', async () => {
    const jwks = (await publicJwks('salesforce')) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(member);
  });

  it('answers 404 handoff_no_keys for a target that verifies no public key', async () => {
    const response = await fetch(`${gw.url}/api/handoff/zendesk/jwks.json`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'handoff_no_keys', message: expect.any(String) },
    });
  });
});

describe('rotating a Salesforce target’s key (extraPublicJwks)', () => {
  let rotating: TestGateway;
  let previous: Record<string, unknown>;
  let next: Record<string, unknown>;
  beforeAll(async () => {
    previous = await rsaPrivateJwk('2026-old');
    next = await rsaPrivateJwk();
    rotating = await startTestGateway({
      tenants: [
        testTenant({
          handoff: {
            targets: [
              {
                id: 'salesforce',
                vendor: 'salesforce',
                label: 'Salesforce',
                privateKeyJwk: await rsaPrivateJwk('2026-current'),
                // The previous key as the operator kept it (private: only its public part is
                // published), and the next one, published ahead of signing with it.
                extraPublicJwks: [previous, publicOnly(next)],
              },
            ],
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await rotating?.close();
  });

  const publicOnly = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest }: Record<string, unknown>) =>
    rest;

  it('publishes the signing key first, then the extra keys, without private members', async () => {
    const jwks = (await (await fetch(`${rotating.url}/api/handoff/salesforce/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(3);
    expect(jwks.keys.map((k) => k.kid)).toEqual(['2026-current', '2026-old', expect.any(String)]);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
  });

  it('keeps a token signed with the previous key verifiable, and one signed now', async () => {
    const jwks = (await (
      await fetch(`${rotating.url}/api/handoff/salesforce/jwks.json`)
    ).json()) as JSONWebKeySet;
    const now = Math.floor(Date.now() / 1000);
    const before = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: '2026-old' })
      .setIssuer(rotating.url)
      .setSubject('pseudonym')
      .setIssuedAt(now - 60)
      .setExpirationTime(now + 240)
      .sign(await importJWK(previous as JWK, 'RS256'));
    await expect(
      verifySalesforce(before, { jwks, issuer: rotating.url, now: new Date() }),
    ).resolves.toMatchObject({
      sub: 'pseudonym',
    });

    const browser = new BrowserSession();
    const landing = await browser.get(`${rotating.url}/auth/bankid/login?login_hint=kari-nordmann`);
    const form = inputValue(landing.text, '_csrf');
    await browser.post(`${rotating.url}/consent`, { _csrf: form, claims: ['name'], decision: 'share' });
    const csrf = (
      JSON.parse((await browser.get(`${rotating.url}/api/session`)).text) as { csrfToken: string }
    ).csrfToken;
    const issued = await browser.postJson(
      `${rotating.url}/api/handoff/salesforce/token`,
      {},
      { 'x-csrf-token': csrf, origin: rotating.url },
    );
    expect(issued.status).toBe(200);
    const { token } = JSON.parse(issued.text) as { token: string };
    expect(decodeProtectedHeader(token).kid).toBe('2026-current');
    await expect(
      verifySalesforce(token, { jwks, issuer: rotating.url, now: new Date() }),
    ).resolves.toBeDefined();
  });
});
