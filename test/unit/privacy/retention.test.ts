import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConversationRecord } from '../../../src/chat/chat-records.js';
import {
  type RetentionRepository,
  RetentionSweeper,
  type TenantRetention,
} from '../../../src/privacy/retention.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/store.js';

const DAY = 24 * 60 * 60 * 1000;

function setUp(tenants: TenantRetention[] = [{ tenantId: 'demo', deleteAfterDays: 45 }]) {
  const clock = new ManualClock();
  const store = createMemoryStore(clock);
  const sweeper = new RetentionSweeper({
    repository: store.retention,
    tenants,
    clock,
    logger: createLogger('silent'),
    intervalMs: DAY,
  });
  return { clock, store, sweeper };
}

/** An offline message left `daysAgo` days before `now`, its text saying so. */
function offlineMessage(store: Store, now: number, daysAgo: number): Promise<void> {
  return store.chat.offlineMessages.save({
    id: randomUUID(),
    tenantId: 'demo',
    visitorId: 'v',
    name: 'Kari Nordmann',
    email: 'kari@example.org',
    text: `${daysAgo} days ago`,
    redacted: false,
    createdAt: now - daysAgo * DAY,
  });
}

/** A conversation started `startedDaysAgo` days before `now`, closed `closedDaysAgo` days before it. */
async function conversation(
  store: Store,
  now: number,
  options: { tenantId?: string; startedDaysAgo: number; closedDaysAgo?: number },
): Promise<string> {
  const createdAt = now - options.startedDaysAgo * DAY;
  const record: ConversationRecord = {
    id: randomUUID(),
    tenantId: options.tenantId ?? 'demo',
    topic: 'general',
    status: 'queued',
    createdAt,
    updatedAt: createdAt,
    visitorId: 'visitor-1',
    participants: [{ kind: 'visitor', id: 'visitor-1', joinedAt: createdAt }],
    metadata: {},
    readMarkers: { visitor: 0, agent: 0 },
  };
  await store.chat.conversations.create(record);
  await store.chat.messages.append(record.tenantId, {
    id: randomUUID(),
    conversationId: record.id,
    from: 'visitor',
    text: 'Hello',
    at: createdAt,
    verified: false,
  });
  if (options.closedDaysAgo !== undefined) {
    const closedAt = now - options.closedDaysAgo * DAY;
    await store.chat.conversations.update(record.tenantId, record.id, (c) => ({
      ...c,
      status: 'closed',
      closedAt,
    }));
  }
  return record.id;
}

