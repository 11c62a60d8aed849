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

/** Whose slot a socket takes: its session and its client's network (`clientNetwork`). */
export interface HubSlot {
  sessionId: string;
  address: string;
}

/**
 * This instance's open chat sockets, counted per session (a session may hold only so many
 * tabs) and per client address (one host may hold only so many over all the sessions it
 * creates), and closed with 1001 at shutdown. Events do not pass through here: each socket
 * follows its own channels on the chat bus.
 */
export class ChatHub {
  readonly #sockets = new Set<HubSocket>();
  readonly #perSession = new Map<string, number>();
  readonly #perAddress = new Map<string, number>();
  readonly #maxPerSession: number;
  readonly #maxPerAddress: number;

  constructor(maxPerSession: number, maxPerAddress = Number.POSITIVE_INFINITY) {
    this.#maxPerSession = maxPerSession;
    this.#maxPerAddress = maxPerAddress;
  }

  /**
   * Whether a session, from this address, may open one more socket: `undefined` when it may,
   * else the setting whose bound it would pass (named in the refusal's log line).
   */
  boundReached(slot: HubSlot): 'chat.socketsPerSession' | 'chat.socketsPerAddress' | undefined {
    if ((this.#perSession.get(slot.sessionId) ?? 0) >= this.#maxPerSession) return 'chat.socketsPerSession';
    if ((this.#perAddress.get(slot.address) ?? 0) >= this.#maxPerAddress) return 'chat.socketsPerAddress';
    return undefined;
  }

  /** Counts a session's open socket until it closes. */
  add(slot: HubSlot, socket: HubSocket): void {
    increment(this.#perSession, slot.sessionId);
    increment(this.#perAddress, slot.address);
    this.#sockets.add(socket);
  }

  /** Returns the slot taken by {@link add}. */
  remove(slot: HubSlot, socket: HubSocket): void {
    if (!this.#sockets.delete(socket)) return;
    decrement(this.#perSession, slot.sessionId);
    decrement(this.#perAddress, slot.address);
  }

  /** Open sockets, sessions and addresses counted (tests, diagnostics). */
  get counts(): { sockets: number; sessions: number; addresses: number } {
    return { sockets: this.#sockets.size, sessions: this.#perSession.size, addresses: this.#perAddress.size };
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
    this.#perSession.clear();
    this.#perAddress.clear();
    return Promise.all(settled).then(() => undefined);
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 1) - 1;
  if (count <= 0) counts.delete(key);
  else counts.set(key, count);
}
