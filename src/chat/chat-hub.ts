/** A chat socket as the hub knows it: something to close when the gateway stops. */
export interface HubSocket {
  shutdown(): void;
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

  /** Closes every socket (1001). */
  shutdown(): void {
    for (const socket of this.#sockets) socket.shutdown();
    this.#sockets.clear();
  }
}
