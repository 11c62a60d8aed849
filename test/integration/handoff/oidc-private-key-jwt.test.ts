import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ASSERTION_MAX_SECONDS } from '../../../src/handoff/oidc/gateway-provider.js';
import { ChatSystemRp, RP_REDIRECT, releaseTo } from '../../helpers/chat-system-rp.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';

/**
 * A chat system that authenticates at the gateway's token endpoint with a signed client
 * assertion (`private_key_jwt`, RFC 7523) instead of a secret: the code flow end to end with
 * openid-client, and the assertions the provider must refuse, each without spending the code.
 */

const CLIENT_ID = 'signed-desk';
let gw: TestGateway;
let issuer: string;
let signingKey: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'desk-2026', use: 'sig' };
  gw = await startTestGateway({
    tenants: [
      testTenant({
        handoff: {
          oidcClients: [
            {
              clientId: CLIENT_ID,
              label: 'Signed Desk',
              clientAuth: 'private_key_jwt',
              jwks: { keys: [publicJwk] },
              redirectUris: [RP_REDIRECT],
              releasableClaims: ['name'],
            },
          ],
        },
      }),
    ],
  });
  issuer = `${gw.url}/oidc`;
});
afterAll(async () => {
  await gw?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A client assertion for the token endpoint, signed with `key`, valid for `seconds`. */
function assertion(key: CryptoKey, seconds: number, jti = randomUUID()): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'desk-2026' })
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(`${issuer}/token`)
    .setJti(jti)
    .setIssuedAt()
    .setExpirationTime(nowSeconds() + seconds)
    .sign(key);
}

/** Redeems the code of `callback` with `clientAssertion`, as a chat system's back end posts it. */
async function redeem(rp: ChatSystemRp, callback: URL, clientAssertion: string) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: RP_REDIRECT,
      code_verifier: rp.codeVerifier,
      client_id: CLIENT_ID,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a chat system authenticating with private_key_jwt', () => {
  it('redeems its code with a signed assertion (openid-client) and reads only the released name', async () => {
    const rp = await ChatSystemRp.discoverWithKey(issuer, CLIENT_ID, signingKey);
    const { callback } = await releaseTo(rp, ['name']);
    const tokens = await rp.redeem(callback);
    const claims = tokens.claims();
    expect(claims?.name).toBe('Kari Nordmann');
    const userinfo = await rp.userinfo(tokens.access_token, String(claims?.sub));
    expect(userinfo.name).toBe('Kari Nordmann');
    expect(userinfo).not.toHaveProperty('national_id');
  });

  it.each([
    [
      `valid for longer than ${CLIENT_ASSERTION_MAX_SECONDS} s (a standing credential)`,
      () => assertion(signingKey, 365 * 24 * 3600),
    ],
    ['signed by a key the client did not register', () => assertion(otherKey, 60)],
    ['already expired', () => assertion(signingKey, -120)],
  ])(
    'refuses an assertion %s with 401 invalid_client and leaves the code redeemable',
    async (_what, make) => {
      const rp = await ChatSystemRp.discoverWithKey(issuer, CLIENT_ID, signingKey);
      const { callback } = await releaseTo(rp, ['name']);
      const refused = await redeem(rp, callback, await make());
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('invalid_client');
      const accepted = await redeem(rp, callback, await assertion(signingKey, 60));
      expect(accepted.status).toBe(200);
      expect(accepted.body.access_token).toEqual(expect.any(String));
    },
  );

  it('accepts an assertion of exactly the longest lifetime, and refuses it a second time (its jti)', async () => {
    const rp = await ChatSystemRp.discoverWithKey(issuer, CLIENT_ID, signingKey);
    const first = await releaseTo(rp, ['name']);
    const once = await assertion(signingKey, CLIENT_ASSERTION_MAX_SECONDS - 5);
    expect((await redeem(rp, first.callback, once)).status).toBe(200);
    const again = await ChatSystemRp.discoverWithKey(issuer, CLIENT_ID, signingKey);
    const second = await releaseTo(again, ['name']);
    const replayed = await redeem(again, second.callback, once);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toBe('invalid_client');
  });
});
