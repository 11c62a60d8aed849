import { describe, expect, it } from 'vitest';
import { ChatRateLimits, FixedWindows, TokenBuckets } from '../../../src/chat/rate-limits.js';

/** A clock the test moves. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('FixedWindows', () => {
  it('allows the limit within a window and refuses what goes over it', () => {
    const clock = fakeClock();
    const windows = new FixedWindows(3, 1000, clock.now);
    expect([1, 2, 3, 4, 5].map(() => windows.take('a'))).toEqual([true, true, true, false, false]);
    // Another key has its own window.
    expect(windows.take('b')).toBe(true);
  });

  it('starts a new window once the previous one has ended', () => {
    const clock = fakeClock();
    const windows = new FixedWindows(2, 1000, clock.now);
    windows.take('a');
    windows.take('a');
    expect(windows.take('a')).toBe(false);
    clock.advance(999);
    expect(windows.take('a')).toBe(false);
    clock.advance(1);
    expect(windows.take('a')).toBe(true);
    expect(windows.take('a')).toBe(true);
    expect(windows.take('a')).toBe(false);
  });

  it('forgets keys whose window ended (connections that went away)', () => {
    const clock = fakeClock();
    const windows = new FixedWindows(5, 1000, clock.now);
    for (let i = 0; i < 100; i++) windows.take(`connection-${i}`);
    expect(windows.size).toBe(100);
    clock.advance(1000);
    windows.take('still-here');
    expect(windows.size).toBe(1);
  });

  it('refuses an impossible limit', () => {
    expect(() => new FixedWindows(0, 1000)).toThrow(TypeError);
    expect(() => new FixedWindows(1, 0)).toThrow(TypeError);
  });
});

describe('TokenBuckets', () => {
  it('allows the limit at once and refuses what goes over it', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(3, 1000, clock.now);
    expect([1, 2, 3, 4, 5].map(() => buckets.take('a'))).toEqual([true, true, true, false, false]);
    // Another key has its own bucket.
    expect(buckets.take('b')).toBe(true);
  });

  it('refills at the limit per window, never beyond the limit', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(4, 1000, clock.now);
    for (let i = 0; i < 4; i++) buckets.take('a');
    expect(buckets.take('a')).toBe(false);
    clock.advance(249);
    expect(buckets.take('a')).toBe(false);
    clock.advance(1);
    expect(buckets.take('a')).toBe(true);
    expect(buckets.take('a')).toBe(false);
    // A long pause fills the bucket up to the limit only.
    clock.advance(60_000);
    expect([1, 2, 3, 4, 5].map(() => buckets.take('a'))).toEqual([true, true, true, true, false]);
  });

  it('forgets keys whose bucket is full again (connections that went away)', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(5, 1000, clock.now);
    for (let i = 0; i < 100; i++) buckets.take(`connection-${i}`);
    expect(buckets.size).toBe(100);
    clock.advance(1000);
    buckets.take('still-here');
    expect(buckets.size).toBe(1);
  });

  it('refuses an impossible limit', () => {
    expect(() => new TokenBuckets(0, 1000)).toThrow(TypeError);
    expect(() => new TokenBuckets(1, 0)).toThrow(TypeError);
  });
});

describe('ChatRateLimits', () => {
  it('lets a client sending at exactly its rate through when its frames arrive unevenly', () => {
    // Sent every 100 ms; the server reads some of them late (busy for a moment), so one second
    // from a late frame holds eleven. A window from the first frame refused the eleventh.
    const clock = fakeClock();
    const limits = new ChatRateLimits({ connectionPerSecond: 10, sessionPerSecond: 20, now: clock.now });
    const start = clock.now();
    const refused: number[] = [];
    for (let i = 0; i < 100; i++) {
      const sentAt = start + i * 100;
      const lateBy = i % 7 === 0 ? 60 : 0;
      clock.advance(sentAt + lateBy - clock.now());
      if (!limits.allowFrame('tab', 'session')) refused.push(i);
    }
    expect(refused).toEqual([]);
  });

  it('holds a client faster than its rate to the rate', () => {
    const clock = fakeClock();
    const limits = new ChatRateLimits({ connectionPerSecond: 10, sessionPerSecond: 20, now: clock.now });
    let allowed = 0;
    // 20 a second for 10 s: one second's worth at once, then 10 a second for the 9.95 s
    // between the first frame and the last.
    for (let i = 0; i < 200; i++) {
      if (limits.allowFrame('tab', 'session')) allowed += 1;
      clock.advance(50);
    }
    expect(allowed).toBe(10 + 99);
  });

  it('limits each connection, and all connections of a session together', () => {
    const clock = fakeClock();
    const limits = new ChatRateLimits({ connectionPerSecond: 2, sessionPerSecond: 3, now: clock.now });
    expect(limits.allowFrame('tab-1', 'session')).toBe(true);
    expect(limits.allowFrame('tab-1', 'session')).toBe(true);
    // Over the connection's limit: refused without using the session's budget.
    expect(limits.allowFrame('tab-1', 'session')).toBe(false);
    expect(limits.allowFrame('tab-2', 'session')).toBe(true);
    // The session's third frame was tab-2's first; the fourth is over the session's limit.
    expect(limits.allowFrame('tab-2', 'session')).toBe(false);
    clock.advance(1000);
    expect(limits.allowFrame('tab-2', 'session')).toBe(true);
  });

  it('tolerates maxDropped drops within the drop window, then asks to close', () => {
    const clock = fakeClock();
    const limits = new ChatRateLimits({ maxDropped: 3, dropWindowSeconds: 10, now: clock.now });
    expect([1, 2, 3, 4].map(() => limits.toleratesDrop('tab'))).toEqual([true, true, true, false]);
    clock.advance(10_000);
    expect(limits.toleratesDrop('tab')).toBe(true);
  });

  it('refuses a session limit below the connection limit', () => {
    expect(() => new ChatRateLimits({ connectionPerSecond: 10, sessionPerSecond: 5 })).toThrow(TypeError);
  });
});
