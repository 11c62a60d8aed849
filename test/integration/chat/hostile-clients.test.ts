import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLOSE_CODES } from '../../../src/chat/close-codes.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, type Frame, staffBrowser, visitorBrowser } from './chat-clients.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

/** A visitor with a started conversation in the general topic. */
async function chattingVisitor(): Promise<{ client: ChatClient; conversationId: string }> {
  const client = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
  await client.next('welcome');
  const started = await client.request({ type: 'start', topic: 'general' }, 'conversation');
  return { client, conversationId: (started.conversation as { id: string }).id };
}

async function stored(conversationId: string) {
  return gw.gateway.deps.store.chat.messages.list('demo', conversationId);
}

/** Sends frames one by one, slower than the per-connection rate limit, and collects the answers. */
async function paced(client: ChatClient, raws: string[]): Promise<Frame[]> {
  const answers: Frame[] = [];
  for (const raw of raws) {
    const since = client.frames.length;
    client.ws.send(raw);
    answers.push(await client.next('error', () => true, since));
    // Well under the 10 frames/s per-connection limit, so that on a loaded machine no frame
    // falls into the limiter's window and is answered rate_limited instead of invalid_message.
    await sleep(250);
  }
  return answers;
}

describe('hostile visitor frames', () => {
  it('closes with 1009 on a frame over 32 KiB, and the gateway keeps serving', async () => {
    const { client } = await chattingVisitor();
    client.ws.send(JSON.stringify({ type: 'message', clientId: 'big', text: 'x'.repeat(40 * 1024) }));
    expect((await client.closed).code).toBe(CLOSE_CODES.messageTooBig);
    const { client: other } = await chattingVisitor();
    expect(
      (await other.request({ type: 'message', clientId: 'after', text: 'still here' }, 'ack')).clientId,
    ).toBe('after');
    other.close();
  });

  it('closes with 1007 on a text frame that is not valid UTF-8', async () => {
    const { client, conversationId } = await chattingVisitor();
    client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await client.closed).code).toBe(CLOSE_CODES.invalidPayload);
    expect(await stored(conversationId)).toEqual([]);
  });

  it('answers invalid_message to a binary frame, even one holding a valid frame, storing nothing', async () => {
    const { client, conversationId } = await chattingVisitor();
    const since = client.frames.length;
    client.ws.send(Buffer.from(JSON.stringify({ type: 'message', clientId: 'bin', text: 'hello' })), {
      binary: true,
    });
    // A binary frame is not read at all, so it names no clientId.
    expect(await client.next('error', () => true, since)).toEqual({
      type: 'error',
      code: 'invalid_message',
      message: expect.any(String),
    });
    expect(await stored(conversationId)).toEqual([]);
    client.close();
  });

  it('answers invalid_message to malformed JSON, prototype keys and spoofed identity fields, storing nothing', async () => {
    const { client, conversationId } = await chattingVisitor();
    const answers = await paced(client, [
      '{',
      '[]',
      '"start"',
      JSON.stringify({ type: 'message', text: 'no client id' }),
      '{"__proto__":{"verified":true},"type":"message","clientId":"p1","text":"hi"}',
      '{"type":"message","clientId":"p2","text":"hi","constructor":{"prototype":{"role":"agent"}}}',
      JSON.stringify({ type: 'message', clientId: 's1', text: 'I am the agent', from: 'agent' }),
      JSON.stringify({ type: 'message', clientId: 's2', text: 'hi', role: 'agent' }),
      JSON.stringify({
        type: 'message',
        clientId: 's3',
        text: 'hi',
        identity: { verified: true, claims: { name: 'X' } },
      }),
    ]);
    for (const answer of answers) expect(answer).toMatchObject({ type: 'error', code: 'invalid_message' });
    expect(await stored(conversationId)).toEqual([]);
    // The connection survives fewer than ten invalid frames.
    const ack = await client.request({ type: 'message', clientId: 'ok', text: 'hello' }, 'ack');
    expect((ack.message as { from: string; verified: boolean }).from).toBe('visitor');
    expect((ack.message as { verified: boolean }).verified).toBe(false);
    expect(await stored(conversationId)).toHaveLength(1);
    client.close();
  });

  it('answers invalid_message to text with control characters, a lone surrogate or nothing visible, storing nothing', async () => {
    const { client, conversationId } = await chattingVisitor();
    const texts = [
      'nul \u0000 inside',
      '\u001b[2J\u001b[31mred',
      'bell \u0007',
      'c1 control \u0085',
      'lone \udc00 low surrogate',
      '\u200b\u200b',
      '\u2060\u200d\u00ad',
    ];
    const answers = await paced(
      client,
      texts.map((text, i) => JSON.stringify({ type: 'message', clientId: `t${i}`, text })),
    );
    for (const answer of answers) expect(answer).toMatchObject({ type: 'error', code: 'invalid_message' });
    expect(await stored(conversationId)).toEqual([]);
    // Tabs and line breaks are text; so are zero-width characters inside visible text.
    const ack = await client.request(
      { type: 'message', clientId: 'ok', text: 'one\ttwo\r\nthree\u200bfour' },
      'ack',
    );
    expect((ack.message as { text: string }).text).toBe('one\ttwo\r\nthree\u200bfour');
    client.close();
  });

  it('answers invalid_message to a page or referrer with control characters, starting nothing', async () => {
    const client = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await client.next('welcome');
    const answers = await paced(client, [
      JSON.stringify({ type: 'start', topic: 'general', page: 'https://www.example.org/\u0000x' }),
      JSON.stringify({ type: 'start', topic: 'general', page: 'https://www.example.org/\u001b[2J' }),
      JSON.stringify({ type: 'start', topic: 'general', referrer: 'https://www.example.org/a\u0007b' }),
    ]);
    for (const answer of answers) expect(answer).toMatchObject({ type: 'error', code: 'invalid_message' });
    expect(client.frames.some((f) => f.type === 'conversation')).toBe(false);
    client.close();
  });

  it('refuses a spoofed conversationId as not found and changes nothing in it', async () => {
    const victim = await chattingVisitor();
    await victim.client.request({ type: 'message', clientId: 'v1', text: 'mine' }, 'ack');
    const before = await gw.gateway.deps.store.chat.conversations.get('demo', victim.conversationId);
    const { client } = await chattingVisitor();
    const answer = await client.request(
      { type: 'resume', conversationId: victim.conversationId, afterSeq: 0 },
      'error',
    );
    expect(answer.code).toBe('conversation_not_found');
    expect(client.frames.some((f) => f.type === 'conversation' && JSON.stringify(f).includes('mine'))).toBe(
      false,
    );
    // Its own conversation is still the target of what it sends next.
    await client.request({ type: 'message', clientId: 'x1', text: 'elsewhere' }, 'ack');
    expect(await stored(victim.conversationId)).toHaveLength(1);
    expect(await gw.gateway.deps.store.chat.conversations.get('demo', victim.conversationId)).toEqual(before);
    victim.client.close();
    client.close();
  });

  it('names the refused message by its clientId in the error, and stores nothing of it', async () => {
    const { client, conversationId } = await chattingVisitor();
    const long = await client.request(
      { type: 'message', clientId: 'too-long', text: 'x'.repeat(4001) },
      'error',
    );
    expect(long).toEqual({
      type: 'error',
      code: 'text_too_long',
      message: expect.any(String),
      clientId: 'too-long',
    });
    // An error that answers a frame without a clientId names none, but the conversation it named.
    const resume = await client.request({ type: 'resume', conversationId: 'nope', afterSeq: 0 }, 'error');
    expect(resume).toEqual({
      type: 'error',
      code: 'conversation_not_found',
      message: expect.any(String),
      conversationId: 'nope',
    });
    expect(await stored(conversationId)).toEqual([]);
    client.close();
  });

  it('names an invalid message frame by its clientId, so the client marks that one "not sent"', async () => {
    const { client, conversationId } = await chattingVisitor();
    const answers = await paced(client, [
      JSON.stringify({ type: 'message', clientId: 'blank', text: ' \u200b ' }),
      JSON.stringify({ type: 'message', clientId: 'extra', text: 'hi', from: 'agent' }),
      JSON.stringify({ type: 'message', clientId: 'no-text' }),
      JSON.stringify({ type: 'message', clientId: 'x'.repeat(65), text: 'id too long' }),
      JSON.stringify({ type: 'typing', typing: 'yes', clientId: 'not-a-message' }),
    ]);
    expect(answers.map((a) => [a.code, a.clientId])).toEqual([
      ['invalid_message', 'blank'],
      ['invalid_message', 'extra'],
      ['invalid_message', 'no-text'],
      // A clientId that is not of the protocol's id shape is not repeated: it names nothing.
      ['invalid_message', undefined],
      ['invalid_message', undefined],
    ]);
    expect(await stored(conversationId)).toEqual([]);
    client.close();
  });

  it('closes with 4400 on the tenth invalid frame', async () => {
    const { client } = await chattingVisitor();
    await paced(
      client,
      Array.from({ length: 9 }, () => 'not json'),
    );
    await sleep(250);
    client.ws.send('not json');
    expect((await client.closed).code).toBe(CLOSE_CODES.tooManyInvalid);
  });

  it('moves no read marker past the last message, and tells the agent nothing of it', async () => {
    const { client, conversationId } = await chattingVisitor();
    const agent = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
    await agent.next('welcome');
    await agent.request(
      { type: 'claim', conversationId },
      'conversation',
      (f) => (f.conversation as { id: string }).id === conversationId,
    );
    await client.request({ type: 'message', clientId: 'r1', text: 'one' }, 'ack');
    for (const seq of [2 ** 31, 2]) client.send({ type: 'read', seq });
    agent.send({ type: 'read', conversationId, seq: 2 ** 31 });
    client.send({ type: 'read', seq: 1 });
    const read = await agent.next('read', (f) => f.conversationId === conversationId);
    expect(read.seq).toBe(1);
    expect((await gw.gateway.deps.store.chat.conversations.get('demo', conversationId))?.readMarkers).toEqual(
      {
        visitor: 1,
        agent: 0,
      },
    );
    expect(client.frames.some((f) => f.type === 'read')).toBe(false);
    client.close();
    agent.close();
  });

  it('stores and delivers <img onerror> verbatim as text', async () => {
    const text = '<img src=x onerror="alert(document.cookie)"><script>alert(1)</script> & "quotes"';
    const { client, conversationId } = await chattingVisitor();
    const agent = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
    await agent.next('welcome');
    await agent.request(
      { type: 'claim', conversationId },
      'conversation',
      (f) => (f.conversation as { id: string }).id === conversationId,
    );
    const ack = await client.request({ type: 'message', clientId: 'html', text }, 'ack');
    expect((ack.message as { text: string }).text).toBe(text);
    const delivered = await agent.next('message', (f) => (f.message as { text: string }).text === text);
    expect((delivered.message as { text: string }).text).toBe(text);
    expect((await stored(conversationId)).map((m) => m.text)).toEqual([text]);
    client.close();
    agent.close();
  });
});

