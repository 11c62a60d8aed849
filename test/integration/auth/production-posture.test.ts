import { generateKeyPairSync } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireStaffAssurance } from '../../../src/auth/staff-login.js';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';
import { productionProblems } from '../../../src/config/production-rules.js';
import { createGateway } from '../../../src/gateway.js';
import { GatewayError } from '../../../src/http/errors.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { BrowserSession } from '../../helpers/browser-session.js';
import { rsaPrivateJwk } from '../../helpers/handoff-keys.js';
import { DATA_KEY, SESSION_SECRET } from '../../helpers/secrets.js';
import {
  startTestGateway,
  TEST_SECRET,
  type TestGateway,
  testProviders,
  testTenant,
} from '../../helpers/test-gateway.js';

/**
 * Production posture: staff logins can require a second factor (acr/amr), test identities are
 * refused unless a tenant accepts them, production keeps and logs its warnings, and a key that
 * cannot be used stops start-up naming it.
 */

function staffWith(requirements: Record<string, unknown>): Record<string, unknown> {
  return {
    issuer: 'mock:staff',
    clientId: 'gateway-test',
    clientSecret: TEST_SECRET,
    roleClaim: 'roles',
    tenantClaim: 'tenant',
    ...requirements,
  };
}

describe('GET /staff/callback with required assurance', () => {
  let strict: TestGateway;
  let mfa: TestGateway;
  beforeAll(async () => {
    // The mock staff IdP signs in with amr ["pwd", "mfa"] and no acr.
    strict = await startTestGateway({
      tenants: [testTenant({ staff: staffWith({ requiredAmr: ['hwk'] }) })],
    });
    mfa = await startTestGateway({ tenants: [testTenant({ staff: staffWith({ requiredAmr: ['mfa'] }) })] });
  });
  afterAll(async () => {
    await strict?.close();
    await mfa?.close();
  });

  it('refuses a login without the required amr with staff_assurance_too_low (403) and no staff session', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${strict.url}/staff/login?login_hint=alex-agent`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('staff_assurance_too_low');
    const console = await browser.get(`${strict.url}/agent`, { follow: false });
    expect(console.status).toBe(303);
  });

  it('lets a login with the required amr in', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(`${mfa.url}/staff/login?login_hint=alex-agent`);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${mfa.url}/agent`);
  });
});

