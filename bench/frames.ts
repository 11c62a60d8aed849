import { WebSocket } from 'ws';

/** A frame as the load generator reads it. */
export type Frame = { type: string } & Record<string, unknown>;

/** A `ws` client that hands each parsed frame to its current listeners. */
export class BenchSocket {
  readonly ws: WebSocket;
  readonly #listeners = new Set<(frame: Frame) => void>();
  /** The last frames received, so a frame that arrives with the handshake is not missed. */
  #recent: Frame[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.#recent.push(frame);
      if (this.#recent.length > 20) this.#recent.shift();
      for (const listener of this.#listeners) listener(frame);
    });
  }

  /** Opens a socket; rejects on a refused upgrade or after 10 s. */
  static open(url: string, headers: Record<string, string> = {}): Promise<BenchSocket> {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const socket = new BenchSocket(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection to ${url} within 10 s`)), 10_000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  on(listener: (frame: Frame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next frame matching `match` (10 s at most). */
  next(match: (frame: Frame) => boolean): Promise<Frame> {
    const index = this.#recent.findIndex(match);
    if (index >= 0) {
      const frame = this.#recent[index] as Frame;
      this.#recent = this.#recent.slice(index + 1);
      return Promise.resolve(frame);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error('expected frame did not arrive within 10 s'));
      }, 10_000);
      const stop = this.on((frame) => {
        if (!match(frame)) return;
        clearTimeout(timer);
        stop();
        this.#recent = [];
        resolve(frame);
      });
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>) {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
