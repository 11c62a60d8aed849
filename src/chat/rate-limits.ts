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
 * result object, which measured as a few per cent of the chat's CPU per message; counting
 * synchronously here costs nothing of that.
 *
 * The frame limits are token buckets, not fixed windows: frames are counted as they arrive, and
 * a client sending at exactly its rate has them arrive unevenly (the network, the server busy
 * for a moment, then reading several at once). A window starting at its first frame took an
 * eleventh frame of a steady 10 per second whenever that first one came late (a load driver at
 * the documented rate got `rate_limited` on a busy gateway); a bucket of one second's frames,
 * refilled continuously, lets such a client through and still holds every client to the rate.
 */
export class ChatRateLimits {
  readonly #connection: TokenBuckets;
  readonly #session: TokenBuckets;
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
    this.#connection = new TokenBuckets(connectionPerSecond, 1000, now);
    this.#session = new TokenBuckets(sessionPerSecond, 1000, now);
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

/**
 * Events per key as token buckets: each key holds up to `limit` tokens, refilled continuously at
 * `limit` per `windowMs`, and each event takes one. Over time a key gets `limit` events per
 * window, never more than `limit` at once; unlike a fixed window, events at the rate that
 * arrive bunched (some late, some early) are not refused. A key whose bucket is full again is
 * forgotten (swept at most once per `windowMs`), so keys of connections that went away do not
 * accumulate.
 */
export class TokenBuckets {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  /** Tokens left at `at`; a key absent has a full bucket. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #sweepAt = 0;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    if (!(limit > 0) || !(windowMs > 0)) throw new TypeError('limit and windowMs must be positive');
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Takes a token of `key`; `false` (nothing taken) when its bucket has less than one. */
  take(key: string): boolean {
    const now = this.#now();
    if (now >= this.#sweepAt) this.#sweep(now);
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#buckets.set(key, { tokens: this.#limit - 1, at: now });
      return true;
    }
    const tokens = Math.min(this.#limit, bucket.tokens + ((now - bucket.at) * this.#limit) / this.#windowMs);
    bucket.at = now;
    if (tokens < 1) {
      bucket.tokens = tokens;
      return false;
    }
    bucket.tokens = tokens - 1;
    return true;
  }

  /** Keys whose bucket is not known to be full (tests, diagnostics). */
  get size(): number {
    return this.#buckets.size;
  }

  #sweep(now: number): void {
    // A bucket untouched for a whole window is full again, as an absent one is.
    for (const [key, bucket] of this.#buckets)
      if (now - bucket.at >= this.#windowMs) this.#buckets.delete(key);
    this.#sweepAt = now + this.#windowMs;
  }
}