describe('RetentionSweeper', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('deletes what a tenant keeps no longer: closed longer ago than deleteAfterDays, or open and started so long ago', async () => {
    const { clock, store, sweeper } = setUp();
    const now = clock.now();
    const old = await conversation(store, now, { startedDaysAgo: 50, closedDaysAgo: 46 });
    const closedRecently = await conversation(store, now, { startedDaysAgo: 50, closedDaysAgo: 44 });
    const abandoned = await conversation(store, now, { startedDaysAgo: 46 });
    const open = await conversation(store, now, { startedDaysAgo: 1 });
    expect(await sweeper.sweep()).toEqual({ anonymised: 0, conversations: 2, offlineMessages: 0 });
    expect(await store.chat.conversations.get('demo', old)).toBeUndefined();
    expect(await store.chat.messages.list('demo', old)).toEqual([]);
    expect(await store.chat.conversations.get('demo', abandoned)).toBeUndefined();
    expect(await store.chat.conversations.get('demo', closedRecently)).toBeDefined();
    expect(await store.chat.messages.list('demo', open)).toHaveLength(1);
    // Two days later the one closed 44 days ago has had its 45.
    clock.advance(2 * DAY);
    expect(await sweeper.sweep()).toEqual({ anonymised: 0, conversations: 1, offlineMessages: 0 });
    expect(await store.chat.conversations.get('demo', closedRecently)).toBeUndefined();
    expect(await sweeper.sweep()).toEqual({ anonymised: 0, conversations: 0, offlineMessages: 0 });
  });

  it('applies each tenant’s own limit, and none to a tenant without deleteAfterDays', async () => {
    const { clock, store, sweeper } = setUp([
      { tenantId: 'demo', deleteAfterDays: 45 },
      { tenantId: 'short', deleteAfterDays: 7 },
      { tenantId: 'forever' },
    ]);
    const now = clock.now();
    const demo = await conversation(store, now, { startedDaysAgo: 10, closedDaysAgo: 10 });
    const short = await conversation(store, now, {
      tenantId: 'short',
      startedDaysAgo: 10,
      closedDaysAgo: 10,
    });
    const forever = await conversation(store, now, {
      tenantId: 'forever',
      startedDaysAgo: 900,
      closedDaysAgo: 900,
    });
    expect(await sweeper.sweep()).toEqual({ anonymised: 0, conversations: 1, offlineMessages: 0 });
    expect(await store.chat.conversations.get('short', short)).toBeUndefined();
    expect(await store.chat.conversations.get('demo', demo)).toBeDefined();
    expect(await store.chat.conversations.get('forever', forever)).toBeDefined();
  });

  it('anonymises after anonymiseAfterDays and deletes after deleteAfterDays, each once', async () => {
    const { clock, store, sweeper } = setUp([
      { tenantId: 'demo', anonymiseAfterDays: 90, deleteAfterDays: 365 },
    ]);
    const now = clock.now();
    const fresh = await conversation(store, now, { startedDaysAgo: 10, closedDaysAgo: 10 });
    const old = await conversation(store, now, { startedDaysAgo: 100, closedDaysAgo: 100 });
    const ancient = await conversation(store, now, { startedDaysAgo: 400, closedDaysAgo: 400 });
    // The ancient one is anonymised on the way and then deleted.
    expect(await sweeper.sweep()).toEqual({ anonymised: 2, conversations: 1, offlineMessages: 0 });
    expect(await store.chat.conversations.get('demo', ancient)).toBeUndefined();
    expect((await store.chat.conversations.get('demo', old))?.anonymisedAt).toBe(now);
    expect((await store.chat.messages.list('demo', old)).map((m) => m.text)).toEqual(['']);
    expect((await store.chat.messages.list('demo', fresh)).map((m) => m.text)).toEqual(['Hello']);
    expect(await sweeper.sweep()).toEqual({ anonymised: 0, conversations: 0, offlineMessages: 0 });
    clock.advance(81 * DAY);
    expect(await sweeper.sweep()).toEqual({ anonymised: 1, conversations: 0, offlineMessages: 0 });
    expect((await store.chat.conversations.get('demo', fresh))?.anonymisedAt).toBe(clock.now());
  });

  it('deletes offline messages left longer ago than the tenant keeps them', async () => {
    const { clock, store, sweeper } = setUp();
    for (const daysAgo of [46, 30]) await offlineMessage(store, clock.now(), daysAgo);
    expect(await sweeper.sweep()).toEqual({ anonymised: 0, conversations: 0, offlineMessages: 1 });
    expect((await store.chat.offlineMessages.list('demo', 10)).map((m) => m.text)).toEqual(['30 days ago']);
  });

  it.each([
    ['anonymised only (kept for ever otherwise)', { anonymiseAfterDays: 180 }],
    ['anonymised, then deleted a year later', { anonymiseAfterDays: 90, deleteAfterDays: 365 }],
  ])(
    'deletes offline messages when transcripts are %s, at anonymiseAfterDays: nothing of one would be left',
    async (_what, policy) => {
      const { clock, store, sweeper } = setUp([{ tenantId: 'demo', ...policy }]);
      const days = policy.anonymiseAfterDays;
      for (const daysAgo of [days + 1, days - 1]) await offlineMessage(store, clock.now(), daysAgo);
      expect((await sweeper.sweep()).offlineMessages).toBe(1);
      expect((await store.chat.offlineMessages.list('demo', 10)).map((m) => m.text)).toEqual([
        `${days - 1} days ago`,
      ]);
    },
  );

  it('sweeps the other tenants when one tenant’s store answers an error, and says so', async () => {
    const clock = new ManualClock();
    const store = createMemoryStore(clock);
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) } as never);
    const { retention } = store;
    const failing: RetentionRepository = {
      deleteConversation: (tenantId, id) => retention.deleteConversation(tenantId, id),
      deleteOfflineMessages: (tenantId, before) => retention.deleteOfflineMessages(tenantId, before),
      dueForAnonymising: (tenantId, before, limit) => retention.dueForAnonymising(tenantId, before, limit),
      anonymiseConversation: (tenantId, id, at) => retention.anonymiseConversation(tenantId, id, at),
      due: (tenantId: string, before: number, limit: number) =>
        tenantId === 'broken'
          ? Promise.reject(new TypeError('store answered an error'))
          : store.retention.due(tenantId, before, limit),
    };
    const sweeper = new RetentionSweeper({
      repository: failing,
      tenants: [
        { tenantId: 'broken', deleteAfterDays: 45 },
        { tenantId: 'demo', deleteAfterDays: 45 },
      ],
      clock,
      logger,
      intervalMs: DAY,
    });
    const old = await conversation(store, clock.now(), { startedDaysAgo: 60, closedDaysAgo: 50 });
    expect(await sweeper.sweep()).toEqual({ anonymised: 0, conversations: 1, offlineMessages: 0 });
    expect(await store.chat.conversations.get('demo', old)).toBeUndefined();
    expect(lines.join('')).toContain('retention sweep of a tenant failed');
    expect(lines.join('')).toContain('"tenant":"broken"');
  });

  it('deletes more conversations than one batch in one sweep, and joins a sweep already under way', async () => {
    const { clock, store, sweeper } = setUp();
    for (let i = 0; i < 250; i++)
      await conversation(store, clock.now(), { startedDaysAgo: 60, closedDaysAgo: 50 });
    const [first, second] = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    expect(first).toEqual({ anonymised: 0, conversations: 250, offlineMessages: 0 });
    expect(second).toBe(first);
    expect(await store.retention.due('demo', clock.now(), 10)).toEqual([]);
  });

  it('sweeps by itself after the first delay and then at every interval, until stopped', async () => {
    vi.useFakeTimers();
    const { clock, store, sweeper } = setUp();
    const sweep = vi.spyOn(sweeper, 'sweep');
    sweeper.start(60_000);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(sweep).not.toHaveBeenCalled();
    await conversation(store, clock.now(), { startedDaysAgo: 60, closedDaysAgo: 50 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sweep).toHaveBeenCalledTimes(1);
    expect(await store.retention.due('demo', clock.now(), 10)).toEqual([]);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(sweep).toHaveBeenCalledTimes(2);
    await sweeper.stop();
    await vi.advanceTimersByTimeAsync(3 * DAY);
    expect(sweep).toHaveBeenCalledTimes(2);
  });
});
