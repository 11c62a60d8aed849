import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../src/chat/close-codes.js';
import { FI_TEST_HETU, NO_INVALID_CHECKSUM, NO_SYNTHETIC_FNR } from '../../fixtures/national-ids.js';
import { BrowserSession } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  type Frame,
  identifiedVisitor as identifiedVisitorAt,
  staffBrowser,
  visitorBrowser,
} from './chat-clients.js';

let gw: TestGateway;
let demo: string;
let other: string;

beforeAll(async () => {
  gw = await startTestGateway({
    tenants: [testTenant(), testTenant({ id: 'other', name: 'Other Municipality' })],
  });
  demo = `${gw.url}/t/demo`;
  other = `${gw.url}/t/other`;
});
afterAll(async () => {
  await gw?.close();
});

const idOf = (f: Frame) => (f.conversation as { id: string }).id;

const identifiedVisitor = (claims: string[]) => identifiedVisitorAt(demo, claims);

async function agent(base: string, persona: string): Promise<ChatClient> {
  const client = await connectAs(await staffBrowser(base, persona), base, 'agent');
  await client.next('welcome');
  return client;
}

describe('topics and policy', () => {
  it('lets an anonymous visitor start the general topic but answers identification-required for the restricted one', async () => {
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    const welcome = await visitor.next('welcome');
    expect(welcome.visitor).toEqual({ verified: false, claims: {} });
    expect(welcome.topics).toEqual([
      { id: 'general', title: 'General questions', requiresIdentification: false, allowed: true },
      { id: 'tax-case', title: 'My tax case', requiresIdentification: true, allowed: false },
    ]);

    const refused = await visitor.request({ type: 'start', topic: 'tax-case' }, 'identification-required');
    expect(refused.topic).toBe('tax-case');
    expect(refused.reason).toBe('not-identified');
    expect(refused.claims).toEqual(['name', 'nationalId']);
    const providers = refused.providers as Array<{ id: string; loginUrl: string }>;
    expect(providers.map((p) => p.id)).toEqual(['bankid', 'suomifi', 'idporten', 'signicat', 'generic']);
    expect(providers[0]?.loginUrl).toBe('/t/demo/auth/bankid/login?returnTo=%2Ft%2Fdemo%2Fchat%2Fidentified');
    expect(visitor.frames.some((f) => f.type === 'conversation')).toBe(false);

    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    expect(started.conversation).toMatchObject({ topic: 'general', status: 'queued', messages: [] });
    const unknown = await visitor.request({ type: 'start', topic: 'nope' }, 'error');
    expect(unknown.code).toBe('topic_unknown');
    visitor.close();
  });

  it('lets a visitor who shared name and national id start the restricted topic; only the assigned agent sees the claims', async () => {
    const visitor = await identifiedVisitor(['name', 'nationalId']);
    // The open socket learns of the sharing at once.
    const identity = await visitor.next('identity');
    expect(identity).toEqual({
      type: 'identity',
      verified: true,
      claims: { name: 'Kari Nordmann', nationalId: '12838540056' },
    });

    const started = await visitor.request({ type: 'start', topic: 'tax-case' }, 'conversation');
    const conversationId = idOf(started);
    const record = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    expect(record?.identity?.sealed).toBeDefined();
    expect(JSON.stringify(record)).not.toContain('12838540056');

    const alex = await agent(demo, 'alex-agent');
    const siri = await agent(demo, 'siri-supervisor');
    const queues = (await siri.next('welcome')).queues as Array<{
      topic: string;
      conversations: Array<Record<string, unknown>>;
    }>;
    const queued = queues.find((q) => q.topic === 'tax-case')?.conversations ?? [];
    expect(queued.find((c) => c.id === conversationId)).toMatchObject({ verified: true });
    expect(JSON.stringify(queued)).not.toContain('Kari');

    const claimed = await alex.request({ type: 'claim', conversationId }, 'conversation');
    // Whose it is comes by staff subject, not display name.
    expect((claimed.conversation as { assignedToYou?: boolean }).assignedToYou).toBe(true);
    expect((claimed.conversation as { identity: unknown }).identity).toMatchObject({
      verified: true,
      provider: 'bankid',
      claims: { name: 'Kari Nordmann', nationalId: '12838540056' },
    });
    const opened = await siri.request({ type: 'open', conversationId }, 'conversation');
    expect((opened.conversation as { identity: unknown }).identity).toEqual({ verified: true });
    expect(opened.conversation).not.toHaveProperty('assignedToYou');

    await visitor.request({ type: 'message', clientId: 'k1', text: 'Hello' }, 'ack');
    const toAlex = await alex.next('message', (f) => (f.message as { text: string }).text === 'Hello');
    const toSiri = await siri.next('message', (f) => (f.message as { text: string }).text === 'Hello');
    expect((toAlex.message as { authorName?: string }).authorName).toBe('Kari Nordmann');
    expect((toSiri.message as { authorName?: string }).authorName).toBeUndefined();
    expect(JSON.stringify(siri.frames)).not.toContain('12838540056');
    expect(gw.logs()).not.toContain('12838540056');
    for (const c of [visitor, alex, siri]) c.close();
  });

  it('tells a visitor who shared only their name that the restricted topic needs the national id too', async () => {
    const visitor = await identifiedVisitor(['name']);
    await visitor.next('identity', (f) => f.verified === true);
    const refused = await visitor.request({ type: 'start', topic: 'tax-case' }, 'identification-required');
    expect(refused).toMatchObject({
      topic: 'tax-case',
      reason: 'claims-missing',
      claims: ['name', 'nationalId'],
    });
    expect(visitor.frames.some((f) => f.type === 'conversation')).toBe(false);
    visitor.close();
  });

  it.each([
    ['the agent', 'agent'],
    ['the visitor', 'visitor'],
  ])('tells the assigned agent when %s closes it: a closed view without the claims', async (_who, closer) => {
    const visitor = await identifiedVisitor(['name', 'nationalId']);
    await visitor.next('identity');
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'tax-case' }, 'conversation'));
    const alex = await agent(demo, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    const since = alex.frames.length;
    if (closer === 'agent') alex.send({ type: 'close', conversationId });
    else visitor.send({ type: 'end' });
    const closed = await alex.next(
      'conversation',
      (f) => idOf(f) === conversationId && (f.conversation as { status: string }).status === 'closed',
      since,
    );
    expect((closed.conversation as { identity: unknown }).identity).toEqual({ verified: true });
    expect(JSON.stringify(alex.frames.slice(since))).not.toContain('12838540056');
    // Being told is not a read by someone else: nothing goes to the transcript audit.
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId)).toEqual([]);
    for (const c of [visitor, alex]) c.close();
  });
});

