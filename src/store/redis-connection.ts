import { createClient, type RedisClientType, SocketTimeoutError } from 'redis';
import { GatewayError } from '../http/errors.js';
import type { Logger } from '../runtime/logger.js';
import { RedisStallWatchdog } from './redis-stall-watchdog.js';

/** The node-redis client type used by every Redis repository (RESP2, default modules). */
export type RedisClient = RedisClientType;

export interface RedisConnectionOptions {
  url: string;
  /** Bound on establishing a TCP connection (and the handshake). */
  connectTimeoutMs: number;
  /**
   * How long Redis may leave a command unanswered before the connection counts as stalled and
   * is dropped: a request touching a Redis that stops answering fails within about 1 to 1.5
   * times this (see {@link RedisStallWatchdog}).
   */
  commandTimeoutMs: number;
  /** Upper bound of the reconnect back-off. */
  maxReconnectDelayMs?: number;
  logger: Logger;
  /** Name shown by `CLIENT LIST` (which gateway role holds the connection). */
  name?: string;
}

/** Readiness of one Redis connection, for `/readyz`. */
export interface RedisHealth {
  ready: boolean;
  /** Why it is not ready (a redis error class name, never a URL or credential). */
  reason?: string;
}

/**
 * One node-redis client with the fault behaviour the gateway needs, and its readiness:
 * - a bounded connect timeout, and a stall watchdog on every connection (this one and its
 *   duplicates) that drops a connection whose Redis stopped answering, so an unreachable or
 *   stalled Redis fails requests fast (503 `store_unavailable`) instead of hanging them for the
 *   whole outage, and readiness turns red;
 * - no offline queue: a command issued while disconnected is refused at once, never sent
 *   minutes later (a chat message would otherwise be acknowledged long after the fact, or
 *   written twice when the client resends);
 * - reconnects forever with capped exponential back-off, also when the first connect fails,
 *   so a gateway started while Redis is down listens (readiness red) and recovers by itself;
 * - logs one line when Redis becomes unreachable and one when it is back, not one per retry.
 */
export class RedisConnection {
  readonly client: RedisClient;
  readonly #logger: Logger;
  readonly #commandTimeoutMs: number;
  readonly #watchdog: RedisStallWatchdog;
  readonly #duplicates = new Map<RedisClient, RedisStallWatchdog>();
  #reason: string | undefined = 'connecting';
  #down = false;
  #closed = false;

