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
 * Events per key, counted synchronously, for one rule of `limit` events per `windowMs`. Entries
 * that say nothing any more (a window ended, a bucket full again) are swept at most once per
 * `windowMs`, so keys of connections that went away do not accumulate.
 */
abstract class PerKeyLimit<Entry> {
  protected readonly limit: number;
  protected readonly windowMs: number;
  protected readonly entries = new Map<string, Entry>();
  readonly #now: () => number;
  #sweepAt = 0;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    if (!(limit > 0) || !(windowMs > 0)) throw new TypeError('limit and windowMs must be positive');
    this.limit = limit;
    this.windowMs = windowMs;
    this.#now = now;
  }

  /** Counts one event of `key`; `true` when it is within the limit. */
  take(key: string): boolean {
    const now = this.#now();
    if (now >= this.#sweepAt) {
      for (const [k, entry] of this.entries) if (this.isSpent(entry, now)) this.entries.delete(k);
      this.#sweepAt = now + this.windowMs;
    }
    return this.takeAt(key, now);
  }

  /** Keys with an entry still in force (tests, diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  protected abstract takeAt(key: string, now: number): boolean;
  /** Whether `entry` no longer limits its key (as an absent one). */
  protected abstract isSpent(entry: Entry, now: number): boolean;
}

/**
 * Events per key in fixed windows of `windowMs`, each starting at the key's first event after
 * the previous one ended.
 */
export class FixedWindows extends PerKeyLimit<{ count: number; endsAt: number }> {
  protected takeAt(key: string, now: number): boolean {
    let window = this.entries.get(key);
    if (window === undefined || now >= window.endsAt) {
      window = { count: 0, endsAt: now + this.windowMs };
      this.entries.set(key, window);
    }
    window.count += 1;
    return window.count <= this.limit;
  }

  protected isSpent(window: { count: number; endsAt: number }, now: number): boolean {
    return now >= window.endsAt;
  }
}

/**
 * Events per key as token buckets: each key holds up to `limit` tokens, refilled continuously at
 * `limit` per `windowMs`, and each event takes one. Over time a key gets `limit` events per
 * window, never more than `limit` at once; unlike a fixed window, events at the rate that
 * arrive bunched (some late, some early) are not refused. A key absent has a full bucket.
 */
export class TokenBuckets extends PerKeyLimit<{ tokens: number; at: number }> {
  protected takeAt(key: string, now: number): boolean {
    const bucket = this.entries.get(key);
    if (bucket === undefined) {
      this.entries.set(key, { tokens: this.limit - 1, at: now });
      return true;
    }
    const tokens = Math.min(this.limit, bucket.tokens + ((now - bucket.at) * this.limit) / this.windowMs);
    bucket.at = now;
    bucket.tokens = tokens < 1 ? tokens : tokens - 1;
    return tokens >= 1;
  }

  /** Untouched for a whole window: full again. */
  protected isSpent(bucket: { tokens: number; at: number }, now: number): boolean {
    return now - bucket.at >= this.windowMs;
  }
}
