import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadMockIdpConfig, MockIdpConfigError, parseMockIdpConfig } from '../../../idp-mock/index.js';

const validClient = {
  clientId: 'gateway',
  clientSecret: 'secret',
  redirectUris: ['http://localhost:3000/auth/bankid/callback'],
};

function rejection(input: unknown): string {
  try {
    parseMockIdpConfig(input, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(MockIdpConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseMockIdpConfig', () => {
  it('accepts config/idp-mock.json as shipped', async () => {
    const config = parseMockIdpConfig(JSON.parse(await readFile('config/idp-mock.json', 'utf8')));
    expect(config.port).toBe(3001);
    expect(config.clients).toHaveLength(1);
    expect(config.clients[0]).toMatchObject({
      clientId: 'gateway-demo',
      clientSecret: 'demo-secret-not-for-production',
      postLogoutRedirectUris: ['http://localhost:3000/'],
    });
    expect(config.clients[0]?.redirectUris).toEqual([
      'http://localhost:3000/auth/bankid/callback',
      'http://localhost:3000/auth/suomifi/callback',
      'http://localhost:3000/auth/idporten/callback',
      'http://localhost:3000/auth/signicat/callback',
      'http://localhost:3000/staff/callback',
    ]);
  });

  it('names the source and a missing key', () => {
    const message = rejection({ port: 3001 });
    expect(message).toContain('Invalid mock IdP config (test.json)');
    expect(message).toMatch(/- clients: /);
  });

  it('names a bad redirect URI by its position', () => {
    expect(rejection({ clients: [{ ...validClient, redirectUris: ['not a url'] }] })).toMatch(
      /clients\.0\.redirectUris\.0: must be an absolute http\(s\) URL/,
    );
  });

  it('names a misspelt key', () => {
    expect(rejection({ clients: [{ ...validClient, redirectUri: 'http://localhost/cb' }] })).toMatch(
      /clients\.0: Unrecognized key: "redirectUri"/,
    );
  });

  it('requires a secret for client_secret_* and keys for private_key_jwt', () => {
    const { clientSecret: _omitted, ...withoutSecret } = validClient;
    expect(rejection({ clients: [withoutSecret] })).toMatch(
      /clients\.0\.clientSecret: required for client_secret_basic/,
    );
    expect(
      rejection({ clients: [{ ...withoutSecret, tokenEndpointAuthMethod: 'private_key_jwt' }] }),
    ).toMatch(/clients\.0\.jwks: required for private_key_jwt/);
  });

  it('rejects unknown issuers, duplicate clients, bad ports and https base URLs', () => {
    expect(rejection({ clients: [{ ...validClient, issuers: ['bankid-se'] }] })).toMatch(
      /clients\.0\.issuers\.0/,
    );
    expect(rejection({ clients: [validClient, validClient] })).toMatch(
      /clients\.1\.clientId: duplicate clientId/,
    );
    expect(rejection({ port: 70000, clients: [] })).toMatch(/- port: /);
    expect(rejection({ baseUrl: 'https://idp.example', clients: [] })).toMatch(/- baseUrl: must use http:/);
    expect(rejection({ baseUrl: 'http://localhost:3001/idp', clients: [] })).toMatch(
      /- baseUrl: must be an origin/,
    );
  });

  it('names a bad persona claim', () => {
    const message = rejection({
      clients: [],
      personas: [
        {
          id: 'Not Kebab',
          label: 'x',
          issuers: ['staff'],
          claims: { name: 'X', email: 'nope', roles: ['boss'] },
        },
      ],
    });
    expect(message).toMatch(/personas\.0\.id: must be kebab-case/);
    expect(message).toMatch(/personas\.0\.claims\.email/);
    expect(message).toMatch(/personas\.0\.claims\.roles\.0/);
  });

  it('rejects a persona id given twice', () => {
    const persona = {
      id: 'alex-agent',
      label: 'Alex',
      issuers: ['staff'],
      claims: { name: 'Alex', email: 'alex@demo.example', roles: ['agent'] },
    };
    expect(rejection({ clients: [], personas: [persona, persona] })).toMatch(
      /personas\.1\.id: duplicate persona id/,
    );
  });

  it('normalises baseUrl to its origin', () => {
    expect(parseMockIdpConfig({ baseUrl: 'http://localhost:3001/', clients: [] }).baseUrl).toBe(
      'http://localhost:3001',
    );
  });
});

describe('loadMockIdpConfig', () => {
  it('prefers IDP_MOCK_CONFIG_JSON and lets PORT override the port', async () => {
    const config = await loadMockIdpConfig({
      IDP_MOCK_CONFIG_JSON: JSON.stringify({ port: 4000, clients: [validClient] }),
      IDP_MOCK_CONFIG: 'does-not-exist.json',
      PORT: '4100',
    });
    expect(config.port).toBe(4100);
    expect(config.clients[0]?.clientId).toBe('gateway');
  });

  it('reads config/idp-mock.json by default', async () => {
    const config = await loadMockIdpConfig({});
    expect(config.clients[0]?.clientId).toBe('gateway-demo');
  });

  it('names the variable when the inline JSON is broken', async () => {
    await expect(loadMockIdpConfig({ IDP_MOCK_CONFIG_JSON: '{"clients": [' })).rejects.toThrow(
      /IDP_MOCK_CONFIG_JSON\): not JSON/,
    );
  });

  it('names the file it cannot read', async () => {
    await expect(loadMockIdpConfig({ IDP_MOCK_CONFIG: 'no/such/file.json' })).rejects.toThrow(
      /Cannot read mock IdP config "no\/such\/file.json"/,
    );
  });

  it('rejects a PORT that is not a port', async () => {
    await expect(loadMockIdpConfig({ PORT: 'eighty' })).rejects.toThrow(/Invalid PORT/);
    for (const written of [' 80', '1e3', '0x10', '70000'])
      await expect(loadMockIdpConfig({ PORT: written })).rejects.toThrow(/Invalid PORT/);
  });
});