describe('GET /staff/callback after asking for acr_values', () => {
  let asking: TestGateway;
  beforeAll(async () => {
    // The mock staff IdP sends no acr, as an IdP does that ignores acr_values or was not asked.
    asking = await startTestGateway({
      tenants: [testTenant({ staff: staffWith({ acrValues: ['urn:mfa'] }) })],
    });
  });
  afterAll(async () => {
    await asking?.close();
  });

  it('refuses a login whose acr is not one asked for, with staff_assurance_too_low (403)', async () => {
    const browser = new BrowserSession();
    const start = await browser.get(`${asking.url}/staff/login?login_hint=alex-agent`, { follow: false });
    expect(new URL(start.headers.get('location') ?? '').searchParams.get('acr_values')).toBe('urn:mfa');
    const page = await browser.get(`${asking.url}/staff/login?login_hint=alex-agent`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('staff_assurance_too_low');
    expect((await browser.get(`${asking.url}/agent`, { follow: false })).status).toBe(303);
  });
});

describe('requireStaffAssurance', () => {
  const none = { requiredAcr: [], requiredAmr: [] };
  const cases: Array<
    [
      what: string,
      claims: Record<string, unknown>,
      staff: typeof none | Record<string, string[]>,
      ok: boolean,
    ]
  > = [
    ['nothing required, nothing sent', {}, none, true],
    ['amr mfa required and sent', { amr: ['pwd', 'mfa'] }, { requiredAcr: [], requiredAmr: ['mfa'] }, true],
    ['one of several amr sent', { amr: ['fido'] }, { requiredAcr: [], requiredAmr: ['hwk', 'fido'] }, true],
    ['amr required, only pwd sent', { amr: ['pwd'] }, { requiredAcr: [], requiredAmr: ['mfa'] }, false],
    ['amr required, none sent', {}, { requiredAcr: [], requiredAmr: ['mfa'] }, false],
    ['amr required, sent as a string', { amr: 'mfa' }, { requiredAcr: [], requiredAmr: ['mfa'] }, false],
    ['acr required and sent', { acr: 'urn:mfa' }, { requiredAcr: ['urn:mfa'], requiredAmr: [] }, true],
    ['acr required, another sent', { acr: 'urn:pwd' }, { requiredAcr: ['urn:mfa'], requiredAmr: [] }, false],
    ['acr required, none sent', {}, { requiredAcr: ['urn:mfa'], requiredAmr: [] }, false],
    [
      'acr_values asked for, no acr sent back (taken out of the URL, or ignored)',
      { amr: ['pwd'] },
      { requiredAcr: [], requiredAmr: [], acrValues: ['urn:mfa'] },
      false,
    ],
    [
      'acr_values asked for, a weaker acr sent back',
      { acr: 'urn:pwd' },
      { requiredAcr: [], requiredAmr: [], acrValues: ['urn:mfa'] },
      false,
    ],
    [
      'acr_values asked for and honoured',
      { acr: 'urn:mfa' },
      { requiredAcr: [], requiredAmr: [], acrValues: ['urn:mfa', 'urn:hwk'] },
      true,
    ],
    [
      'requiredAcr decides over acr_values',
      { acr: 'urn:hwk' },
      { requiredAcr: ['urn:hwk'], requiredAmr: [], acrValues: ['urn:mfa'] },
      true,
    ],
    [
      'acr and amr required, only acr sent',
      { acr: 'urn:mfa' },
      { requiredAcr: ['urn:mfa'], requiredAmr: ['hwk'] },
      false,
    ],
  ];
  for (const [what, claims, staff, ok] of cases) {
    it(`${ok ? 'accepts' : 'refuses'}: ${what}`, () => {
      const check = () => requireStaffAssurance(claims, staff as typeof none);
      if (ok) expect(check).not.toThrow();
      else expect(check).toThrow(expect.objectContaining({ code: 'staff_assurance_too_low', status: 403 }));
    });
  }
});

describe('a citizen with a test identity', () => {
  let refusing: TestGateway;
  beforeAll(async () => {
    refusing = await startTestGateway({ tenants: [testTenant({ acceptTestIdentities: false })] });
  });
  afterAll(async () => {
    await refusing?.close();
  });

  for (const [provider, persona] of [
    ['bankid', 'kari-nordmann'],
    ['suomifi', 'matti-meikalainen'],
  ] as const) {
    it(`is refused with test_identity_refused where the tenant does not accept them (${persona})`, async () => {
      const browser = new BrowserSession();
      const page = await browser.get(`${refusing.url}/auth/${provider}/login?login_hint=${persona}`);
      expect(page.status).toBe(403);
      expect(page.text).toContain('test_identity_refused');
      const session = JSON.parse((await browser.get(`${refusing.url}/api/session`)).text) as {
        state: string;
      };
      expect(session.state).toBe('anonymous');
    });
  }
});

/** A production configuration with https brokers (never contacted by these tests' assertions). */
function productionRawFor(signingKey: Record<string, unknown>): Record<string, unknown> {
  return {
    publicUrl: 'https://gw.example',
    port: 0,
    session: { secret: SESSION_SECRET },
    dataKey: DATA_KEY,
    signingKey,
    tenants: [
      {
        id: 'demo',
        name: 'Demo',
        providers: [
          {
            id: 'bankid',
            label: 'BankID',
            issuer: 'https://idp.invalid',
            clientId: 'c',
            clientSecret: 's',
            claimProfile: 'idura',
          },
        ],
        staff: { issuer: 'https://staff.invalid', clientId: 'c', clientSecret: 's' },
      },
    ],
  };
}

describe('production rules', () => {
  const productionRaw = (tenant: Record<string, unknown>) => ({
    publicUrl: 'https://gw.example',
    session: { secret: SESSION_SECRET },
    dataKey: DATA_KEY,
    signingKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' },
    tenants: [tenant],
  });
  const productionTenant = (staff: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id: 'demo',
    name: 'Demo',
    providers: [
      {
        id: 'bankid',
        label: 'BankID',
        issuer: 'https://idp.example',
        clientId: 'c',
        clientSecret: 's',
        claimProfile: 'idura',
      },
    ],
    staff: { issuer: 'https://staff.example', clientId: 'c', clientSecret: 's', ...staff },
    ...extra,
  });

  it('warns loudly when a staff provider requires no acr or amr, and keeps the warning in production', () => {
    const loaded = parseConfig(productionRaw(productionTenant({})), { env: { NODE_ENV: 'production' } });
    expect(loaded.production).toBe(true);
    expect(loaded.warnings.some((w) => w.startsWith('tenants.0.staff: requires no acr or amr'))).toBe(true);
  });

  for (const [what, staff] of [
    [
      'the staff login asks for acr_values (the returned acr must then be one of them)',
      { acrValues: ['urn:mfa'] },
    ],
    ['the staff provider requires a second factor', { requiredAmr: ['mfa'] }],
  ] as const) {
    it(`does not warn when ${what}`, () => {
      const { warnings } = productionProblems(
        parseConfig(productionRaw(productionTenant({ ...staff })), { env: { NODE_ENV: 'production' } })
          .config,
      );
      expect(warnings.some((w) => w.includes('staff'))).toBe(false);
    });
  }

  it('refuses trustProxy true (every client could forge its address) and accepts hops or subnets', () => {
    const raw = (trustProxy: unknown) => ({
      ...productionRaw(productionTenant({ requiredAmr: ['mfa'] })),
      trustProxy,
    });
    expect(() => parseConfig(raw(true), { env: { NODE_ENV: 'production' } })).toThrow(
      /trustProxy: true believes X-Forwarded-For from any client.*\(refused because NODE_ENV=production\)/,
    );
    // Development keeps it, with the same finding as a warning.
    expect(parseConfig(raw(true), { env: {} }).warnings.some((w) => w.startsWith('trustProxy: true'))).toBe(
      true,
    );
    for (const safe of [
      false,
      1,
      2,
      '10.0.0.0/8',
      'loopback',
      '104.16.0.0/12, 2a06:98c0::/29',
      'fc00::/7, uniquelocal',
      '::ffff:10.0.0.0/104',
    ])
      expect(parseConfig(raw(safe), { env: { NODE_ENV: 'production' } }).config.trustProxy).toEqual(safe);
  });

  it('refuses a trustProxy subnet as wide as true: half the internet, all of IPv4 as IPv6 sees it', () => {
    const raw = (trustProxy: unknown) => ({
      ...productionRaw(productionTenant({ requiredAmr: ['mfa'] })),
      trustProxy,
    });
    for (const [broad, named] of [
      ['0.0.0.0/1, 128.0.0.0/1', '0.0.0.0/1, 128.0.0.0/1'],
      ['10.0.0.0/8, ::ffff:0:0/96', '::ffff:0:0/96'],
      ['2000::/3', '2000::/3'],
      ['::/1', '::/1'],
    ]) {
      expect(() => parseConfig(raw(broad), { env: { NODE_ENV: 'production' } })).toThrow(
        `trustProxy: ${named} trusts X-Forwarded-For from a large part of the internet, as true would; list the load balancers' own addresses or subnets, or set the number of proxy hops (refused because NODE_ENV=production)`,
      );
    }
  });

  it('warns about redis:// to another host (password and sessions in clear), not about rediss:// or loopback', () => {
    const warned = (redisUrl: string) =>
      parseConfig(
        { ...productionRaw(productionTenant({ requiredAmr: ['mfa'] })), store: { type: 'redis', redisUrl } },
        { env: { NODE_ENV: 'production' } },
      ).warnings.some((w) => w.startsWith('store.redisUrl: redis:// to another host'));
    expect(warned('redis://redis.internal:6379')).toBe(true);
    expect(warned('rediss://redis.internal:6380')).toBe(false);
    expect(warned('redis://127.0.0.1:6379')).toBe(false);
  });

  it('warns when a tenant accepts test identities in production', () => {
    const loaded = parseConfig(
      productionRaw(productionTenant({ requiredAmr: ['mfa'] }, { acceptTestIdentities: true })),
      {
        env: { NODE_ENV: 'production' },
      },
    );
    expect(loaded.warnings).toContain(
      'tenants.0.acceptTestIdentities: synthetic/test national identity numbers are accepted',
    );
  });
});

