import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Logger } from '../runtime/logger.js';
import type { RedisClient } from './redis-connection.js';
import { storeUnavailable, transaction } from './redis-connection.js';
import type { StoreCodec } from './redis-store.js';

// biome-ignore lint/suspicious/noExplicitAny: express-session's own callback type
type Callback = (err?: any, data?: any) => void;

/**
 * How much longer the owner key lives than its session: long enough for the expiry notification
 * to be handled (it arrives within about a second), short enough not to pile up.
 */
export const OWNER_MARGIN_SECONDS = 300;

/**
 * express-session's store on Redis (connect-redis) with these changes:
 * - the whole session is sealed (AES-256-GCM through `FieldCrypto`): staff names and e-mail
 *   addresses, login transactions' PKCE verifiers and nonces never lie in Redis in plain text;
 *   a session that cannot be opened (data key rotated, value tampered with) is treated as
 *   absent, so the visitor gets a fresh session instead of an error on every request;
 * - redis errors become `GatewayError` 503 `store_unavailable` here, at the edge, so a request
 *   whose session cannot be read while Redis is down gets a clear 503 page or JSON;
 * - a session with a visitor id keeps an owner key beside it (`RedisKeys.sessionOwner`), written
 *   in the same transaction and outliving the session by {@link OWNER_MARGIN_SECONDS}: when Redis
 *   expires the sealed session, the instance told of it (`redis-session-expiry.ts`) still
 *   learns whose chat to end, without the data key and without the session.
 */
export class RedisSessionStore extends RedisStore {
  readonly #logger: Logger;
  readonly #redis: RedisClient;
  readonly #ttlSeconds: number;
  readonly #ownerKey: ((sid: string) => string) | undefined;

  constructor(options: {
    client: RedisClient;
    prefix: string;
    /**
     * The owner key of a session id (`RedisKeys.sessionOwner`); without it no owner keys are kept
     * (a store whose sessions' expiry nobody listens to).
     */
    ownerKey?: (sid: string) => string;
    ttlSeconds: number;
    crypto: StoreCodec;
    logger: Logger;
  }) {
    const { crypto } = options;
    super({
      client: options.client,
      prefix: options.prefix,
      ttl: options.ttlSeconds,
      serializer: {
        stringify: (session: SessionData) => crypto.seal(session),
        parse: (text: string) => crypto.open<SessionData>(text),
      },
    });
    this.#logger = options.logger;
    this.#redis = options.client;
    this.#ttlSeconds = options.ttlSeconds;
    this.#ownerKey = options.ownerKey;
  }

  override async get(sid: string, cb?: Callback): Promise<unknown> {
    let raw: string | null;
    try {
      raw = await this.client.get(`${this.prefix}${sid}`);
    } catch (error) {
      return cb?.(storeUnavailable(error), null);
    }
    if (raw === null) return cb?.(null, null);
    try {
      return cb?.(null, await this.serializer.parse(raw));
    } catch {
      this.#logger.warn({ store: 'redis' }, 'a stored session could not be opened; treated as absent');
      return cb?.(null, null);
    }
  }

  override async set(sid: string, session: SessionData, cb?: Callback): Promise<unknown> {
    const ttl = this.#ttlOf(session);
    if (ttl <= 0) return this.destroy(sid, cb);
    try {
      const multi = this.#redis
        .multi()
        .set(`${this.prefix}${sid}`, this.serializer.stringify(session), ex(ttl));
      const owner = this.#ownerKey?.(sid);
      if (owner && session.visitorId) multi.set(owner, session.visitorId, ex(ttl + OWNER_MARGIN_SECONDS));
      else if (owner) multi.del(owner);
      await transaction(this.#redis, () => multi.exec());
    } catch (error) {
      return cb?.(storeUnavailable(error));
    }
    return cb?.(null);
  }

  override async touch(sid: string, session: SessionData, cb?: Callback): Promise<unknown> {
    const ttl = this.#ttlOf(session);
    try {
      const multi = this.#redis.multi().expire(`${this.prefix}${sid}`, ttl);
      // SET rather than EXPIRE: a session saved before owner keys existed gains one too.
      const owner = this.#ownerKey?.(sid);
      if (owner && session.visitorId) multi.set(owner, session.visitorId, ex(ttl + OWNER_MARGIN_SECONDS));
      await transaction(this.#redis, () => multi.exec());
    } catch (error) {
      return cb?.(storeUnavailable(error));
    }
    return cb?.(null);
  }

  override async destroy(sid: string, cb?: Callback): Promise<unknown> {
    try {
      const owner = this.#ownerKey?.(sid);
      await this.#redis.del(owner ? [`${this.prefix}${sid}`, owner] : `${this.prefix}${sid}`);
    } catch (error) {
      return cb?.(storeUnavailable(error));
    }
    return cb?.(null);
  }

  /** Seconds the session lives: to its cookie's expiry (rolling), else the idle timeout (as connect-redis). */
  #ttlOf(session: SessionData): number {
    const expires = session.cookie?.expires;
    return expires ? Math.ceil((new Date(expires).getTime() - Date.now()) / 1000) : this.#ttlSeconds;
  }
}

function ex(seconds: number) {
  return { expiration: { type: 'EX', value: seconds } } as const;
}
