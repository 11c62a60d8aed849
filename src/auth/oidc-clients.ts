import { importJWK, type JWK } from 'jose';
import * as client from 'openid-client';
import { isLoopbackUrl } from '../config/loopback.js';
import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../http/errors.js';
import type { Logger } from '../runtime/logger.js';
import { signsAndVerifies } from '../runtime/signing-keys.js';
import { boundedFetch } from './bounded-fetch.js';

/** The fields shared by citizen providers and the staff provider. */
interface ClientSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  clientAuth: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  privateKeyJwk?: Record<string, unknown> | undefined;
}

/** Discovery state of one broker client, as reported by `/readyz`. */
export interface ClientStatus {
  tenant: string;
  /** Provider id, or `staff`. */
  provider: string;
  issuer: string;
  ready: boolean;
  attempts: number;
  error?: string;
}

interface Entry {
  status: ClientStatus;
  settings: ClientSettings;
  /** Where the client is configured, e.g. `tenants.0.providers.1` (for start-up errors). */
  path: string;
  /** The client authentication, built once from the settings ({@link OidcClients.loadClientKeys}). */
  auth?: client.ClientAuth;
  configuration?: client.Configuration;
  /** The broker's JWKS as last fetched while verifying an answer ({@link OidcClients.verifier}). */
  keys?: client.ExportedJWKSCache;
  timer?: NodeJS.Timeout;
  /** The discovery request out now, if any ({@link OidcClients.configuration} waits for it). */
  attempt?: Promise<void>;
}

export interface OidcClientsOptions {
  config: GatewayConfig;
  logger: Logger;
  /** Maps `mock:<id>` issuers to the bundled mock IdP's URLs. */
  resolveIssuer: (issuer: string) => string;
  /** First retry delay; doubles up to `maxRetryMs`. Defaults 1 s and 60 s. */
  initialRetryMs?: number;
  maxRetryMs?: number;
}

/**
 * The gateway's OpenID Connect clients, one per configured broker (and staff IdP) per tenant.
 * Discovery runs once at start-up, never per request; a broker that is down is retried with
 * exponential back-off while `/readyz` reports it, and logins through it answer
 * `provider_unavailable` until it is reachable.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 */
export class OidcClients {
  readonly #entries = new Map<string, Entry>();
  readonly #options: OidcClientsOptions;
  #closed = false;

  constructor(options: OidcClientsOptions) {
    this.#options = options;
    options.config.tenants.forEach((tenant, t) => {
      tenant.providers.forEach((provider, p) => {
        this.#add(tenant.id, provider.id, provider, `tenants.${t}.providers.${p}`);
      });
      if (tenant.staff) this.#add(tenant.id, 'staff', tenant.staff, `tenants.${t}.staff`);
    });
  }

  /** Starts discovery of every client; resolves when each has succeeded or failed once. */
  async start(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => this.#discover(entry)));
  }

  /**
   * The discovered configuration, once the discovery out now (if any) has answered: a login
   * that reaches an instance just started (or restarted after a crash) while its first
   * discovery is still on its way waits for it (at most the 10 s a broker request may take)
   * instead of telling the citizen the broker is unavailable; readiness does not wait for
   * brokers (one that is down makes only its logins unavailable), so a load balancer sends
   * logins there at once.
   * @throws {GatewayError} `provider_unavailable` (503) when the broker has not been discovered.
   */
  async configuration(tenantId: string, providerId: string): Promise<client.Configuration> {
    const entry = this.#entries.get(key(tenantId, providerId));
    if (entry && !entry.configuration && entry.attempt) await entry.attempt;
    return this.get(tenantId, providerId);
  }

  /**
   * The discovered configuration, without waiting for a discovery in flight (logout links,
   * behind {@link isReady}). @throws {GatewayError} `provider_unavailable` (503).
   */
  get(tenantId: string, providerId: string): client.Configuration {
    const entry = this.#entries.get(key(tenantId, providerId));
    if (!entry?.configuration) {
      throw new GatewayError('provider_unavailable', 'The identity provider is not available right now.', {
        status: 503,
      });
    }
    return entry.configuration;
  }

