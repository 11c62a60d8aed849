import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatSocket } from '../../../../src/web/client/chat-socket.js';

// Browser code under test: type-checked with the client's DOM settings (src/web/client/tsconfig.json),
// not the server's, like everything under test/unit/web/client.

type Listener = (event: { data?: unknown; code?: number }) => void;

/** A browser WebSocket stand-in: the test opens, feeds and closes each one. */
class FakeWebSocket {
  static readonly OPEN = 1;
  static made: FakeWebSocket[] = [];
  readyState = 0;
  readonly #listeners = new Map<string, Listener[]>();
  constructor(readonly url: URL) {
    FakeWebSocket.made.push(this);
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: { data?: unknown; code?: number } = {}): void {
    if (type === 'open') this.readyState = FakeWebSocket.OPEN;
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
  send(): void {}
  close(): void {}
}

/** The waits the socket scheduled before connecting again (`window.setTimeout`). */
let scheduled: number[] = [];

/** The wait before the next connection after the newest socket closes with `code`. */
function waitAfterClose(code: number): number {
  const before = FakeWebSocket.made.length;
  FakeWebSocket.made.at(-1)?.emit('close', { code });
  vi.runOnlyPendingTimers();
  expect(FakeWebSocket.made.length).toBe(before + 1);
  return scheduled.at(-1) ?? Number.NaN;
}

beforeEach(() => {
  vi.useFakeTimers();
  scheduled = [];
  FakeWebSocket.made = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
  vi.stubGlobal('window', {
    location: { href: 'https://gw.example/chat' },
    setTimeout: (fn: () => void, ms: number) => {
      scheduled.push(ms);
      return setTimeout(fn, ms);
    },
    clearTimeout: (id: number) => clearTimeout(id),
  });
  // No jitter: the back-off's upper bound.
  vi.spyOn(Math, 'random').mockReturnValue(1);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function connected(): ChatSocket {
  const socket = new ChatSocket({
    path: '/ws/visitor',
    onFrame: () => {},
    onOpen: () => {},
    onState: () => {},
  });
  socket.connect();
  return socket;
}

describe('ChatSocket reconnecting', () => {
  it('waits longer each time a socket closes before its welcome (1013: the store unavailable)', () => {
    connected();
    const waits = [];
    for (let i = 0; i < 4; i++) {
      FakeWebSocket.made.at(-1)?.emit('open');
      waits.push(waitAfterClose(1013));
    }
    expect(waits).toEqual([500, 1000, 2000, 4000]);
  });

  it('starts the back-off afresh once a welcome arrived', () => {
    connected();
    FakeWebSocket.made.at(-1)?.emit('open');
    waitAfterClose(1013);
    FakeWebSocket.made.at(-1)?.emit('open');
    waitAfterClose(1013);
    const socket = FakeWebSocket.made.at(-1);
    socket?.emit('open');
    socket?.emit('message', { data: JSON.stringify({ type: 'welcome' }) });
    expect(waitAfterClose(1001)).toBe(500);
  });

  it('does not reconnect after a final close code', () => {
    connected();
    FakeWebSocket.made.at(-1)?.emit('open');
    FakeWebSocket.made.at(-1)?.emit('close', { code: 4401 });
    vi.runOnlyPendingTimers();
    expect(FakeWebSocket.made).toHaveLength(1);
  });
});
