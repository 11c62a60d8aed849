import { isFrame } from './protocol.js';

/** What the status line shows about the connection. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'ended';

export interface ChatSocketOptions {
  /** Path of the WebSocket on this origin, e.g. `/ws/visitor`. */
  path: string;
  onFrame: (frame: { type: string } & Record<string, unknown>) => void;
  /** Called on every (re)connection, before queued frames are flushed: send `resume` here. */
  onOpen: (reconnected: boolean) => void;
  onState: (state: ConnectionState, closeCode?: number) => void;
}

/**
 * Close codes after which reconnecting cannot help: the session ended (4401), access was
 * withdrawn (4403) or the client kept sending invalid frames (4400).
 */
const FINAL_CLOSE_CODES = new Set([4400, 4401, 4403]);
const MAX_DELAY_MS = 15_000;

/**
 * A WebSocket that reconnects with exponential back-off and jitter (so a restarted gateway is
 * not hit by every browser at once). Frames sent while disconnected are dropped here: callers
 * keep their own unacknowledged messages and send them again from `onOpen`.
 */
export class ChatSocket {
  readonly #options: ChatSocketOptions;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #timer: number | undefined;
  #opened = false;
  #stopped = false;

  constructor(options: ChatSocketOptions) {
    this.#options = options;
  }

  connect(): void {
    if (this.#stopped) return;
    const url = new URL(this.#options.path, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#options.onState(this.#opened ? 'reconnecting' : 'connecting');
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      const reconnected = this.#opened;
      this.#opened = true;
      this.#options.onState('open');
      this.#options.onOpen(reconnected);
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!isFrame(frame)) return;
      // The back-off starts afresh once the server has started the socket (its welcome), not
      // at the upgrade: one that closes straight away (1013, the store unavailable) is waited
      // on longer each time.
      if (frame.type === 'welcome') this.#attempt = 0;
      this.#options.onFrame(frame as { type: string } & Record<string, unknown>);
    });
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      if (this.#stopped || FINAL_CLOSE_CODES.has(event.code)) {
        this.#stopped = true;
        this.#options.onState('ended', event.code);
        return;
      }
      this.#options.onState('reconnecting', event.code);
      const base = Math.min(500 * 2 ** this.#attempt, MAX_DELAY_MS);
      this.#attempt += 1;
      this.#timer = window.setTimeout(() => this.connect(), base / 2 + Math.random() * (base / 2));
    });
  }

  /** Sends a frame; false when not connected (the caller keeps it for after reconnection). */
  send(frame: Record<string, unknown>): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  get connected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Closes for good (page unload, logout). */
  stop(): void {
    this.#stopped = true;
    window.clearTimeout(this.#timer);
    this.#socket?.close(1000);
  }
}