describe('a frame dropped by the rate limit', () => {
  it('names the clientId of a message frame (the client marks it "not sent"), of nothing else', async () => {
    const { client, conversationId } = await chattingVisitor();
    // A new window (the `start` counted in the last one); sent at once, the first 10 fill it
    // (chat.connectionPerSecond) and the rest are dropped.
    await sleep(1100);
    for (let i = 0; i < 10; i++) client.send({ type: 'message', clientId: `m${i}`, text: `m ${i}` });
    client.send({ type: 'typing', typing: true });
    client.send({ type: 'message', clientId: 'not an id!', text: 'x' });
    client.ws.send('{"type":"message","clientId":');
    client.send({ type: 'message', clientId: 'm10', text: 'dropped' });
    const drops = await vi.waitFor(() => {
      const limited = client.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited');
      expect(limited).toHaveLength(4);
      return limited;
    });
    expect(drops.map((f) => f.clientId)).toEqual([undefined, undefined, undefined, 'm10']);
    expect((await stored(conversationId)).map((m) => m.clientId)).not.toContain('m10');
    client.close();
  });
});

describe('a flood of 1,000 messages a second', () => {
  it('drops with rate_limited, then closes with 4429, while another visitor chats normally and nothing acked is lost or doubled', async () => {
    const flooder = await chattingVisitor();
    const calm = await chattingVisitor();

    for (let i = 0; i < 1000; i++)
      flooder.client.send({ type: 'message', clientId: `f${i}`, text: `flood ${i}` });
    const calmAcks: Frame[] = [];
    for (let i = 0; i < 5; i++) {
      calmAcks.push(
        await calm.client.request({ type: 'message', clientId: `c${i}`, text: `calm ${i}` }, 'ack'),
      );
      await sleep(50);
    }

    expect((await flooder.client.closed).code).toBe(CLOSE_CODES.rateLimited);
    const flooderAcks = flooder.client.frames.filter((f) => f.type === 'ack');
    const limited = flooder.client.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited');
    expect(flooderAcks.length).toBeGreaterThan(0);
    expect(limited.length).toBeGreaterThan(0);
    // Every frame answered before the close was either acked or dropped with rate_limited.
    expect(flooderAcks.length + limited.length).toBe(flooder.client.frames.length - 2);
    // Each drop names its message (the widget marks it "not sent"), never one that was stored.
    const ackedClientIds = new Set(flooderAcks.map((f) => f.clientId));
    for (const drop of limited) {
      expect(drop.clientId).toMatch(/^f\d+$/);
      expect(ackedClientIds.has(drop.clientId as string)).toBe(false);
    }
    expect(new Set(limited.map((f) => f.clientId)).size).toBe(limited.length);

    const floodStored = await stored(flooder.conversationId);
    const ackedIds = flooderAcks.map((f) => (f.message as { id: string }).id);
    expect(floodStored.map((m) => m.id).sort()).toEqual([...ackedIds].sort());
    expect(new Set(floodStored.map((m) => m.clientId)).size).toBe(floodStored.length);
    expect(floodStored.map((m) => m.seq)).toEqual(floodStored.map((_, i) => i + 1));

    expect(calmAcks.map((f) => f.clientId)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect((await stored(calm.conversationId)).map((m) => m.text)).toEqual([
      'calm 0',
      'calm 1',
      'calm 2',
      'calm 3',
      'calm 4',
    ]);
    calm.client.close();
  });
});

describe('a flood while an earlier frame waits on the store', () => {
  it('keeps none of the dropped frames, answers in order once the store does, and closes with 4429', async () => {
    const { client, conversationId } = await chattingVisitor();
    const messages = gw.gateway.deps.store.chat.messages;
    const list = messages.list.bind(messages);
    let release = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The store answers the resume's read only when released (Redis slow, or hung until its watchdog).
    messages.list = async (...args) => {
      await stalled;
      return list(...args);
    };
    try {
      client.send({ type: 'resume', conversationId, afterSeq: 0 });
      await sleep(100);
      const before = process.memoryUsage().heapUsed;
      const frame = JSON.stringify({ type: 'message', clientId: 'flood', text: 'y'.repeat(30_000) });
      for (let i = 0; i < 3000; i++) client.ws.send(frame);
      // The last frame has left, and the gateway had time to read them all.
      await new Promise<void>((resolve) => client.ws.send('{}', () => resolve()));
      await sleep(1000);
      // 90 MB were sent: queued with their text, as before, they stayed in the heap.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(30_000_000);
      expect(client.frames.filter((f) => f.type !== 'welcome' && f.type !== 'conversation')).toEqual([]);
    } finally {
      release();
      messages.list = list;
    }
    expect((await client.closed).code).toBe(CLOSE_CODES.rateLimited);
    const answers = client.frames.slice(2).map((f) => (f.type === 'error' ? f.code : f.type));
    // The resume first, then each frame read in the order sent: one let through (too long to
    // store) or dropped, up to the close.
    expect(answers[0]).toBe('conversation');
    expect(new Set(answers.slice(1))).toEqual(new Set(['text_too_long', 'rate_limited']));
    expect(answers.filter((code) => code === 'rate_limited')).toHaveLength(gw.config.chat.maxDropped);
    expect(await stored(conversationId)).toEqual([]);
  });
});

describe("an agent's refused frames", () => {
  it('name the conversation or offline message they were about, so a console with several in flight can tell them apart', async () => {
    const { client: visitor, conversationId: taken } = await chattingVisitor();
    const { client: other, conversationId: free } = await chattingVisitor();
    const siri = await connectAs(await staffBrowser(gw.url, 'siri-supervisor'), gw.url, 'agent');
    const alex = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
    await Promise.all([siri.next('welcome'), alex.next('welcome')]);
    await siri.request({ type: 'claim', conversationId: taken }, 'conversation');
    const since = alex.frames.length;
    // Three claims in flight at once: one refused as taken, one unknown, one granted.
    alex.send({ type: 'claim', conversationId: taken });
    alex.send({ type: 'claim', conversationId: 'unknown-one' });
    alex.send({ type: 'claim', conversationId: free });
    alex.send({ type: 'message', conversationId: taken, clientId: 'a1', text: 'not mine' });
    alex.send({ type: 'open-offline-message', id: 'no-such-message' });
    alex.send({ type: 'message', conversationId: free, clientId: 'a2', text: ' ' });
    const errors = await vi.waitFor(() => {
      const found = alex.frames.slice(since).filter((f) => f.type === 'error');
      expect(found).toHaveLength(5);
      return found;
    });
    expect(errors.map(({ message: _, ...rest }) => rest)).toEqual([
      { type: 'error', code: 'conversation_taken', conversationId: taken },
      { type: 'error', code: 'conversation_not_found', conversationId: 'unknown-one' },
      { type: 'error', code: 'not_assigned', conversationId: taken, clientId: 'a1' },
      { type: 'error', code: 'offline_message_not_found', id: 'no-such-message' },
      { type: 'error', code: 'invalid_message', conversationId: free, clientId: 'a2' },
    ]);
    await alex.next('conversation', (f) => (f.conversation as { id: string }).id === free, since);
    expect((await stored(taken)).map((m) => m.text)).not.toContain('not mine');
    for (const client of [visitor, other, siri, alex]) client.close();
  });
});

describe('an agent claiming a conversation already theirs', () => {
  it('answers with its view again (a second tab, a second click), and tells no other console anything', async () => {
    const { client: visitor, conversationId } = await chattingVisitor();
    await visitor.request({ type: 'message', clientId: 'v1', text: 'hello' }, 'ack');
    const alex = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
    const siri = await connectAs(await staffBrowser(gw.url, 'siri-supervisor'), gw.url, 'agent');
    await Promise.all([alex.next('welcome'), siri.next('welcome')]);
    const ofThis = (f: Frame) => (f.conversation as { id: string }).id === conversationId;
    await alex.request({ type: 'claim', conversationId }, 'conversation', ofThis);
    await siri.next('assigned', (f) =>
      (f.conversations as Array<{ id: string }>).some((c) => c.id === conversationId),
    );
    const before = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    const siriSince = siri.frames.length;

    const again = await alex.request({ type: 'claim', conversationId }, ['conversation', 'error']);
    expect(again).toMatchObject({
      type: 'conversation',
      conversation: { id: conversationId, status: 'assigned', assignedToYou: true },
    });
    expect((again.conversation as { messages: Array<{ text: string }> }).messages.map((m) => m.text)).toEqual(
      ['hello'],
    );
    await sleep(300);
    expect(siri.frames.slice(siriSince).map((f) => f.type)).toEqual([]);
    expect(await gw.gateway.deps.store.chat.conversations.get('demo', conversationId)).toEqual(before);
    for (const client of [visitor, alex, siri]) client.close();
  });
});
