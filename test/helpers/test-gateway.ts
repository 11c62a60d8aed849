import { createServer as createNetServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { createMockIdp, type MockIdp, type Persona } from '../../idp-mock/index.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { createGateway, type Gateway, type GatewayOptions, mockClients } from '../../src/gateway.js';
import type { Clock } from '../../src/runtime/clock.js';
import { createLogger } from '../../src/runtime/logger.js';
import { PortInUseError } from '../../src/runtime/start-up.js';
import { buildTenants } from '../../src/tenants/tenant-context.js';

export const TEST_SECRET = 'test-client-secret-0123456789abcdef';

/** The citizen providers of the test tenant: one per claim profile. */
export function testProviders(): Record<string, unknown>[] {
  const client = { clientId: 'gateway-test', clientSecret: TEST_SECRET };
  return [
    {
      id: 'bankid',
      label: 'BankID',
      issuer: 'mock:bankid-no',
      ...client,
      scopes: ['openid', 'ssn'],
      acrValues: ['urn:grn:authn:no:bankid'],
      minimumLoa: 'substantial',
      claimProfile: 'idura',
    },
    {
      id: 'suomifi',
      label: 'Suomi.fi',
      issuer: 'mock:ftn-fi',
      ...client,
      scopes: ['openid', 'ssn'],
      acrValues: ['urn:grn:authn:fi:all'],
      minimumLoa: 'substantial',
      claimProfile: 'idura',
    },
    {
      id: 'idporten',
      label: 'ID-porten',
      issuer: 'mock:idporten',
      ...client,
      scopes: ['openid', 'profile'],
      acrValues: ['idporten-loa-high'],
      minimumLoa: 'high',
      claimProfile: 'idporten',
    },
    {
      id: 'signicat',
      label: 'Signicat',
      issuer: 'mock:signicat',
      ...client,
      scopes: ['openid', 'profile', 'nin'],
      minimumLoa: 'substantial',
      claimProfile: 'signicat',
    },
    {
      id: 'generic',
      label: 'Generic',
      issuer: 'mock:idporten',
      ...client,
      scopes: ['openid', 'profile'],
      acrValues: ['idporten-loa-substantial'],
      minimumLoa: 'substantial',
      claimProfile: 'generic',
      genericClaims: { nationalId: 'pid', country: 'NO' },
    },
  ];
}

/** A tenant like config/default.json's demo tenant, with every test provider. */
export function testTenant(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'demo',
    name: { en: 'Test Municipality', nb: 'Testkommune', fi: 'Testikunta', sv: 'Testkommun' },
    providers: testProviders(),
    staff: {
      issuer: 'mock:staff',
      clientId: 'gateway-test',
      clientSecret: TEST_SECRET,
      roleClaim: 'roles',
      tenantClaim: 'tenant',
    },
    topics: [
      { id: 'general', title: { en: 'General questions', nb: 'Generelle spørsmål' } },
      {
        id: 'tax-case',
        title: { en: 'My tax case' },
        requiresIdentification: { minimumLoa: 'substantial', claims: ['name', 'nationalId'] },
      },
    ],
    ...overrides,
  };
}

/**
 * Rate limits high enough that no test is throttled by another's traffic (tests run faster than
 * people click); the limits' own tests pass `config.rateLimits`.
 */
export const GENEROUS_RATE_LIMITS = {
  login: { perAddress: 100_000, perSession: 100_000 },
  callback: { perAddress: 100_000, perSession: 100_000 },
  consent: { perAddress: 100_000, perSession: 100_000 },
  api: { perAddress: 100_000, perSession: 100_000 },
  pages: { perAddress: 100_000, perSession: 100_000 },
  newSessions: { perAddress: 100_000 },
  sockets: { perAddress: 100_000, perSession: 100_000 },
};

/**
 * The chat's per-address and per-visitor bounds raised for the same reason (every test client
 * is 127.0.0.1); merged under a test's own `config.chat`. Their own tests set them.
 */
export const GENEROUS_CHAT_LIMITS = {
  socketsPerAddress: 100_000,
  conversationStarts: { perVisitor: 100_000, perAddress: 100_000 },
  offlineMessages: { perVisitor: 100_000, perAddress: 100_000 },
  messagesPerConversation: 1_000_000_000,
  transcriptsPerMinute: 100_000,
  maxQueued: 100_000,
  maxQueuedPerVisitor: 100_000,
  maxQueuedPerAddress: 100_000,
};

