import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbandonedQueue } from '../../src/chat/abandoned-queue.js';
import { BuiltInDesk } from '../../src/chat/built-in-desk.js';
import type { ChatEvent } from '../../src/chat/chat-bus.js';
import type { ChatRepositories } from '../../src/chat/chat-repositories.js';
import { InProcessChatBus } from '../../src/chat/in-process-chat-bus.js';
import { StoreConversationService } from '../../src/chat/store-conversation-service.js';
import { FieldCrypto } from '../../src/privacy/field-crypto.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { createLogger } from '../../src/runtime/logger.js';
import { Inbox } from './chat-core-contract.js';

/** The chat repositories of one store as two gateway instances see them. */
export interface AbandonedQueueStore {
  /** Instance A's repositories. */
  a: ChatRepositories;
  /** Instance B's, on the same stored data (memory: the same objects; Redis: a store of its own). */
  b: ChatRepositories;
  /** Whether another instance's sockets are kept in the store (Redis), not only in each process (memory). */
  sharedSockets: boolean;
}

const LIMIT_MS = 10 * 60_000;
const logger = createLogger('silent');

/**
 * `chat.abandonedQueuedMinutes` on a store: a queued conversation whose visitor has had no chat
 * socket on any instance for the limit is closed as abandoned, once, however many instances
 * sweep; one whose visitor is back, or that an agent has, is kept.
 */
