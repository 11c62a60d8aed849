import { describe, expect, it } from 'vitest';
import { TAIL_TTL_MS, VisitorTextTails } from '../../../src/chat/visitor-text-tails.js';
import { ManualClock } from '../../../src/runtime/clock.js';

describe('VisitorTextTails', async () => {
  it('returns the tail of a conversation and an empty one for others', async () => {
    const tails = new VisitorTextTails({ clock: new ManualClock() });
    await tails.set('demo', 'c1', ' 148385');
    expect(await tails.get('demo', 'c1')).toBe(' 148385');
    expect(await tails.get('demo', 'c2')).toBe('');
  });

  it('forgets a tail after the time limit, moved on a fake clock', async () => {
    const clock = new ManualClock();
    const tails = new VisitorTextTails({ clock });
    await tails.set('demo', 'c1', ' 148385');
    clock.advance(TAIL_TTL_MS);
    expect(await tails.get('demo', 'c1')).toBe(' 148385');
    clock.advance(1);
    expect(await tails.get('demo', 'c1')).toBe('');
  });

  it('forgets on an empty tail and on delete', async () => {
    const tails = new VisitorTextTails({ clock: new ManualClock() });
    await tails.set('demo', 'c1', ' 1');
    await tails.set('demo', 'c1', '');
    expect(await tails.get('demo', 'c1')).toBe('');
    await tails.set('demo', 'c2', ' 2');
    await tails.delete('demo', 'c2');
    expect(await tails.get('demo', 'c2')).toBe('');
  });

  it('keeps at most maxEntries conversations, forgetting the least recently written', async () => {
    const tails = new VisitorTextTails({ clock: new ManualClock(), maxEntries: 2 });
    await tails.set('demo', 'a', ' 1');
    await tails.set('demo', 'b', ' 2');
    await tails.set('demo', 'a', ' 3');
    await tails.set('demo', 'c', ' 4');
    expect([
      await tails.get('demo', 'a'),
      await tails.get('demo', 'b'),
      await tails.get('demo', 'c'),
    ]).toEqual([' 3', '', ' 4']);
  });
});
