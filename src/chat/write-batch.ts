import type { Writable } from 'node:stream';

/**
 * Frames sent to one socket within one turn of the event loop leave in one write. The socket
 * is corked at its first frame of the turn and uncorked once the I/O callbacks of that turn
 * (and the promise jobs they started) have run, in the `setImmediate` phase. A burst (an agent
 * answered in several conversations, a message and its ack) then costs one system call instead
 * of one per frame, and no frame waits longer than the rest of the current turn.
 */
export class WriteBatch {
  readonly #held = new Set<Writable>();
  #scheduled = false;

  /** Holds `socket`'s writes until the end of this turn. */
  hold(socket: Writable): void {
    if (this.#held.has(socket)) return;
    this.#held.add(socket);
    socket.cork();
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Sends everything held now (also run at the end of each turn). */
  readonly #flush = (): void => {
    this.#scheduled = false;
    for (const socket of this.#held) socket.uncork();
    this.#held.clear();
  };
}