/**
 * {@link GENEROUS_CHAT_LIMITS} under a test's own `chat`: a test that lowers `maxQueued` gets
 * the bounds per visitor and per address lowered with it (they may not exceed it) unless it
 * sets them itself.
 */
export function generousChat(own: Record<string, unknown> = {}): Record<string, unknown> {
  const maxQueued = typeof own.maxQueued === 'number' ? own.maxQueued : GENEROUS_CHAT_LIMITS.maxQueued;
  return {
    ...GENEROUS_CHAT_LIMITS,
    maxQueuedPerVisitor: maxQueued,
    maxQueuedPerAddress: maxQueued,
    ...own,
  };
}

/** Ports {@link freePort} handed out in this process (they may not be bound yet). */
const handedOut = new Set<number>();

/**
 * Finds a free loopback port (the public URL, hence the redirect URIs, must be known up front).
 * The port is only free until someone binds it, and the kernel may offer a port again as soon as
 * the probe closes: a port already handed out in this process is never handed out twice, so
 * servers started side by side (the bench's instances, a test's gateway and its Redis) do not
 * get the same one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port found in 50 attempts');
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  mockIdp: MockIdp;
  config: GatewayConfig;
  /** Every log line written so far (JSON text), for asserting nothing personal is logged. */
  logs(): string;
  /** The log entries so far (parsed) whose line holds every one of `needles`. */
  logEntries(...needles: string[]): Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestGatewayOptions extends Omit<GatewayOptions, 'mockIdp' | 'logger'> {
  /** Replaces the tenants (raw config objects). */
  tenants?: Record<string, unknown>[];
  /** Merged into the raw configuration. */
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Personas added to the mock IdP's built-ins. */
  personas?: Persona[];
  /** The gateway's log level (default `info`): `debug` to search every line it can write. */
  logLevel?: string;
}

/**
 * Starts the real gateway in-process on a free loopback port together with the real mock IdP
 * (port 0), with the test tenant unless `tenants` is given.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePort(options);
    } catch (error) {
      // A free port can be taken before the gateway binds it (by any connection's local port):
      // another one is tried.
      if (!(error instanceof PortInUseError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

/** Tries of {@link startTestGateway} when the free port it found was taken meanwhile. */
const PORT_ATTEMPTS = 3;

async function startOnFreePort(options: TestGatewayOptions): Promise<TestGateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const raw = {
    publicUrl: url,
    port,
    host: '127.0.0.1',
    logLevel: 'info',
    mockIdp: { enabled: true, port: 0 },
    session: { secret: 'test-session-secret-0123456789abcdef0123' },
    tenants: options.tenants ?? [testTenant()],
    rateLimits: GENEROUS_RATE_LIMITS,
    ...options.config,
    chat: generousChat(options.config?.chat as Record<string, unknown> | undefined),
  };
  const loaded = parseConfig(raw, { env: options.env ?? {}, source: 'test' });
  const mockIdp = await createMockIdp({
    port: 0,
    clients: mockClients(buildTenants(loaded.config)),
    ...(options.personas ? { personas: options.personas } : {}),
  });
  const stream = new PassThrough();
  let logText = '';
  stream.on('data', (chunk: Buffer) => {
    logText += chunk.toString('utf8');
  });
  const { tenants: _t, config: _c, env: _e, personas: _p, logLevel, ...gatewayOptions } = options;
  const gateway = await createGateway(loaded, {
    ...gatewayOptions,
    mockIdp,
    logger: createLogger(logLevel ?? 'info', stream),
    discoveryRetryMs: 50,
  });
  try {
    await gateway.listen(port);
  } catch (error) {
    // The gateway stopped everything of its own; the mock IdP is this helper's.
    await mockIdp.close();
    throw error;
  }
  return {
    url,
    gateway,
    mockIdp,
    config: loaded.config,
    logs: () => logText,
    logEntries: (...needles) =>
      logText
        .split('\n')
        .filter((line) => line !== '' && needles.every((needle) => line.includes(needle)))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      await gateway.close();
      await mockIdp.close();
    },
  };
}
