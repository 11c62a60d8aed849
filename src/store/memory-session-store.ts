import session from 'express-session';
import type { Clock } from '../runtime/clock.js';
import type { ExpiredSession } from './store.js';

interface Entry {
  json: string;
  expiresAt: number;
}

/**
 * express-session store for the embedded single-instance mode. Unlike express-session's own
 * MemoryStore it reads the injected clock (so idle expiry is testable) and prunes expired
 * sessions on a timer, so a long-running development server does not grow without bound.
 * Sessions are kept as JSON so a stored object is never shared with a live request.
 */
export class MemorySessionStore extends session.Store {
  readonly #sessions = new Map<string, Entry>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #timer: NodeJS.Timeout;

  readonly #onExpired: ((ended: ExpiredSession) => void) | undefined;

  /**
   * `onExpired` is told of each session with a visitor id found expired (idle timeout), so what
   * hangs on the session (an identified chat) ends with it.
   */
  constructor(options: {
    clock: Clock;
    ttlMs: number;
    pruneIntervalMs?: number;
    onExpired?: (ended: ExpiredSession) => void;
  }) {
    super();
    this.#onExpired = options.onExpired;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs;
    this.#timer = setInterval(() => this.prune(), options.pruneIntervalMs ?? 60_000);
    this.#timer.unref();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const entry = this.#sessions.get(sid);
    if (!entry || entry.expiresAt <= this.#clock.now()) {
      if (entry) this.#expire(sid, entry);
      callback(null, null);
      return;
    }
    callback(null, JSON.parse(entry.json) as session.SessionData);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.#sessions.set(sid, { json: JSON.stringify(data), expiresAt: this.#expiry(data) });
    callback?.();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#sessions.delete(sid);
    callback?.();
  }

  override touch(sid: string, data: session.SessionData, callback?: () => void): void {
    const entry = this.#sessions.get(sid);
    if (entry) entry.expiresAt = this.#expiry(data);
    callback?.();
  }

  /** Number of live sessions (tests, readiness). */
  get size(): number {
    return this.#sessions.size;
  }

  /** Removes expired sessions. */
  prune(): void {
    const now = this.#clock.now();
    for (const [sid, entry] of this.#sessions) if (entry.expiresAt <= now) this.#expire(sid, entry);
  }

  /** Stops the prune timer. */
  close(): void {
    clearInterval(this.#timer);
  }

  #expire(sid: string, entry: Entry): void {
    this.#sessions.delete(sid);
    const { visitorId } = JSON.parse(entry.json) as session.SessionData;
    if (visitorId) this.#onExpired?.({ sessionId: sid, visitorId });
  }

  #expiry(data: session.SessionData): number {
    const maxAge = data.cookie?.maxAge;
    return this.#clock.now() + (typeof maxAge === 'number' ? maxAge : this.#ttlMs);
  }
}
