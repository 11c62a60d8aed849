import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WriteBatch } from '../../../src/chat/write-batch.js';

/** A stream that records each write it is asked to make (one entry per system call it would be). */
function recordingStream(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { stream, writes };
}

describe('WriteBatch', () => {
  it('sends the frames of one turn to a socket in one write, at the end of the turn', async () => {
    const batch = new WriteBatch();
    const { stream, writes } = recordingStream();
    for (const frame of ['a', 'b', 'c']) {
      batch.hold(stream);
      stream.write(frame);
    }
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([['a', 'b', 'c']]);
  });

  it('keeps sockets apart and starts afresh in the next turn', async () => {
    const batch = new WriteBatch();
    const first = recordingStream();
    const second = recordingStream();
    batch.hold(first.stream);
    first.stream.write('1a');
    batch.hold(second.stream);
    second.stream.write('2a');
    batch.hold(first.stream);
    first.stream.write('1b');
    await nextTurn();
    expect(first.writes).toEqual([['1a', '1b']]);
    expect(second.writes).toEqual([['2a']]);
    batch.hold(first.stream);
    first.stream.write('1c');
    await nextTurn();
    expect(first.writes).toEqual([['1a', '1b'], ['1c']]);
    expect(first.stream.writableCorked).toBe(0);
  });
});
