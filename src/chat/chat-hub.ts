/** A chat socket as the hub knows it: something to close when the gateway stops. */
export interface HubSocket {
  /**
   * Closes with 1001: the client reconnects and resumes. Resolves when the work the socket was
   * doing (a message being stored) is done.
   */
  shutdown(): Promise<void>;
  /** Sends its client, from the store, what events of other instances may have missed. */
  resync(): void;
}

/**
 * This instance's open chat sockets, counted per session (a session may hold only so many
 * tabs) and closed with 1001 at shutdown. Events do not pass through here: each socket
 * follows its own channels on the chat bus.
 */
export class ChatHub {
  readonly #sockets = new Set<HubSocket>();
  readonly #perSession = new Map<string, number>();
  readonly #maxPerSession: number;

  constructor(maxPerSession: number) {
    this.#maxPerSession = maxPerSession;
  }

  /** Whether a session may open one more socket. */
  hasRoom(sessionId: string): boolean {
    return (this.#perSession.get(sessionId) ?? 0) < this.#maxPerSession;
  }

  /** Counts a session's open socket until it closes. */
  add(sessionId: string, socket: HubSocket): void {
    this.#perSession.set(sessionId, (this.#perSession.get(sessionId) ?? 0) + 1);
    this.#sockets.add(socket);
  }

  /** Returns the slot taken by {@link add}. */
  remove(sessionId: string, socket: HubSocket): void {
    this.#sockets.delete(socket);
    const count = (this.#perSession.get(sessionId) ?? 1) - 1;
    if (count <= 0) this.#perSession.delete(sessionId);
    else this.#perSession.set(sessionId, count);
  }

  /**
   * Events of other instances may have been missed: every socket re-reads what it follows and
   * sends its client what came after the last message it sent, once and in order. The client
   * notices nothing but the messages (no reconnection).
   */
  resyncAll(): void {
    for (const socket of this.#sockets) socket.resync();
  }

  /** Closes every socket (1001); resolves when the work they were doing is done. */
  shutdown(): Promise<void> {
    const settled = [...this.#sockets].map((socket) => socket.shutdown());
    this.#sockets.clear();
    return Promise.all(settled).then(() => undefined);
  }
}
