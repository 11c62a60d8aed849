import type { WebSocket } from 'ws';

/** What runs on every tick for a watched socket (checks that must repeat). */
export interface HeartbeatWatcher {
  beat(): void;
}

/** Default time between pings. */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * Pings every socket each interval and terminates those that did not answer the previous ping
 * (half-open TCP connections otherwise linger for minutes). A socket's watcher beats on every
 * tick, for checks that must repeat (staff session still valid, presence refresh).
 * Real timers, not the injected clock: this is about real sockets, not stored time.
 * @see RFC 6455 §5.5.2 (Ping) and ws's README "How to detect and close broken connections"
 */
export class Heartbeat {
  readonly #alive = new Map<WebSocket, { alive: boolean; watcher: HeartbeatWatcher | undefined }>();
  readonly #timer: NodeJS.Timeout;
  /** One listener for every socket's pongs (ws calls it with the socket as `this`). */
  readonly #pong: (this: WebSocket) => void;

  constructor(intervalMs = HEARTBEAT_INTERVAL_MS) {
    if (!(intervalMs > 0)) throw new TypeError('intervalMs must be positive');
    const alive = this.#alive;
    this.#pong = function (this: WebSocket) {
      const state = alive.get(this);
      if (state) state.alive = true;
    };
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    this.#timer.unref();
  }

  /**
   * Watches a socket until {@link untrack} (the socket's close handler calls it); a closed
   * socket nobody untracked is dropped at the next tick. `watcher.beat()` runs on every tick.
   */
  track(ws: WebSocket, watcher?: HeartbeatWatcher): void {
    this.#alive.set(ws, { alive: true, watcher });
    ws.on('pong', this.#pong);
  }

  untrack(ws: WebSocket): void {
    this.#alive.delete(ws);
    ws.off('pong', this.#pong);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#alive.clear();
  }

  #tick(): void {
    for (const [ws, state] of this.#alive) {
      if (ws.readyState === ws.CLOSED) {
        this.#alive.delete(ws);
        continue;
      }
      if (!state.alive) {
        ws.terminate();
        this.#alive.delete(ws);
        continue;
      }
      state.alive = false;
      ws.ping();
      state.watcher?.beat();
    }
  }
}
