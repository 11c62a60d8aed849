/** Time between two whole lists of the same kind (a topic's queue, `assigned`) to one console. */
export const SUMMARY_INTERVAL_MS = 250;

/** What a {@link LatestWins} schedules with: real timers by default, a fake one in tests (STYLE rule 8). */
export interface PacingTimers {
  /** Milliseconds on a clock that only moves forward. */
  now(): number;
  /** Runs `run` once after `ms`, unless cancelled. */
  after(ms: number, run: () => void): { cancel(): void };
}

/**
 * Real time, not the injected clock: pacing is about real sockets, not stored time (as the
 * heartbeat). Monotonic, so a wall-clock step neither floods a console nor stalls it.
 */
export const realPacingTimers: PacingTimers = {
  now: () => performance.now(),
  after(ms, run) {
    const timer = setTimeout(run, ms);
    // A list waiting for its turn never keeps the process alive; closing the socket cancels it.
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** One key's state. */
interface Slot<T> {
  /** The newest value not sent yet. */
  waiting: T | undefined;
  /** When the last one was sent (`-Infinity`: never). */
  sentAt: number;
  /** Sent but not yet handed to the kernel: a slow reader gets no more until it has been. */
  inFlight: boolean;
  timer: { cancel(): void } | undefined;
}

/** What a {@link LatestWins} needs. */
export interface LatestWinsOptions<T> {
  /** Sends one value; `written` runs once it has left (never when the connection is gone). */
  send: (value: T, written: () => void) => void;
  /** Least time between two values of one key sent. Default {@link SUMMARY_INTERVAL_MS}. */
  intervalMs?: number;
  timers?: PacingTimers;
}

/**
 * Latest-wins pacing of whole-state values per key, for one connection: a value is the whole
 * state (a topic's queue), so one superseded before it left need never be sent. A value offered
 * when nothing of its key was sent for `intervalMs` leaves at once (a single change is not
 * delayed); one offered sooner waits for the rest of the interval and is replaced by any newer
 * one meanwhile; and none leaves while the one before it has not been handed to the kernel (a
 * slow reader). A burst of N changes then costs a console at most one value per interval, and
 * the last one sent is always the newest.
 */
export class LatestWins<T> {
  readonly #send: (value: T, written: () => void) => void;
  readonly #intervalMs: number;
  readonly #timers: PacingTimers;
  readonly #slots = new Map<string, Slot<T>>();
  #stopped = false;

  constructor(options: LatestWinsOptions<T>) {
    const { send, intervalMs = SUMMARY_INTERVAL_MS, timers = realPacingTimers } = options;
    if (!(intervalMs >= 0)) throw new TypeError('intervalMs must not be negative');
    this.#send = send;
    this.#intervalMs = intervalMs;
    this.#timers = timers;
  }

  /** Sends `value` now, or in its turn unless a newer one of `key` replaces it first. */
  offer(key: string, value: T): void {
    if (this.#stopped) return;
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { waiting: undefined, sentAt: Number.NEGATIVE_INFINITY, inFlight: false, timer: undefined };
      this.#slots.set(key, slot);
    }
    slot.waiting = value;
    this.#pump(slot);
  }

  /** Drops whatever waits and sends nothing more (the connection closed). */
  stop(): void {
    this.#stopped = true;
    for (const slot of this.#slots.values()) slot.timer?.cancel();
    this.#slots.clear();
  }

  #pump(slot: Slot<T>): void {
    if (this.#stopped || slot.waiting === undefined || slot.inFlight || slot.timer) return;
    const now = this.#timers.now();
    const wait = slot.sentAt + this.#intervalMs - now;
    if (wait > 0) {
      slot.timer = this.#timers.after(wait, () => {
        slot.timer = undefined;
        this.#pump(slot);
      });
      return;
    }
    const value = slot.waiting;
    slot.waiting = undefined;
    slot.sentAt = now;
    slot.inFlight = true;
    this.#send(value, () => {
      slot.inFlight = false;
      this.#pump(slot);
    });
  }
}