  /**
   * A configuration to verify one login's answers with (the code exchange, the ID token's
   * signature, a signed userinfo): a copy of the discovered one, given the broker's keys as last
   * fetched. openid-client fetches a broker's JWKS again for a key id it does not know only once
   * its copy is 60 s old, and keeps that copy per configuration where it cannot be renewed from
   * outside: a broker that starts signing with a key it had not published before (an emergency
   * rotation, after a key was compromised) would have its logins refused as `id_token_invalid`
   * for up to a minute after any login. Each copy here is handed the keys as if fetched at least
   * 60 s ago, so an unknown key id is looked up at the broker at once (a token whose key is not
   * published even then is still refused), and the keys it fetches are kept for the next logins
   * (for 4 minutes; the library's 5 less the minute handed over).
   * @throws {GatewayError} `provider_unavailable` (503) when the broker has not been discovered.
   */
  async verifier(tenantId: string, providerId: string): Promise<client.Configuration> {
    const discovered = await this.configuration(tenantId, providerId);
    const entry = this.#entries.get(key(tenantId, providerId)) as Entry;
    const server = discovered.serverMetadata();
    const jwksUri = server.jwks_uri === undefined ? undefined : new URL(server.jwks_uri).href;
    const fetchKeeping: client.CustomFetch = async (url, options) => {
      const response = await boundedFetch()(url, options);
      if (url === jwksUri && response.ok) this.#keepKeys(entry, response.clone());
      return response;
    };
    const metadata = discovered.clientMetadata();
    const configuration = new client.Configuration(
      server,
      metadata.client_id,
      { ...metadata, [client.clockTolerance]: this.#options.config.clockSkewSeconds },
      entry.auth,
    );
    this.#secure(configuration, entry.status.issuer, fetchKeeping);
    if (entry.keys) {
      const handedOver = Math.min(entry.keys.uat, epochSeconds() - KEY_LOOKUP_AGE_SECONDS);
      client.setJwksCache(configuration, { ...entry.keys, uat: handedOver });
    }
    return configuration;
  }

  /** Keeps a JWKS the broker answered (its shape is checked by openid-client when it is used). */
  #keepKeys(entry: Entry, response: Response): void {
    const uat = epochSeconds();
    response.json().then(
      (jwks: unknown) => {
        if (!isJwks(jwks) || (entry.keys && entry.keys.uat > uat)) return;
        entry.keys = { jwks, uat };
      },
      () => undefined,
    );
  }

