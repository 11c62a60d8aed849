import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockIdp } from '../../../idp-mock/index.js';
import {
  authorizationParameters,
  authorizeAs,
  clientAt,
  loginAs,
  loginWithHint,
  redeemCode,
  startMockIdp,
  TestBrowser,
  type TestRelyingParty,
  WEB_CLIENT,
} from './mock-idp-harness.js';

const JWT_CLIENT = { clientId: 'jwt-client', redirectUri: 'http://localhost:3000/auth/jwt/callback' };

let idp: MockIdp;
let jwtClientKey: CryptoKey;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  jwtClientKey = privateKey;
  idp = await startMockIdp([
    {
      clientId: JWT_CLIENT.clientId,
      redirectUris: [JWT_CLIENT.redirectUri],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' }] },
    },
  ]);
});

afterAll(async () => {
  await idp.close();
});

/** Logs in as Kari at bankid-no and returns the code with the verifier that belongs to it. */
async function codeFor(): Promise<{ code: string; verifier: string }> {
  const { callbackUrl, checks } = await authorizeAs(idp, 'bankid-no', 'kari-nordmann', { scope: 'openid' });
  return { code: callbackUrl.searchParams.get('code') ?? '', verifier: checks.pkceCodeVerifier };
}

/** The client registered with `private_key_jwt`, signing its assertions with `key`. */
function jwtClient(key: CryptoKey): TestRelyingParty {
  return { ...JWT_CLIENT, clientAuth: client.PrivateKeyJwt(key) };
}

/** Sends a raw authorization request and returns where the mock redirects the browser. */
async function authorize(parameters: Record<string, string>): Promise<URL> {
  const url = new URL(`${idp.issuer('bankid-no')}/auth`);
  for (const [key, value] of Object.entries(parameters)) url.searchParams.set(key, value);
  const page = await new TestBrowser().open(url.href, WEB_CLIENT.redirectUri);
  if (page.location === undefined) throw new Error(`no redirect: ${page.status} ${page.text.slice(0, 200)}`);
  return new URL(page.location);
}

const BASE_REQUEST = {
  client_id: WEB_CLIENT.clientId,
  response_type: 'code',
  redirect_uri: WEB_CLIENT.redirectUri,
  scope: 'openid',
  state: 'state-123',
  login_hint: 'kari-nordmann',
};

describe('PKCE', () => {
  it('rejects an authorization request without code_challenge, with iss', async () => {
    const callback = await authorize(BASE_REQUEST);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(callback.searchParams.get('state')).toBe('state-123');
    expect(callback.searchParams.get('iss')).toBe(idp.issuer('bankid-no'));
  });

  it('rejects the plain method', async () => {
    const callback = await authorize({
      ...BASE_REQUEST,
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'plain',
    });
    expect(callback.searchParams.get('error')).toBe('invalid_request');
  });

  it('rejects a token request without code_verifier', async () => {
    const { code } = await codeFor();
    const response = await redeemCode(idp, 'bankid-no', code, undefined);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
  });

  it('rejects a token request with the wrong code_verifier', async () => {
    const { code } = await codeFor();
    const response = await redeemCode(idp, 'bankid-no', code, client.randomPKCECodeVerifier());
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
  });
});

describe('authorization codes', () => {
  it('can be redeemed once; a replay gets invalid_grant', async () => {
    const { code, verifier } = await codeFor();
    const first = await redeemCode(idp, 'bankid-no', code, verifier);
    expect(first.status).toBe(200);
    expect(first.body.id_token).toEqual(expect.any(String));

    const replay = await redeemCode(idp, 'bankid-no', code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
  });

  it('cannot be redeemed at another issuer', async () => {
    const { code, verifier } = await codeFor();
    const response = await redeemCode(idp, 'ftn-fi', code, verifier);
    expect(response.body.error).toBe('invalid_grant');
  });
});

describe('pushed authorization requests', () => {
  it('accept the request by reference and complete the code flow', async () => {
    const config = await clientAt(idp, 'ftn-fi');
    const request = await authorizationParameters(WEB_CLIENT.redirectUri, {
      scope: 'openid ssn',
      login_hint: 'matti-meikalainen',
    });
    const authorizationUrl = await client.buildAuthorizationUrlWithPAR(config, request.parameters);
    expect(authorizationUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(authorizationUrl.searchParams.has('code_challenge')).toBe(false);

    const callbackUrl = await loginWithHint(new TestBrowser(), authorizationUrl, WEB_CLIENT.redirectUri);
    expect(callbackUrl.searchParams.get('iss')).toBe(idp.issuer('ftn-fi'));
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, request.checks);
    expect(tokens.claims()?.hetu).toBe('010594Y9032');
  });

  it('require PKCE too', async () => {
    const credentials = Buffer.from(`${WEB_CLIENT.clientId}:${WEB_CLIENT.clientSecret}`).toString('base64');
    const response = await fetch(`${idp.issuer('ftn-fi')}/request`, {
      method: 'POST',
      headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        response_type: 'code',
        redirect_uri: WEB_CLIENT.redirectUri,
        scope: 'openid',
      }).toString(),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('client authentication', () => {
  it('accepts private_key_jwt with the key the client registered', async () => {
    const { claims } = await loginAs(
      idp,
      'idporten',
      'kari-nordmann',
      { scope: 'openid' },
      { rp: jwtClient(jwtClientKey) },
    );
    expect(claims.pid).toBe('12838540056');
  });

  it('rejects private_key_jwt signed with another key', async () => {
    const { privateKey: otherKey } = await generateKeyPair('ES256');
    const { config, callbackUrl, checks } = await authorizeAs(
      idp,
      'idporten',
      'kari-nordmann',
      { scope: 'openid' },
      { rp: jwtClient(otherKey) },
    );
    await expect(client.authorizationCodeGrant(config, callbackUrl, checks)).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });

  it('rejects a wrong client secret', async () => {
    const { code, verifier } = await codeFor();
    const response = await redeemCode(idp, 'bankid-no', code, verifier, 'wrong');
    expect(response.status).toBe(401);
  });
});

describe('errors that cannot go back to the client', () => {
  it('render as an HTML page without inline script or a stack trace', async () => {
    const url = new URL(`${idp.issuer('bankid-no')}/auth`);
    url.search = new URLSearchParams({
      ...BASE_REQUEST,
      redirect_uri: 'http://evil.example/callback',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('invalid_redirect_uri');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/at .+\.js:\d+/);
  });
});
