import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

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
}

/**
 * Per-connection and per-session frame limits (rate-limiter-flexible, in memory: the limits
 * protect this instance's event loop, so they are deliberately not shared across instances).
 * A frame over a limit is dropped with an `error` `rate_limited`; a client that keeps going
 * after {@link ChatRateLimitOptions.maxDropped} drops is disconnected.
 */
export class ChatRateLimits {
  readonly #connection: RateLimiterMemory;
  readonly #session: RateLimiterMemory;
  readonly #drops: RateLimiterMemory;

  constructor(options: ChatRateLimitOptions = {}) {
    const connectionPerSecond = options.connectionPerSecond ?? 10;
    const sessionPerSecond = options.sessionPerSecond ?? 20;
    const maxDropped = options.maxDropped ?? 50;
    if (sessionPerSecond < connectionPerSecond) {
      throw new TypeError('sessionPerSecond must be at least connectionPerSecond');
    }
    this.#connection = new RateLimiterMemory({
      keyPrefix: 'chat-conn',
      points: connectionPerSecond,
      duration: 1,
    });
    this.#session = new RateLimiterMemory({ keyPrefix: 'chat-sess', points: sessionPerSecond, duration: 1 });
    this.#drops = new RateLimiterMemory({
      keyPrefix: 'chat-drop',
      points: maxDropped,
      duration: options.dropWindowSeconds ?? 10,
    });
  }

  /** Counts one frame; resolves `true` when it may be handled. */
  async allowFrame(connectionId: string, sessionKey: string): Promise<boolean> {
    // The connection is checked first so one noisy tab does not use up its siblings' session budget.
    return (await consumed(this.#connection, connectionId)) && (await consumed(this.#session, sessionKey));
  }

  /** Counts one dropped frame; resolves `false` once the connection should be closed. */
  async toleratesDrop(connectionId: string): Promise<boolean> {
    return consumed(this.#drops, connectionId);
  }
}

async function consumed(limiter: RateLimiterMemory, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (error) {
    if (error instanceof RateLimiterRes) return false;
    throw error;
  }
}