export function describeAbandonedQueueContract(
  name: string,
  create: () => Promise<AbandonedQueueStore>,
): void {
  describe(`${name}: closing abandoned queued conversations`, () => {
    let store: AbandonedQueueStore;
    let tenantId: string;
    let clock: ManualClock;
    let bus: InProcessChatBus;
    /** Visitors with a socket on "this" instance (the sweeper's own count). */
    let here: Set<string>;
    const fieldCrypto = new FieldCrypto(randomBytes(32).toString('base64url'));

    beforeEach(async () => {
      store = await create();
      tenantId = `t-${randomUUID().slice(0, 8)}`;
      // Real time: Redis expires the visitor-socket entries by it.
      clock = new ManualClock(Date.now());
      bus = new InProcessChatBus(logger);
      here = new Set();
    });
    afterEach(async () => {
      await bus.close();
    });

    /** One gateway instance on `repositories`: its service, its desk and its sweeper. */
    const instance = (repositories: ChatRepositories) => {
      const service = new StoreConversationService({ repositories, bus, fieldCrypto, clock, logger });
      const desk = new BuiltInDesk({
        service,
        bus,
        presence: repositories.presence,
        offlineMessages: repositories.offlineMessages,
        clock,
        logger,
      });
      const sweeper = new AbandonedQueue({
        service,
        port: desk,
        visitorSockets: repositories.visitorSockets,
        connectedHere: (t, v) => t === tenantId && here.has(v),
        tenants: [{ tenantId, topics: ['general'] }],
        clock,
        logger,
        abandonAfterMs: LIMIT_MS,
      });
      return { service, desk, sweeper };
    };
    const followQueue = () => {
      const inbox = new Inbox();
      bus.subscribe({ kind: 'queue', tenantId }, inbox.listener);
      return inbox;
    };
    const followConversation = (conversationId: string) => {
      const inbox = new Inbox();
      bus.subscribe({ kind: 'conversation', tenantId, conversationId }, inbox.listener);
      return inbox;
    };
    /** A queued conversation whose visitor has just closed their last socket. */
    const leftConversation = async (visitorId = 'visitor-1') => {
      const { service } = instance(store.a);
      const started = await service.start({ tenantId, topic: 'general', visitorId, metadata: {} });
      await service.visitorPresence(tenantId, visitorId, false);
      return started.id;
    };
    const abandonedLines = async (conversationId: string) =>
      (await store.a.messages.list(tenantId, conversationId)).filter((m) => m.systemCode === 'abandoned');
    const queuedIds = async () =>
      (await store.a.conversations.listQueued(tenantId, 'general')).map((c) => c.id);

    it('closes a queued conversation its visitor left longer ago than the limit, and tells the consoles', async () => {
      const { sweeper } = instance(store.a);
      const id = await leftConversation();
      const queue = followQueue();
      const events = followConversation(id);
      clock.advance(LIMIT_MS + 1);
      expect(await sweeper.sweep()).toEqual({ closed: 1 });
      const closed = await store.a.conversations.get(tenantId, id);
      expect(closed).toMatchObject({ status: 'closed', closedAt: clock.now() });
      expect((await store.a.messages.list(tenantId, id)).at(-1)).toMatchObject({
        from: 'system',
        systemCode: 'abandoned',
      });
      expect(await queuedIds()).toEqual([]);
      expect(await store.a.conversations.listOpenByVisitor(tenantId, 'visitor-1')).toEqual([]);
      const summary = (await queue.next((e) => e.type === 'queue')) as Extract<ChatEvent, { type: 'queue' }>;
      expect(summary).toMatchObject({ topic: 'general', conversations: [] });
      await events.next((e) => e.type === 'status' && e.conversation.status === 'closed');
      await events.next((e) => e.type === 'message' && e.message.systemCode === 'abandoned');
    });

    it('sends the consoles the queue once or twice for many closed at once, not once per conversation', async () => {
      const { sweeper } = instance(store.a);
      for (let i = 0; i < 8; i += 1) await leftConversation(`visitor-${i}`);
      const queue = followQueue();
      clock.advance(LIMIT_MS + 1);
      expect(await sweeper.sweep()).toEqual({ closed: 8 });
      const summaries = queue.events.filter((e) => e.type === 'queue');
      expect(summaries.length).toBeLessThanOrEqual(2);
      expect(summaries.at(-1)).toMatchObject({ topic: 'general', conversations: [] });
    });

    it('keeps one whose visitor left less than the limit ago, or came back in time', async () => {
      const { service, sweeper } = instance(store.a);
      const id = await leftConversation();
      clock.advance(LIMIT_MS - 1);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      await service.visitorPresence(tenantId, 'visitor-1', true);
      here.add('visitor-1');
      clock.advance(LIMIT_MS + 1);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      expect(await queuedIds()).toEqual([id]);
      expect(await abandonedLines(id)).toEqual([]);
    });

    it('never closes an assigned conversation, however long ago its visitor left', async () => {
      const { service, sweeper } = instance(store.a);
      const id = await leftConversation();
      await service.assign(tenantId, id, { subject: 'alex', name: 'Alex' });
      clock.advance(10 * LIMIT_MS);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      expect(await service.closeAbandoned(tenantId, id, clock.now())).toBeUndefined();
      expect((await store.a.conversations.get(tenantId, id))?.status).toBe('assigned');
    });

    it('counts the whole period again from an agent’s transfer back into a queue', async () => {
      const { service, sweeper } = instance(store.a);
      const id = await leftConversation();
      await service.assign(tenantId, id, { subject: 'alex', name: 'Alex' });
      clock.advance(2 * LIMIT_MS);
      await service.requeue(tenantId, id, 'general');
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      clock.advance(LIMIT_MS - 1);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      clock.advance(2);
      expect(await sweeper.sweep()).toEqual({ closed: 1 });
    });

    it('finds none retention anonymised while it waited: it left the queue, which no agent can take it from', async () => {
      const { service, sweeper } = instance(store.a);
      const id = await leftConversation();
      clock.advance(LIMIT_MS + 1);
      await store.a.conversations.update(tenantId, id, (c) => ({ ...c, anonymisedAt: clock.now() }));
      await expect(service.assign(tenantId, id, { subject: 'alex', name: 'Alex' })).rejects.toMatchObject({
        code: 'conversation_closed',
      });
      // Out of the queue with the write that anonymised it (`waitsInQueue`), also when its visitor
      // never left (then nothing would ever close it as abandoned); no line is written into it.
      expect(await queuedIds()).toEqual([]);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
    });

    it('keeps one whose visitor holds a socket here, and takes back the "left" mark', async () => {
      const { sweeper } = instance(store.a);
      const id = await leftConversation();
      here.add('visitor-1');
      clock.advance(LIMIT_MS + 1);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      const kept = await store.a.conversations.get(tenantId, id);
      expect(kept?.status).toBe('queued');
      expect(kept?.visitorLeftAt).toBeUndefined();
    });

    it('keeps one whose visitor holds a socket on another instance, swept on this one', async () => {
      if (!store.sharedSockets) return; // One process: its own count is every socket there is.
      const id = await leftConversation();
      // Instance A holds the visitor's socket and refreshes its entry; B sweeps.
      await store.a.visitorSockets.touch(tenantId, 'visitor-1', 'instance-a', clock.now() + 3 * LIMIT_MS);
      clock.advance(LIMIT_MS + 1);
      expect(await instance(store.b).sweeper.sweep()).toEqual({ closed: 0 });
      expect(await queuedIds()).toEqual([id]);
      expect((await store.a.conversations.get(tenantId, id))?.visitorLeftAt).toBeUndefined();
    });

    it('marks a visitor no instance holds as left (their instance died), and closes a full period later', async () => {
      const { service, sweeper } = instance(store.a);
      // Started, then the instance holding the visitor's socket died: nobody marked them left.
      const { id } = await service.start({
        tenantId,
        topic: 'general',
        visitorId: 'visitor-1',
        metadata: {},
      });
      clock.advance(LIMIT_MS + 1);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      expect((await store.a.conversations.get(tenantId, id))?.visitorLeftAt).toBe(clock.now());
      clock.advance(LIMIT_MS - 1);
      expect(await sweeper.sweep()).toEqual({ closed: 0 });
      clock.advance(2);
      expect(await sweeper.sweep()).toEqual({ closed: 1 });
      expect((await store.a.conversations.get(tenantId, id))?.status).toBe('closed');
    });

    it('closes it once when two instances sweep at the same moment', async () => {
      const id = await leftConversation();
      const events = followConversation(id);
      clock.advance(LIMIT_MS + 1);
      const results = await Promise.all([
        instance(store.a).sweeper.sweep(),
        instance(store.b).sweeper.sweep(),
      ]);
      expect(results.reduce((sum, r) => sum + r.closed, 0)).toBe(1);
      expect(await abandonedLines(id)).toHaveLength(1);
      expect(events.events.filter((e) => e.type === 'status')).toHaveLength(1);
    });
  });
}
