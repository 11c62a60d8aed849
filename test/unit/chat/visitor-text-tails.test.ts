import { describe, expect, it } from 'vitest';
import { TAIL_TTL_MS, VisitorTextTails } from '../../../src/chat/visitor-text-tails.js';
import { ManualClock } from '../../../src/runtime/clock.js';

describe('VisitorTextTails', () => {
  it('returns the tail of a conversation and an empty one for others', () => {
    const tails = new VisitorTextTails({ clock: new ManualClock() });
    tails.set('c1', ' 148385');
    expect(tails.get('c1')).toBe(' 148385');
    expect(tails.get('c2')).toBe('');
  });

  it('forgets a tail after the time limit, moved on a fake clock', () => {
    const clock = new ManualClock();
    const tails = new VisitorTextTails({ clock });
    tails.set('c1', ' 148385');
    clock.advance(TAIL_TTL_MS);
    expect(tails.get('c1')).toBe(' 148385');
    clock.advance(1);
    expect(tails.get('c1')).toBe('');
  });

  it('forgets on an empty tail and on delete', () => {
    const tails = new VisitorTextTails({ clock: new ManualClock() });
    tails.set('c1', ' 1');
    tails.set('c1', '');
    expect(tails.get('c1')).toBe('');
    tails.set('c2', ' 2');
    tails.delete('c2');
    expect(tails.get('c2')).toBe('');
  });

  it('keeps at most maxEntries conversations, forgetting the least recently written', () => {
    const tails = new VisitorTextTails({ clock: new ManualClock(), maxEntries: 2 });
    tails.set('a', ' 1');
    tails.set('b', ' 2');
    tails.set('a', ' 3');
    tails.set('c', ' 4');
    expect([tails.get('a'), tails.get('b'), tails.get('c')]).toEqual([' 3', '', ' 4']);
  });
});
