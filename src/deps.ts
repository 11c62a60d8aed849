import type session from 'express-session';
import type { IdentityEvents } from './auth/identity-events.js';
import type { OidcClients } from './auth/oidc-clients.js';
import type { ChatBus } from './chat/chat-bus.js';
import type { GatewayConfig } from './config/schema.js';
import type { FieldCrypto } from './privacy/field-crypto.js';
import type { Clock } from './runtime/clock.js';
import type { Logger } from './runtime/logger.js';
import type { Mailer } from './runtime/mailer.js';
import type { SigningKeys } from './runtime/signing-keys.js';
import type { Store } from './store/store.js';
import type { StoreHealth } from './store/store-factory.js';
import type { TenantContext } from './tenants/tenant-context.js';

/** Everything `createApp`/`createServer` need; built by `createGateway`, or by tests. */
export interface GatewayDeps {
  config: GatewayConfig;
  /** `NODE_ENV=production`: secure cookies, HSTS, strict rules. */
  production: boolean;
  logger: Logger;
  clock: Clock;
  store: Store;
  sessionStore: session.Store;
  /** Whether shared state (sessions, chats) can be reached now: `/readyz` turns red without it. */
  storeHealth: () => StoreHealth;
  /** Whether the instance is draining before it closes (`shutdownDrainSeconds`): `/readyz` is red. */
  draining?: () => boolean;
  /**
   * The chat bus: between instances when the store provides one (Redis), else in process
   * (`createGateway` always sets it; absent, the chat feature makes its own).
   */
  chatBus?: ChatBus;
  signingKeys: SigningKeys;
  fieldCrypto: FieldCrypto;
  oidc: OidcClients;
  identityEvents: IdentityEvents;
  tenants: TenantContext[];
  /** Sends e-mail (`mail`); absent: the gateway sends none (transcripts by e-mail are off). */
  mailer?: Mailer;
}
