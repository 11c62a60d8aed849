import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Logger } from '../runtime/logger.js';
import type { RedisClient } from './redis-connection.js';
import { storeUnavailable } from './redis-connection.js';
import type { StoreCodec } from './redis-store.js';

// biome-ignore lint/suspicious/noExplicitAny: express-session's own callback type
type Callback = (err?: any, data?: any) => void;

/**
 * express-session's store on Redis (connect-redis) with two changes:
 * - the whole session is sealed (AES-256-GCM through `FieldCrypto`): staff names and e-mail
 *   addresses, login transactions' PKCE verifiers and nonces never lie in Redis in plain text;
 *   a session that cannot be opened (data key rotated, value tampered with) is treated as
 *   absent, so the visitor gets a fresh session instead of an error on every request;
 * - redis errors become `GatewayError` 503 `store_unavailable` here, at the edge, so a request
 *   whose session cannot be read while Redis is down gets a clear 503 page or JSON.
 */
export class RedisSessionStore extends RedisStore {
  readonly #logger: Logger;

  constructor(options: {
    client: RedisClient;
    prefix: string;
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

  override set(sid: string, session: SessionData, cb?: Callback): Promise<unknown> {
    return super.set(sid, session, translated(cb));
  }

  override touch(sid: string, session: SessionData, cb?: Callback): Promise<unknown> {
    return super.touch(sid, session, translated(cb));
  }

  override destroy(sid: string, cb?: Callback): Promise<unknown> {
    return super.destroy(sid, translated(cb));
  }
}

function translated(cb: Callback | undefined): Callback {
  return (err, data) => cb?.(err ? storeUnavailable(err) : err, data);
}
