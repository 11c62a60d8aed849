import type { WebSocket } from 'ws';

/** Default time between pings. */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * Pings every socket each interval and terminates those that did not answer the previous ping
 * (half-open TCP connections otherwise linger for minutes). `onBeat` runs for each live socket
 * on every tick, for checks that must repeat (staff session still valid, presence refresh).
 * Real timers, not the injected clock: this is about real sockets, not stored time.
 * @see RFC 6455 §5.5.2 (Ping) and ws's README "How to detect and close broken connections"
 */
export class Heartbeat {
  readonly #alive = new Map<WebSocket, { alive: boolean; onBeat?: () => void }>();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs = HEARTBEAT_INTERVAL_MS) {
    if (!(intervalMs > 0)) throw new TypeError('intervalMs must be positive');
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    this.#timer.unref();
  }

  /** Watches a socket until it closes. */
  track(ws: WebSocket, onBeat?: () => void): void {
    const state = { alive: true, ...(onBeat ? { onBeat } : {}) };
    this.#alive.set(ws, state);
    ws.on('pong', () => {
      state.alive = true;
    });
    ws.once('close', () => this.#alive.delete(ws));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#alive.clear();
  }

  #tick(): void {
    for (const [ws, state] of this.#alive) {
      if (!state.alive) {
        ws.terminate();
        this.#alive.delete(ws);
        continue;
      }
      state.alive = false;
      ws.ping();
      state.onBeat?.();
    }
  }
}
