import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/runtime/clock.js';
import { MemoryOidcState } from '../../../src/store/memory-oidc-state.js';
import { MemoryOneTimeRecords } from '../../../src/store/memory-store.js';
import { SweepThreshold } from '../../../src/store/sweep-threshold.js';

/**
 * The memory store's maps of short-lived records drop expired ones on write. A pass over every
 * entry on every write grows with what one lifetime holds (which anonymous clients decide), so
 * a pass runs only when the map doubled since the last one: the passes are counted here.
 */
describe('SweepThreshold', () => {
  it('is due at the floor, then each time the size doubled since the last sweep', () => {
    const threshold = new SweepThreshold(4);
    expect(threshold.due(3)).toBe(false);
    expect(threshold.due(4)).toBe(true);
    threshold.swept(10);
    expect(threshold.due(19)).toBe(false);
    expect(threshold.due(20)).toBe(true);
    threshold.swept(1);
    expect(threshold.due(3)).toBe(false);
    expect(threshold.due(4)).toBe(true);
  });
});

describe('MemoryOidcState', () => {
  it('sweeps a few times, not on every write, while more than 10,000 live entries are held', async () => {
    let reads = 0;
    const clock: Clock = {
      now: () => {
        reads += 1;
        return 1_000;
      },
    };
    const state = new MemoryOidcState(clock);
    const index = { prefix: 'Interaction' };
    for (let i = 0; i < 30_000; i++) await state.upsert(`k${i}`, { i }, 1_000_000, index);
    // A sweep reads the clock once: 10,000 then 20,000 entries.
    expect(reads).toBeLessThanOrEqual(2);
    expect(state.size).toBe(30_000);
  });

  it('drops expired entries when it sweeps', async () => {
    let now = 0;
    const state = new MemoryOidcState({ now: () => now });
    const index = { prefix: 'Interaction' };
    for (let i = 0; i < 10_000; i++) await state.upsert(`old${i}`, {}, 10, index);
    now = 100;
    // The map doubled (20,000): the sweep leaves only the live half.
    for (let i = 0; i < 10_000; i++) await state.upsert(`new${i}`, {}, 1_000, index);
    expect(state.size).toBe(10_000);
    expect(await state.find('old0')).toBeUndefined();
    expect(await state.find('new0')).toEqual({});
  });
});

describe('MemoryOneTimeRecords', () => {
  it('holds about twice the live records at most, however many expired before', async () => {
    const records = new MemoryOneTimeRecords<{ tenantId: string; expiresAt: number }>();
    // 100 lifetimes of 1,000 records each: the map never holds much more than two.
    for (let lifetime = 0; lifetime < 100; lifetime++)
      for (let i = 0; i < 1_000; i++)
        await records.save(
          `${lifetime}-${i}`,
          { tenantId: i % 2 === 0 ? 'demo' : 'other', expiresAt: (lifetime + 1) * 10 },
          lifetime * 10,
        );
    expect(records.size).toBeLessThanOrEqual(4_000);
  });
});
