import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { type MockClient, type MockIdp, startMockIdpThread } from '../idp-mock/index.js';
import { IdentityEvents } from './auth/identity-events.js';
import { OidcClients } from './auth/oidc-clients.js';
import { createChatFeature } from './chat/chat-feature.js';
import { InProcessChatBus } from './chat/in-process-chat-bus.js';
import { AnnouncedRetention } from './chat/swept-conversations.js';
import { ConfigError, type LoadedConfig } from './config/load-config.js';
import type { GatewayDeps } from './deps.js';
import { createHandoffFeature } from './handoff/handoff-feature.js';
import { isGatewayError } from './http/errors.js';
import { FieldCrypto } from './privacy/field-crypto.js';
import { RetentionSweeper } from './privacy/retention.js';
import { type Clock, systemClock } from './runtime/clock.js';
import { unusableHandoffKeys } from './runtime/key-check.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { createMailer } from './runtime/mailer.js';
import { loadSigningKeys, publicPartOf } from './runtime/signing-keys.js';
import { isPortTaken, PortInUseError, relaxedSettings } from './runtime/start-up.js';
import { createServer, type GatewayServer, type ServerFeature } from './server.js';
import type { ExpiredSession, Store } from './store/store.js';
import { createStorage } from './store/store-factory.js';
import {
  buildTenants,
  citizenCallbackUrl,
  staffCallbackUrl,
  type TenantContext,
} from './tenants/tenant-context.js';

export interface GatewayOptions {
  clock?: Clock;
  logger?: Logger;
  /** A mock IdP the caller already runs (tests); otherwise one is started when enabled. */
  mockIdp?: MockIdp;
  store?: Store;
  features?: (deps: GatewayDeps) => ServerFeature[];
  /** Discovery retry timing (tests shorten it). */
  discoveryRetryMs?: number;
}

export interface Gateway extends GatewayServer {
  deps: GatewayDeps;
  mockIdp?: MockIdp;
  /** Listens on the configured host and port; resolves with the URL. */
  listen(port?: number): Promise<string>;
  /** The retention sweep, which runs by itself once listening (`sweep()` runs one now). */
  retention: RetentionSweeper;
  /**
   * The graceful stop of a signal: readiness red for `shutdownDrainSeconds` while everything is
   * still served, then {@link GatewayServer.close} (sockets closed with 1001, in-flight
   * requests finished).
   */
  shutDown(): Promise<void>;
}

/**
 * Wires the whole gateway from a loaded configuration: logger, keys, stores, the bundled mock
 * IdP when enabled, broker discovery (started, not awaited: a broker that is down must not
 * stop the gateway), and the HTTP server. Nothing listens until `listen()`.
 */
export async function createGateway(loaded: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const { config } = loaded;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const tenants = buildTenants(config);
  if (loaded.production) {
    // Production starts with these (nothing refused them), so each is said out loud.
    for (const warning of loaded.warnings) logger.warn({ setting: warning }, 'production warning');
  } else if (loaded.warnings.length > 0) {
    // One line for the demo's relaxations; the sentences explaining each are at debug level.
    logger.warn(
      { settings: relaxedSettings(loaded.warnings) },
      'development-only settings in use (production refuses or warns about them)',
    );
    for (const warning of loaded.warnings) logger.debug({ setting: warning }, 'development-only setting');
  }

  let mockIdp = options.mockIdp;
  let ownMock = false;
  if (!mockIdp && config.mockIdp.enabled) {
    try {
      mockIdp = await startMockIdpThread({
        port: config.mockIdp.port,
        clients: mockClients(tenants),
        personas: config.mockIdp.personas,
        // Its "listening" line repeats the start-up banner: debug level, so info stays short.
        logger: { info: (obj, msg) => logger.debug(obj, msg), warn: (obj, msg) => logger.warn(obj, msg) },
      });
    } catch (error) {
      if (!isPortTaken(error)) throw error;
      throw new PortInUseError('The mock IdP', 'mockIdp.port', config.mockIdp.port, 'MOCK_IDP_PORT');
    }
    ownMock = true;
  }
  // Whatever fails from here on must not leave the mock IdP listening.
  const stopOwnMock = async () => {
    if (ownMock) await mockIdp?.close();
  };
  try {
    return await wire(loaded, options, { logger, clock, tenants, mockIdp, stopOwnMock });
  } catch (error) {
    await stopOwnMock();
    throw error;
  }
}

