import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Persona } from '../../../idp-mock/index.js';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  type Frame,
  identifiedConversation as identified,
  identifyAndShare,
  staffSocket,
  startedConversation,
} from './chat-clients.js';

const bo: Persona = {
  id: 'bo-agent',
  label: 'Bo (agent)',
  issuers: ['staff'],
  claims: { name: 'Bo Agent', email: 'bo.agent@demo.example', roles: ['agent'] },
};

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());
const idOf = (f: Frame) => (f.conversation as { id: string }).id;
const messagesOf = (f: Frame) =>
  (f.conversation as { messages: Array<{ text: string; authorName?: string; verified: boolean }> }).messages;

const staff = (gw: TestGateway, persona: string) => staffSocket(gw.url, persona);

/** A visitor's conversation in `general`: anonymous first message, then identified (name shared). */
async function identifiedConversation(gw: TestGateway, assignee?: ChatClient) {
  const { browser, visitor, conversationId } = await identified(gw.url, assignee ? { assignee } : {});
  await visitor.request({ type: 'message', clientId: 'm2', text: 'after identifying' }, 'ack');
  return { browser, visitor, conversationId };
}

describe('who may read a transcript (agent "open")', () => {
  let gw: TestGateway;
  let alex: ChatClient;
  let other: ChatClient;
  let siri: ChatClient;
  let ada: ChatClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      clock,
      personas: [bo],
      features: (deps) => [
        createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
      ],
    });
    alex = await staff(gw, 'alex-agent');
    other = await staff(gw, 'bo-agent');
    siri = await staff(gw, 'siri-supervisor');
    ada = await staff(gw, 'ada-admin');
  });
  afterAll(async () => {
    for (const c of [alex, other, siri, ada]) c?.close();
    await gw?.close();
  });

  it('refuses another agent with not_assigned, for an assigned and for a queued conversation, and sends nothing of it later', async () => {
    const assigned = await identifiedConversation(gw, alex);
    const queued = await identifiedConversation(gw);
    for (const { conversationId } of [assigned, queued]) {
      const refused = await other.request({ type: 'open', conversationId }, 'error');
      expect(refused.code).toBe('not_assigned');
      // Logged as a read is: who, in which role, which conversation.
      const logged = gw.logEntries('transcript read refused', conversationId);
      expect(logged).toMatchObject([
        { audit: true, tenant: 'demo', role: 'agent', agent: expect.any(String) },
      ]);
    }
    await assigned.visitor.request({ type: 'message', clientId: 'm3', text: 'still private' }, 'ack');
    await alex.next('message', (f) => (f.message as { text: string }).text === 'still private');
    expect(JSON.stringify(other.frames)).not.toContain('still private');
    expect(other.frames.filter((f) => f.type === 'conversation' || f.type === 'message')).toEqual([]);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', assigned.conversationId)).toEqual(
      [],
    );
    for (const c of [assigned.visitor, queued.visitor]) c.close();
  });

  it.each([
    ['siri-supervisor', 'supervisor'],
    ['ada-admin', 'admin'],
  ])(
    'lets %s read an identified conversation of another agent, and records the read',
    async (persona, role) => {
      const reader = persona === 'ada-admin' ? ada : siri;
      const { visitor, conversationId } = await identifiedConversation(gw, alex);
      const opened = await reader.request({ type: 'open', conversationId }, 'conversation');
      expect((opened.conversation as { identity: unknown }).identity).toEqual({ verified: true });
      expect(JSON.stringify(opened)).not.toContain('Kari');
      const reads = await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId);
      expect(reads).toEqual([
        {
          id: expect.any(String),
          tenantId: 'demo',
          conversationId,
          reader: {
            subject: expect.any(String),
            name: persona === 'ada-admin' ? 'Ada Admin' : 'Siri Supervisor',
          },
          role,
          at: clock.now(),
        },
      ]);
      visitor.close();
    },
  );

  it('lists every agent’s conversations to transcript readers only, live as they are claimed and closed', async () => {
    const ids = (f: Frame) => (f.conversations as Array<{ id: string }>).map((c) => c.id);
    const readerSince = siri.frames.length;
    const agentSince = other.frames.length;
    const { visitor, conversationId } = await identifiedConversation(gw, alex);
    // Claimed while anonymous, then identified: the list follows the verified state too.
    const entryOf = (f: Frame) =>
      (f.conversations as Array<Record<string, unknown>>).find((c) => c.id === conversationId);
    const listed = await siri.next('assigned', (f) => entryOf(f)?.verified === true, readerSince);
    const entry = entryOf(listed);
    expect(entry).toMatchObject({ status: 'assigned', assignedTo: { name: 'Alex Agent' }, verified: true });
    // The visitor's first line is read by opening (audited), not in the list.
    expect(entry).not.toHaveProperty('preview');
    expect(JSON.stringify(listed)).not.toContain('Kari');
    // A reader's welcome has the list too; an agent's has none, and agents get no such frames.
    const late = await staff(gw, 'ada-admin');
    expect(ids({ type: 'x', conversations: late.frames[0]?.allAssigned } as Frame)).toContain(conversationId);
    const agentLate = await staff(gw, 'bo-agent');
    expect(agentLate.frames[0]?.allAssigned).toBeUndefined();
    await alex.request({ type: 'close', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    await siri.next('assigned', (f) => !ids(f).includes(conversationId), readerSince);
    expect(other.frames.slice(agentSince).some((f) => f.type === 'assigned')).toBe(false);
    for (const c of [visitor, late, agentLate]) c.close();
  });

  it('marks a queued conversation verified in every console’s queue once its visitor shares', async () => {
    const since = other.frames.length;
    const { visitor, conversationId } = await identifiedConversation(gw);
    await other.next(
      'queue',
      (f) =>
        (f.conversations as Array<{ id: string; verified: boolean }>).some(
          (c) => c.id === conversationId && c.verified,
        ),
      since,
    );
    visitor.close();
  });

  it('sends a console that opened a conversation its view afresh at each change, never the claims', async () => {
    const { browser, visitor, conversationId } = await startedConversation(gw.url);
    await siri.request({ type: 'open', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    const mine = (f: Frame) => idOf(f) === conversationId;
    const viewAfter = async (act: () => Promise<unknown>) => {
      const since = siri.frames.length;
      await act();
      return (await siri.next('conversation', mine, since)).conversation as Record<string, unknown>;
    };
    expect(
      await viewAfter(() => alex.request({ type: 'claim', conversationId }, 'conversation', mine)),
    ).toMatchObject({ status: 'assigned', assignedTo: { name: 'Alex Agent' } });
    // The agent a supervisor's transfer took it from is told too.
    const alexSince = alex.frames.length;
    expect(
      await viewAfter(() =>
        siri.request({ type: 'transfer', conversationId, topic: 'general' }, 'conversation', mine),
      ),
    ).toMatchObject({ status: 'queued' });
    expect((await alex.next('conversation', mine, alexSince)).conversation).toMatchObject({
      status: 'queued',
    });
    await alex.request({ type: 'claim', conversationId }, 'conversation', mine);
    const shared = await viewAfter(() =>
      identifyAndShare(browser, gw.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
        'name',
      ]),
    );
    expect(shared.identity).toEqual({ verified: true });
    expect(JSON.stringify(shared)).not.toContain('Kari');
    expect(await viewAfter(() => visitor.request({ type: 'end' }, 'status'))).toMatchObject({
      status: 'closed',
    });
    visitor.close();
  });

  it('does not audit the assignee reading their own conversation', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw, alex);
    await alex.request({ type: 'open', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId)).toEqual([]);
    visitor.close();
  });

  it('logs every staff access to identified data with who, in which role and what, never the data', async () => {
    const { visitor, conversationId } = await identifiedConversation(gw, alex);
    await alex.request({ type: 'open', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    await siri.request({ type: 'open', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    const lines = gw.logEntries(conversationId).filter((line) => line.audit === true);
    const access = (msg: string) => lines.filter((line) => line.msg === msg);
    expect(access('identity viewed').length).toBeGreaterThan(0);
    for (const line of access('identity viewed')) expect(line).toMatchObject({ role: 'agent' });
    expect(access('identified transcript read by non-assignee')).toEqual([
      expect.objectContaining({ role: 'supervisor', agent: expect.any(String) }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('Kari');
    // The console itself: who connected, with which roles.
    const connected = gw.logEntries('"msg":"agent connected"');
    expect(connected).toContainEqual(
      expect.objectContaining({ audit: true, agent: expect.any(String), roles: ['supervisor'] }),
    );
    visitor.close();
  });

  it('logs a read of an anonymous conversation by a non-assignee too (the trail keeps identified ones)', async () => {
    const { visitor, conversationId } = await startedConversation(gw.url);
    await visitor.request({ type: 'message', clientId: 'm1', text: 'I am Kari, my address is …' }, 'ack');
    await siri.request({ type: 'open', conversationId }, 'conversation', (f) => idOf(f) === conversationId);
    const lines = gw.logEntries(conversationId, 'transcript read by non-assignee');
    expect(lines).toEqual([
      expect.objectContaining({ audit: true, tenant: 'demo', role: 'supervisor', agent: expect.any(String) }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('Kari');
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId)).toEqual([]);
    visitor.close();
  });

  it('audits a read of a conversation whose visitor withdrew their identity: what they wrote verified is still theirs', async () => {
    const { browser, visitor, conversationId } = await identifiedConversation(gw, alex);
    const session = await browser.get(`${gw.url}/api/session`);
    const csrf = (JSON.parse(session.text) as { csrfToken: string }).csrfToken;
    await browser.post(`${gw.url}/consent/withdraw`, { _csrf: csrf, returnTo: '/chat' });
    await alex.next('identity', (f) => f.conversationId === conversationId && f.identity === null);
    const opened = await siri.request(
      { type: 'open', conversationId },
      'conversation',
      (f) => idOf(f) === conversationId,
    );
    expect(messagesOf(opened).some((m) => m.verified)).toBe(true);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('demo', conversationId)).toEqual([
      expect.objectContaining({
        conversationId,
        role: 'supervisor',
        reader: expect.objectContaining({ name: 'Siri Supervisor' }),
      }),
    ]);
    visitor.close();
  });

  it('never shows a message sent before identification with the verified name as its author', async () => {
    const since = alex.frames.length;
    const { visitor, conversationId } = await identifiedConversation(gw, alex);
    const live = alex.frames
      .slice(since)
      .filter((f) => f.type === 'message' && f.conversationId === conversationId)
      .map((f) => f.message as { text: string; authorName?: string });
    await alex.next('message', (f) => (f.message as { text: string }).text === 'after identifying', since);
    const opened = await alex.request(
      { type: 'open', conversationId },
      'conversation',
      (f) => idOf(f) === conversationId,
    );
    const byText = (list: Array<{ text: string; authorName?: string }>, text: string) =>
      list.find((m) => m.text === text)?.authorName;
    expect(byText(messagesOf(opened), 'before identifying')).toBeUndefined();
    expect(byText(messagesOf(opened), 'after identifying')).toBe('Kari Nordmann');
    expect(live.filter((m) => m.text === 'before identifying' && m.authorName)).toEqual([]);
    visitor.close();
  });
});

describe('authors of messages verified under an earlier sharing', () => {
  it('labels only the messages written under the identity attached now with its name', async () => {
    const gw = await startTestGateway({ clock });
    try {
      const alex = await staff(gw, 'alex-agent');
      const { browser, visitor, conversationId } = await identifiedConversation(gw, alex);
      clock.advance(1_000);
      const session = await browser.get(`${gw.url}/api/session`);
      const csrf = (JSON.parse(session.text) as { csrfToken: string }).csrfToken;
      await browser.post(`${gw.url}/consent/withdraw`, { _csrf: csrf, returnTo: '/chat' });
      await visitor.next('identity', (f) => f.verified === false);
      // Someone else identifies in the same browser and shares their name.
      await identifyAndShare(
        browser,
        gw.url,
        '/auth/bankid/login?returnTo=/chat/identified',
        'ola-nordmann',
        ['name'],
      );
      await alex.next('identity', (f) => f.conversationId === conversationId && f.identity !== null);
      await visitor.request({ type: 'message', clientId: 'm9', text: 'as Ola' }, 'ack');
      const opened = await alex.request(
        { type: 'open', conversationId },
        'conversation',
        (f) => idOf(f) === conversationId,
      );
      const byText = (text: string) => messagesOf(opened).find((m) => m.text === text);
      expect(byText('after identifying')).toMatchObject({ verified: true });
      expect(byText('after identifying')?.authorName).toBeUndefined();
      expect(byText('as Ola')?.authorName).toBe('Ola Nordmann');
      visitor.close();
      alex.close();
    } finally {
      await gw.close();
    }
  });
});

describe('transcriptReaders setting', () => {
  it('with [] only the assignee may open a conversation: a supervisor gets not_assigned', async () => {
    const gw = await startTestGateway({ clock, tenants: [testTenant({ transcriptReaders: [] })] });
    try {
      const alex = await staff(gw, 'alex-agent');
      const siri = await staff(gw, 'siri-supervisor');
      const { visitor, conversationId } = await identifiedConversation(gw, alex);
      expect((await siri.request({ type: 'open', conversationId }, 'error')).code).toBe('not_assigned');
      for (const c of [alex, siri, visitor]) c.close();
    } finally {
      await gw.close();
    }
  });
});
