import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatBus, ChatChannel, ChatEvent } from '../../src/chat/chat-bus.js';
import { ConversationChanged, type ConversationService } from '../../src/chat/conversation-service.js';
import { GatewayError } from '../../src/http/errors.js';
import type { SharedIdentity } from '../../src/identity/shared-identity.js';

/** The `GatewayError` a promise rejects with; resolving, or any other error, fails the test. */
async function rejected(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

/** Collects what a channel delivers and waits for events without sleeping. */
export class Inbox {
  readonly events: ChatEvent[] = [];
  #waiters: Array<{ match: (e: ChatEvent) => boolean; resolve: (e: ChatEvent) => void }> = [];

  readonly listener = (event: ChatEvent): void => {
    this.events.push(event);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  /** The first event matching `match` (already received or the next one), 5 s at most. */
  next(match: (e: ChatEvent) => boolean): Promise<ChatEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching chat event within 5 s')), 5_000);
      this.#waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }
}

/** A bus under test and how to dispose of it. */
export interface BusUnderTest {
  bus: ChatBus;
  close(): Promise<void>;
}

const marker = (id: string) => ({ type: 'conversation-started', conversationId: id }) as const;
const isMarker = (id: string) => (e: ChatEvent) =>
  e.type === 'conversation-started' && e.conversationId === id;

/**
 * What every chat bus must do, written once and run against each implementation (the
 * in-process bus now, the Redis bus next). Nothing here sleeps: "not delivered" is checked
 * after a later marker on the same channel has arrived (delivery is in publish order).
 */
export function describeChatBusContract(name: string, create: () => Promise<BusUnderTest>): void {
  describe(`${name}: the chat bus contract`, () => {
    let subject: BusUnderTest;
    const tenant = () => `t-${randomUUID().slice(0, 8)}`;
    beforeEach(async () => {
      subject = await create();
    });
    afterEach(async () => {
      await subject.close();
    });

    it('delivers events to a channel’s subscribers, in publish order, as plain JSON', async () => {
      const channel: ChatChannel = { kind: 'conversation', tenantId: tenant(), conversationId: 'c1' };
      const first = new Inbox();
      const second = new Inbox();
      subject.bus.subscribe(channel, first.listener);
      subject.bus.subscribe(channel, second.listener);
      const events: ChatEvent[] = [
        { type: 'typing', conversationId: 'c1', from: 'visitor', typing: true },
        { type: 'read', conversationId: 'c1', by: 'agent', seq: 3 },
        { type: 'typing', conversationId: 'c1', from: 'visitor', typing: false },
      ];
      for (const event of events) subject.bus.publish(channel, event as never);
      for (const inbox of [first, second]) {
        await inbox.next((e) => e.type === 'typing' && !e.typing);
        expect(inbox.events).toEqual(JSON.parse(JSON.stringify(events)));
      }
    });

    const neighbours: Array<[string, (t: string) => ChatChannel]> = [
      ['another conversation', (t) => ({ kind: 'conversation', tenantId: t, conversationId: 'c2' })],
      [
        'the same conversation id of another tenant',
        () => ({
          kind: 'conversation',
          tenantId: 'other-tenant',
          conversationId: 'c1',
        }),
      ],
      ['the tenant’s queue', (t) => ({ kind: 'queue', tenantId: t })],
      ['a visitor', (t) => ({ kind: 'visitor', tenantId: t, visitorId: 'c1' })],
      ['an agent', (t) => ({ kind: 'agent', tenantId: t, agentSubject: 'c1' })],
    ];
    it.each(neighbours)(
      'does not deliver an event of conversation c1 to a follower of %s',
      async (_, make) => {
        const t = tenant();
        const c1: ChatChannel = { kind: 'conversation', tenantId: t, conversationId: 'c1' };
        const other = make(t);
        const inbox = new Inbox();
        subject.bus.subscribe(other, inbox.listener);
        subject.bus.publish(c1, { type: 'typing', conversationId: 'c1', from: 'visitor', typing: true });
        subject.bus.publish(other, marker('after') as never);
        await inbox.next(isMarker('after'));
        expect(inbox.events).toEqual([marker('after')]);
      },
    );

    it('stops delivering to a listener that unsubscribed, and only to it', async () => {
      const channel: ChatChannel = { kind: 'visitor', tenantId: tenant(), visitorId: 'v1' };
      const gone = new Inbox();
      const staying = new Inbox();
      const stop = subject.bus.subscribe(channel, gone.listener);
      subject.bus.subscribe(channel, staying.listener);
      subject.bus.publish(channel, marker('one'));
      await gone.next(isMarker('one'));
      stop();
      subject.bus.publish(channel, marker('two'));
      await staying.next(isMarker('two'));
      expect(gone.events).toEqual([marker('one')]);
      expect(staying.events).toEqual([marker('one'), marker('two')]);
    });

    it('keeps delivering to the others when one listener throws', async () => {
      const channel: ChatChannel = { kind: 'queue', tenantId: tenant() };
      const inbox = new Inbox();
      subject.bus.subscribe(channel, () => {
        throw new Error('a broken socket');
      });
      subject.bus.subscribe(channel, inbox.listener);
      subject.bus.publish(channel, { type: 'queue', topic: 'general', conversations: [] });
      await expect(inbox.next((e) => e.type === 'queue')).resolves.toMatchObject({ topic: 'general' });
    });
  });
}

/** A conversation service under test, its bus, and how to dispose of them. */
export interface ServiceUnderTest {
  service: ConversationService;
  bus: ChatBus;
  /** Moves the service's clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export const SHARED: SharedIdentity = {
  provider: 'bankid',
  country: 'NO',
  loa: 'substantial',
  acr: 'urn:grn:authn:no:bankid',
  claimNames: ['name', 'nationalId'],
  claims: { name: 'Kari Nordmann', nationalId: '12838540056', nationalIdType: 'fnr' },
  subjectIndex: 'index-kari',
  receiptId: 'receipt-1',
  sharedAt: 1_000,
};

/**
 * What every conversation service must do (memory repositories + in-process bus now; Redis
 * repositories + Redis bus next): the per-conversation sequence, idempotent append, sealed
 * identity, the status machine, and an event on the bus for every change.
 */
export function describeConversationServiceContract(
  name: string,
  create: () => Promise<ServiceUnderTest>,
): void {
  describe(`${name}: the conversation service contract`, () => {
    let subject: ServiceUnderTest;
    let tenantId: string;
    beforeEach(async () => {
      subject = await create();
      tenantId = `t-${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => {
      await subject.close();
    });

    const start = (visitorId = 'visitor-1', identity?: SharedIdentity) =>
      subject.service.start({
        tenantId,
        topic: 'general',
        visitorId,
        metadata: {},
        ...(identity ? { identity } : {}),
      });
    const follow = (conversationId: string) => {
      const inbox = new Inbox();
      subject.bus.subscribe({ kind: 'conversation', tenantId, conversationId }, inbox.listener);
      return inbox;
    };

    it('starts a queued conversation and tells the visitor’s channel', async () => {
      const visitor = new Inbox();
      subject.bus.subscribe({ kind: 'visitor', tenantId, visitorId: 'visitor-1' }, visitor.listener);
      const c = await start();
      expect(c).toMatchObject({ tenantId, topic: 'general', status: 'queued', visitorId: 'visitor-1' });
      expect(await subject.service.get(c.tenantId, c.id)).toEqual(c);
      expect(await subject.service.openOf(tenantId, 'visitor-1')).toEqual([c]);
      await visitor.next((e) => e.type === 'conversation-started' && e.conversationId === c.id);
    });

    it('numbers messages 1, 2, 3 … and publishes each on the conversation’s channel', async () => {
      const c = await start();
      const inbox = follow(c.id);
      for (const text of ['a', 'b', 'c'])
        await subject.service.append({ tenantId: c.tenantId, conversationId: c.id, from: 'visitor', text });
      expect((await subject.service.messages(c.tenantId, c.id)).map((m) => [m.seq, m.text])).toEqual([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ]);
      expect((await subject.service.messages(c.tenantId, c.id, 2)).map((m) => m.text)).toEqual(['c']);
      await inbox.next((e) => e.type === 'message' && e.message.text === 'c');
      expect(inbox.events.filter((e) => e.type === 'message')).toHaveLength(3);
    });

    it('appends idempotently by client id and author, publishing a duplicate again', async () => {
      const c = await start();
      const inbox = follow(c.id);
      const input = {
        tenantId,
        conversationId: c.id,
        from: 'visitor' as const,
        authorId: 'visitor-1',
        clientId: 'k1',
        text: 'hi',
      };
      const first = await subject.service.append(input);
      const again = await subject.service.append({ ...input, text: 'changed' });
      expect(again).toEqual({ message: first.message, duplicate: true });
      const otherAuthor = await subject.service.append({
        ...input,
        from: 'agent',
        authorId: 'agent-1',
      });
      expect(otherAuthor.duplicate).toBe(false);
      await inbox.next((e) => e.type === 'message' && e.message.from === 'agent');
      // The stored message twice (its resend may be the only event that gets through), then the agent's.
      expect(
        inbox.events.filter((e) => e.type === 'message').map((e) => e.type === 'message' && e.message.seq),
      ).toEqual([1, 1, 2]);
    });

    it('finds the message an author stored under a client id, also after the conversation closed, and only theirs', async () => {
      const c = await start();
      const input = {
        tenantId,
        conversationId: c.id,
        from: 'visitor' as const,
        authorId: 'visitor-1',
        clientId: 'k1',
        text: 'hi',
      };
      const { message } = await subject.service.append(input);
      await subject.service.append({
        ...input,
        from: 'agent',
        authorId: 'agent-1',
        clientId: 'k2',
        text: 'yo',
      });
      await subject.service.close(tenantId, c.id);
      const visitor = { from: 'visitor' as const, authorId: 'visitor-1' };
      expect(await subject.service.resent(tenantId, c.id, visitor, 'k1')).toEqual(message);
      // Another author's key, a key never used, another conversation: nothing.
      expect(await subject.service.resent(tenantId, c.id, visitor, 'k2')).toBeUndefined();
      expect(
        await subject.service.resent(tenantId, c.id, { from: 'visitor', authorId: 'visitor-2' }, 'k1'),
      ).toBeUndefined();
      expect(await subject.service.resent(tenantId, c.id, visitor, 'never')).toBeUndefined();
      expect(await subject.service.resent(tenantId, randomUUID(), visitor, 'k1')).toBeUndefined();
      expect(
        (await subject.service.resent(tenantId, c.id, { from: 'agent', authorId: 'agent-1' }, 'k2'))?.text,
      ).toBe('yo');
    });

    it.each([
      ['an unknown conversation', 'conversation_not_found'],
      ['a closed conversation', 'conversation_closed'],
    ])('refuses a message to %s', async (what, code) => {
      const c = await start();
      if (what === 'a closed conversation') await subject.service.close(c.tenantId, c.id);
      const id = what === 'an unknown conversation' ? randomUUID() : c.id;
      const before = await subject.service.messages(c.tenantId, c.id);
      expect(
        await rejected(subject.service.append({ tenantId, conversationId: id, from: 'visitor', text: 'x' })),
      ).toMatchObject({
        code,
      });
      expect(await subject.service.messages(c.tenantId, c.id)).toEqual(before);
    });

    it('stores nothing when the record a message was decided on is no longer the stored one', async () => {
      const c = await start('visitor-1', SHARED);
      const seen = await subject.service.recent(c.tenantId, c.id);
      if (!seen) throw new Error('missing');
      await subject.service.detachIdentity(c.tenantId, c.id);
      const before = await subject.service.messages(c.tenantId, c.id);
      const input = {
        tenantId,
        conversationId: c.id,
        from: 'visitor' as const,
        text: 'verified?',
        conversation: seen,
      };
      await expect(subject.service.append(input)).rejects.toBeInstanceOf(ConversationChanged);
      expect(await subject.service.messages(c.tenantId, c.id)).toEqual(before);
      // Decided again on the record as it is now: unverified.
      const now = await subject.service.recent(c.tenantId, c.id);
      expect(now?.identity).toBeUndefined();
      const { message } = await subject.service.append({ ...input, conversation: now });
      expect(message.verified).toBe(false);

      const open = await subject.service.recent(c.tenantId, c.id);
      await subject.service.close(c.tenantId, c.id);
      await expect(
        subject.service.append({ ...input, text: 'after close', conversation: open }),
      ).rejects.toBeInstanceOf(ConversationChanged);
      expect((await subject.service.recent(c.tenantId, c.id))?.status).toBe('closed');
      expect((await subject.service.messages(c.tenantId, c.id)).map((m) => m.text)).not.toContain(
        'after close',
      );
    });

    /** A visitor message whose end (`128385`) becomes the conversation's PII guard tail. */
    const messageEndingInDigits = async (conversationId: string) => {
      await subject.service.append({
        tenantId,
        conversationId,
        from: 'visitor',
        conversation: await subject.service.recent(tenantId, conversationId),
        text: 'my number is 128385',
        tail: { previous: '', next: '128385' },
      });
      expect(await subject.service.recentTail(tenantId, conversationId)).toBe('128385');
    };

    it('stores a visitor message with its PII guard tail only while the tail it was guarded against is current', async () => {
      const c = await start();
      expect(await subject.service.recentTail(c.tenantId, c.id)).toBe('');
      await messageEndingInDigits(c.id);
      // The record as it is now (the first message set its preview): only the tail is stale.
      const input = {
        conversationId: c.id,
        from: 'visitor' as const,
        conversation: await subject.service.recent(c.tenantId, c.id),
      };
      await expect(
        subject.service.append({
          tenantId,
          ...input,
          text: 'stale',
          tail: { previous: '', next: '' },
        }),
      ).rejects.toBeInstanceOf(ConversationChanged);
      await subject.service.append({
        tenantId,
        ...input,
        text: 'fine',
        tail: { previous: '128385', next: '' },
      });
      expect(await subject.service.recentTail(c.tenantId, c.id)).toBe('');
      expect((await subject.service.messages(c.tenantId, c.id)).map((m) => m.text)).toEqual([
        'my number is 128385',
        'fine',
      ]);
    });

    it('forgets the PII guard tail when the conversation is closed, by whoever closes it', async () => {
      const c = await start();
      await messageEndingInDigits(c.id);
      await subject.service.close(c.tenantId, c.id);
      expect(await subject.service.recentTail(c.tenantId, c.id)).toBe('');
    });

    it('marks visitor messages verified only while an identity is attached, with a line for each change', async () => {
      const c = await start();
      const inbox = follow(c.id);
      await subject.service.append({
        tenantId: c.tenantId,
        conversationId: c.id,
        from: 'visitor',
        text: 'before',
      });
      const attached = await subject.service.attachIdentity(c.tenantId, c.id, SHARED);
      expect(attached?.identity?.subjectIndex).toBe('index-kari');
      await subject.service.append({
        tenantId: c.tenantId,
        conversationId: c.id,
        from: 'visitor',
        text: 'during',
      });
      await subject.service.detachIdentity(c.tenantId, c.id);
      await subject.service.append({
        tenantId: c.tenantId,
        conversationId: c.id,
        from: 'visitor',
        text: 'after',
      });
      const messages = await subject.service.messages(c.tenantId, c.id);
      expect(messages.map((m) => [m.from, m.systemCode ?? m.text, m.verified])).toEqual([
        ['visitor', 'before', false],
        ['system', 'verified', false],
        ['visitor', 'during', true],
        ['system', 'withdrawn', false],
        ['visitor', 'after', false],
      ]);
      await inbox.next((e) => e.type === 'identity' && e.change === 'detached');
      expect(
        inbox.events.filter((e) => e.type === 'identity').map((e) => e.type === 'identity' && e.change),
      ).toEqual(['attached', 'detached']);
      expect(await subject.service.detachIdentity(c.tenantId, c.id)).toBeUndefined();
    });

    it('keeps the identity sealed in the record and opens it only through readIdentity', async () => {
      const c = await start('visitor-1', SHARED);
      const stored = await subject.service.get(c.tenantId, c.id);
      if (!stored) throw new Error('missing');
      expect(JSON.stringify(stored)).not.toContain('12838540056');
      expect(JSON.stringify(stored)).not.toContain('Kari');
      expect(subject.service.readIdentity(stored)).toEqual(SHARED);
    });

    it('attaches nothing to a closed conversation', async () => {
      const c = await start();
      await subject.service.close(c.tenantId, c.id);
      expect(await subject.service.attachIdentity(c.tenantId, c.id, SHARED)).toBeUndefined();
      expect((await subject.service.get(c.tenantId, c.id))?.identity).toBeUndefined();
    });

    it('assigns once: the same agent again is a no-op, another agent gets conversation_taken', async () => {
      const c = await start();
      const inbox = follow(c.id);
      const agentInbox = new Inbox();
      subject.bus.subscribe({ kind: 'agent', tenantId, agentSubject: 'alex' }, agentInbox.listener);
      const assigned = await subject.service.assign(c.tenantId, c.id, { subject: 'alex', name: 'Alex' });
      expect(assigned).toMatchObject({ status: 'assigned', assignedTo: { subject: 'alex', name: 'Alex' } });
      expect(await subject.service.assign(c.tenantId, c.id, { subject: 'alex', name: 'Alex' })).toEqual(
        assigned,
      );
      expect(
        await rejected(subject.service.assign(c.tenantId, c.id, { subject: 'bo', name: 'Bo' })),
      ).toMatchObject({
        code: 'conversation_taken',
      });
      expect(await subject.service.assignedTo(tenantId, 'alex')).toEqual([assigned]);
      expect(await subject.service.queued(tenantId, 'general')).toEqual([]);
      await agentInbox.next((e) => e.type === 'assigned');
      await inbox.next((e) => e.type === 'status');
      expect(inbox.events.filter((e) => e.type === 'status')).toHaveLength(1);
    });

    it('requeues with the previous assignee named, and closes for good', async () => {
      const c = await start();
      const inbox = follow(c.id);
      await subject.service.assign(c.tenantId, c.id, { subject: 'alex', name: 'Alex' });
      const requeued = await subject.service.requeue(c.tenantId, c.id, 'tax-case');
      expect(requeued).toMatchObject({ status: 'queued', topic: 'tax-case' });
      expect(requeued.assignedTo).toBeUndefined();
      await inbox.next((e) => e.type === 'status' && e.previousAssignee === 'alex');
      const closed = await subject.service.close(c.tenantId, c.id);
      expect(closed.status).toBe('closed');
      expect(await subject.service.close(c.tenantId, c.id)).toEqual(closed);
      expect((await subject.service.messages(c.tenantId, c.id)).at(-1)?.systemCode).toBe('closed');
      expect(
        await rejected(subject.service.assign(c.tenantId, c.id, { subject: 'alex', name: 'Alex' })),
      ).toMatchObject({
        code: 'conversation_closed',
      });
      expect(await subject.service.openOf(tenantId, 'visitor-1')).toEqual([]);
    });

    it('moves read markers forward only, publishing each move once', async () => {
      const c = await start();
      for (const text of ['one', 'two'])
        await subject.service.append({ tenantId: c.tenantId, conversationId: c.id, from: 'visitor', text });
      const inbox = follow(c.id);
      await subject.service.markRead(c.tenantId, c.id, 'agent', 2);
      await subject.service.markRead(c.tenantId, c.id, 'agent', 1);
      await subject.service.markRead(c.tenantId, c.id, 'agent', 2);
      expect((await subject.service.get(c.tenantId, c.id))?.readMarkers).toEqual({ visitor: 0, agent: 2 });
      subject.bus.publish({ kind: 'conversation', tenantId, conversationId: c.id }, marker('end') as never);
      await inbox.next(isMarker('end'));
      expect(inbox.events.filter((e) => e.type === 'read')).toEqual([
        { type: 'read', conversationId: c.id, by: 'agent', seq: 2 },
      ]);
    });

    it('moves no read marker past the last stored message, and publishes nothing', async () => {
      const c = await start();
      await subject.service.append({
        tenantId: c.tenantId,
        conversationId: c.id,
        from: 'visitor',
        text: 'one',
      });
      const inbox = follow(c.id);
      await subject.service.markRead(c.tenantId, c.id, 'visitor', 2 ** 31);
      await subject.service.markRead(c.tenantId, c.id, 'agent', 2);
      expect((await subject.service.get(c.tenantId, c.id))?.readMarkers).toEqual({ visitor: 0, agent: 0 });
      // A true marker still moves.
      await subject.service.markRead(c.tenantId, c.id, 'agent', 1);
      expect((await subject.service.get(c.tenantId, c.id))?.readMarkers).toEqual({ visitor: 0, agent: 1 });
      subject.bus.publish({ kind: 'conversation', tenantId, conversationId: c.id }, marker('end') as never);
      await inbox.next(isMarker('end'));
      expect(inbox.events.filter((e) => e.type === 'read')).toEqual([
        { type: 'read', conversationId: c.id, by: 'agent', seq: 1 },
      ]);
    });
  });
}
