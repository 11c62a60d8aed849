import type { Pair } from './targets.js';

/** Round trips completed and their latencies (ms). */
export interface RoundResult {
  completed: number;
  seconds: number;
  latencies: number[];
  /** Sent in the window but not answered within the drain time. */
  lost: number;
}

/** Texts (and client ids) unique over the whole run: a reused client id is a duplicate to the gateway. */
let sequence = 0;

/**
 * Tracks round trips over a set of pairs: a visitor sends a unique text, its conversation's
 * agent echoes it, and the round trip ends when the visitor receives the agent's message.
 */
class RoundTrips {
  readonly #pending = new Map<string, number>();
  readonly #stops: Array<() => void> = [];
  measuring = false;
  latencies: number[] = [];
  completed = 0;

  constructor(
    readonly pairs: Pair[],
    onDone: (pair: Pair) => void,
  ) {
    for (const pair of pairs) {
      this.#stops.push(
        pair.visitor.on((frame) => {
          if (frame.type !== 'message') return;
          const message = frame.message as { from?: string; text: string };
          if (message.from !== 'agent') return;
          const sentAt = this.#pending.get(message.text);
          if (sentAt === undefined) return;
          this.#pending.delete(message.text);
          if (this.measuring) {
            this.completed += 1;
            this.latencies.push(performance.now() - sentAt);
          }
          onDone(pair);
        }),
      );
    }
  }

  send(pair: Pair): void {
    const text = `rt-${sequence++}`;
    this.#pending.set(text, performance.now());
    pair.visitor.send({ type: 'message', clientId: text, text });
  }

  get outstanding(): number {
    return this.#pending.size;
  }

  stop(): void {
    for (const stop of this.#stops) stop();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until nothing is in flight (at most `ms`). */
async function drain(trips: RoundTrips, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (trips.outstanding > 0 && performance.now() < until) await sleep(10);
}

/**
 * Closed loop: every pair keeps one round trip in flight, the next sent as soon as the last
 * one returns; completions are counted over `seconds` after `warmupSeconds`.
 */
export async function saturate(pairs: Pair[], seconds: number, warmupSeconds = 0.5): Promise<RoundResult> {
  let running = true;
  const trips = new RoundTrips(pairs, (pair) => {
    if (running) trips.send(pair);
  });
  for (const pair of pairs) trips.send(pair);
  await sleep(warmupSeconds * 1000);
  trips.measuring = true;
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  trips.measuring = false;
  running = false;
  const completed = trips.completed;
  await drain(trips, 5_000);
  trips.stop();
  return { completed, seconds: elapsed, latencies: trips.latencies, lost: trips.outstanding };
}

/**
 * Open loop at `rate` round trips per second, spread over the pairs in turn, for `seconds`:
 * latency is measured from each send to its answer, whatever the server's backlog.
 */
export async function fixedRate(pairs: Pair[], rate: number, seconds: number): Promise<RoundResult> {
  const trips = new RoundTrips(pairs, () => {});
  trips.measuring = true;
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) trips.send(pairs[sent % pairs.length] as Pair);
    await sleep(2);
  }
  await drain(trips, 5_000);
  const lost = trips.outstanding;
  trips.stop();
  return { completed: trips.completed, seconds, latencies: trips.latencies, lost };
}

/** The `p`-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
