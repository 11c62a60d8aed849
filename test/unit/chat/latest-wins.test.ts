import { describe, expect, it } from 'vitest';
import { SharedFrame } from '../../../src/chat/chat-connection.js';
import { LatestWins, type PacingTimers } from '../../../src/chat/latest-wins.js';

/** Timers moved by hand: `advance` runs, in time order, whatever falls due (STYLE rule 8). */
class FakeTimers implements PacingTimers {
  #now = 1_000;
  #due: Array<{ at: number; run: () => void; cancelled: boolean }> = [];

  now(): number {
    return this.#now;
  }

  after(ms: number, run: () => void): { cancel(): void } {
    const timer = { at: this.#now + ms, run, cancelled: false };
    this.#due.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers still to run. */
  get pending(): number {
    return this.#due.filter((timer) => !timer.cancelled).length;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#due
        .filter((timer) => !timer.cancelled && timer.at <= until)
        .sort((x, y) => x.at - y.at)[0];
      if (!next) break;
      this.#due = this.#due.filter((timer) => timer !== next);
      this.#now = next.at;
      next.run();
    }
    this.#now = until;
  }
}

/** A pacer whose sends are recorded; each is "handed to the kernel" at once unless `held`. */
function harness(options: { held?: boolean } = {}) {
  const timers = new FakeTimers();
  const sent: Array<{ value: string; at: number }> = [];
  const unwritten: Array<() => void> = [];
  const pacer = new LatestWins<string>({
    intervalMs: 250,
    timers,
    send: (value, written) => {
      sent.push({ value, at: timers.now() });
      if (options.held) unwritten.push(written);
      else written();
    },
  });
  return { timers, sent, pacer, unwritten };
}

describe('LatestWins', () => {
  it('sends a value at once when nothing of its key was sent for an interval', () => {
    const { timers, sent, pacer } = harness();
    pacer.offer('queue', 'a');
    expect(sent).toEqual([{ value: 'a', at: 1_000 }]);
    timers.advance(250);
    pacer.offer('queue', 'b');
    expect(sent.map((s) => s.value)).toEqual(['a', 'b']);
    expect(timers.pending).toBe(0);
  });

  it('sends only the newest of a burst, one interval after the last sent', () => {
    const { timers, sent, pacer } = harness();
    for (let i = 0; i < 100; i++) {
      pacer.offer('queue', `q${i}`);
      timers.advance(1);
    }
    expect(sent.map((s) => s.value)).toEqual(['q0']);
    timers.advance(150);
    // q0 at once; q1…q99 came within the interval, of which only the newest leaves, at 250.
    expect(sent).toEqual([
      { value: 'q0', at: 1_000 },
      { value: 'q99', at: 1_250 },
    ]);
    timers.advance(10_000);
    expect(sent).toHaveLength(2);
  });

  it('sends at most one value per key and interval however long the burst lasts', () => {
    const { timers, sent, pacer } = harness();
    // 1000 changes over 2 s: 9 sends (at 0, 250, …, 2000), the last of them the newest value.
    for (let i = 0; i < 1_000; i++) {
      pacer.offer('queue', `q${i}`);
      timers.advance(2);
    }
    timers.advance(1_000);
    expect(sent.length).toBeLessThanOrEqual(9);
    expect(sent.at(-1)?.value).toBe('q999');
    for (let i = 1; i < sent.length; i++)
      expect((sent[i]?.at ?? 0) - (sent[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(250);
  });

  it('paces each key on its own', () => {
    const { sent, pacer } = harness();
    pacer.offer('queue\ngeneral', 'g1');
    pacer.offer('queue\nbenefits', 'b1');
    pacer.offer('assigned', 'a1');
    expect(sent.map((s) => s.value)).toEqual(['g1', 'b1', 'a1']);
  });

  it('holds the next value while the one before is unwritten (a slow reader), then sends the newest', () => {
    const { timers, sent, pacer, unwritten } = harness({ held: true });
    pacer.offer('queue', 'a');
    pacer.offer('queue', 'b');
    timers.advance(1_000);
    pacer.offer('queue', 'c');
    expect(sent.map((s) => s.value)).toEqual(['a']);
    unwritten.shift()?.();
    expect(sent.map((s) => s.value)).toEqual(['a', 'c']);
  });

  it('sends nothing more once stopped (the socket closed)', () => {
    const { timers, sent, pacer } = harness();
    pacer.offer('queue', 'a');
    pacer.offer('queue', 'b');
    pacer.stop();
    timers.advance(1_000);
    pacer.offer('queue', 'c');
    expect(sent.map((s) => s.value)).toEqual(['a']);
    expect(timers.pending).toBe(0);
  });

  it('refuses a negative interval', () => {
    expect(() => new LatestWins({ intervalMs: -1, send: () => {} })).toThrow(TypeError);
  });
});

describe('SharedFrame', () => {
  it('serialises its frame once, whatever number of sockets write it', () => {
    let reads = 0;
    const frame = {
      type: 'queue',
      get topic() {
        reads += 1;
        return 'general';
      },
    };
    const shared = new SharedFrame(frame);
    const first = shared.data;
    expect(shared.data).toBe(first);
    expect(JSON.parse(first.toString('utf8'))).toEqual({ type: 'queue', topic: 'general' });
    expect(reads).toBe(1);
  });
});
