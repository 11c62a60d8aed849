import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';
import { CHAT_SYSTEM_SECRET, DATA_KEY, SESSION_SECRET } from '../../helpers/secrets.js';

const client = (overrides: Record<string, unknown> = {}) => ({
  clientId: 'puzzel',
  label: 'Puzzel',
  clientSecret: CHAT_SYSTEM_SECRET,
  redirectUris: ['https://chat.puzzel.example/callback'],
  ...overrides,
});

function config(handoff: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    publicUrl: 'https://gw.kommune.example',
    tenants: [
      {
        id: 'kommune',
        name: 'Kommune',
        providers: [
          {
            id: 'bankid',
            label: 'BankID',
            issuer: 'https://kommune.idura.broker',
            clientId: 'abc',
            clientSecret: 'secret',
            claimProfile: 'idura',
          },
        ],
        handoff,
      },
    ],
    ...extra,
  };
}

const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  SESSION_SECRET,
  DATA_KEY,
  SIGNING_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }),
};

function issues(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

const RSA_KEY = { kty: 'RSA', n: 'n', e: 'AQAB', d: 'd' };

describe('tenants[].handoff.oidcClients', () => {
  it('defaults to pairwise subjects, client_secret_basic and releasing only the name', () => {
    const { config: parsed } = parseConfig(config({ oidcClients: [client()] }), { env: {} });
    expect(parsed.tenants[0]?.handoff.oidcClients[0]).toMatchObject({
      subjectType: 'pairwise',
      clientAuth: 'client_secret_basic',
      releasableClaims: ['name'],
      postLogoutRedirectUris: [],
    });
    expect(parsed.oidcProvider).toEqual({ idTokenSeconds: 300, accessTokenSeconds: 300, codeSeconds: 60 });
  });

  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['a client without secret', { clientSecret: undefined }, 'clientSecret'],
    ['a short secret', { clientSecret: 'short' }, 'clientSecret'],
    ['private_key_jwt without keys', { clientAuth: 'private_key_jwt', clientSecret: undefined }, 'jwks'],
    [
      'a secret beside private_key_jwt, which reads only the keys',
      { clientAuth: 'private_key_jwt', jwks: { keys: [{ kty: 'EC' }] } },
      'clientSecret: unused',
    ],
    ['keys beside a client secret, which nothing reads', { jwks: { keys: [{ kty: 'EC' }] } }, 'jwks: unused'],
    ['an http redirect URI off loopback', { redirectUris: ['http://chat.example/cb'] }, 'redirectUris'],
    ['a redirect URI with a fragment', { redirectUris: ['https://chat.example/cb#x'] }, 'redirectUris'],
    ['no redirect URI', { redirectUris: [] }, 'redirectUris'],
    [
      'a pairwise client on two hosts',
      { redirectUris: ['https://a.example/cb', 'https://b.example/cb'] },
      'redirectUris',
    ],
    ['an unknown releasable claim', { releasableClaims: ['email'] }, 'releasableClaims'],
    ['an unknown subject type', { subjectType: 'national' }, 'subjectType'],
  ];
  for (const [what, overrides, key] of refused) {
    it(`refuses ${what}`, () => {
      const found = issues(config({ oidcClients: [client(overrides)] }));
      expect(found.some((issue) => issue.includes(`oidcClients.0.${key}`))).toBe(true);
    });
  }

  it('refuses access tokens outliving the session they end with, only where chat systems get tokens', () => {
    const shortSessions = { session: { idleMinutes: 2 }, oidcProvider: { accessTokenSeconds: 300 } };
    expect(issues(config({ oidcClients: [client()] }, shortSessions))).toEqual([
      "oidcProvider.accessTokenSeconds: must not exceed session.idleMinutes (2 min = 120 s): the chat system's access tokens end with the citizen's session",
    ]);
    expect(
      issues(
        config({ oidcClients: [client()] }, { ...shortSessions, oidcProvider: { accessTokenSeconds: 120 } }),
      ),
    ).toEqual([]);
    expect(issues(config({}, shortSessions))).toEqual([]);
  });

  it('refuses duplicate client ids', () => {
    expect(issues(config({ oidcClients: [client(), client()] }))).toEqual([
      expect.stringContaining('oidcClients.1.clientId: duplicate clientId'),
    ]);
  });

  it('refuses the provider without signing keys in production, accepts it with keys', () => {
    expect(issues(config({ oidcClients: [client()] }), PRODUCTION_ENV)).toEqual([
      expect.stringContaining('oidcProvider.jwks: required'),
    ]);
    expect(
      issues(
        config({ oidcClients: [client()] }, { oidcProvider: { jwks: { keys: [RSA_KEY] } } }),
        PRODUCTION_ENV,
      ),
    ).toEqual([]);
  });

  it('refuses a loopback http redirect URI in production', () => {
    const raw = config(
      { oidcClients: [client({ redirectUris: ['http://127.0.0.1:8080/cb'] })] },
      { oidcProvider: { jwks: { keys: [RSA_KEY] } } },
    );
    expect(issues(raw)).toEqual([]);
    expect(issues(raw, PRODUCTION_ENV)).toEqual([expect.stringContaining('must be https')]);
  });

  it('refuses public signing keys (no "d") for the provider', () => {
    const found = issues(
      config({}, { oidcProvider: { jwks: { keys: [{ kty: 'RSA', n: 'n', e: 'AQAB' }] } } }),
    );
    expect(found.some((issue) => issue.startsWith('oidcProvider.jwks.keys.0.d'))).toBe(true);
  });
});
