import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_SYNTHETIC_FNR } from '../../fixtures/national-ids.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { conversationIdOf, messageTextOf, startRedisPair, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import type { TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  type Frame,
  identifyAndShare,
  sharingVisitor,
  staffBrowser,
  visitorBrowser,
} from '../chat/chat-clients.js';

/**
 * Two gateway instances on one Redis, as a municipality deploys them behind a load balancer:
 * a visitor on one and an agent on the other must see each other's messages live, presence
 * and identity changes must cross, and a visitor may resume on either instance.
 */

let redis: TestRedis;
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  redis = await startTestRedis();
  [a, b] = await startRedisPair(redis);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

const idOf = conversationIdOf;
const textOf = messageTextOf;

async function agentOn(gw: TestGateway, persona = 'alex-agent'): Promise<ChatClient> {
  const client = await connectAs(await staffBrowser(gw.url, persona), gw.url, 'agent');
  await client.next('welcome');
  return client;
}

describe('two instances on one Redis', () => {
  it('counts an agent online on one instance as online on the other', async () => {
    const agent = await agentOn(b);
    const visitor = await connectAs(await visitorBrowser(a.url), a.url, 'visitor');
    expect((await visitor.next('welcome')).agentsOnline).toBe(true);
    visitor.close();
    agent.close();
  });

  it('delivers a visitor’s messages on A to the agent on B and the replies back, live and in order', async () => {
    const visitor = await connectAs(await visitorBrowser(a.url), a.url, 'visitor');
    await visitor.next('welcome');
    const agent = await agentOn(b);
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    // The queue update published on A reaches the console on B.
    await agent.next('queue', (f) =>
      (f.conversations as Array<{ id: string }>).some((c) => c.id === conversationId),
    );
    await agent.request({ type: 'claim', conversationId }, 'conversation');
    await visitor.next('status', (f) => f.status === 'assigned');

    const count = 20;
    for (let i = 1; i <= count; i += 1) visitor.send({ type: 'message', clientId: `v${i}`, text: `v${i}` });
    for (let i = 1; i <= count; i += 1)
      agent.send({ type: 'message', conversationId, clientId: `a${i}`, text: `a${i}` });
    await agent.next('message', (f) => textOf(f) === `v${count}`);
    await visitor.next('message', (f) => textOf(f) === `a${count}`);
    const toAgent = agent.frames.filter((f) => f.type === 'message' && textOf(f).startsWith('v')).map(textOf);
    const toVisitor = visitor.frames
      .filter((f) => f.type === 'message' && textOf(f).startsWith('a'))
      .map(textOf);
    expect(toAgent).toEqual(Array.from({ length: count }, (_, i) => `v${i + 1}`));
    expect(toVisitor).toEqual(Array.from({ length: count }, (_, i) => `a${i + 1}`));
    visitor.close();
    agent.close();
  });

  it('gives every socket of a conversation written on both instances each message once, placed by seq', async () => {
    const browser = await visitorBrowser(a.url);
    const onA = await connectAs(browser, a.url, 'visitor');
    await onA.next('welcome');
    const conversationId = idOf(await onA.request({ type: 'start', topic: 'general' }, 'conversation'));
    const agent = await agentOn(b);
    await agent.request({ type: 'claim', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    // The visitor's second tab, on the other instance.
    const onB = await connectAs(browser, b.url, 'visitor');
    await onB.next('welcome');
    await onB.request({ type: 'start', topic: 'general' }, 'conversation');
    const since = [onA, onB, agent].map((c) => c.frames.length);
    const count = 25;
    for (let i = 1; i <= count; i += 1) {
      onA.send({ type: 'message', clientId: `a${i}`, text: `a${i}` });
      onB.send({ type: 'message', clientId: `b${i}`, text: `b${i}` });
      agent.send({ type: 'message', conversationId, clientId: `g${i}`, text: `g${i}` });
    }
    for (const c of [onA, onB]) await c.next('ack', (f) => f.clientId === `${c === onA ? 'a' : 'b'}${count}`);
    await agent.next('ack', (f) => f.clientId === `g${count}`);
    // Nothing refused: two tabs writing at once on two instances contend for the conversation's
    // PII guard tail, and the one that lost tries again until it gets its turn.
    expect(
      [onA, onB, agent].flatMap((c, i) => c.frames.slice(since[i]).filter((f) => f.type === 'error')),
    ).toEqual([]);
    const stored = await a.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 3 * count }, (_, i) => i + 1));
    // Each sender's messages are stored in the order it sent them.
    for (const prefix of ['a', 'b', 'g'])
      expect(stored.map((m) => m.text).filter((t) => t.startsWith(prefix))).toEqual(
        Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`),
      );
    const seqsOf = (frames: Frame[]) =>
      frames
        .filter((f) => f.type === 'ack' || f.type === 'message')
        .map((f) => (f.message as { seq: number }).seq);
    for (const [i, c] of [onA, onB, agent].entries()) {
      await waitFor(() => seqsOf(c.frames.slice(since[i])).length >= 3 * count);
      // Arrival may be out of seq order (each instance's own first, the other's through Redis).
      expect(seqsOf(c.frames.slice(since[i])).sort((x, y) => x - y)).toEqual(stored.map((m) => m.seq));
    }
    for (const c of [onA, onB, agent]) c.close();
  });

  it('lets a visitor resume on the other instance and stores a resent message once', async () => {
    const browser = await visitorBrowser(a.url);
    const onA = await connectAs(browser, a.url, 'visitor');
    await onA.next('welcome');
    const conversationId = idOf(await onA.request({ type: 'start', topic: 'general' }, 'conversation'));
    const first = await onA.request({ type: 'message', clientId: 'm1', text: 'one' }, 'ack');
    await onA.request({ type: 'message', clientId: 'm2', text: 'two' }, 'ack');
    onA.close();
    await onA.closed;

    const agent = await agentOn(a);
    await agent.request({ type: 'claim', conversationId }, 'conversation');
    await agent.request({ type: 'message', conversationId, clientId: 'r1', text: 'reply' }, 'ack');

    // Same browser, same cookies, the other instance.
    const onB = await connectAs(browser, b.url, 'visitor');
    expect(idOf(await onB.next('welcome'))).toBe(conversationId);
    const resumed = await onB.request({ type: 'resume', conversationId, afterSeq: 2 }, 'conversation');
    expect((resumed.conversation as { messages: Frame[] }).messages.map((m) => [m.seq, m.text])).toEqual([
      [3, 'reply'],
    ]);
    const resent = await onB.request({ type: 'message', clientId: 'm1', text: 'one' }, 'ack');
    expect((resent.message as { id: string }).id).toBe((first.message as { id: string }).id);
    const stored = await b.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text)).toEqual(['one', 'two', 'reply']);
    onB.close();
    agent.close();
  });

  it('catches a national id split over two messages sent through different instances', async () => {
    const browser = await visitorBrowser(a.url);
    const onA = await connectAs(browser, a.url, 'visitor');
    await onA.next('welcome');
    const conversationId = idOf(await onA.request({ type: 'start', topic: 'general' }, 'conversation'));
    const number = NO_SYNTHETIC_FNR;
    await onA.request({ type: 'message', clientId: 's1', text: `my number is ${number.slice(0, 6)}` }, 'ack');
    onA.close();
    await onA.closed;
    // The browser comes back on the other instance and types the rest.
    const onB = await connectAs(browser, b.url, 'visitor');
    await onB.next('welcome');
    await onB.request({ type: 'resume', conversationId, afterSeq: 1 }, 'conversation');
    const redacted = await onB.request(
      { type: 'message', clientId: 's2', text: number.slice(6) },
      'redacted',
    );
    expect(redacted.count).toBe(1);
    const stored = await a.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text).join(' ')).not.toContain(number.slice(6));
    onB.close();
  });

  it('refuses a message decided on what one instance last saw of a conversation the other changed since', async () => {
    const browser = await visitorBrowser(a.url);
    const onA = await connectAs(browser, a.url, 'visitor');
    await onA.next('welcome');
    const conversationId = idOf(await onA.request({ type: 'start', topic: 'general' }, 'conversation'));
    const agentOnB = await agentOn(b);
    await agentOnB.request(
      { type: 'claim', conversationId },
      'conversation',
      (f) => idOf(f) === conversationId,
    );
    // Each instance has now seen the conversation as assigned, by its own append.
    await onA.request({ type: 'message', clientId: 'v1', text: 'hello' }, 'ack');
    await agentOnB.request({ type: 'message', conversationId, clientId: 'r1', text: 'hi' }, 'ack');

    // A supervisor on A sends it back to the queue: the agent on B may no longer post.
    const supervisorOnA = await agentOn(a, 'siri-supervisor');
    supervisorOnA.send({ type: 'transfer', conversationId, topic: 'general' });
    await waitFor(
      async () =>
        (await b.gateway.deps.store.chat.conversations.get('demo', conversationId))?.status === 'queued',
    );
    const notAssigned = await agentOnB.request(
      { type: 'message', conversationId, clientId: 'r2', text: 'still mine?' },
      'error',
    );
    expect(notAssigned.code).toBe('not_assigned');

    // The visitor ends the chat from another tab on B: the tab on A may not post.
    const onB = await connectAs(browser, b.url, 'visitor');
    await onB.next('welcome');
    await onB.request({ type: 'resume', conversationId, afterSeq: 0 }, 'conversation');
    await onB.request({ type: 'end' }, 'status', (f) => f.status === 'closed');
    const closed = await onA.request({ type: 'message', clientId: 'v2', text: 'still open?' }, 'error');
    expect(closed.code).toBe('conversation_closed');
    const stored = await a.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.systemCode ?? m.text)).toEqual(['hello', 'hi', 'closed']);
    for (const client of [onA, onB, supervisorOnA, agentOnB]) client.close();
  });

  it('shows a visitor as left only when their sockets on both instances have closed', async () => {
    const browser = await visitorBrowser(a.url);
    const onA = await connectAs(browser, a.url, 'visitor');
    await onA.next('welcome');
    const conversationId = idOf(await onA.request({ type: 'start', topic: 'general' }, 'conversation'));
    // A second tab, which the load balancer sent to B.
    const onB = await connectAs(browser, b.url, 'visitor');
    await onB.next('welcome');
    const leftAt = async () =>
      (await a.gateway.deps.store.chat.conversations.get('demo', conversationId))?.visitorLeftAt;

    onA.close();
    await onA.closed;
    // What instance A does when its last socket of the visitor closes takes a few round trips.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await leftAt()).toBeUndefined();

    onB.close();
    await waitFor(async () => (await leftAt()) !== undefined);
  });

  it('applies a withdrawal made on B to the visitor’s socket on A and to the agent at once', async () => {
    const { browser, visitor } = await sharingVisitor(a.url);
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const agent = await agentOn(b);
    const claimed = await agent.request({ type: 'claim', conversationId }, 'conversation');
    expect((claimed.conversation as { identity: { verified: boolean } }).identity.verified).toBe(true);

    const since = agent.frames.length;
    const session = JSON.parse((await browser.get(`${b.url}/api/session`)).text) as { csrfToken: string };
    await browser.post(`${b.url}/consent/withdraw`, { _csrf: session.csrfToken, returnTo: '/chat' });
    expect(await visitor.next('identity', (f) => f.verified === false)).toEqual({
      type: 'identity',
      verified: false,
      claims: {},
    });
    const withdrawn = await agent.next('identity', (f) => f.conversationId === conversationId, since);
    expect(withdrawn.identity).toBeNull();
    const later = await visitor.request(
      { type: 'message', clientId: 'after', text: 'still verified?' },
      'ack',
    );
    expect((later.message as { verified: boolean }).verified).toBe(false);
    visitor.close();
    agent.close();
  });

  it('deletes a conversation on B for an admin: the visitor on A and the agent on B drop it, Redis keeps nothing', async () => {
    const visitor = await connectAs(await visitorBrowser(a.url), a.url, 'visitor');
    await visitor.next('welcome');
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    await visitor.request({ type: 'message', clientId: 'sensitive', text: 'something sensitive' }, 'ack');
    const agent = await agentOn(b);
    await agent.request({ type: 'claim', conversationId }, 'conversation');
    const raw = createClient({ url: redis.url });
    await raw.connect();
    // The probe sees the conversation's keys by its id (record, messages, sequence, dedupe).
    expect((await raw.keys(`*${conversationId}*`)).length).toBeGreaterThan(2);
    const admin = await staffBrowser(b.url, 'ada-admin');
    const form = await admin.get(`${b.url}/staff/conversations/delete?conversation=${conversationId}`);
    const done = await admin.post(`${b.url}/staff/conversations/delete`, {
      _csrf: inputValue(form.text, '_csrf'),
      conversationId,
      reason: 'Visitor wrote health data unprompted',
    });
    expect(done.status).toBe(200);
    await visitor.next('deleted', (f) => f.conversationId === conversationId);
    await agent.next('deleted', (f) => f.conversationId === conversationId);
    for (const gw of [a, b]) {
      expect(await gw.gateway.deps.store.chat.conversations.get('demo', conversationId)).toBeUndefined();
      expect(await gw.gateway.deps.store.chat.messages.list('demo', conversationId)).toEqual([]);
    }
    const audit = await a.gateway.deps.store.chat.transcriptReads.list('demo', conversationId);
    expect(audit.map((e) => [e.action, e.role, e.reason])).toEqual([
      ['delete', 'admin', 'Visitor wrote health data unprompted'],
    ]);
    expect(await raw.keys(`*${conversationId}*`)).toEqual([]);
    raw.destroy();
    visitor.close();
    agent.close();
  });

  it('keeps a conversation held on A from the citizen’s erasure on B; released on A, the erasure asked for on B removes it from both', async () => {
    const browser = await visitorBrowser(a.url);
    const visitor = await connectAs(browser, a.url, 'visitor');
    await visitor.next('welcome');
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    await identifyAndShare(browser, a.url, '/auth/bankid/login?returnTo=/chat/identified', 'ola-nordmann', [
      'name',
    ]);
    await visitor.next('identity', (f) => f.verified === true);
    const hold = async (action: 'hold' | 'release') => {
      const admin = await staffBrowser(a.url, 'ada-admin');
      const form = await admin.get(`${a.url}/staff/conversations/hold?conversation=${conversationId}`);
      const done = await admin.post(`${a.url}/staff/conversations/hold`, {
        _csrf: inputValue(form.text, '_csrf'),
        conversationId,
        reason: 'Complaint 2026/3',
        action,
      });
      expect(done.status).toBe(200);
    };
    const erase = async () => {
      const citizen = new BrowserSession();
      const mine = await citizen.get(`${b.url}/privacy/my-data/login/bankid?login_hint=ola-nordmann`);
      return citizen.post(`${b.url}/privacy/my-data/erase`, {
        _csrf: inputValue(mine.text, '_csrf'),
        confirm: 'yes',
      });
    };
    await hold('hold');
    expect((await erase()).text).toContain('Kept under legal hold, not erased yet: 1.');
    expect(await b.gateway.deps.store.chat.conversations.get('demo', conversationId)).toMatchObject({
      legalHold: { reason: 'Complaint 2026/3' },
      erasureRequestedAt: expect.any(Number),
    });
    await hold('release');
    await visitor.next('deleted', (f) => f.conversationId === conversationId);
    expect((await erase()).text).toContain('Conversations erased: 0.');
    for (const gw of [a, b])
      expect(await gw.gateway.deps.store.chat.conversations.get('demo', conversationId)).toBeUndefined();
    visitor.close();
  });
  it('copies and erases on B the offline message a citizen left identified on A; consoles on A drop it, Redis keeps nothing of it', async () => {
    const alex = await agentOn(a);
    const { visitor } = await sharingVisitor(a.url);
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Kari', email: 'kari@example.org', text: 'Redis-kept request' },
      'offline-message-saved',
    );
    await alex.next('offline-message', (f) => (f.message as { id: string }).id === saved.id);
    const citizen = new BrowserSession();
    const mine = await citizen.get(`${b.url}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
    const copy = JSON.parse((await citizen.get(`${b.url}/privacy/my-data/export`)).text) as {
      offlineMessages: Array<{ id: string; text: string }>;
    };
    expect(copy.offlineMessages.map((m) => [m.id, m.text])).toEqual([[saved.id, 'Redis-kept request']]);
    const erased = await citizen.post(`${b.url}/privacy/my-data/erase`, {
      _csrf: inputValue(mine.text, '_csrf'),
      confirm: 'yes',
    });
    expect(erased.text).toContain('Messages left to be answered by e-mail erased: 1.');
    expect((await alex.next('offline-messages-deleted')).ids).toEqual([saved.id]);
    for (const gw of [a, b])
      expect(
        (await gw.gateway.deps.store.chat.offlineMessages.list('demo', 100)).map((m) => m.id),
      ).not.toContain(saved.id);
    visitor.close();
    alex.close();
  });

  it('audits on A a read of an offline message opened on B, and deletes it on B for an admin: the console on A drops it, Redis keeps nothing of it', async () => {
    const alex = await agentOn(a);
    const siri = await agentOn(b, 'siri-supervisor');
    const visitor = await connectAs(await visitorBrowser(a.url), a.url, 'visitor');
    await visitor.next('welcome');
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Kari', email: 'kari@example.org', text: 'Sensitive request' },
      'offline-message-saved',
    );
    const id = saved.id as string;
    await alex.next('offline-message', (f) => (f.message as { id: string }).id === id);
    await siri.next('offline-message', (f) => (f.message as { id: string }).id === id);
    const opened = await siri.request({ type: 'open-offline-message', id }, 'offline-message-opened');
    expect((opened.message as { text: string }).text).toBe('Sensitive request');
    expect(
      (await a.gateway.deps.store.chat.transcriptReads.list('demo', id)).map((e) => [
        e.action,
        e.role,
        e.target,
      ]),
    ).toEqual([['read', 'supervisor', 'offline-message']]);
    const ada = await staffBrowser(b.url, 'ada-admin');
    const form = await ada.get(`${b.url}/staff/offline-messages/delete?message=${id}`);
    const since = alex.frames.length;
    const done = await ada.post(`${b.url}/staff/offline-messages/delete`, {
      _csrf: inputValue(form.text, '_csrf'),
      messageId: id,
      reason: 'Health data in the text',
    });
    expect(done.status).toBe(200);
    expect((await alex.next('offline-messages-deleted', undefined, since)).ids).toEqual([id]);
    for (const gw of [a, b])
      expect(await gw.gateway.deps.store.chat.offlineMessages.get('demo', id)).toBeUndefined();
    expect((await alex.request({ type: 'open-offline-message', id }, 'error')).code).toBe(
      'offline_message_not_found',
    );
    expect(
      (await a.gateway.deps.store.chat.transcriptReads.list('demo', id)).map((e) => [e.action, e.role]),
    ).toEqual([
      ['read', 'supervisor'],
      ['delete', 'admin'],
    ]);
    for (const c of [visitor, alex, siri]) c.close();
  });

  it('tells the console on A an offline message marked handled on B, keeps the first of two marks made at once, and writes none into one deleted', async () => {
    const alex = await agentOn(a);
    const siri = await agentOn(b, 'siri-supervisor');
    const visitor = await connectAs(await visitorBrowser(a.url), a.url, 'visitor');
    await visitor.next('welcome');
    const leave = async (text: string) => {
      const saved = await visitor.request(
        { type: 'offline-message', name: 'Kari', email: 'kari@example.org', text },
        'offline-message-saved',
      );
      const id = saved.id as string;
      for (const c of [alex, siri])
        await c.next('offline-message', (f) => (f.message as { id: string }).id === id);
      return id;
    };
    const ofId = (id: string) => (f: Frame) => f.id === id;

    const first = await leave('Call me about parking');
    const since = alex.frames.length;
    const marked = await siri.request(
      { type: 'mark-offline-message', id: first, handled: true },
      'offline-message-handled',
      ofId(first),
    );
    expect(marked.handled).toEqual({ by: 'Siri Supervisor', at: expect.any(String) });
    expect(await alex.next('offline-message-handled', ofId(first), since)).toEqual(marked);
    expect((await a.gateway.deps.store.chat.offlineMessages.get('demo', first))?.handled?.by).toBe(
      'Siri Supervisor',
    );

    // Both mark the same message at the same moment, on different instances: one marker, one
    // audit entry, and both consoles end up showing that one.
    const second = await leave('Call me about my permit');
    const [alexSince, siriSince] = [alex.frames.length, siri.frames.length];
    alex.send({ type: 'mark-offline-message', id: second, handled: true });
    siri.send({ type: 'mark-offline-message', id: second, handled: true });
    await waitFor(
      async () => (await a.gateway.deps.store.chat.transcriptReads.list('demo', second)).length > 0,
    );
    const seen = await Promise.all([
      alex.next('offline-message-handled', ofId(second), alexSince),
      siri.next('offline-message-handled', ofId(second), siriSince),
    ]);
    const winner = (await b.gateway.deps.store.chat.offlineMessages.get('demo', second))?.handled;
    expect(seen.map((f) => (f.handled as { by: string }).by)).toEqual([winner?.by, winner?.by]);
    // Redis holds the message once (the replaced member is gone), still sealed.
    const raw = createClient({ url: redis.url });
    await raw.connect();
    const [key] = await raw.keys('*{t:demo}:offline');
    const members = await raw.zRange(key ?? 'none', 0, -1);
    raw.destroy();
    expect(JSON.stringify(members)).not.toMatch(/Siri|Alex|permit|parking/);
    expect(
      (await a.gateway.deps.store.chat.offlineMessages.list('demo', 100)).filter((m) => m.id === second),
    ).toHaveLength(1);
    // The loser's mark changed nothing: audited once, for the one whose marker stands.
    const audit = await a.gateway.deps.store.chat.transcriptReads.list('demo', second);
    expect(audit.map((e) => [e.action, e.reader.name])).toEqual([['handled', winner?.by]]);

    // Deleted on A meanwhile: marking on B finds nothing and writes nothing back.
    const third = await leave('Call me about waste collection');
    await a.gateway.deps.store.chat.offlineMessages.delete('demo', third);
    expect(
      (await siri.request({ type: 'mark-offline-message', id: third, handled: true }, 'error')).code,
    ).toBe('offline_message_not_found');
    expect(await b.gateway.deps.store.chat.offlineMessages.get('demo', third)).toBeUndefined();
    expect(await a.gateway.deps.store.chat.transcriptReads.list('demo', third)).toEqual([]);
    for (const c of [visitor, alex, siri]) c.close();
  });
});
