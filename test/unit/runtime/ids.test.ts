import { describe, expect, it } from 'vitest';
import { newId } from '../../../src/runtime/ids.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('makes version 4 UUIDs, all different, across refills of its random pool', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every random bit but the six of version and variant', () => {
    // Each of the 122 random bits takes both values over a few hundred ids.
    const seen = new Map<number, Set<string>>();
    for (let n = 0; n < 400; n++) {
      const hex = newId().replaceAll('-', '');
      for (let i = 0; i < 32; i++) {
        const set = seen.get(i) ?? new Set<string>();
        set.add(hex.charAt(i));
        seen.set(i, set);
      }
    }
    for (let i = 0; i < 32; i++) {
      if (i === 12) expect([...(seen.get(i) ?? [])]).toEqual(['4']);
      else if (i === 16) expect(seen.get(i)).toEqual(new Set(['8', '9', 'a', 'b']));
      else expect(seen.get(i)?.size).toBe(16);
    }
  });
});
