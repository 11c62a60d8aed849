import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load-config.js';
import { DATA_KEY, SESSION_SECRET } from '../../helpers/secrets.js';

function tenant(overrides: Record<string, unknown> = {}) {
  return {
    id: 'espoo',
    name: 'Espoo',
    providers: [
      {
        id: 'suomifi',
        label: 'Suomi.fi',
        issuer: 'https://espoo.idura.broker',
        clientId: 'abc',
        clientSecret: { $env: 'IDURA_SECRET' },
        claimProfile: 'idura',
      },
    ],
    ...overrides,
  };
}

const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  IDURA_SECRET: 'from-the-environment',
  SESSION_SECRET,
  DATA_KEY,
  SIGNING_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }),
};

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('accepts a minimal configuration and fills in documented defaults', () => {
    const { config, production } = parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x' } });
    expect(production).toBe(false);
    expect(config.port).toBe(3000);
    expect(config.store.type).toBe('memory');
    expect(config.tenants[0]?.providers[0]).toMatchObject({
      clientSecret: 'x',
      clientAuth: 'client_secret_basic',
      scopes: ['openid'],
      minimumLoa: 'substantial',
    });
    expect(config.tenants[0]?.retention).toEqual({ deleteAfterDays: 45 });
    expect(config.tenants[0]?.metadata).toEqual({
      ip: false,
      userAgent: false,
      pages: false,
      referrer: false,
    });
  });

  it('names an unknown key', () => {
    expect(
      issues(() => parseConfig({ tenants: [tenant()], prot: 1 }, { env: { IDURA_SECRET: 'x' } })),
    ).toEqual(['(root): unknown key "prot"']);
  });

  it('takes anonymiseAfterDays and deleteAfterDays as retention, anonymising first', () => {
    const parse = (retention: unknown) => () =>
      parseConfig({ tenants: [tenant({ retention })] }, { env: { IDURA_SECRET: 'x' }, source: 'test' });
    expect(parse({ anonymiseAfterDays: 90, deleteAfterDays: 365 })().config.tenants[0]?.retention).toEqual({
      anonymiseAfterDays: 90,
      deleteAfterDays: 365,
    });
    expect(parse({ anonymiseAfterDays: 180 })().config.tenants[0]?.retention).toEqual({
      anonymiseAfterDays: 180,
    });
    expect(parse({})().config.tenants[0]?.retention).toEqual({});
    expect(parse({ anonymiseAfterDays: 365, deleteAfterDays: 90 })).toThrow(
      /anonymiseAfterDays must be before deleteAfterDays/,
    );
    expect(parse({ deleteAfterDays: 0 })).toThrow(ConfigError);
  });

  it('bounds the conversations waiting per visitor and per address (2 and 20), the one per visitor within the one per address', () => {
    const env = { env: { IDURA_SECRET: 'x' } };
    const chat = (settings: Record<string, unknown>) =>
      parseConfig({ tenants: [tenant()], chat: settings }, env);
    const { config } = parseConfig({ tenants: [tenant()] }, env);
    expect(config.chat).toMatchObject({ maxQueued: 500, maxQueuedPerVisitor: 2, maxQueuedPerAddress: 20 });
    expect(chat({ maxQueued: 5, maxQueuedPerAddress: 5, maxQueuedPerVisitor: 5 }).config.chat).toMatchObject({
      maxQueuedPerAddress: 5,
      maxQueuedPerVisitor: 5,
    });
    expect(issues(() => chat({ maxQueuedPerVisitor: 3, maxQueuedPerAddress: 2 }))).toEqual([
      'chat.maxQueuedPerAddress: maxQueuedPerAddress must be at least maxQueuedPerVisitor',
    ]);
    // A short queue keeps the defaults: the bounds apply from half of it, whatever their size.
    expect(chat({ maxQueued: 10 }).config.chat).toMatchObject({ maxQueued: 10, maxQueuedPerAddress: 20 });
    expect(issues(() => chat({ maxQueuedPerVisitor: 0 }))[0]).toMatch(/^chat\.maxQueuedPerVisitor: /);
    expect(issues(() => chat({ maxQueuedPerAddress: 2.5 }))[0]).toMatch(/^chat\.maxQueuedPerAddress: /);
  });

  it('names a missing secret and the environment variable it expects', () => {
    expect(issues(() => parseConfig({ tenants: [tenant()] }, { env: {} }))).toEqual([
      'tenants.0.providers.0.clientSecret: environment variable IDURA_SECRET is not set',
    ]);
  });

  it('names an unknown claim profile and lists the known ones', () => {
    const bad = tenant();
    (bad.providers[0] as Record<string, unknown>).claimProfile = 'criipto2';
    const [issue] = issues(() => parseConfig({ tenants: [bad] }, { env: { IDURA_SECRET: 'x' } }));
    expect(issue).toMatch(
      /^tenants\.0\.providers\.0\.claimProfile: expected one of "idura", "signicat", "idporten"/,
    );
  });

  it('requires a private key for private_key_jwt and a genericClaims map for the generic profile', () => {
    const bad = tenant();
    Object.assign(bad.providers[0] as object, { clientAuth: 'private_key_jwt', claimProfile: 'generic' });
    const found = issues(() => parseConfig({ tenants: [bad] }, { env: { IDURA_SECRET: 'x' } }));
    expect(found).toContain(
      'tenants.0.providers.0.privateKeyJwk: required when clientAuth is "private_key_jwt"',
    );
    expect(found).toContain('tenants.0.providers.0.genericClaims: required when claimProfile is "generic"');
  });

  it('refuses plain http to a broker that is not on loopback', () => {
    const bad = tenant();
    (bad.providers[0] as Record<string, unknown>).issuer = 'http://broker.example';
    expect(issues(() => parseConfig({ tenants: [bad] }, { env: { IDURA_SECRET: 'x' } }))[0]).toMatch(
      /^tenants\.0\.providers\.0\.issuer: expected an https URL/,
    );
  });

  it('refuses a tenant or provider id named after a property of Object.prototype (ids key the session’s records)', () => {
    const bad = tenant({ id: 'constructor' });
    (bad.providers[0] as { id: string }).id = 'constructor';
    const found = issues(() => parseConfig({ tenants: [bad] }, { env: { IDURA_SECRET: 'x' } }));
    expect(found).toContain('tenants.0.id: a name JavaScript objects already have');
    expect(found).toContain('tenants.0.providers.0.id: a name JavaScript objects already have');
  });

  it('refuses duplicate provider ids and a mock issuer without the mock IdP', () => {
    const bad = tenant();
    bad.providers.push({ ...(bad.providers[0] as (typeof bad.providers)[0]), issuer: 'mock:ftn-fi' });
    const found = issues(() => parseConfig({ tenants: [bad] }, { env: { IDURA_SECRET: 'x' } }));
    expect(found).toContain('tenants.0.providers.1.id: duplicate id');
    expect(found).toContain('mockIdp.enabled: must be true when an issuer is "mock:…"');
  });

  it('applies PORT, PUBLIC_URL, SESSION_SECRET and REDIS_URL from the environment', () => {
    const { config } = parseConfig(
      { tenants: [tenant()] },
      {
        env: {
          IDURA_SECRET: 'x',
          PORT: '8080',
          PUBLIC_URL: 'https://chat.espoo.example',
          SESSION_SECRET: 'z'.repeat(32),
          REDIS_URL: 'redis://127.0.0.1:6390',
        },
      },
    );
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('https://chat.espoo.example');
    expect(config.session.secret).toBe('z'.repeat(32));
    expect(config.store).toMatchObject({ type: 'redis', redisUrl: 'redis://127.0.0.1:6390' });
  });

  it('takes as mail.from an e-mail address, alone or with a name, and names anything else', () => {
    const withFrom = (from: string) => ({ mail: { from, outboxDir: '.tmp/outbox' }, tenants: [tenant()] });
    for (const from of ['Demo kommune', 'chat@', 'Demo <chat>', 'a@b.example\r\nBcc: x@y.example']) {
      expect(issues(() => parseConfig(withFrom(from), { env: { IDURA_SECRET: 'x' } }))).toEqual([
        'mail.from: expected an e-mail address, alone or as "Name <address>", e.g. "Demo kommune <chat@kommune.example>"',
      ]);
    }
    for (const from of [
      'chat@kommune.example',
      'Demo kommune <chat@kommune.example>',
      '"Oulu, kaupunki" <chat@ouka.fi>',
    ])
      expect(parseConfig(withFrom(from), { env: { IDURA_SECRET: 'x' } }).config.mail?.from).toBe(from);
  });

  it('names a Redis URL node-redis would throw on at start-up, or read only in part', () => {
    for (const [redisUrl, problem] of [
      [
        'redis://:pa%zz@127.0.0.1:6390',
        'percent-encode special characters in the user and password (% as %25, @ as %40)',
      ],
      [
        'rediss://us%er:x@redis.example:6380',
        'percent-encode special characters in the user and password (% as %25, @ as %40)',
      ],
      [
        'redis://127.0.0.1:6390/cache',
        'the path is the database number, e.g. redis://redis.internal:6379/2, or none',
      ],
      [
        'redis://127.0.0.1:6390/2?db=3',
        'no query or fragment: the database number goes in the path, credentials before the host',
      ],
      ['redis:///2', 'expected a host, e.g. redis://redis.internal:6379'],
    ]) {
      expect(
        issues(() =>
          parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', REDIS_URL: redisUrl } }),
        ),
      ).toEqual([`store.redisUrl (from REDIS_URL): ${problem}`]);
    }
    for (const redisUrl of [
      'redis://:p%25ss@127.0.0.1:6390/2',
      'rediss://user:x@redis.example:6380/',
      'redis://[::1]:6390',
    ])
      expect(
        parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', REDIS_URL: redisUrl } }).config.store
          .redisUrl,
      ).toBe(redisUrl);
  });

  it('names the environment variable beside a key whose value it set, not the file only', () => {
    const file = { logLevel: 'info', session: { secret: 'the file holds none shorter than 32 chars' } };
    expect(
      issues(() =>
        parseConfig(
          { ...file, tenants: [tenant()] },
          {
            env: { IDURA_SECRET: 'x', LOG_LEVEL: 'verbose', SESSION_SECRET: 'short', MOCK_IDP_PORT: '3000' },
          },
        ),
      ),
    ).toEqual([
      'logLevel (from LOG_LEVEL): expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent"',
      'session.secret (from SESSION_SECRET): expected at least 32 characters',
    ]);
    // The same fault written in the file is named by its key alone.
    expect(
      issues(() => parseConfig({ logLevel: 'verbose', tenants: [tenant()] }, { env: { IDURA_SECRET: 'x' } })),
    ).toEqual(['logLevel: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent"']);
    // Production's refusals too.
    expect(
      issues(() =>
        parseConfig(
          { publicUrl: 'https://chat.espoo.example', tenants: [tenant()] },
          { env: { ...PRODUCTION_ENV, PUBLIC_URL: 'http://chat.espoo.example' } },
        ),
      ),
    ).toEqual([
      'publicUrl (from PUBLIC_URL): must be an https URL, the address citizens open (TLS may end at a load balancer in front: trustProxy) (refused because NODE_ENV=production)',
    ]);
  });

  it('names a REDIS_URL that is not redis:// or rediss:// instead of a node-redis stack trace', () => {
    for (const redisUrl of ['127.0.0.1:6390', 'http://127.0.0.1:6390']) {
      expect(
        issues(() =>
          parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', REDIS_URL: redisUrl } }),
        ),
      ).toEqual([
        'store.redisUrl (from REDIS_URL): expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
      ]);
    }
    const { config } = parseConfig(
      { tenants: [tenant()] },
      { env: { IDURA_SECRET: 'x', REDIS_URL: 'rediss://user:p%40ss@redis.example:6380/2' } },
    );
    expect(config.store.redisUrl).toBe('rediss://user:p%40ss@redis.example:6380/2');
  });

  it.each([
    ['mock:bankid', 'providers', 'provider "suomifi"'],
    ['mock:', 'providers', 'provider "suomifi"'],
    ['mock:BANKID-NO', 'providers', 'provider "suomifi"'],
    ['mock:staff2', 'staff', 'staff login'],
  ])('names the provider key of a mock issuer the mock IdP does not host (%s)', (issuer, where, label) => {
    const raw =
      where === 'staff'
        ? tenant({ staff: { issuer, clientId: 'staff', clientSecret: 'x', roleClaim: 'roles' } })
        : tenant({ providers: [{ ...tenant().providers[0], issuer }] });
    const found = issues(() =>
      parseConfig({ mockIdp: { enabled: true }, tenants: [raw] }, { env: { IDURA_SECRET: 'x' } }),
    );
    const key = where === 'staff' ? 'tenants.0.staff.issuer' : 'tenants.0.providers.0.issuer';
    expect(found).toEqual([
      `${key}: tenant "espoo", ${label}: "${issuer}" is not an issuer of the mock IdP (it hosts mock:bankid-no, mock:ftn-fi, mock:signicat, mock:idporten, mock:staff)`,
    ]);
  });

  it('applies MOCK_IDP_PORT to the mock IdP and refuses one that is not a port number', () => {
    const raw = { mockIdp: { enabled: true }, tenants: [tenant()] };
    expect(parseConfig(raw, { env: { IDURA_SECRET: 'x', MOCK_IDP_PORT: '4001' } }).config.mockIdp).toEqual({
      enabled: true,
      port: 4001,
      personas: [],
    });
    expect(issues(() => parseConfig(raw, { env: { IDURA_SECRET: 'x', MOCK_IDP_PORT: '70000' } }))).toEqual([
      'MOCK_IDP_PORT: expected an integer 0–65535',
    ]);
  });

  it('refuses one port for the gateway and the mock IdP (the gateway would find its own mock on it)', () => {
    const raw = { mockIdp: { enabled: true }, tenants: [tenant()] };
    expect(
      issues(() => parseConfig(raw, { env: { IDURA_SECRET: 'x', PORT: '4900', MOCK_IDP_PORT: '4900' } })),
    ).toEqual([
      'mockIdp.port (from MOCK_IDP_PORT): must differ from port (4900): the mock IdP listens on a port of its own',
    ]);
    expect(
      parseConfig(raw, {
        env: { IDURA_SECRET: 'x', PORT: '0', MOCK_IDP_PORT: '0', PUBLIC_URL: 'http://localhost:4100' },
      }).config.mockIdp.port,
    ).toBe(0);
  });

  it('rejects a PORT that is not a port number', () => {
    expect(
      issues(() => parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', PORT: 'eighty' } })),
    ).toEqual(['PORT: expected an integer 0–65535']);
  });

  it('takes PORT and MOCK_IDP_PORT in decimal digits only, not as whatever Number() makes of them', () => {
    // Number() reads these as 80, 1000, 16 and 3000: a listener on a port nobody wrote.
    for (const written of [' 80', '1e3', '0x10', '3000.0', '+3000', '003000000'])
      for (const name of ['PORT', 'MOCK_IDP_PORT'])
        expect(
          issues(() => parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', [name]: written } })),
        ).toEqual([`${name}: expected an integer 0–65535`]);
    expect(
      parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', PORT: '08080' } }).config.port,
    ).toBe(8080);
  });

  it('names a trustProxy that Express could not compile, or that would trust another address than meant', () => {
    const refused = (trustProxy: unknown) =>
      issues(() => parseConfig({ tenants: [tenant()], trustProxy }, { env: { IDURA_SECRET: 'x' } }));
    expect(refused('10.0.0.0/33')).toEqual([
      'trustProxy: invalid range on address: 10.0.0.0/33 (expected addresses or subnets, e.g. "10.0.0.0/8, loopback")',
    ]);
    expect(refused('load-balancer')).toEqual([
      'trustProxy: invalid IP address: load-balancer (expected addresses or subnets, e.g. "10.0.0.0/8, loopback")',
    ]);
    // A digit string is the address 0.0.0.1 to proxy-addr: no proxy would be trusted.
    expect(refused('1')).toEqual([
      'trustProxy: write 1 without quotes: "1" is read as an address (with { "$env": … } add "json": true)',
    ]);
    expect(refused('true')[0]).toMatch(/^trustProxy: write true without quotes/);
    for (const empty of ['', 'loopback,'])
      expect(refused(empty)).toEqual([
        'trustProxy: expected addresses or subnets separated by commas (e.g. "10.0.0.0/8, loopback"), with none empty',
      ]);
    for (const fine of ['loopback', '10.0.0.0/8, fd00::/8', 'uniquelocal', 2, false])
      expect(
        parseConfig({ tenants: [tenant()], trustProxy: fine }, { env: { IDURA_SECRET: 'x' } }).config
          .trustProxy,
      ).toEqual(fine);
  });

  it('bounds every duration that becomes a timer, which Node fires after 1 ms beyond 24.8 days', () => {
    const refused = (extra: Record<string, unknown>) =>
      issues(() => parseConfig({ tenants: [tenant()], ...extra }, { env: { IDURA_SECRET: 'x' } }));
    expect(refused({ chat: { heartbeatSeconds: 3_000_000, availabilityCheckSeconds: 0 } })).toEqual([
      'chat.heartbeatSeconds: Too big: expected number to be <=3600',
      'chat.availabilityCheckSeconds: Too small: expected number to be >=0.05',
    ]);
    expect(refused({ chat: { dropWindowSeconds: 86_400, offlineMessages: { windowSeconds: 3e6 } } })).toEqual(
      [
        'chat.dropWindowSeconds: Too big: expected number to be <=3600',
        'chat.offlineMessages.windowSeconds: Too big: expected number to be <=86400',
      ],
    );
    expect(
      refused({ rateLimits: { login: { windowSeconds: 3e6 }, newSessions: { windowSeconds: 86_401 } } }),
    ).toEqual([
      'rateLimits.login.windowSeconds: Too big: expected number to be <=86400',
      'rateLimits.newSessions.windowSeconds: Too big: expected number to be <=86400',
    ]);
    expect(refused({ session: { idleMinutes: 100_000_000, loginTimeoutMinutes: 61 } })).toEqual([
      'session.idleMinutes: Too big: expected number to be <=1440',
      'session.loginTimeoutMinutes: Too big: expected number to be <=60',
    ]);
  });

  it('refuses a setting that nothing would read, naming what it needs', () => {
    const refused = (extra: Record<string, unknown>, provider: Record<string, unknown> = {}) =>
      issues(() =>
        parseConfig(
          {
            tenants: [tenant({ providers: [{ ...tenant().providers[0], ...provider }] })],
            ...extra,
          },
          { env: { IDURA_SECRET: 'x' } },
        ),
      );
    const key = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' };
    expect(refused({ store: { redisUrl: 'redis://redis.internal:6379' } })).toEqual([
      'store.redisUrl: unused while type is "memory": set type to "redis" (REDIS_URL sets both)',
    ]);
    expect(refused({}, { genericClaims: { nationalId: 'pid' } })).toEqual([
      'tenants.0.providers.0.genericClaims: unused with claimProfile "idura", which names its own claims; set claimProfile to "generic" to use it',
    ]);
    expect(refused({}, { endSession: false, endSessionIdTokenHint: true })).toEqual([
      'tenants.0.providers.0.endSessionIdTokenHint: needs endSession: the ID token would be kept in the session for a broker logout that is never sent',
    ]);
    expect(refused({}, { privateKeyJwk: key })).toEqual([
      'tenants.0.providers.0.privateKeyJwk: unused with clientAuth "client_secret_basic": set clientAuth to "private_key_jwt" to use it',
    ]);
    expect(refused({}, { clientAuth: 'private_key_jwt', privateKeyJwk: key })).toEqual([
      'tenants.0.providers.0.clientSecret: unused with clientAuth "private_key_jwt": remove it, or choose a client_secret_* method',
    ]);
    const persona = {
      id: 'zoe',
      label: 'Zoe',
      issuers: ['staff'],
      claims: { sub: 'zoe', name: 'Zoe', email: 'zoe@example.org', roles: ['agent'] },
    };
    expect(refused({ mockIdp: { personas: [persona] } })).toEqual([
      'mockIdp.personas: unused while the mock IdP is not enabled (mockIdp.enabled)',
    ]);
  });

  it('refuses a NODE_ENV it does not know instead of running it as development', () => {
    for (const NODE_ENV of ['prod', 'Production', 'staging'])
      expect(
        issues(() => parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', NODE_ENV } })),
      ).toEqual([`NODE_ENV: expected "production", "development", "test" or unset, not "${NODE_ENV}"`]);
    for (const NODE_ENV of ['development', 'test', ''])
      expect(parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', NODE_ENV } }).production).toBe(
        false,
      );
  });

  it('says a missing key is required, and what a name or trustProxy may be, instead of "Invalid input"', () => {
    const { name: _name, ...nameless } = tenant();
    expect(
      issues(() =>
        parseConfig(
          { tenants: [{ ...nameless, topics: [{ id: 'general', title: {} }] }], trustProxy: 1.5 },
          { env: { IDURA_SECRET: 'x' } },
        ),
      ),
    ).toEqual([
      'trustProxy: expected false, a whole number of proxy hops, or a string of addresses and subnets',
      'tenants.0.name: required (a text, or { "en": …, "nb": …, "fi": …, "sv": … })',
      'tenants.0.topics.0.title: expected a text, or { "en": …, "nb": …, "fi": …, "sv": … } with "en"',
    ]);
    const { clientId: _id, ...idless } = tenant().providers[0] ?? {};
    expect(
      issues(() =>
        parseConfig({ tenants: [tenant({ providers: [idless] })] }, { env: { IDURA_SECRET: 'x' } }),
      ),
    ).toEqual(['tenants.0.providers.0.clientId: required (string)']);
  });

  it('warns in development about what production would refuse', () => {
    const { warnings } = parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x' } });
    expect(warnings.join('\n')).toMatch(/session\.secret: required/);
    expect(warnings.join('\n')).toMatch(/publicUrl: must be an https URL/);
  });
});

describe('production rules (NODE_ENV=production)', () => {
  it('accepts a complete production configuration', () => {
    const loaded = parseConfig(
      { publicUrl: 'https://chat.espoo.example', tenants: [tenant()] },
      { env: PRODUCTION_ENV },
    );
    expect(loaded.production).toBe(true);
  });

  it('refuses a log level that would leave out the audit lines', () => {
    const raw = { publicUrl: 'https://chat.espoo.example', tenants: [tenant()] };
    for (const level of ['warn', 'error', 'fatal', 'silent']) {
      expect(issues(() => parseConfig(raw, { env: { ...PRODUCTION_ENV, LOG_LEVEL: level } }))).toEqual([
        `logLevel (from LOG_LEVEL): "${level}" drops the audit lines (staff access to identified data, staff sign-in and sign-out), which are at info; use "info" or "debug" (refused because NODE_ENV=production)`,
      ]);
    }
    for (const level of ['info', 'debug', 'trace'])
      expect(parseConfig({ ...raw, logLevel: level }, { env: PRODUCTION_ENV }).config.logLevel).toBe(level);
  });

  it('refuses a guessable session secret, data key or chat system secret, naming each and how to make one', () => {
    const found = issues(() =>
      parseConfig(
        {
          publicUrl: 'https://chat.espoo.example',
          tenants: [
            tenant({
              handoff: {
                oidcClients: [
                  {
                    clientId: 'puzzel',
                    label: 'Puzzel',
                    clientSecret: 'puzzel-client-secret-0123456789abcdef',
                    redirectUris: ['https://puzzel.example/cb'],
                  },
                ],
              },
            }),
          ],
          oidcProvider: { jwks: { keys: [{ kty: 'EC', d: 'x' }] } },
        },
        {
          env: {
            ...PRODUCTION_ENV,
            SESSION_SECRET: 'a'.repeat(32),
            DATA_KEY: 'changeme-changeme-changeme-changeme',
          },
        },
      ),
    );
    const guessable = found.filter((i) => i.includes('guessable'));
    expect(guessable.map((i) => i.split(':')[0])).toEqual([
      'session.secret (from SESSION_SECRET)',
      'dataKey (from DATA_KEY)',
      'tenants.0.handoff.oidcClients.0.clientSecret',
    ]);
    for (const issue of guessable) expect(issue).toContain('openssl rand -base64 32');
    // The refusal never quotes the secret it refuses.
    expect(found.join('\n')).not.toMatch(/aaaaaaaa|changeme-|0123456789abcdef/);
  });

  it('refuses the mock IdP, a missing session secret and non-https URLs', () => {
    const found = issues(() =>
      parseConfig(
        {
          publicUrl: 'http://chat.espoo.example',
          mockIdp: { enabled: true },
          tenants: [tenant({ providers: [{ ...tenant().providers[0], issuer: 'mock:ftn-fi' }] })],
        },
        { env: { ...PRODUCTION_ENV, SESSION_SECRET: undefined } },
      ),
    );
    expect(found).toContain(
      "mockIdp.enabled: the mock IdP must not run in production: set it to false, and give each provider its broker's issuer (refused because NODE_ENV=production)",
    );
    expect(found.some((i) => i.startsWith('session.secret: required'))).toBe(true);
    expect(found.some((i) => i.startsWith('publicUrl: must be an https URL'))).toBe(true);
    expect(
      found.some((i) => i.startsWith('tenants.0.providers.0.issuer: the mock IdP must not be used')),
    ).toBe(true);
  });

  it("refuses the demo's published client secret, kept in a configuration copied from config/default.json", () => {
    const demo = { clientSecret: 'demo-secret-not-for-production' };
    const found = issues(() =>
      parseConfig(
        {
          publicUrl: 'https://chat.espoo.example',
          tenants: [
            tenant({
              providers: [{ ...tenant().providers[0], ...demo }],
              staff: {
                issuer: 'https://login.espoo.example',
                clientId: 'chat',
                requiredAmr: ['mfa'],
                ...demo,
              },
            }),
          ],
        },
        { env: PRODUCTION_ENV },
      ),
    );
    expect(found).toEqual([
      "tenants.0.providers.0.clientSecret: the demo's published secret (config/default.json); use the broker's (refused because NODE_ENV=production)",
      "tenants.0.staff.clientSecret: the demo's published secret (config/default.json); use the broker's (refused because NODE_ENV=production)",
    ]);
  });

  it('refuses a loopback http broker, http allowed origins and an http privacy notice', () => {
    const found = issues(() =>
      parseConfig(
        {
          publicUrl: 'https://chat.espoo.example',
          tenants: [
            tenant({
              allowedOrigins: ['http://www.espoo.example'],
              privacyNoticeUrl: 'http://www.espoo.example/privacy',
              providers: [{ ...tenant().providers[0], issuer: 'http://127.0.0.1:9000' }],
            }),
          ],
        },
        { env: PRODUCTION_ENV },
      ),
    );
    expect(found.some((i) => i.startsWith('tenants.0.providers.0.issuer: must be an https URL'))).toBe(true);
    expect(found.some((i) => i.startsWith('tenants.0.allowedOrigins.0: must be an https origin'))).toBe(true);
    expect(found.some((i) => i.startsWith('tenants.0.privacyNoticeUrl: must be an https URL'))).toBe(true);
  });

  it('refuses a missing signing key and data key', () => {
    const found = issues(() =>
      parseConfig(
        { publicUrl: 'https://chat.espoo.example', tenants: [tenant()] },
        { env: { ...PRODUCTION_ENV, SIGNING_KEY: undefined, DATA_KEY: undefined } },
      ),
    );
    expect(found.some((i) => i.startsWith('signingKey: required'))).toBe(true);
    expect(found.some((i) => i.startsWith('dataKey: required'))).toBe(true);
  });
});

describe('staff logins shared between tenants', () => {
  const staff = (extra: Record<string, unknown> = {}) => ({
    issuer: 'https://login.region.example/v2.0',
    clientId: 'chat-gateway',
    clientSecret: { $env: 'IDURA_SECRET' },
    requiredAmr: ['mfa'],
    ...extra,
  });
  const tenants = (extra: Record<string, unknown> = {}) => [
    tenant({ staff: staff(extra) }),
    tenant({ id: 'vantaa', name: 'Vantaa', staff: staff(extra) }),
  ];

  it('refuses two tenants on one staff client without tenantClaim or roleMap: an employee of one would be admitted to the other', () => {
    const found = issues(() =>
      parseConfig({ publicUrl: 'https://chat.region.example', tenants: tenants() }, { env: PRODUCTION_ENV }),
    );
    expect(found.filter((i) => i.includes('tenantClaim'))).toEqual([
      expect.stringMatching(/^tenants\.0\.staff: .*tenants\.1/),
      expect.stringMatching(/^tenants\.1\.staff: .*tenants\.0/),
    ]);
    // Development says the same as a warning.
    const { warnings } = parseConfig({ tenants: tenants() }, { env: { IDURA_SECRET: 'x' } });
    expect(warnings.filter((w) => w.includes('tenantClaim'))).toHaveLength(2);
  });

  it('refuses them with the same roleMap, which admits the same IdP roles to both', () => {
    const found = issues(() =>
      parseConfig(
        {
          publicUrl: 'https://chat.region.example',
          tenants: tenants({ roleMap: { 'chat-agent': 'agent' } }),
        },
        { env: PRODUCTION_ENV },
      ),
    );
    expect(found.filter((i) => i.includes('tenantClaim'))).toHaveLength(2);
  });

  it('accepts them with tenantClaim (the IdP names the organisation) or with roleMaps admitting other roles', () => {
    const separate = [
      tenant({ staff: staff({ roleMap: { 'espoo-chat-agent': 'agent' } }) }),
      tenant({ id: 'vantaa', name: 'Vantaa', staff: staff({ roleMap: { 'vantaa-chat-agent': 'agent' } }) }),
    ];
    for (const configured of [tenants({ tenantClaim: 'tenant' }), separate]) {
      const loaded = parseConfig(
        { publicUrl: 'https://chat.region.example', tenants: configured },
        { env: PRODUCTION_ENV },
      );
      expect(loaded.production).toBe(true);
    }
  });
});

describe('loadConfig', () => {
  it('reads the file named by GATEWAY_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'espoo.json');
    writeFileSync(file, JSON.stringify({ tenants: [tenant()] }));
    const loaded = loadConfig({ env: { GATEWAY_CONFIG: file, IDURA_SECRET: 'x' } });
    expect(loaded.source).toBe(file);
    expect(loaded.config.tenants[0]?.id).toBe('espoo');
  });

  it('reports a missing file and invalid JSON with the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    expect(issues(() => loadConfig({ env: { GATEWAY_CONFIG: join(dir, 'nope.json') } }))).toEqual([
      'cannot read the file: ENOENT',
    ]);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "tenants": [');
    expect(issues(() => loadConfig({ env: { GATEWAY_CONFIG: broken } }))[0]).toMatch(/^not valid JSON/);
  });

  it('says where the JSON breaks on one line, without quoting the file (it holds secrets)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'espoo.json');
    writeFileSync(
      file,
      '{\n  "session": { "secret": "s3cret-s3cret-s3cret-s3cret-s3cret" }\n  "tenants": []\n}',
    );
    expect(issues(() => loadConfig({ env: { GATEWAY_CONFIG: file } }))).toEqual([
      "not valid JSON: Expected ',' or '}' after property value at line 3, column 3",
    ]);
    writeFileSync(file, '{ "session": { "secret": "s3cret-s3cret-s3cret-s3cret" } }}');
    const [problem] = issues(() => loadConfig({ env: { GATEWAY_CONFIG: file } }));
    expect(problem).toMatch(/^not valid JSON: /);
    expect(problem).not.toContain('s3cret');
    expect(problem).not.toContain('\n');
  });

  it('reads { "$file": … } secrets (Docker and Kubernetes secrets) beside the configuration, without their final line break', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'session'), `${SESSION_SECRET}\n`);
    writeFileSync(join(dir, 'secrets', 'idura'), 'idura-client-secret\r\n');
    const key = { kty: 'EC', crv: 'P-256', d: 'private' };
    writeFileSync(join(dir, 'signing.jwk'), JSON.stringify(key));
    const file = join(dir, 'espoo.json');
    const providers = [{ ...tenant().providers[0], clientSecret: { $file: 'secrets/idura' } }];
    writeFileSync(
      file,
      JSON.stringify({
        session: { secret: { $file: './secrets/session' } },
        signingKey: { $file: join(dir, 'signing.jwk'), json: true },
        tenants: [tenant({ providers })],
      }),
    );
    const { config } = loadConfig({ env: { GATEWAY_CONFIG: file }, cwd: tmpdir() });
    expect(config.session.secret).toBe(SESSION_SECRET);
    expect(config.tenants[0]?.providers[0]?.clientSecret).toBe('idura-client-secret');
    expect(config.signingKey).toEqual(key);
  });

  it('names a secret file it cannot read, an empty one, and a reference written wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    writeFileSync(join(dir, 'empty'), '\n');
    writeFileSync(join(dir, 'not-json'), 'plain');
    const file = join(dir, 'espoo.json');
    const provider = tenant().providers[0];
    writeFileSync(
      file,
      JSON.stringify({
        session: { secret: { $file: 'missing' } },
        dataKey: { $file: 'empty' },
        signingKey: { $file: 'not-json', json: true },
        mail: { from: { $env: 'MAIL_FROM', fallback: 'x' }, smtpUrl: { $env: 'SMTP', $file: 'smtp' } },
        tenants: [tenant({ providers: [{ ...provider, clientSecret: { $file: 42 } }] })],
      }),
    );
    expect(issues(() => loadConfig({ env: { GATEWAY_CONFIG: file } }))).toEqual([
      `session.secret: cannot read the file ${join(dir, 'missing')}: ENOENT`,
      `dataKey: the file ${join(dir, 'empty')} is empty`,
      'signingKey: file not-json is not valid JSON',
      'mail.from: a { "$env": … } reference takes only "json": true beside it',
      'mail.smtpUrl: a reference is either { "$env": … } or { "$file": … }, not both',
      'tenants.0.providers.0.clientSecret: "$file" must name a file',
    ]);
  });

  it('names a key written twice in one object, whose first value JSON.parse would drop without a word', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'espoo.json');
    writeFileSync(
      file,
      `{ "session": { "idleMinutes": 15 }, "tenants": ${JSON.stringify([tenant()])}, "session": { "idleMinutes": 600 } }`,
    );
    expect(issues(() => loadConfig({ env: { GATEWAY_CONFIG: file, IDURA_SECRET: 'x' } }))).toEqual([
      'session: written twice in one object; only the last would be used',
    ]);
  });

  it('reads a file saved with a byte order mark, as Windows editors write it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'espoo.json');
    writeFileSync(file, `\uFEFF${JSON.stringify({ tenants: [tenant()] })}`);
    expect(loadConfig({ env: { GATEWAY_CONFIG: file, IDURA_SECRET: 'x' } }).config.tenants[0]?.id).toBe(
      'espoo',
    );
  });

  it('loads the shipped config/default.json (the demo tenant with the mock IdP)', () => {
    const loaded = loadConfig({ env: {} });
    expect(loaded.config.mockIdp.enabled).toBe(true);
    expect(loaded.config.tenants.map((t) => t.id)).toEqual(['demo']);
  });

  it('refuses the shipped default configuration in production', () => {
    expect(() => loadConfig({ env: { NODE_ENV: 'production' } })).toThrow(ConfigError);
  });
});

