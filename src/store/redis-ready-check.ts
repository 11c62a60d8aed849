import type { RedisConnection } from './redis-connection.js';

/**
 * A check of the Redis a gateway uses, run each time its connection becomes ready: a restarted
 * or failed-over Redis may come back with another configuration or other data, and a check
 * lost with the connection runs again at the next `ready`.
 */
export abstract class RedisReadyCheck {
  protected readonly connection: RedisConnection;
  #closed = false;

  constructor(connection: RedisConnection) {
    this.connection = connection;
  }

  start(): void {
    this.connection.client.on('ready', this.#run);
    if (this.connection.client.isReady) this.#run();
  }

  close(): void {
    this.#closed = true;
    this.connection.client.off('ready', this.#run);
  }

  /** Whether the check was closed (a reply arriving after that is not reported). */
  protected get closed(): boolean {
    return this.#closed;
  }

  /** Runs the check once; failures are its own to report. */
  protected abstract check(): void;

  readonly #run = (): void => {
    if (!this.#closed) this.check();
  };
}