describe('PII guard', () => {
  it('redacts a national id an anonymous visitor types before the agent or the store sees it', async () => {
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const alex = await agent(demo, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');

    const text = `My numbers are ${FI_TEST_HETU} and ${NO_SYNTHETIC_FNR}, not ${NO_INVALID_CHECKSUM}.`;
    const since = visitor.frames.length;
    visitor.send({ type: 'message', clientId: 'pii', text });
    expect(await visitor.next('redacted', () => true, since)).toEqual({
      type: 'redacted',
      clientId: 'pii',
      count: 2,
    });
    const ack = await visitor.next('ack', () => true, since);
    const expected = `My numbers are [redacted] and [redacted], not ${NO_INVALID_CHECKSUM}.`;
    expect(ack.message).toMatchObject({ text: expected, redacted: true });
    const notice = await visitor.next(
      'message',
      (f) => (f.message as { systemCode?: string }).systemCode === 'redacted',
      since,
    );
    expect((notice.message as { from: string }).from).toBe('system');

    const seen = await alex.next('message', (f) => (f.message as { from: string }).from === 'visitor');
    expect((seen.message as { text: string }).text).toBe(expected);
    const stored = await gw.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(JSON.stringify(stored)).not.toContain(FI_TEST_HETU);
    expect(JSON.stringify(stored)).not.toContain(NO_SYNTHETIC_FNR);
    visitor.close();
    alex.close();
  });
});

describe('queue entries in the console', () => {
  type Summary = { id: string; topic: string; preview?: string; visitorLeftAt?: string; verified: boolean };
  const entry = (conversationId: string, where: (s: Summary) => boolean) => (f: Frame) =>
    f.topic === 'general' && (f.conversations as Summary[]).some((c) => c.id === conversationId && where(c));

  it('shows the first line of the first message, and marks the visitor gone and back', async () => {
    const staff = await agent(demo, 'alex-agent');
    const browser = await visitorBrowser(demo);
    const visitor = await connectAs(browser, demo, 'visitor');
    await visitor.next('welcome');
    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    const id = idOf(started);
    const mark = staff.frames.length;
    visitor.send({
      type: 'message',
      clientId: 'c1',
      text: '\nWhen is the waste collected?\nI live in the centre.',
    });
    await visitor.next('ack');
    visitor.send({ type: 'message', clientId: 'c2', text: 'Second message' });
    const previewed = await staff.next(
      'queue',
      entry(id, (c) => c.preview !== undefined),
      mark,
    );
    const summary = (previewed.conversations as Summary[]).find((c) => c.id === id);
    expect(summary).toMatchObject({
      topic: 'general',
      preview: 'When is the waste collected?',
      verified: false,
    });
    expect(summary?.visitorLeftAt).toBeUndefined();

    // The visitor's last socket closes: the queue says since when they are gone.
    visitor.close();
    const gone = await staff.next(
      'queue',
      entry(id, (c) => c.visitorLeftAt !== undefined),
      mark,
    );
    const left = (gone.conversations as Summary[]).find((c) => c.id === id);
    expect(Number.isNaN(Date.parse(left?.visitorLeftAt ?? ''))).toBe(false);

    // A reload reconnects: back in the queue as present.
    const since = staff.frames.length;
    const again = await connectAs(browser, demo, 'visitor');
    await again.next('welcome');
    await staff.next(
      'queue',
      entry(id, (c) => c.visitorLeftAt === undefined),
      since,
    );
    again.close();
    staff.close();
  });

  it('never takes the preview from an agent or from a national id (it is redacted first)', async () => {
    const staff = await agent(demo, 'alex-agent');
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const id = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const mark = staff.frames.length;
    visitor.send({ type: 'message', clientId: 'c1', text: `My number is ${NO_SYNTHETIC_FNR}` });
    const previewed = await staff.next(
      'queue',
      entry(id, (c) => c.preview !== undefined),
      mark,
    );
    const preview = (previewed.conversations as Summary[]).find((c) => c.id === id)?.preview;
    expect(preview).toBe('My number is [redacted]');
    expect(JSON.stringify(staff.frames)).not.toContain(NO_SYNTHETIC_FNR);
    visitor.close();
    staff.close();
  });
});

describe('tenants', () => {
  it('keeps the language links of a tenant page under that tenant', async () => {
    for (const path of ['/t/demo/chat', '/t/other/', '/t/demo/chat/identified']) {
      const page = await new BrowserSession().get(`${gw.url}${path}`);
      const links = [...page.text.matchAll(/hreflang="(\w+)"/g)].length;
      expect(links).toBe(4);
      // A query-only reference, which the browser resolves on the page's own tenant path.
      expect(page.text).toContain('href="?lang=fi"');
      const finalPath = new URL(page.url).pathname;
      expect(new URL('?lang=fi', page.url).pathname).toBe(finalPath);
      expect(finalPath.startsWith('/t/')).toBe(true);
    }
  });

  it('shows an agent of tenant "other" none of the demo queues and refuses demo conversations as not found', async () => {
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));

    const otto = await connectAs(await staffBrowser(other, 'otto-other-tenant'), other, 'agent');
    const welcome = await otto.next('welcome');
    expect(JSON.stringify(welcome)).not.toContain(conversationId);
    expect(
      (welcome.queues as Array<{ conversations: unknown[] }>).every((q) => q.conversations.length === 0),
    ).toBe(true);
    for (const type of ['claim', 'open']) {
      expect((await otto.request({ type, conversationId }, 'error')).code).toBe('conversation_not_found');
    }
    // A new demo conversation reaches demo agents' queues, never Otto.
    const second = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await second.next('welcome');
    await second.request({ type: 'start', topic: 'general' }, 'conversation');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(otto.frames.some((f) => f.type === 'queue')).toBe(false);
    const record = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    expect(record?.status).toBe('queued');
    for (const c of [visitor, second, otto]) c.close();
  });
});

