/** Limits on the frames a client may send. */
export interface ChatRateLimitOptions {
  /** Frames per second on one connection. Default 10 (a person types far slower). */
  connectionPerSecond?: number;
  /** Frames per second over all connections of one session (several tabs). Default 20. */
  sessionPerSecond?: number;
  /** Dropped frames within `dropWindowSeconds` after which the connection is closed (4429). Default 50. */
  maxDropped?: number;
  /** Default 10. */
  dropWindowSeconds?: number;
  /**
   * Frames per minute on one connection answered with a whole transcript (`resume`, `start` of
   * an open conversation): a few bytes asking for up to megabytes. Default 10.
   */
  transcriptsPerMinute?: number;
  /** Milliseconds now (tests move it). Default `Date.now`. */
  now?: () => number;
}

/**
 * Per-connection and per-session frame limits. A frame over a limit is dropped with an `error`
 * `rate_limited`; a client that keeps going after {@link ChatRateLimitOptions.maxDropped} drops
 * is disconnected.
 *
 * Why not rate-limiter-flexible (which the HTTP limits use, through the store): these limits
 * protect this instance's event loop, so they are deliberately not shared across instances, and
 * they run on every frame. The library's memory limiter answers each frame with promises and a
 * result object, which measured as a few per cent of the chat's CPU per message; a fixed window
 * counted synchronously is the same rule (the library's `points` per `duration`, window from
 * the first frame) without that cost.
 */
export class ChatRateLimits {
  readonly #connection: FixedWindows;
  readonly #session: FixedWindows;
  readonly #drops: FixedWindows;
  readonly #transcripts: FixedWindows;

  constructor(options: ChatRateLimitOptions = {}) {
    const connectionPerSecond = options.connectionPerSecond ?? 10;
    const sessionPerSecond = options.sessionPerSecond ?? 20;
    const maxDropped = options.maxDropped ?? 50;
    if (sessionPerSecond < connectionPerSecond) {
      throw new TypeError('sessionPerSecond must be at least connectionPerSecond');
    }
    const now = options.now ?? Date.now;
    this.#connection = new FixedWindows(connectionPerSecond, 1000, now);
    this.#session = new FixedWindows(sessionPerSecond, 1000, now);
    this.#drops = new FixedWindows(maxDropped, (options.dropWindowSeconds ?? 10) * 1000, now);
    this.#transcripts = new FixedWindows(options.transcriptsPerMinute ?? 10, 60_000, now);
  }

  /** Counts one frame answered with a whole transcript; `false` when it must be refused. */
  allowTranscript(connectionId: string): boolean {
    return this.#transcripts.take(connectionId);
  }

  /** Counts one frame; `true` when it may be handled. */
  allowFrame(connectionId: string, sessionKey: string): boolean {
    // The connection is checked first so one noisy tab does not use up its siblings' session budget.
    return this.#connection.take(connectionId) && this.#session.take(sessionKey);
  }

  /** Counts one dropped frame; `false` once the connection should be closed. */
  toleratesDrop(connectionId: string): boolean {
    return this.#drops.take(connectionId);
  }
}

/**
 * Events per key in fixed windows of `windowMs`, each starting at the key's first event after
 * the previous one ended. Ended windows are swept at most once per `windowMs`, so keys of
 * connections that went away do not accumulate.
 */
export class FixedWindows {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { count: number; endsAt: number }>();
  #sweepAt = 0;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    if (!(limit > 0) || !(windowMs > 0)) throw new TypeError('limit and windowMs must be positive');
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Counts one event of `key`; `true` while the key is within its limit in its current window. */
  take(key: string): boolean {
    const now = this.#now();
    if (now >= this.#sweepAt) this.#sweep(now);
    let window = this.#windows.get(key);
    if (window === undefined || now >= window.endsAt) {
      window = { count: 0, endsAt: now + this.#windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window.count <= this.#limit;
  }

  /** Keys with a window still running (tests, diagnostics). */
  get size(): number {
    return this.#windows.size;
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) if (now >= window.endsAt) this.#windows.delete(key);
    this.#sweepAt = now + this.#windowMs;
  }
}
