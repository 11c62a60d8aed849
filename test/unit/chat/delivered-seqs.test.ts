import { describe, expect, it } from 'vitest';
import { DeliveredSeqs } from '../../../src/chat/delivered-seqs.js';

describe('DeliveredSeqs', () => {
  it('keeps the gap an ack left: what is missing is after upTo and not had', () => {
    const seqs = new DeliveredSeqs();
    expect(seqs.known).toBe(false);
    seqs.addUpTo(0);
    expect(seqs.known).toBe(true);
    seqs.add(1);
    seqs.add(3); // an ack overtook message 2
    expect(seqs.upTo).toBe(1);
    expect([1, 2, 3, 4].filter((seq) => !seqs.has(seq))).toEqual([2, 4]);
    seqs.add(2);
    expect(seqs.upTo).toBe(3);
  });

  it('takes a whole transcript at once and forgets what it covers', () => {
    const seqs = new DeliveredSeqs();
    seqs.add(7);
    seqs.addUpTo(5);
    expect(seqs.upTo).toBe(5);
    expect(seqs.has(6)).toBe(false);
    seqs.add(6);
    expect(seqs.upTo).toBe(7);
    seqs.addUpTo(3);
    expect(seqs.upTo).toBe(7);
  });

  it('reads what the client was not sent, and nothing before it had a transcript', async () => {
    const seqs = new DeliveredSeqs();
    const stored = [1, 2, 3, 4, 5].map((seq) => ({ seq }));
    const read = async (after: number) => stored.filter((m) => m.seq > after);
    expect(await seqs.unsent(read)).toEqual([]);
    seqs.addUpTo(2);
    seqs.add(4);
    expect(await seqs.unsent(read)).toEqual([{ seq: 3 }, { seq: 5 }]);
  });
});
