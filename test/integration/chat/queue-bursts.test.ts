import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_INTERVAL_MS } from '../../../src/chat/latest-wins.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, type Frame, staffSocket, visitorBrowser } from './chat-clients.js';

/**
 * A burst of queue changes with several consoles open: each console ends with the whole queue
 * as it is, and is sent a few whole lists on the way, not one per change (each list is the
 * whole queue, so one per change grew with the square of the burst, times the consoles).
 */

const STARTS = 30;
let gw: TestGateway;
/** Alex answers; Siri (supervisor) and Ada (admin) read transcripts, so get `assigned` too. */
let consoles: ChatClient[];
let visitors: ChatClient[];

beforeAll(async () => {
  // An agent claiming as fast as a test can is beyond the default 10 frames a second.
  gw = await startTestGateway({ config: { chat: { connectionPerSecond: 1_000, sessionPerSecond: 1_000 } } });
  consoles = await Promise.all(
    ['alex-agent', 'siri-supervisor', 'ada-admin'].map((persona) => staffSocket(gw.url, persona)),
  );
  visitors = await Promise.all(
    Array.from({ length: STARTS }, async () => {
      const client = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
      await client.next('welcome');
      return client;
    }),
  );
});
afterAll(async () => {
  for (const client of [...(consoles ?? []), ...(visitors ?? [])]) client.close();
  await gw?.close();
});

const ids = (frame: Frame) => (frame.conversations as Array<{ id: string }>).map((c) => c.id).sort();
const ofType = (client: ChatClient, type: string, since: number) =>
  client.frames.slice(since).filter((f) => f.type === type);
/** Whole lists a console may get over `ms`: one at once, then one per interval, and the last. */
const bound = (ms: number) => Math.ceil(ms / SUMMARY_INTERVAL_MS) + 2;

describe('a burst of queue changes with several consoles open', () => {
  let started: string[] = [];

  it('ends with every console holding the whole queue, sent a few lists rather than one per start', async () => {
    const marks = consoles.map((c) => c.frames.length);
    const since = performance.now();
    // One after another, as a load driver does: each start is a change of its own.
    for (const visitor of visitors) {
      const answer = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
      started.push((answer.conversation as { id: string }).id);
    }
    started = started.sort();
    const burstMs = performance.now() - since;
    const full = (f: Frame) => f.topic === 'general' && ids(f).length === STARTS;
    await Promise.all(consoles.map((c, i) => c.next('queue', full, marks[i])));
    const untilFull = performance.now() - since;
    for (const [i, client] of consoles.entries()) {
      const lists = ofType(client, 'queue', marks[i] ?? 0);
      expect(ids(lists.at(-1) as Frame)).toEqual(started);
      expect(lists.length).toBeLessThan(STARTS / 2);
      expect(lists.length).toBeLessThanOrEqual(bound(untilFull));
    }
    expect(burstMs).toBeGreaterThan(0);
  });

  it('ends with the queue empty and the readers holding every assignment after a burst of claims', async () => {
    const [alex] = consoles as [ChatClient];
    const marks = consoles.map((c) => c.frames.length);
    const since = performance.now();
    for (const conversationId of started) {
      const answer = await alex.request({ type: 'claim', conversationId }, ['conversation', 'error'], (f) => {
        const conversation = f.conversation as { id: string; status: string } | undefined;
        return (
          f.type === 'error' || (conversation?.id === conversationId && conversation.status === 'assigned')
        );
      });
      expect(answer.type).toBe('conversation');
    }
    const empty = (f: Frame) => f.topic === 'general' && ids(f).length === 0;
    await Promise.all(consoles.map((c, i) => c.next('queue', empty, marks[i])));
    const allAssigned = (f: Frame) => ids(f).length === STARTS;
    const readers = consoles.slice(1);
    await Promise.all(readers.map((c, i) => c.next('assigned', allAssigned, marks[i + 1])));
    const elapsed = performance.now() - since;
    for (const [i, client] of consoles.entries()) {
      const lists = ofType(client, 'queue', marks[i] ?? 0);
      expect(ids(lists.at(-1) as Frame)).toEqual([]);
      expect(lists.length).toBeLessThanOrEqual(bound(elapsed));
    }
    for (const [i, reader] of readers.entries()) {
      const lists = ofType(reader, 'assigned', marks[i + 1] ?? 0);
      expect(ids(lists.at(-1) as Frame)).toEqual(started);
      expect(lists.length).toBeLessThanOrEqual(bound(elapsed));
    }
    // An agent who reads no transcripts is not sent the list at all.
    expect(ofType(alex, 'assigned', marks[0] ?? 0)).toEqual([]);
  });
});
