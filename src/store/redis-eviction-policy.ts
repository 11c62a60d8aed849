import { ErrorReply } from 'redis';
import type { Logger } from '../runtime/logger.js';
import type { RedisConnection } from './redis-connection.js';
import { RedisReadyCheck } from './redis-ready-check.js';

/**
 * The one `maxmemory-policy` under which Redis never drops a key to make room: it refuses the
 * write instead (OOM), which the gateway answers 503 `store_unavailable`. Under any other policy
 * a full Redis silently deletes what the gateway stored: an `allkeys-*` policy any key (a
 * conversation's messages already acknowledged to their sender, a consent receipt, a queue),
 * a `volatile-*` one the keys with an expiry (a session, logging its citizen out and leaving
 * their identity with the agent, since an eviction is no expiry event; a login in flight; a
 * step-up link).
 * @see https://redis.io/docs/latest/develop/reference/eviction/
 */
const SAFE_POLICY = 'noeviction';

/**
 * Reads Redis's eviction policy each time the connection becomes ready (a restarted or failed
 * over Redis may come back with another configuration) and logs one warning when it is not
 * `noeviction`, once per policy seen. Read with `INFO memory`, which managed Redis services
 * allow where they rename or forbid `CONFIG`; a read refused (an ACL without INFO) is said
 * once, a read lost with the connection is retried at the next `ready`.
 */
export class RedisEvictionPolicyCheck extends RedisReadyCheck {
  readonly #logger: Logger;
  #warnedFor: string | undefined;
  #refusalLogged = false;

  constructor(options: { connection: RedisConnection; logger: Logger }) {
    super(options.connection);
    this.#logger = options.logger;
  }

  protected check(): void {
    this.connection.client.info('memory').then(
      (info) => this.#report(evictionPolicyOf(info)),
      (error: unknown) => this.#refused(error),
    );
  }

  /** A server's refusal (an ACL without INFO) is said once; a lost connection is retried at the next `ready`. */
  #refused(error: unknown): void {
    if (this.closed || !(error instanceof ErrorReply) || this.#refusalLogged) return;
    this.#refusalLogged = true;
    this.#logger.warn(
      { store: 'redis', reason: error.message.split(' ')[0] },
      'Redis refused INFO, so its eviction policy could not be checked: make sure it has ' +
        '"maxmemory-policy noeviction", or a full Redis deletes stored chats, sessions and receipts without an error',
    );
  }

  #report(policy: string | undefined): void {
    if (this.closed || policy === undefined || policy === SAFE_POLICY || policy === this.#warnedFor) return;
    this.#warnedFor = policy;
    this.#logger.warn(
      { store: 'redis', maxmemoryPolicy: policy },
      `Redis evicts keys when its memory is full (maxmemory-policy ${policy}): stored chats, sessions and ` +
        'receipts would vanish without an error; set "maxmemory-policy noeviction" in its configuration ' +
        'or parameter group, so a full Redis refuses writes (503) instead',
    );
  }
}

/** The `maxmemory_policy` field of an `INFO memory` reply, if it has one. */
export function evictionPolicyOf(info: string): string | undefined {
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}
