import { createHmac } from 'node:crypto';
import type { Logger } from '../runtime/logger.js';
import type { RedisConnection } from './redis-connection.js';
import { RedisReadyCheck } from './redis-ready-check.js';
import type { StoreCodec } from './redis-store.js';

/** The label whose keyed digest stands for a secret (never the secret itself). */
const LABEL = 'eid-chat-gateway secret check';

/** A secret every instance of a deployment must share, and what goes wrong when one differs. */
export interface SharedSecret {
  /** The setting's variable, as the log names it. */
  name: 'DATA_KEY' | 'SESSION_SECRET';
  /** Where the first instance's digest is kept. */
  key: string;
  /** This instance's keyed digest of {@link LABEL}. */
  digest: string;
  /** What an instance with another one cannot do. */
  consequence: string;
}

/** The data key's check: its keyed blind index of the label, as the store seals with it. */
export function dataKeySecret(key: string, codec: StoreCodec): SharedSecret {
  return {
    name: 'DATA_KEY',
    key,
    digest: codec.blindIndex(LABEL),
    consequence: 'it cannot open the sessions, chats and events the other instances store',
  };
}

/** The session secret's check: an HMAC of the label under it (express-session signs cookies with it). */
export function sessionSecret(key: string, secret: string): SharedSecret {
  return {
    name: 'SESSION_SECRET',
    key,
    digest: createHmac('sha256', secret).update(LABEL).digest('base64url'),
    consequence:
      'the session cookies the other instances signed are not valid here: a visitor or agent the load balancer sends here seems logged out',
  };
}

/**
 * Tells an instance whose shared secrets are not its deployment's. Every instance on one Redis
 * and prefix must seal with the same `DATA_KEY` (else it cannot open the sessions, conversations
 * and chat events the others stored) and sign cookies with the same `SESSION_SECRET` (else the
 * sessions of the others' cookies are lost to it), while its readiness is green all the same.
 * Each time the connection becomes ready the first instance's digest of each secret is written
 * if none is (SET NX) and compared with this instance's; a difference is logged once per
 * connection, naming the key to delete after a deliberate change of that secret on every
 * instance. A digest is a keyed hash of a fixed label, never the secret.
 */
export class RedisSecretCheck extends RedisReadyCheck {
  readonly #secrets: readonly SharedSecret[];
  readonly #logger: Logger;

  constructor(options: { connection: RedisConnection; secrets: readonly SharedSecret[]; logger: Logger }) {
    super(options.connection);
    this.#secrets = options.secrets;
    this.#logger = options.logger;
  }

  protected check(): void {
    for (const secret of this.#secrets) this.#checkOne(secret);
  }

  #checkOne(secret: SharedSecret): void {
    const client = this.connection.client;
    client
      .set(secret.key, secret.digest, { condition: 'NX' })
      .then(() => client.get(secret.key))
      .then(
        (stored) => {
          if (this.closed || stored === null || stored === secret.digest) return;
          this.#logger.error(
            { store: 'redis', key: secret.key },
            `this instance's ${secret.name} is not the one the deployment's other instances use: ` +
              `${secret.consequence}; give every instance the same ${secret.name} ` +
              '(after changing it on all of them deliberately, delete this key)',
          );
        },
        // A lost connection is checked again at the next 'ready'.
        () => undefined,
      );
  }
}
