import { ErrorReply } from 'redis';
import type { Logger } from '../runtime/logger.js';
import type { RedisClient, RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { ExpiredSession } from './store.js';

/**
 * `notify-keyspace-events` with what expiry notifications need added (`E`: keyevent channels,
 * `x`: expired events, which `A` includes), keeping every flag already set: other software on
 * the same Redis may rely on them. `undefined` when nothing is missing.
 * @see https://redis.io/docs/latest/develop/use/keyspace-notifications/#configuration
 */
export function withExpiredEvents(flags: string): string | undefined {
  const missing = `${flags.includes('E') ? '' : 'E'}${flags.includes('x') || flags.includes('A') ? '' : 'x'}`;
  return missing ? `${flags}${missing}` : undefined;
}

/**
 * Hears Redis expire sessions, so an idle-expired session ends the visitor's identified chat at
 * once on every instance, as the memory store's prune timer does on one: without it a socket
 * would notice only at its next heartbeat, and a visitor with no socket open would stay
 * identified to the agent.
 *
 * - A duplicated connection subscribes to `__keyevent@<db>__:expired` (a subscriber cannot send
 *   other commands). node-redis re-subscribes by itself after a reconnect (also after the stall
 *   watchdog dropped the connection) once the first SUBSCRIBE succeeded.
 * - Redis publishes those events only with `notify-keyspace-events` including `E` and `x`. Each
 *   time the main connection becomes ready (a restarted Redis forgets a `CONFIG SET`), the
 *   setting is read and the missing flags added. Managed Redis often refuses CONFIG: one warning
 *   says what that costs and how to enable it; everything else goes on.
 * - Every instance hears every expiry; the owner key written beside the session
 *   (`RedisKeys.sessionOwner`) is taken with GETDEL, so exactly one of them ends the chat.
 * - Delivery is at most once, like all pub/sub: an expiry while this connection is away is
 *   missed, and the sockets' heartbeat re-check remains the fallback.
 */
export class RedisSessionExpiry {
  readonly #connection: RedisConnection;
  readonly #client: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #keys: RedisKeys;
  readonly #sessionPrefix: string;
  readonly #channel: string;
  readonly #onExpired: (ended: ExpiredSession) => void;
  readonly #logger: Logger;
  #subscribed = false;
  #closed = false;
  #refusalLogged = false;
  #failureLogged = false;

  constructor(options: {
    connection: RedisConnection;
    keys: RedisKeys;
    onExpired: (ended: ExpiredSession) => void;
    logger: Logger;
  }) {
    this.#connection = options.connection;
    this.#client = options.connection.client;
    this.#subscriber = options.connection.duplicate();
    this.#keys = options.keys;
    this.#sessionPrefix = options.keys.sessions();
    this.#channel = `__keyevent@${this.#client.options?.database ?? 0}__:expired`;
    this.#onExpired = options.onExpired;
    this.#logger = options.logger;
    // The main connection reports outages; the subscriber's errors would repeat them.
    this.#subscriber.on('error', () => {});
    this.#subscriber.on('ready', this.#subscribe);
    this.#client.on('ready', this.#enableEvents);
  }

  /** Connects the subscriber (not awaited: it retries while Redis is down). */
  start(): void {
    this.#subscriber.connect().catch(() => undefined);
    if (this.#client.isReady) this.#enableEvents();
  }

  /** Whether expiry events are being received (tests; readiness does not depend on it). */
  get listening(): boolean {
    return this.#subscribed && this.#subscriber.isReady;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#client.off('ready', this.#enableEvents);
    await this.#connection.closeDuplicate(this.#subscriber);
  }

  readonly #subscribe = (): void => {
    if (this.#subscribed || this.#closed) return;
    this.#subscriber
      .subscribe(this.#channel, (key) => this.#expired(key))
      .then(
        () => {
          this.#subscribed = true;
        },
        () => undefined,
      );
  };

  readonly #enableEvents = (): void => {
    if (this.#closed) return;
    this.#ensureEvents().catch((error: unknown) => {
      // A server's refusal (CONFIG renamed away, an ACL without it) will not change by retrying;
      // a lost connection is retried at the next 'ready'.
      if (!(error instanceof ErrorReply) || this.#refusalLogged) return;
      this.#refusalLogged = true;
      this.#logger.warn(
        { store: 'redis', reason: error.message.split(' ')[0] },
        'Redis refused CONFIG: unless the server already has notify-keyspace-events with E and x ' +
          '(set "notify-keyspace-events Ex" in its configuration or parameter group), an idle-expired ' +
          "session is noticed only at its sockets' next heartbeat and a visitor without a socket " +
          'stays identified to the agent',
      );
    });
  };

  async #ensureEvents(): Promise<void> {
    const current = (await this.#client.configGet('notify-keyspace-events'))['notify-keyspace-events'] ?? '';
    const wanted = withExpiredEvents(current);
    if (wanted === undefined) return;
    await this.#client.configSet('notify-keyspace-events', wanted);
    this.#logger.info(
      { store: 'redis', notifyKeyspaceEvents: wanted },
      'Redis expiry events enabled, so idle-expired sessions end identified chats at once',
    );
  }

  #expired(key: string): void {
    if (this.#closed || !key.startsWith(this.#sessionPrefix)) return;
    const sid = key.slice(this.#sessionPrefix.length);
    this.#client.getDel(this.#keys.sessionOwner(sid)).then(
      (visitorId) => {
        this.#failureLogged = false;
        if (visitorId) this.#onExpired({ sessionId: sid, visitorId });
      },
      (error: unknown) => {
        if (this.#failureLogged) return;
        this.#failureLogged = true;
        this.#logger.warn(
          { store: 'redis', reason: (error as Error).name },
          "an expired session's owner could not be read: its sockets notice at their next heartbeat",
        );
      },
    );
  }
}
