import { describe, expect, it } from 'vitest';
import { useMockIdp } from './mock-idp-harness.js';

const mock = useMockIdp();

async function discover(issuerId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${mock.idp.issuer(issuerId)}/.well-known/openid-configuration`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('createMockIdp', () => {
  it('hosts the five issuers under path prefixes of its base URL', () => {
    expect(mock.idp.baseUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(mock.idp.issuerIds).toEqual(['bankid-no', 'ftn-fi', 'signicat', 'idporten', 'staff']);
    expect(mock.idp.issuer('bankid-no')).toBe(`${mock.idp.baseUrl}/bankid-no`);
  });

  it('throws for an issuer id it does not host', () => {
    expect(() => mock.idp.issuer('bankid-se')).toThrow(/unknown issuer id "bankid-se"/);
  });
});

describe('GET /:issuer/.well-known/openid-configuration', () => {
  it.each(['bankid-no', 'ftn-fi', 'signicat', 'idporten', 'staff'])(
    'publishes exact issuer, iss parameter, PAR, end_session and S256-only PKCE for %s',
    async (issuerId) => {
      const metadata = await discover(issuerId);
      const issuer = mock.idp.issuer(issuerId);
      expect(metadata.issuer).toBe(issuer);
      expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
      expect(metadata.pushed_authorization_request_endpoint).toBe(`${issuer}/request`);
      expect(metadata.end_session_endpoint).toBe(`${issuer}/session/end`);
      expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
      expect(metadata.response_types_supported).toEqual(['code']);
      expect(metadata.token_endpoint_auth_methods_supported).toEqual([
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ]);
      expect(metadata.id_token_signing_alg_values_supported).toEqual(
        expect.arrayContaining(['RS256', 'ES256']),
      );
    },
  );

  it('publishes every endpoint under the issuer, whatever Host the request used', async () => {
    const viaLoopback = mock.idp.issuer('idporten').replace('localhost', '127.0.0.1');
    const metadata = (await (
      await fetch(`${viaLoopback}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) {
      expect(String(metadata[key])).toMatch(new RegExp(`^${mock.idp.issuer('idporten')}/`));
    }
  });

  it('lists the acr values of each broker', async () => {
    expect((await discover('bankid-no')).acr_values_supported).toEqual([
      'urn:grn:authn:no:bankid',
      'urn:grn:authn:no:bankid:high',
      'urn:grn:authn:no:bankid:substantial',
    ]);
    expect((await discover('ftn-fi')).acr_values_supported).toEqual([
      'urn:grn:authn:fi:bank-id',
      'urn:grn:authn:fi:mobile-id',
      'urn:grn:authn:fi:all',
    ]);
    expect((await discover('idporten')).acr_values_supported).toEqual([
      'idporten-loa-substantial',
      'idporten-loa-high',
    ]);
  });

  it('gives each issuer its own signing keys, RS256 and ES256', async () => {
    const keysOf = async (issuerId: string) => {
      const { keys } = (await (await fetch(`${mock.idp.issuer(issuerId)}/jwks`)).json()) as {
        keys: { kid: string; alg: string; d?: string }[];
      };
      return keys;
    };
    const bankid = await keysOf('bankid-no');
    const staff = await keysOf('staff');
    expect(bankid.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(bankid.every((key) => key.d === undefined)).toBe(true);
    expect(bankid.map((key) => key.kid)).not.toEqual(expect.arrayContaining(staff.map((key) => key.kid)));
  });
});

describe('GET /', () => {
  it('lists the issuers on a page without inline script or style', async () => {
    const response = await fetch(`${mock.idp.baseUrl}/`);
    const html = await response.text();
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const issuerId of mock.idp.issuerIds) expect(html).toContain(mock.idp.issuer(issuerId));
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${mock.idp.baseUrl}/bankid-se/.well-known/openid-configuration`)).status).toBe(404);
  });
});