describe('production start-up', () => {
  it('logs every warning instead of dropping it', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const raw = productionRawFor(await exportJWK(privateKey));
    const loaded = parseConfig(raw, { env: { NODE_ENV: 'production' }, source: 'test' });
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    const gateway = await createGateway(loaded, { logger: createLogger('info', stream) });
    await gateway.close();
    const warnings = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; setting?: string })
      .filter((line) => line.msg === 'production warning');
    expect(warnings.map((w) => w.setting)).toEqual(loaded.warnings);
    expect(
      warnings.some((w) => w.level === 40 && w.setting?.startsWith('tenants.0.staff: requires no acr')),
    ).toBe(true);
  });
});

describe('start-up with a key that cannot be used', () => {
  async function startWith(raw: Record<string, unknown>): Promise<unknown> {
    const loaded = parseConfig(
      {
        port: 0,
        publicUrl: 'http://localhost:3000',
        host: '127.0.0.1',
        mockIdp: { enabled: true, port: 0 },
        tenants: [testTenant()],
        ...raw,
      },
      { env: {}, source: 'test' },
    );
    return createGateway(loaded, { logger: createLogger('silent') }).then(
      async (gateway) => {
        await gateway.close();
        return 'started';
      },
      (error: unknown) => error,
    );
  }

  it('fails naming signingKey', async () => {
    const failure = await startWith({
      signingKey: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', d: 'AAAA' },
    });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues[0]).toMatch(/^signingKey: not a usable private key/);
  });

  it('fails naming the provider’s privateKeyJwk, not as a broker outage later', async () => {
    const [bankid] = testProviders();
    const { clientSecret: _secret, ...withoutSecret } = bankid ?? {};
    const provider = {
      ...withoutSecret,
      clientId: 'gateway-pkjwt',
      clientAuth: 'private_key_jwt',
      privateKeyJwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB', d: 'AQAB' },
    };
    const tenant = testTenant({ providers: [testProviders()[1], provider], staff: undefined });
    const failure = await startWith({ tenants: [tenant] });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      expect.stringMatching(/^tenants\.0\.providers\.1\.privateKeyJwk: not a usable private key/),
    ]);
  });

  it('fails naming a hand-off target’s privateKeyJwk', async () => {
    const target = { id: 'salesforce', vendor: 'salesforce', label: 'Salesforce' };
    const failure = await startWith({
      tenants: [
        testTenant({
          handoff: {
            targets: [{ ...target, privateKeyJwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB', d: 'AQAB' } }],
          },
        }),
      ],
    });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      expect.stringMatching(/^tenants\.0\.handoff\.targets\.0\.privateKeyJwk: not a usable private key/),
    ]);
  });

  it('fails naming a Salesforce target’s extraPublicJwks entry that is no usable RSA key', async () => {
    const failure = await startWith({
      tenants: [
        testTenant({
          handoff: {
            targets: [
              {
                id: 'salesforce',
                vendor: 'salesforce',
                label: 'Salesforce',
                privateKeyJwk: await rsaPrivateJwk(),
                extraPublicJwks: [{ kty: 'RSA', n: '***', e: 'AQAB' }],
              },
            ],
          },
        }),
      ],
    });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      expect.stringMatching(
        /^tenants\.0\.handoff\.targets\.0\.extraPublicJwks\.0: not a usable RSA public key/,
      ),
    ]);
  });

  it('fails naming a hand-off target’s or the OpenID Provider’s RSA key under 2048 bits, which jose will not sign with', async () => {
    const weak = () =>
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as Record<
        string,
        unknown
      >;
    const target = { id: 'salesforce', vendor: 'salesforce', label: 'Salesforce', privateKeyJwk: weak() };
    const client = {
      clientId: 'puzzel',
      label: 'Puzzel',
      clientSecret: 'puzzel-client-secret-0123456789abcdef',
      redirectUris: ['http://127.0.0.1:65535/chat/callback'],
    };
    const failure = await startWith({
      tenants: [testTenant({ handoff: { targets: [target], oidcClients: [client] } })],
      oidcProvider: { jwks: { keys: [weak()] } },
    });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      expect.stringMatching(/^tenants\.0\.handoff\.targets\.0\.privateKeyJwk: not a usable private key/),
      expect.stringMatching(/^oidcProvider\.jwks\.keys\.0: not a usable private key/),
    ]);
  });

  it('fails naming a hand-off target’s private key whose public part is another key’s', async () => {
    const [{ privateKey: one }, { privateKey: other }] = await Promise.all([
      generateKeyPair('RS256', { extractable: true }),
      generateKeyPair('RS256', { extractable: true }),
    ]);
    const mixed = { ...(await exportJWK(one)), n: (await exportJWK(other)).n };
    const target = { id: 'salesforce', vendor: 'salesforce', label: 'Salesforce', privateKeyJwk: mixed };
    const failure = await startWith({ tenants: [testTenant({ handoff: { targets: [target] } })] });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      expect.stringMatching(/^tenants\.0\.handoff\.targets\.0\.privateKeyJwk: not a usable private key/),
    ]);
  });

  it('fails naming signingKey or a provider’s privateKeyJwk under 2048 bits, or whose public part is another key’s', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    const [{ privateKey: one }, { privateKey: other }] = await Promise.all([
      generateKeyPair('RS256', { extractable: true }),
      generateKeyPair('RS256', { extractable: true }),
    ]);
    const mixed = { ...(await exportJWK(one)), n: (await exportJWK(other)).n };
    const [bankid] = testProviders();
    const { clientSecret: _secret, ...withoutSecret } = bankid ?? {};
    const provider = {
      ...withoutSecret,
      clientId: 'gateway-pkjwt',
      clientAuth: 'private_key_jwt',
      privateKeyJwk: mixed,
    };
    const failure = await startWith({
      signingKey: weak,
      tenants: [testTenant({ providers: [testProviders()[1], provider], staff: undefined })],
    });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      expect.stringMatching(/^tenants\.0\.providers\.1\.privateKeyJwk: not a usable private key/),
      expect.stringMatching(/^signingKey: not a usable private key/),
    ]);
  });

  it('fails naming a chat system’s jwks key that cannot verify its client assertions, not as invalid_client at every sign-in', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const keyPair = await exportJWK(privateKey);
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = keyPair;
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const client = (clientId: string, keys: Record<string, unknown>[]) => ({
      clientId,
      label: clientId,
      clientAuth: 'private_key_jwt',
      jwks: { keys },
      redirectUris: ['http://127.0.0.1:65535/chat/callback'],
    });
    const failure = await startWith({
      tenants: [
        testTenant({
          handoff: {
            oidcClients: [
              client('key-pair', [publicJwk, keyPair]),
              client('secret', [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' }]),
              client('garbage', [{ kty: 'RSA', n: '***', e: 'AQAB' }]),
              client('weak', [weak, p384]),
              client('usable', [publicJwk, p256, ed25519]),
            ],
          },
        }),
      ],
    });
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      expect.stringMatching(/^tenants\.0\.handoff\.oidcClients\.0\.jwks\.keys\.1: not a usable public key/),
      expect.stringMatching(/^tenants\.0\.handoff\.oidcClients\.1\.jwks\.keys\.0: not a usable public key/),
      expect.stringMatching(/^tenants\.0\.handoff\.oidcClients\.2\.jwks\.keys\.0: not a usable public key/),
      expect.stringMatching(/^tenants\.0\.handoff\.oidcClients\.3\.jwks\.keys\.0: not a usable public key/),
      expect.stringMatching(/^tenants\.0\.handoff\.oidcClients\.3\.jwks\.keys\.1: not a usable public key/),
    ]);
    expect(String((failure as ConfigError).issues[0])).toContain('private');
  });

  it('starts with a usable private_key_jwt key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k1' };
    expect(await startWith({ signingKey: jwk })).toBe('started');
  });
});

it('GatewayError keeps its call shape', () => {
  expect(new GatewayError('rate_limited', 'x', { status: 429, retryAfterSeconds: 5 }).retryAfterSeconds).toBe(
    5,
  );
});