  /**
   * What every configuration of a broker client does: requests bounded in size and time, in
   * clear only to a loopback issuer (the mock IdP, a test broker), and ID token and userinfo
   * signatures verified against the broker's JWKS. openid-client checks an ID token's alg and
   * claims but, for a token from the token endpoint, not its signature unless asked (OpenID
   * Connect Core §3.1.3.7 lets TLS stand in). The gateway does not rely on TLS alone: a token
   * signed with a key outside the broker's JWKS is refused (the hostile-OP suite's bad-signature case).
   */
  #secure(configuration: client.Configuration, issuer: string, fetch: client.CustomFetch): void {
    configuration[client.customFetch] = fetch;
    configuration.timeout = BROKER_TIMEOUT_SECONDS;
    if (isInsecureLoopback(issuer)) client.allowInsecureRequests(configuration);
    client.enableNonRepudiationChecks(configuration);
  }

  /** Whether the client is ready (for greying out buttons). */
  isReady(tenantId: string, providerId: string): boolean {
    return this.#entries.get(key(tenantId, providerId))?.status.ready ?? false;
  }

  statuses(): ClientStatus[] {
    return [...this.#entries.values()].map((e) => ({ ...e.status }));
  }

  /** Stops pending retries. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
  }

  /**
   * Imports every client's credentials once, before discovery. A private key that cannot be
   * used is a configuration error to report at start-up, naming the key; without this it would
   * surface as a broker that never becomes ready. Returns the problems (empty when all is well).
   */
  async loadClientKeys(): Promise<string[]> {
    const problems: string[] = [];
    for (const entry of this.#entries.values()) {
      try {
        entry.auth = await clientAuthentication(entry.settings);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        problems.push(`${entry.path}.privateKeyJwk: not a usable private key (${reason})`);
      }
    }
    return problems;
  }

  #add(tenantId: string, providerId: string, settings: ClientSettings, path: string): void {
    const issuer = this.#options.resolveIssuer(settings.issuer);
    this.#entries.set(key(tenantId, providerId), {
      settings,
      path,
      status: { tenant: tenantId, provider: providerId, issuer, ready: false, attempts: 0 },
    });
  }

  #discover(entry: Entry): Promise<void> {
    const attempt = this.#attempt(entry).finally(() => {
      if (entry.attempt === attempt) delete entry.attempt;
    });
    entry.attempt = attempt;
    return attempt;
  }

  async #attempt(entry: Entry): Promise<void> {
    if (this.#closed) return;
    const { status, settings } = entry;
    status.attempts += 1;
    try {
      entry.auth ??= await clientAuthentication(settings);
      const configuration = await client.discovery(
        new URL(status.issuer),
        settings.clientId,
        { [client.clockTolerance]: this.#options.config.clockSkewSeconds },
        entry.auth,
        {
          execute: isInsecureLoopback(status.issuer) ? [client.allowInsecureRequests] : [],
          timeout: BROKER_TIMEOUT_SECONDS,
          [client.customFetch]: boundedFetch(),
        },
      );
      this.#secure(configuration, status.issuer, boundedFetch());
      entry.configuration = configuration;
      status.ready = true;
      delete status.error;
      this.#options.logger.debug(
        { tenant: status.tenant, provider: status.provider, issuer: status.issuer },
        'broker discovered',
      );
    } catch (error) {
      status.error = error instanceof Error ? error.message : String(error);
      // Closed while the request was out (start-up gave up on a taken port and stopped the mock
      // IdP): no retry follows, and a warning would bury the one line start-up ended with.
      if (this.#closed) return;
      const initial = this.#options.initialRetryMs ?? 1000;
      const delay = Math.min(initial * 2 ** (status.attempts - 1), this.#options.maxRetryMs ?? 60_000);
      this.#options.logger.warn(
        {
          tenant: status.tenant,
          provider: status.provider,
          issuer: status.issuer,
          error: status.error,
          retryInMs: delay,
        },
        'broker discovery failed',
      );
      entry.timer = setTimeout(() => void this.#discover(entry), delay);
      entry.timer.unref();
    }
  }
}

/** How long a request to a broker may take, in seconds. */
const BROKER_TIMEOUT_SECONDS = 10;

/** The age from which openid-client looks a key id it does not know up in a fresh JWKS. */
const KEY_LOOKUP_AGE_SECONDS = 60;

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function isInsecureLoopback(issuer: string): boolean {
  return new URL(issuer).protocol === 'http:' && isLoopbackUrl(issuer);
}

function isJwks(value: unknown): value is client.JWKS {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { keys?: unknown }).keys) &&
    (value as { keys: unknown[] }).keys.every((jwk) => typeof jwk === 'object' && jwk !== null)
  );
}

function key(tenantId: string, providerId: string): string {
  return `${tenantId}/${providerId}`;
}

async function clientAuthentication(settings: ClientSettings): Promise<client.ClientAuth> {
  switch (settings.clientAuth) {
    case 'client_secret_post':
      return client.ClientSecretPost(settings.clientSecret);
    case 'private_key_jwt': {
      const jwk = settings.privateKeyJwk as JWK;
      const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'OKP' ? 'EdDSA' : 'RS256');
      // Signs the client assertions: a key that imports but cannot sign fails here, at start-up.
      await signsAndVerifies(jwk, alg);
      const key = (await importJWK(jwk, alg)) as client.CryptoKey;
      return client.PrivateKeyJwt(jwk.kid ? { key, kid: jwk.kid } : key);
    }
    default:
      return client.ClientSecretBasic(settings.clientSecret);
  }
}