  constructor(options: RedisConnectionOptions) {
    if (options.commandTimeoutMs <= 0 || options.connectTimeoutMs <= 0)
      throw new TypeError('Redis timeouts must be positive');
    const maxDelay = options.maxReconnectDelayMs ?? 2_000;
    this.#logger = options.logger;
    this.#commandTimeoutMs = options.commandTimeoutMs;
    // No `commandOptions.timeout`: it bounds only the wait before a command is written (and
    // costs a timer per command); the watchdog bounds the whole wait for a reply.
    this.client = createClient({
      url: options.url,
      ...(options.name ? { name: options.name } : {}),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs,
        // Bounds the handshake of a reconnect to a Redis that accepts the connection but does
        // not answer (the watchdog only watches ready connections); a ready connection is never
        // idle this long, the watchdog pings it every half command timeout.
        socketTimeout: 2 * options.commandTimeoutMs,
        // Full jitter keeps several instances from reconnecting in lockstep after an outage.
        reconnectStrategy: (retries: number) =>
          Math.round(Math.min(maxDelay, 50 * 2 ** retries) * (0.5 + Math.random() / 2)),
      },
    }) as RedisClient;
    this.client.on('ready', () => {
      this.#reason = undefined;
      if (this.#down) this.#logger.info({ store: 'redis' }, 'redis reachable again');
      this.#down = false;
    });
    this.client.on('error', (error: Error) => this.#markDown(error));
    this.client.on('end', () => {
      this.#reason = 'closed';
    });
    this.#watchdog = new RedisStallWatchdog(this.client, {
      timeoutMs: options.commandTimeoutMs,
      onStall: () => this.#markStalled(),
    });
  }

  /**
   * Starts connecting without waiting for it: the caller listens for probes meanwhile.
   * Resolves when the first connection is ready (or never while Redis stays down).
   */
  start(): Promise<void> {
    return this.client.connect().then(
      () => undefined,
      // Only a closed client stops retrying; `close()` already reports that.
      () => undefined,
    );
  }

  health(): RedisHealth {
    const ready = this.client.isReady;
    return ready ? { ready } : { ready, reason: this.#reason ?? 'disconnected' };
  }

  /**
   * A second connection with the same options and its own stall watchdog (a subscriber cannot
   * send other commands); close it with {@link closeDuplicate}. Its outages are not logged:
   * this connection reports them.
   */
  duplicate(): RedisClient {
    const client = this.client.duplicate() as RedisClient;
    this.#duplicates.set(client, new RedisStallWatchdog(client, { timeoutMs: this.#commandTimeoutMs }));
    return client;
  }

  /** Closes a client from {@link duplicate} like {@link close}; it does not reconnect. A second call does nothing. */
  async closeDuplicate(client: RedisClient): Promise<void> {
    const watchdog = this.#duplicates.get(client);
    this.#duplicates.delete(client);
    await watchdog?.close();
  }

  /**
   * Closes the connection for good: after pending replies arrive when Redis answers within the
   * command timeout, at once otherwise (a graceful close would wait for a stalled Redis forever).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#watchdog.close();
  }

  #markStalled(): void {
    this.#reason = 'timeout';
    if (this.#down || this.#closed) return;
    this.#down = true;
    this.#logger.error(
      { store: 'redis', reason: this.#reason },
      'redis not answering: connection dropped, requests that need it answer 503 until it is back; retrying',
    );
  }

  #markDown(error: Error): void {
    // A reconnect whose handshake got no answer: the same stall, seen before the connection was ready.
    if (error instanceof SocketTimeoutError) this.#reason = 'timeout';
    // Redis answered but refused the credentials (or their rights): reconnecting will not help,
    // the configuration must change, so readiness says so rather than "unreachable".
    else if (/^(?:WRONGPASS|NOAUTH|NOPERM)\b/.test(error.message)) this.#reason = 'auth_failed';
    else this.#reason = error.name === 'Error' ? 'unreachable' : error.name;
    if (this.#down || this.#closed) return;
    this.#down = true;
    // The message of a socket error names host and port at most; never the URL's password.
    this.#logger.error(
      { store: 'redis', reason: this.#reason, detail: error.message },
      this.#reason === 'auth_failed'
        ? 'redis refused the credentials of store.redisUrl (user, password or their ACL rights): requests that need it answer 503 until they are fixed; retrying'
        : 'redis unreachable: requests that need it answer 503 until it is back; retrying',
    );
  }
}

/** The error every caller of a Redis repository sees while Redis cannot serve the request. */
export function storeUnavailable(cause?: unknown): GatewayError {
  return new GatewayError('store_unavailable', 'The service is temporarily unavailable. Try again shortly.', {
    status: 503,
    cause,
  });
}

/**
 * Runs one Redis operation and translates redis errors at this edge (STYLE rule 7): the rest
 * of the gateway only ever sees `GatewayError` 503 `store_unavailable`. GatewayErrors thrown
 * by the operation itself (bad input) pass through unchanged.
 */
export function redisCall<T>(operation: () => Promise<T>): Promise<T> {
  // A `.catch` on the operation's promise, not an async function around it: one promise and
  // one microtask fewer on every Redis command (each a cost with async hooks enabled).
  try {
    return operation().catch((error: unknown) => {
      throw translated(error);
    });
  } catch (error) {
    return Promise.reject(translated(error));
  }
}

function translated(error: unknown): unknown {
  return error instanceof GatewayError || error instanceof TypeError ? error : storeUnavailable(error);
}

/**
 * Sends a MULTI/EXEC transaction the way {@link redisCall} sends a command, failing at once
 * while the connection is not ready: node-redis queues a transaction until the next reconnect
 * even with `disableOfflineQueue` (which covers single commands only), so a request would
 * otherwise wait out the outage, and its write would land late, after its client gave up.
 */
export function transaction<T>(client: RedisClient, exec: () => Promise<T>): Promise<T> {
  if (!client.isReady) return Promise.reject(storeUnavailable());
  return redisCall(exec);
}