/** The part of {@link createGateway} after the mock IdP is up. */
async function wire(
  loaded: LoadedConfig,
  options: GatewayOptions,
  started: {
    logger: Logger;
    clock: Clock;
    tenants: TenantContext[];
    mockIdp: MockIdp | undefined;
    stopOwnMock: () => Promise<void>;
  },
): Promise<Gateway> {
  const { config, production } = loaded;
  const { logger, clock, tenants, mockIdp, stopOwnMock } = started;
  const resolveIssuer = (issuer: string): string => {
    if (!issuer.startsWith('mock:')) return issuer;
    if (!mockIdp) throw new TypeError(`issuer ${issuer} needs the mock IdP`);
    return mockIdp.issuer(issuer.slice('mock:'.length));
  };

  const oidc = new OidcClients({
    config,
    logger,
    resolveIssuer,
    ...(options.discoveryRetryMs
      ? { initialRetryMs: options.discoveryRetryMs, maxRetryMs: options.discoveryRetryMs * 8 }
      : {}),
  });
  // Keys are checked before anything starts: a bad one stops start-up naming it.
  const keyProblems = [...(await oidc.loadClientKeys()), ...(await unusableHandoffKeys(config))];
  const signingKeys = await loadSigningKeys(config.signingKey).catch((error: unknown) => {
    keyProblems.push(
      `signingKey: not a usable private key (${error instanceof Error ? error.message : error})`,
    );
    return undefined;
  });
  if (!signingKeys || keyProblems.length > 0) throw new ConfigError(loaded.source, keyProblems);
  const identityEvents = new IdentityEvents();
  // An expired session ends the visitor's identified chat in every tenant, tried again while
  // the store fails it (nobody else will: the expiry is heard once).
  const sessionExpired = (ended: ExpiredSession) => {
    for (const tenant of tenants)
      identityEvents.applyUntilDone(
        { type: 'session-ended', tenantId: tenant.config.id, ...ended },
        (error, retryInMs) =>
          logger.warn(
            {
              tenant: tenant.config.id,
              code: isGatewayError(error) ? error.code : undefined,
              err: isGatewayError(error) ? undefined : error,
              retryInMs,
            },
            'expired session not yet applied to chat; trying again',
          ),
      );
  };
  const fieldCrypto = new FieldCrypto(config.dataKey ?? randomBytes(32).toString('base64url'));
  const storage = createStorage(config, {
    clock,
    logger,
    codec: fieldCrypto,
    onSessionExpired: sessionExpired,
  });
  const mailer = createMailer(config.mail, { production, logger });
  // One bus for the chat and the retention sweep (which tells consoles what it deleted): the
  // store's between instances (Redis), else in process.
  const chatBus = storage.bus ?? new InProcessChatBus(logger);
  let draining = false;
  const deps: GatewayDeps = {
    config,
    production,
    logger,
    clock,
    store: options.store ?? storage.store,
    sessionStore: storage.sessionStore,
    storeHealth: storage.health,
    draining: () => draining,
    chatBus,
    signingKeys,
    fieldCrypto,
    oidc,
    identityEvents,
    tenants,
    ...(mailer ? { mailer } : {}),
  };
  const discovery = oidc.start();
  const retention = new RetentionSweeper({
    // The windows showing a conversation it deletes or anonymises learn of it, as of staff's.
    repository: new AnnouncedRetention({
      repository: deps.store.retention,
      conversations: deps.store.chat.conversations,
      bus: chatBus,
    }),
    tenants: config.tenants.map((t) => ({ tenantId: t.id, ...t.retention })),
    clock,
    logger,
    intervalMs: RETENTION_SWEEP_MS,
    // Every console of the tenant, on every instance, drops what the sweep deleted.
    onOfflineMessagesDeleted: (tenantId, ids) =>
      chatBus.publish({ kind: 'queue', tenantId }, { type: 'offline-messages-deleted', ids }),
  });
  const built = createServer(
    deps,
    (options.features ?? ((d) => [createChatFeature(d), createHandoffFeature(d)]))(deps),
  );
  const close = async () => {
    identityEvents.close();
    oidc.close();
    mailer?.close();
    await retention.stop();
    await built.close();
    await deps.store.close();
    await storage.close();
    await stopOwnMock();
  };

  return {
    ...built,
    deps,
    ...(mockIdp ? { mockIdp } : {}),
    retention,
    listen: async (port = config.port) => {
      try {
        await new Promise<void>((resolve, reject) => {
          built.server.once('error', reject);
          built.server.listen(port, config.host, () => {
            built.server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        // Nothing else of this gateway may keep running (the features' timers and sockets, the
        // mock IdP, discovery retries, the mailer's pool).
        await close();
        if (isPortTaken(error)) throw new PortInUseError('The gateway', 'port', port, 'PORT');
        // A `host` that is no address of this machine (often the public name, which belongs in
        // `publicUrl`) is a configuration mistake: said as one, not as a stack trace.
        const code = (error as NodeJS.ErrnoException | undefined)?.code;
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
          throw new ConfigError(loaded.source, [
            `host: cannot listen on ${config.host} (${code}): not an address of this machine; use 127.0.0.1, or 0.0.0.0 in a container`,
          ]);
        }
        throw error;
      }
      const address = built.server.address() as AddressInfo;
      retention.start(FIRST_SWEEP_MS);
      await discovery;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`;
    },
    close,
    shutDown: async () => {
      const seconds = config.shutdownDrainSeconds;
      if (seconds > 0) {
        draining = true;
        logger.info({ seconds }, 'draining: readiness is red until the gateway closes');
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      }
      await close();
    },
  };
}

/** How often each instance runs the retention sweep (`src/privacy/retention.ts`). */
const RETENTION_SWEEP_MS = 60 * 60 * 1000;
/** The first sweep, once the instance has settled after start-up. */
const FIRST_SWEEP_MS = 60 * 1000;

/** The clients the embedded mock IdP must know: one per provider using a `mock:` issuer. */
export function mockClients(tenants: TenantContext[]): MockClient[] {
  const clients = new Map<string, MockClient>();
  for (const tenant of tenants) {
    const { providers, staff } = tenant.config;
    const entries = [
      ...providers.map((p) => ({ ...p, redirect: citizenCallbackUrl(tenant, p.id) })),
      ...(staff ? [{ ...staff, redirect: staffCallbackUrl(tenant) }] : []),
    ];
    for (const entry of entries) {
      if (!entry.issuer.startsWith('mock:')) continue;
      const issuerId = entry.issuer.slice('mock:'.length);
      // The mock registers each client id once, for a list of its issuers.
      const existing = clients.get(entry.clientId);
      if (existing) {
        if (
          existing.clientSecret !== entry.clientSecret ||
          existing.tokenEndpointAuthMethod !== entry.clientAuth
        ) {
          throw new TypeError(`mock client ${entry.clientId} is configured with two different credentials`);
        }
        for (const [list, value] of [
          [existing.redirectUris, entry.redirect],
          [existing.postLogoutRedirectUris, `${tenant.baseUrl}/`],
          [existing.issuers, issuerId],
        ] as const) {
          if (list && !list.includes(value)) list.push(value);
        }
        continue;
      }
      clients.set(entry.clientId, {
        clientId: entry.clientId,
        ...(entry.clientSecret ? { clientSecret: entry.clientSecret } : {}),
        redirectUris: [entry.redirect],
        postLogoutRedirectUris: [`${tenant.baseUrl}/`],
        tokenEndpointAuthMethod: entry.clientAuth,
        ...(entry.privateKeyJwk
          ? { jwks: { keys: [publicPartOf(entry.privateKeyJwk as JWK) as Record<string, unknown>] } }
          : {}),
        issuers: [issuerId],
      });
    }
  }
  return [...clients.values()];
}