describe('reconnect and resume', () => {
  it('gives the visitor the whole history on reconnect, and a resent message is not stored twice', async () => {
    const browser = await visitorBrowser(demo);
    const first = await connectAs(browser, demo, 'visitor');
    await first.next('welcome');
    const conversationId = idOf(await first.request({ type: 'start', topic: 'general' }, 'conversation'));
    const m1 = await first.request({ type: 'message', clientId: 'm1', text: 'one' }, 'ack');
    await first.request({ type: 'message', clientId: 'm2', text: 'two' }, 'ack');
    first.close();
    await first.closed;

    const alex = await agent(demo, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    await alex.request(
      { type: 'message', conversationId, clientId: 'a1', text: 'reply while you were away' },
      'ack',
    );

    const again = await connectAs(browser, demo, 'visitor');
    const welcome = await again.next('welcome');
    const history = welcome.conversation as {
      id: string;
      messages: Array<{ seq: number; text: string; from: string }>;
    };
    expect(history.id).toBe(conversationId);
    expect(history.messages.map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'visitor', 'one'],
      [2, 'visitor', 'two'],
      [3, 'agent', 'reply while you were away'],
    ]);

    const resumed = await again.request({ type: 'resume', conversationId, afterSeq: 2 }, 'conversation');
    expect((resumed.conversation as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq)).toEqual(
      [3],
    );

    // The client re-sends m1 because it never saw the ack: same message back, nothing new stored.
    const resent = await again.request({ type: 'message', clientId: 'm1', text: 'one' }, 'ack');
    expect((resent.message as { id: string }).id).toBe((m1.message as { id: string }).id);
    const stored = await gw.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.map((m) => m.text)).toEqual(['one', 'two', 'reply while you were away']);
    expect(
      alex.frames.filter((f) => f.type === 'message' && (f.message as { text: string }).text === 'one'),
    ).toHaveLength(0);
    again.close();
    alex.close();
  });

  it('answers a resume from beyond the last message with the whole transcript, and still sends what comes next', async () => {
    const browser = await visitorBrowser(demo);
    const first = await connectAs(browser, demo, 'visitor');
    await first.next('welcome');
    const conversationId = idOf(await first.request({ type: 'start', topic: 'general' }, 'conversation'));
    await first.request({ type: 'message', clientId: 'm1', text: 'one' }, 'ack');
    first.close();
    const alex = await agent(demo, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');

    // A client holding more than was stored (its own mistake, or a store restored from an older
    // copy) is told what there is, not that it has messages nobody wrote yet.
    const again = await connectAs(browser, demo, 'visitor');
    await again.next('welcome');
    const resumed = await again.request({ type: 'resume', conversationId, afterSeq: 50 }, 'conversation');
    expect((resumed.conversation as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq)).toEqual(
      [1],
    );
    for (const [clientId, text] of [
      ['a1', 'two'],
      ['a2', 'three'],
    ]) {
      const since = again.frames.length;
      await alex.request({ type: 'message', conversationId, clientId, text }, 'ack');
      expect(((await again.next('message', () => true, since)).message as { text: string }).text).toBe(text);
    }
    // A resume at the very end is answered with nothing, and the next message still comes.
    const atEnd = await again.request({ type: 'resume', conversationId, afterSeq: 3 }, 'conversation');
    expect((atEnd.conversation as { messages: unknown[] }).messages).toEqual([]);
    const since = again.frames.length;
    await alex.request({ type: 'message', conversationId, clientId: 'a3', text: 'four' }, 'ack');
    expect(((await again.next('message', () => true, since)).message as { seq: number }).seq).toBe(4);
    for (const c of [again, alex]) c.close();
  });

  it('acknowledges a resend of a message stored before the conversation closed, and refuses a new one', async () => {
    const browser = await visitorBrowser(demo);
    const first = await connectAs(browser, demo, 'visitor');
    await first.next('welcome');
    const conversationId = idOf(await first.request({ type: 'start', topic: 'general' }, 'conversation'));
    const alex = await agent(demo, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    const m1 = await first.request({ type: 'message', clientId: 'm1', text: 'one' }, 'ack');
    const a1 = await alex.request({ type: 'message', conversationId, clientId: 'a1', text: 'reply' }, 'ack');
    // The visitor's connection drops before its ack is read; the agent closes meanwhile.
    first.ws.terminate();
    await alex.request({ type: 'close', conversationId }, 'conversation', (f) => idOf(f) === conversationId);

    const again = await connectAs(browser, demo, 'visitor');
    await again.next('welcome');
    await again.request({ type: 'resume', conversationId, afterSeq: 0 }, 'conversation');
    const resent = await again.request({ type: 'message', clientId: 'm1', text: 'one' }, ['ack', 'error']);
    expect(resent).toMatchObject({
      type: 'ack',
      clientId: 'm1',
      message: { id: (m1.message as { id: string }).id, seq: 1 },
    });
    const fresh = await again.request({ type: 'message', clientId: 'm2', text: 'two' }, ['ack', 'error']);
    expect(fresh).toMatchObject({ type: 'error', code: 'conversation_closed', clientId: 'm2' });
    // The agent's resend likewise (a console reconnecting), and its new reply is refused.
    const resentReply = await alex.request(
      { type: 'message', conversationId, clientId: 'a1', text: 'reply' },
      ['ack', 'error'],
    );
    expect(resentReply).toMatchObject({
      type: 'ack',
      clientId: 'a1',
      message: { id: (a1.message as { id: string }).id },
    });
    expect(
      await alex.request({ type: 'message', conversationId, clientId: 'a2', text: 'more' }, ['ack', 'error']),
    ).toMatchObject({ type: 'error', code: 'conversation_closed', clientId: 'a2' });
    const stored = await gw.gateway.deps.store.chat.messages.list('demo', conversationId);
    expect(stored.filter((m) => m.from !== 'system').map((m) => m.text)).toEqual(['one', 'reply']);
    again.close();
    alex.close();
  });

  it("acknowledges an agent's resend of a reply stored before the conversation was transferred away", async () => {
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const conversationId = idOf(await visitor.request({ type: 'start', topic: 'general' }, 'conversation'));
    const alex = await agent(demo, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    const a1 = await alex.request({ type: 'message', conversationId, clientId: 'a1', text: 'reply' }, 'ack');
    await alex.request({ type: 'transfer', conversationId, topic: 'general' }, 'conversation');
    const resent = await alex.request({ type: 'message', conversationId, clientId: 'a1', text: 'reply' }, [
      'ack',
      'error',
    ]);
    expect(resent).toMatchObject({
      type: 'ack',
      clientId: 'a1',
      message: { id: (a1.message as { id: string }).id },
    });
    expect(
      await alex.request({ type: 'message', conversationId, clientId: 'a2', text: 'more' }, ['ack', 'error']),
    ).toMatchObject({ type: 'error', code: 'not_assigned', clientId: 'a2' });
    visitor.close();
    alex.close();
  });
});

describe('offline messages', () => {
  it('saves a message left with name and e-mail; consoles list it by its time only, live and in the welcome', async () => {
    const alex = await agent(demo, 'alex-agent');
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const invalid = await visitor.request(
      { type: 'offline-message', name: 'Ann', email: 'not-an-email', text: 'hi' },
      'error',
    );
    expect(invalid).toMatchObject({ code: 'offline_message_invalid', field: 'email' });
    // Controls, lone surrogates and nothing visible are no name and no message either; the
    // error names the field (the first in the form's order), which the widget marks.
    const before = await gw.gateway.deps.store.chat.offlineMessages.list('demo', 1000);
    for (const [name, text, field] of [
      ['Ann\u0000', 'hi', 'name'],
      ['\u001b[2JAnn', 'hi', 'name'],
      ['\u200b', 'hi', 'name'],
      ['Ann', '\ud800', 'text'],
      ['Ann', 'hi \u0007', 'text'],
      ['Ann', '\u2060\u200b\u00ad', 'text'],
      ['\u200b', '\u200b', 'name'],
      ['Ann', 'x'.repeat(4001), 'text'],
    ]) {
      const refused = await visitor.request(
        { type: 'offline-message', name, email: 'ann@example.org', text },
        ['error', 'offline-message-saved'],
      );
      expect(refused, JSON.stringify({ name, text })).toMatchObject({
        type: 'error',
        code: 'offline_message_invalid',
        field,
      });
    }
    expect(await gw.gateway.deps.store.chat.offlineMessages.list('demo', 1000)).toEqual(before);

    const saved = (await visitor.request(
      {
        type: 'offline-message',
        name: 'Ann Visitor',
        email: 'ann@example.org',
        text: `Call me, my id is ${NO_SYNTHETIC_FNR}`,
      },
      'offline-message-saved',
    )) as Frame & { id: string };
    const live = await alex.next('offline-message', (f) => (f.message as { id: string }).id === saved.id);
    expect(live.message).toEqual({ id: saved.id, redacted: true, createdAt: expect.any(String) });

    const later = await agent(demo, 'siri-supervisor');
    const listed = (later.frames.find((f) => f.type === 'welcome')?.offlineMessages ?? []) as Array<{
      id: string;
    }>;
    expect(listed.find((m) => m.id === saved.id)).toEqual(live.message);
    // Nothing of what was left reached a console that did not open it.
    expect(JSON.stringify([...alex.frames, ...later.frames])).not.toContain('Ann Visitor');
    expect(JSON.stringify([...alex.frames, ...later.frames])).not.toContain('ann@example.org');
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', saved.id)).toEqual([]);
    for (const c of [alex, visitor, later]) c.close();
  });

  it('names the field of a name or an e-mail address over its length, as of any other wrong field', async () => {
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const before = await gw.gateway.deps.store.chat.offlineMessages.list('demo', 1000);
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;
    for (const [name, address, field] of [
      ['A'.repeat(201), 'ann@example.org', 'name'],
      ['Ann', email, 'email'],
      ['A'.repeat(201), email, 'name'],
    ] as const) {
      const refused = await visitor.request({ type: 'offline-message', name, email: address, text: 'hi' }, [
        'error',
        'offline-message-saved',
      ]);
      expect(refused, JSON.stringify({ name: name.length, email: address.length })).toEqual({
        type: 'error',
        code: 'offline_message_invalid',
        message: expect.any(String),
        field,
      });
    }
    expect(await gw.gateway.deps.store.chat.offlineMessages.list('demo', 1000)).toEqual(before);
    // Padding around a name that fits is not counted, as for every other check of the name.
    const saved = await visitor.request(
      { type: 'offline-message', name: ` ${'A'.repeat(200)} `, email: 'ann@example.org', text: 'hi' },
      ['error', 'offline-message-saved'],
    );
    expect(saved.type).toBe('offline-message-saved');
    visitor.close();
  });

  it('opens an offline message whole for any console role, each read audited: who, in which role, which message, when', async () => {
    const visitor = await connectAs(await visitorBrowser(demo), demo, 'visitor');
    await visitor.next('welcome');
    const saved = (await visitor.request(
      { type: 'offline-message', name: 'Ann Visitor', email: 'ann@example.org', text: 'About my permit' },
      'offline-message-saved',
    )) as Frame & { id: string };
    const alex = await agent(demo, 'alex-agent');
    const siri = await agent(demo, 'siri-supervisor');
    for (const reader of [alex, siri, alex]) {
      const opened = await reader.request(
        { type: 'open-offline-message', id: saved.id },
        'offline-message-opened',
      );
      expect(opened.message).toEqual({
        id: saved.id,
        name: 'Ann Visitor',
        email: 'ann@example.org',
        text: 'About my permit',
        redacted: false,
        createdAt: expect.any(String),
      });
    }
    const audit = await gw.gateway.deps.store.chat.transcriptReads.list('demo', saved.id);
    expect(
      audit.map(({ reader, role, action, target, conversationId }) => ({
        reader: reader.name,
        role,
        action,
        target,
        conversationId,
      })),
    ).toEqual([
      {
        reader: 'Alex Agent',
        role: 'agent',
        action: 'read',
        target: 'offline-message',
        conversationId: saved.id,
      },
      {
        reader: 'Siri Supervisor',
        role: 'supervisor',
        action: 'read',
        target: 'offline-message',
        conversationId: saved.id,
      },
      {
        reader: 'Alex Agent',
        role: 'agent',
        action: 'read',
        target: 'offline-message',
        conversationId: saved.id,
      },
    ]);
    // Nothing personal of the message in the audit entries or the log.
    expect(JSON.stringify(audit)).not.toMatch(/Ann Visitor|ann@example\.org|permit/);
    expect(gw.logs()).toContain('offline message read');
    expect(gw.logs()).not.toContain('About my permit');
    // Another tenant's console, or an unknown id: not found, and no entry.
    const bo = await agent(other, 'otto-other-tenant');
    for (const [client, id] of [
      [bo, saved.id],
      [alex, 'no-such-message'],
    ] as const)
      expect((await client.request({ type: 'open-offline-message', id }, 'error')).code).toBe(
        'offline_message_not_found',
      );
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', saved.id)).toHaveLength(3);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('other', saved.id)).toEqual([]);
    for (const c of [alex, siri, bo, visitor]) c.close();
  });
});

describe('graceful close', () => {
  it('closes every chat socket with 1001 when the gateway shuts down', async () => {
    const own = await startTestGateway();
    const visitor = await connectAs(await visitorBrowser(own.url), own.url, 'visitor');
    const console = await connectAs(await staffBrowser(own.url, 'alex-agent'), own.url, 'agent');
    await visitor.next('welcome');
    await console.next('welcome');
    await own.close();
    expect((await visitor.closed).code).toBe(CLOSE_CODES.goingAway);
    expect((await console.closed).code).toBe(CLOSE_CODES.goingAway);
  });
});
