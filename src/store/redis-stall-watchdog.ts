import type { RedisClient } from './redis-connection.js';

/**
 * Notices a Redis that stops answering on a connection that stays open, and drops that
 * connection so every command waiting on it fails at once.
 *
 * node-redis's own command `timeout` only bounds the wait in its write queue: once a command
 * is written it waits for its reply forever, and `isReady` stays true while the socket is open.
 * So a Redis that takes the writes but never answers (a stopped process, a partition without
 * RST, a script that does not end) would hang every request that touches it, with readiness
 * green. This watchdog sends a `PING` every `timeoutMs / 2` while the client is ready (one at a
 * time; RESP2 subscriber mode answers it too). A `PING` unanswered after `timeoutMs` means every
 * command written before it is unanswered too: the client is destroyed — which rejects every
 * queued and waiting command — and connected again, so node-redis resumes its reconnect
 * back-off. A command thus fails at most about `1.5 × timeoutMs` after Redis stopped answering.
 * One probe per half timeout costs far less than node-redis's timeout signal per command.
 */
export class RedisStallWatchdog {
  readonly #client: RedisClient;
  readonly #timeoutMs: number;
  readonly #onStall: () => void;
  /** Bumped whenever the connection changes or the watch stops: older probes no longer count. */
  #generation = 0;
  #next: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(client: RedisClient, options: { timeoutMs: number; onStall?: () => void }) {
    if (!(options.timeoutMs > 0)) throw new TypeError('the stall timeout must be positive');
    this.#client = client;
    this.#timeoutMs = options.timeoutMs;
    this.#onStall = options.onStall ?? (() => undefined);
    client.on('ready', () => this.#watch());
    // 'end' is destroy() or close(): that connection is gone, nothing left to watch on it.
    client.on('end', () => this.#rest());
  }

  /**
   * Stops watching and closes the client: after the replies it waits for when Redis answers
   * within the timeout, at once otherwise (a graceful close would wait for them forever).
   */
  async close(): Promise<void> {
    this.#stopped = true;
    this.#rest();
    const client = this.#client;
    if (!client.isOpen) return;
    // Replies come in order: once this PING is answered, every command sent before it is too.
    if (client.isReady && (await settlesWithin(client.ping(), this.#timeoutMs))) {
      if (await settlesWithin(client.close(), this.#timeoutMs)) return;
    }
    try {
      client.destroy();
    } catch {
      // A close() that did not finish in time already marked the client closed: destroy()
      // rejected what was waiting and then refused; the socket goes with the process.
    }
  }

  #watch(): void {
    this.#rest();
    if (!this.#stopped) this.#schedule(this.#generation);
  }

  #rest(): void {
    this.#generation += 1;
    clearTimeout(this.#next);
    clearTimeout(this.#deadline);
    this.#next = undefined;
    this.#deadline = undefined;
  }

  #schedule(generation: number): void {
    this.#next = setTimeout(() => this.#probe(generation), this.#timeoutMs / 2).unref();
  }

  #probe(generation: number): void {
    if (!this.#current(generation)) return;
    let answered = false;
    this.#deadline = setTimeout(() => {
      // Timers run before the event loop reads sockets: after a long synchronous stretch the
      // reply may already be waiting. Look again once pending input has been read.
      setImmediate(() => {
        if (!answered) this.#stalled(generation);
      });
    }, this.#timeoutMs).unref();
    const settle = () => {
      answered = true;
      if (generation !== this.#generation) return;
      clearTimeout(this.#deadline);
      this.#deadline = undefined;
      // A rejection because the connection dropped ends here: the next probe finds the
      // client not ready, and 'ready' starts watching the new connection.
      this.#schedule(generation);
    };
    // An error reply (BUSY, LOADING) is an answer too: Redis is reading this connection.
    this.#client.ping().then(settle, settle);
  }

  #stalled(generation: number): void {
    if (!this.#current(generation)) return;
    this.#rest();
    // Rejects every queued and written command at once (DisconnectsClientError).
    this.#client.destroy();
    this.#onStall();
    // destroy() closed the client for good; connect() opens it again with the same
    // reconnect strategy. Rejects only if the client is closed meanwhile: nothing to do then.
    this.#client.connect().catch(() => undefined);
  }

  /** Whether `generation` is still the watched connection and it is open and ready. */
  #current(generation: number): boolean {
    return generation === this.#generation && !this.#stopped && this.#client.isOpen && this.#client.isReady;
  }
}

/** Whether `promise` settles (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms).unref();
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