describe('publicUrl default', () => {
  it('refuses port 0 without a public URL, which would name port 0 in every redirect URI', () => {
    expect(
      issues(() => parseConfig({ port: 0, tenants: [tenant()] }, { env: { IDURA_SECRET: 'x' } })),
    ).toEqual([
      'port: 0 (a free port chosen at start) needs publicUrl (PUBLIC_URL), since the redirect URIs would name port 0; or give a port',
    ]);
    expect(
      issues(() => parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', PORT: '0' } })),
    ).toEqual([
      'port (from PORT): 0 (a free port chosen at start) needs publicUrl (PUBLIC_URL), since the redirect URIs would name port 0; or give a port',
    ]);
    const { config } = parseConfig(
      { port: 0, publicUrl: 'http://localhost:4100', tenants: [tenant()] },
      { env: { IDURA_SECRET: 'x' } },
    );
    expect(config.publicUrl).toBe('http://localhost:4100');
  });

  it('follows the port when no public URL is configured', () => {
    const { config } = parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', PORT: '3100' } });
    expect(config.publicUrl).toBe('http://localhost:3100');
  });

  it('names a public URL without http:// or https:// instead of failing later at the mock IdP', () => {
    for (const publicUrl of ['localhost:3100', 'ftp://chat.espoo.example']) {
      expect(
        issues(() =>
          parseConfig({ tenants: [tenant()] }, { env: { IDURA_SECRET: 'x', PUBLIC_URL: publicUrl } }),
        ),
      ).toEqual([
        'publicUrl (from PUBLIC_URL): expected an http:// or https:// URL, e.g. https://chat.kommune.example',
      ]);
    }
  });

  it("refuses a wildcard in allowedOrigins, which would reach the widget's frame-ancestors as one", () => {
    for (const origin of ['https://*', 'https://*.kommune.example', 'http://*:8080']) {
      expect(
        issues(() =>
          parseConfig({ tenants: [tenant({ allowedOrigins: [origin] })] }, { env: { IDURA_SECRET: 'x' } }),
        ),
      ).toEqual([
        'tenants.0.allowedOrigins.0: no wildcards: list each origin that embeds the chat, e.g. https://www.kommune.example',
      ]);
    }
  });

  it('takes only http(s) origins as allowedOrigins: any other URL is the origin "null", which sandboxed frames send', () => {
    const refused = (origin: string) =>
      issues(() =>
        parseConfig({ tenants: [tenant({ allowedOrigins: [origin] })] }, { env: { IDURA_SECRET: 'x' } }),
      );
    for (const origin of [
      'file:///srv/chat.html',
      'data:text/html,chat',
      'javascript:void(0)',
      'ftp://www.kommune.example',
    ])
      expect(refused(origin)).toEqual([
        'tenants.0.allowedOrigins.0: expected an http:// or https:// origin, e.g. https://www.kommune.example',
      ]);
    expect(refused('https://www.kommune.example/chat')).toEqual([
      'tenants.0.allowedOrigins.0: expected an origin only (scheme, host and port), e.g. https://www.kommune.example',
    ]);
    for (const origin of [
      'https://www.kommune.example',
      'https://www.kommune.example:8443/',
      'http://localhost:8080',
    ])
      expect(
        parseConfig({ tenants: [tenant({ allowedOrigins: [origin] })] }, { env: { IDURA_SECRET: 'x' } })
          .config.tenants[0]?.allowedOrigins,
      ).toEqual([origin]);
  });

  it('links only an http(s) privacy notice in the page footers', () => {
    for (const privacyNoticeUrl of ['javascript:alert(1)', 'file:///etc/passwd'])
      expect(
        issues(() =>
          parseConfig({ tenants: [tenant({ privacyNoticeUrl })] }, { env: { IDURA_SECRET: 'x' } }),
        ),
      ).toEqual(['tenants.0.privacyNoticeUrl: expected an http:// or https:// URL']);
  });

  it('refuses a public URL with a path, query or user: the routes stand at the root of the host', () => {
    for (const publicUrl of [
      'https://www.kommune.example/chat',
      'https://chat.kommune.example/?tenant=a',
      'https://chat.kommune.example/#top',
      'https://admin:pw@chat.kommune.example',
    ])
      expect(
        issues(() => parseConfig({ tenants: [tenant()], publicUrl }, { env: { IDURA_SECRET: 'x' } })),
      ).toEqual([
        'publicUrl: expected an origin only, e.g. https://chat.kommune.example: the gateway serves at the root of its host (no path, query or user)',
      ]);
    for (const publicUrl of [
      'https://chat.kommune.example',
      'https://chat.kommune.example/',
      'http://localhost:3100',
    ])
      expect(
        parseConfig({ tenants: [tenant()], publicUrl }, { env: { IDURA_SECRET: 'x' } }).config.publicUrl,
      ).toBe(publicUrl);
  });
});
