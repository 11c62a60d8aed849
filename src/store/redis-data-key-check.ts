import type { Logger } from '../runtime/logger.js';
import type { RedisConnection } from './redis-connection.js';
import type { StoreCodec } from './redis-store.js';

/** The label whose keyed blind index stands for the data key (never the key itself). */
const LABEL = 'eid-chat-gateway data key check';

/**
 * Tells an instance whose `DATA_KEY` is not its deployment's. Every instance on one Redis and
 * prefix must seal with the same key: one with another key cannot open the sessions,
 * conversations and chat events the others stored (visitors on it seem logged out, agents see
 * nothing), while its readiness is green. Each time the connection becomes ready the first
 * instance's blind index of a fixed label is written if none is (SET NX) and compared with this
 * instance's; a difference is logged once per connection, naming the key to delete after a
 * deliberate change of `DATA_KEY` on every instance.
 */
export class RedisDataKeyCheck {
  readonly #connection: RedisConnection;
  readonly #key: string;
  readonly #mine: string;
  readonly #logger: Logger;
  #closed = false;

  constructor(options: { connection: RedisConnection; key: string; codec: StoreCodec; logger: Logger }) {
    this.#connection = options.connection;
    this.#key = options.key;
    this.#mine = options.codec.blindIndex(LABEL);
    this.#logger = options.logger;
  }

  start(): void {
    this.#connection.client.on('ready', this.#check);
    if (this.#connection.client.isReady) this.#check();
  }

  close(): void {
    this.#closed = true;
    this.#connection.client.off('ready', this.#check);
  }

  readonly #check = (): void => {
    if (this.#closed) return;
    const client = this.#connection.client;
    client
      .set(this.#key, this.#mine, { condition: 'NX' })
      .then(() => client.get(this.#key))
      .then(
        (stored) => {
          if (this.#closed || stored === null || stored === this.#mine) return;
          this.#logger.error(
            { store: 'redis', key: this.#key },
            "this instance's DATA_KEY is not the one the deployment's data in Redis was sealed with: " +
              'it cannot open the sessions, chats and events the other instances store; give every instance the same ' +
              'DATA_KEY (after changing it on all of them deliberately, delete this key)',
          );
        },
        // A lost connection is checked again at the next 'ready'.
        () => undefined,
      );
  };
}
