import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConversationRecord, MessageRecord, OfflineMessageRecord } from '../../src/chat/chat-records.js';
import type { Store } from '../../src/store/store.js';
import { consentReceipt, conversationRecord, visitorMessageDraft } from './records.js';

/**
 * The behaviour every `Store` implementation must have, written once and run against each
 * (`test/unit/store/memory-store.test.ts`, `test/integration/store/redis-store.test.ts`).
 * `create` returns a fresh, empty store for each test.
 */
export function describeStoreContract(name: string, create: () => Promise<Store>): void {
  describe(`${name}: the Store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await create();
    });

    const conversation = conversationRecord;
    const offlineMessage = (tenantId: string, createdAt: number): OfflineMessageRecord => ({
      id: randomUUID(),
      tenantId,
      visitorId: 'v',
      name: 'Kari',
      email: 'kari@example.org',
      text: `at ${createdAt}`,
      redacted: false,
      createdAt,
    });

    describe('receipts', () => {
      it('returns a saved receipt by id, and nothing for an unknown id', async () => {
        const saved = consentReceipt();
        await store.receipts.save(saved);
        expect(await store.receipts.get(saved.tenantId, saved.id)).toEqual(saved);
        expect(await store.receipts.get('demo', randomUUID())).toBeUndefined();
        expect(await store.receipts.get('other', saved.id)).toBeUndefined();
      });

      it('lists a subject’s receipts of one tenant only', async () => {
        const mine = [
          consentReceipt({ issuedAt: 1 }),
          consentReceipt({ decision: 'withdrawn', issuedAt: 2 }),
        ];
        for (const r of [
          ...mine,
          consentReceipt({ subjectIndex: 'index-b' }),
          consentReceipt({ tenantId: 'other' }),
        ])
          await store.receipts.save(r);
        const listed = await store.receipts.listBySubject('demo', 'index-a');
        expect(listed.map((r) => r.id).sort()).toEqual(mine.map((r) => r.id).sort());
      });
    });

    describe('conversations', () => {
      it('keeps a created conversation and refuses a second one with the same id', async () => {
        const c = conversation();
        await store.chat.conversations.create(c);
        expect(await store.chat.conversations.get(c.tenantId, c.id)).toEqual(c);
        await expect(store.chat.conversations.create(c)).rejects.toThrow();
        expect(await store.chat.conversations.get('demo', randomUUID())).toBeUndefined();
      });

      it('stores a queued conversation with maxQueued only while its queue is shorter, all at once or not at all', async () => {
        const topic = `bounded-${randomUUID()}`;
        const started = Array.from({ length: 5 }, () => conversation({ topic }));
        const stored = await Promise.all(
          started.map((c) => store.chat.conversations.create(c, { maxQueued: 2 })),
        );
        expect(stored.filter((outcome) => outcome === 'created')).toHaveLength(2);
        expect(stored.filter((outcome) => outcome === 'queue_full')).toHaveLength(3);
        expect(await store.chat.conversations.listQueued('demo', topic)).toHaveLength(2);
        for (const [i, c] of started.entries())
          expect(await store.chat.conversations.get(c.tenantId, c.id)).toEqual(
            stored[i] === 'created' ? c : undefined,
          );
        // Without the bound nothing is refused.
        expect(await store.chat.conversations.create(conversation({ topic }))).toBe('created');
      });

      it('hands out records that cannot change what is stored (copies, or frozen records)', async () => {
        const c = conversation();
        await store.chat.conversations.create(c);
        const got = await store.chat.conversations.get(c.tenantId, c.id);
        if (!got) throw new Error('missing');
        try {
          got.status = 'closed';
          got.participants.push({ kind: 'agent', id: 'a', joinedAt: 1 });
        } catch (error) {
          // The memory store hands out its frozen record itself: a change is refused outright.
          expect(error).toBeInstanceOf(TypeError);
        }
        expect(await store.chat.conversations.get(c.tenantId, c.id)).toEqual(c);
      });

      it('applies an update and returns the stored record; undefined leaves it unchanged', async () => {
        const c = conversation();
        await store.chat.conversations.create(c);
        const updated = await store.chat.conversations.update(c.tenantId, c.id, (cur) => ({
          ...cur,
          updatedAt: 5,
        }));
        expect(updated?.updatedAt).toBe(5);
        expect(await store.chat.conversations.update(c.tenantId, c.id, () => undefined)).toEqual(updated);
        expect(await store.chat.conversations.get(c.tenantId, c.id)).toEqual(updated);
      });

      it('answers undefined when updating an unknown conversation, and refuses to change an id', async () => {
        expect(await store.chat.conversations.update('demo', randomUUID(), (cur) => cur)).toBeUndefined();
        const c = conversation();
        await store.chat.conversations.create(c);
        await expect(
          store.chat.conversations.update(c.tenantId, c.id, (cur) => ({ ...cur, id: randomUUID() })),
        ).rejects.toThrow(TypeError);
        expect(await store.chat.conversations.get(c.tenantId, c.id)).toEqual(c);
      });

      it('a conversation is not found under another tenant', async () => {
        const c = conversation({ status: 'assigned', assignedTo: { subject: 'agent-1', name: 'Alex' } });
        await store.chat.conversations.create(c);
        await store.chat.messages.append(c.tenantId, {
          ...visitorMessageDraft(c.id, 'mine'),
          clientId: 'k1',
        });
        await store.chat.textTails.set(c.tenantId, c.id, ' 1234');
        const { conversations, messages, textTails } = store.chat;
        expect(await conversations.get('other', c.id)).toBeUndefined();
        expect(
          await (conversations.recent ?? conversations.get).call(conversations, 'other', c.id),
        ).toBeUndefined();
        let changed = false;
        const update = await conversations.update('other', c.id, (cur) => {
          changed = true;
          return { ...cur, topic: 'elsewhere' };
        });
        expect([update, changed]).toEqual([undefined, false]);
        // Neither a new message nor a resend of a stored one's client id reaches it.
        for (const attempt of [
          visitorMessageDraft(c.id, 'intruder'),
          { ...visitorMessageDraft(c.id, 'resend'), clientId: 'k1' },
        ])
          await expect(messages.append('other', attempt)).rejects.toMatchObject({
            code: 'conversation_not_found',
          });
        expect(
          await messages.appendIf('other', visitorMessageDraft(c.id, 'intruder'), { conversation: c }),
        ).toEqual({
          stale: true,
        });
        expect(await messages.list('other', c.id)).toEqual([]);
        expect(await textTails.get('other', c.id)).toBe('');
        expect(await conversations.listAssigned('other')).toEqual([]);
        expect(await conversations.listOpenByVisitor('other', c.visitorId)).toEqual([]);
        // Its own tenant has it as it was.
        expect(await conversations.get(c.tenantId, c.id)).toEqual(c);
        expect((await messages.list(c.tenantId, c.id)).map((m) => m.text)).toEqual(['mine']);
        expect(await textTails.get(c.tenantId, c.id)).toBe(' 1234');
      });

      it('loses no concurrent update (each sees the result of the others)', async () => {
        const c = conversation();
        await store.chat.conversations.create(c);
        await Promise.all(
          Array.from({ length: 20 }, () =>
            store.chat.conversations.update(c.tenantId, c.id, (cur) => ({
              ...cur,
              readMarkers: { ...cur.readMarkers, agent: cur.readMarkers.agent + 1 },
            })),
          ),
        );
        expect((await store.chat.conversations.get(c.tenantId, c.id))?.readMarkers.agent).toBe(20);
      });

      it('lists a topic’s queue oldest first, per tenant and topic, and drops what left it', async () => {
        const older = conversation({ createdAt: 1 });
        const newer = conversation({ createdAt: 2 });
        for (const c of [
          newer,
          older,
          conversation({ topic: 'tax-case' }),
          conversation({ tenantId: 'other' }),
          conversation({ status: 'closed' }),
        ])
          await store.chat.conversations.create(c);
        expect((await store.chat.conversations.listQueued('demo', 'general')).map((c) => c.id)).toEqual([
          older.id,
          newer.id,
        ]);
        await store.chat.conversations.update(older.tenantId, older.id, (cur) => ({
          ...cur,
          status: 'assigned',
          assignedTo: { subject: 'agent-1', name: 'Agent' },
        }));
        expect((await store.chat.conversations.listQueued('demo', 'general')).map((c) => c.id)).toEqual([
          newer.id,
        ]);
        expect((await store.chat.conversations.listAssigned('demo', 'agent-1')).map((c) => c.id)).toEqual([
          older.id,
        ]);
        expect(await store.chat.conversations.listAssigned('demo', 'agent-2')).toEqual([]);
        expect(await store.chat.conversations.listAssigned('other', 'agent-1')).toEqual([]);
        // Without an agent: the tenant's conversations assigned to anyone (the supervisors' list).
        expect((await store.chat.conversations.listAssigned('demo')).map((c) => c.id)).toEqual([older.id]);
        expect(await store.chat.conversations.listAssigned('other')).toEqual([]);
      });

      it('moves a conversation between lists as it is claimed, transferred and claimed by another', async () => {
        const c = conversation({ createdAt: 1 });
        await store.chat.conversations.create(c);
        const ids = async () => ({
          general: (await store.chat.conversations.listQueued('demo', 'general')).map((r) => r.id),
          tax: (await store.chat.conversations.listQueued('demo', 'tax-case')).map((r) => r.id),
          first: (await store.chat.conversations.listAssigned('demo', 'agent-1')).map((r) => r.id),
          second: (await store.chat.conversations.listAssigned('demo', 'agent-2')).map((r) => r.id),
          anyAgent: (await store.chat.conversations.listAssigned('demo')).map((r) => r.id),
          open: (await store.chat.conversations.listOpenByVisitor('demo', 'visitor-1')).map((r) => r.id),
        });
        const claim = (subject: string) =>
          store.chat.conversations.update(c.tenantId, c.id, (cur) => ({
            ...cur,
            status: 'assigned',
            assignedTo: { subject, name: subject },
          }));
        await claim('agent-1');
        expect(await ids()).toEqual({
          general: [],
          tax: [],
          first: [c.id],
          second: [],
          anyAgent: [c.id],
          open: [c.id],
        });
        await store.chat.conversations.update(c.tenantId, c.id, ({ assignedTo: _gone, ...cur }) => ({
          ...cur,
          status: 'queued',
          topic: 'tax-case',
        }));
        expect(await ids()).toEqual({
          general: [],
          tax: [c.id],
          first: [],
          second: [],
          anyAgent: [],
          open: [c.id],
        });
        await claim('agent-2');
        expect(await ids()).toEqual({
          general: [],
          tax: [],
          first: [],
          second: [c.id],
          anyAgent: [c.id],
          open: [c.id],
        });
        // An update that changes nothing leaves the lists as they are.
        await store.chat.conversations.update(c.tenantId, c.id, () => undefined);
        expect((await ids()).second).toEqual([c.id]);
      });

      it('lists a visitor’s open conversations and forgets closed ones', async () => {
        const a = conversation({ createdAt: 1 });
        const b = conversation({ createdAt: 2, status: 'assigned', assignedTo: { subject: 's', name: 'n' } });
        for (const c of [b, a, conversation({ visitorId: 'visitor-2' }), conversation({ tenantId: 'x' })])
          await store.chat.conversations.create(c);
        expect(
          (await store.chat.conversations.listOpenByVisitor('demo', 'visitor-1')).map((c) => c.id),
        ).toEqual([a.id, b.id]);
        await store.chat.conversations.update(b.tenantId, b.id, (cur) => ({
          ...cur,
          status: 'closed',
          closedAt: 3,
        }));
        expect(
          (await store.chat.conversations.listOpenByVisitor('demo', 'visitor-1')).map((c) => c.id),
        ).toEqual([a.id]);
        expect(await store.chat.conversations.listAssigned('demo', 's')).toEqual([]);
        expect(await store.chat.conversations.listAssigned('demo')).toEqual([]);
      });

      it('lists a citizen’s conversations by blind index, open or closed, after a withdrawal too, until anonymised or deleted', async () => {
        const identity = { sealed: 'v1.x.y', subjectIndex: 'index-a', since: 1 };
        const kept = conversation({ createdAt: 1, identity, subjects: ['index-a'] });
        const closed = conversation({ createdAt: 2, status: 'closed', closedAt: 3, subjects: ['index-a'] });
        const anonymised = conversation({ createdAt: 3, identity, subjects: ['index-a'] });
        const deleted = conversation({ createdAt: 4, subjects: ['index-b', 'index-a'] });
        const others = [
          conversation({ subjects: ['index-b'] }),
          conversation({ tenantId: 'x', subjects: ['index-a'] }),
          conversation(),
        ];
        for (const c of [deleted, anonymised, closed, kept, ...others])
          await store.chat.conversations.create(c);
        const listed = async (index = 'index-a') =>
          (await store.chat.conversations.listBySubject('demo', index)).map((c) => c.id);
        expect(await listed()).toEqual([kept.id, closed.id, anonymised.id, deleted.id]);
        // Shared into a conversation already under way: listed from then on.
        const later = conversation({ createdAt: 5 });
        await store.chat.conversations.create(later);
        await store.chat.conversations.update(later.tenantId, later.id, (cur) => ({
          ...cur,
          identity,
          subjects: ['index-a'],
        }));
        expect(await listed()).toEqual([kept.id, closed.id, anonymised.id, deleted.id, later.id]);
        await store.retention.deleteConversation('demo', later.id);
        // Withdrawn: the identity goes, the messages written while verified are still theirs.
        await store.chat.conversations.update(kept.tenantId, kept.id, ({ identity: _gone, ...cur }) => cur);
        await store.chat.conversations.update(kept.tenantId, kept.id, (cur) => ({
          ...cur,
          status: 'closed',
          closedAt: 5,
        }));
        await store.retention.anonymiseConversation('demo', anonymised.id, 6);
        await store.retention.deleteConversation('demo', deleted.id);
        expect(await listed()).toEqual([kept.id, closed.id]);
        expect(await listed('index-b')).toEqual([others[0]?.id]);
        expect(await store.chat.conversations.listBySubject('demo', 'index-c')).toEqual([]);
        expect(
          (await store.chat.conversations.get(anonymised.tenantId, anonymised.id))?.subjects,
        ).toBeUndefined();
      });
    });

    describe('queue places (maxQueuedPerVisitor, maxQueuedPerAddress)', () => {
      const bounds = { maxQueued: 100, perVisitor: 2, perNetwork: 3 };
      /** A queued conversation of its own visitor from `network` (a blind index as the service makes it). */
      const from = (network: string | undefined, overrides: Partial<ConversationRecord> = {}) => {
        const visitorId = `visitor-${randomUUID()}`;
        return conversation({
          visitorId,
          participants: [{ kind: 'visitor', id: visitorId, joinedAt: 1_000 }],
          ...(network === undefined ? {} : { networkIndex: network }),
          ...overrides,
        });
      };
      const create = (c: ConversationRecord) => store.chat.conversations.create(c, bounds);
      /** Fills `network`'s places, in `topic`s taken in turn; the conversations stored. */
      const fill = async (network: string, topics = ['general']) => {
        const stored: ConversationRecord[] = [];
        for (let i = 0; i < bounds.perNetwork; i++) {
          const c = from(network, { topic: topics[i % topics.length] ?? 'general' });
          expect(await create(c)).toBe('created');
          stored.push(c);
        }
        return stored;
      };
      const refusesAnother = async (network: string) => {
        const refused = from(network);
        expect(await create(refused)).toBe('too_many_queued');
        expect(await store.chat.conversations.get(refused.tenantId, refused.id)).toBeUndefined();
      };
      const takesAnother = async (network: string) => {
        expect(await create(from(network))).toBe('created');
      };

      it("refuses one network's conversation beyond its bound over all the tenant's topics, storing nothing; other networks and tenants still get in", async () => {
        const network = `net-${randomUUID()}`;
        await fill(network, ['general', 'billing', 'schools']);
        await refusesAnother(network);
        expect(await create(from(network, { topic: 'other-topic' }))).toBe('too_many_queued');
        await takesAnother(`net-${randomUUID()}`);
        expect(await create(from(network, { tenantId: 'other' }))).toBe('created');
        expect(await store.chat.conversations.listQueued('demo', 'general')).toHaveLength(2);
      });

      it("refuses one visitor's conversation beyond its bound, from any network or none", async () => {
        const visitor = (topic: string, network?: string) =>
          conversation({ topic, ...(network === undefined ? {} : { networkIndex: network }) });
        expect(await create(visitor('general', 'net-a'))).toBe('created');
        expect(await create(visitor('billing'))).toBe('created');
        expect(await create(visitor('schools', 'net-b'))).toBe('too_many_queued');
        expect(await create(visitor('schools'))).toBe('too_many_queued');
      });

      it('bounds only the visitor of a conversation whose address is unknown', async () => {
        for (let i = 0; i < bounds.perNetwork + 2; i++) expect(await create(from(undefined))).toBe('created');
      });

      it('answers queue_full before the network is counted, and without bounds refuses nothing', async () => {
        const network = `net-${randomUUID()}`;
        const topic = `short-${randomUUID()}`;
        expect(await store.chat.conversations.create(from(network, { topic }), { maxQueued: 1 })).toBe(
          'created',
        );
        expect(await store.chat.conversations.create(from(network, { topic }), { maxQueued: 1 })).toBe(
          'queue_full',
        );
        for (let i = 0; i < bounds.perNetwork; i++)
          expect(await store.chat.conversations.create(from(network))).toBe('created');
      });

      it('applies the visitor and network bounds only once the topic’s queue holds sharedFrom', async () => {
        const shared = { maxQueued: 10, sharedFrom: 5, perVisitor: 1, perNetwork: 2 };
        const network = `net-${randomUUID()}`;
        const topic = `busy-${randomUUID()}`;
        const visitorId = `visitor-${randomUUID()}`;
        const own = (overrides: Partial<ConversationRecord>) =>
          from(network, {
            visitorId,
            participants: [{ kind: 'visitor', id: visitorId, joinedAt: 1_000 }],
            ...overrides,
          });
        // Room for everyone: one network, and one visitor in two topics, take more than their bound.
        for (let i = 0; i < 4; i++)
          expect(await store.chat.conversations.create(from(network, { topic }), shared)).toBe('created');
        expect(await store.chat.conversations.create(own({ topic }), shared)).toBe('created');
        expect(await store.chat.conversations.create(own({ topic: `calm-${randomUUID()}` }), shared)).toBe(
          'created',
        );
        // Half full: beyond its share the network, and the visitor, wait no more; others do.
        const refused = from(network, { topic });
        expect(await store.chat.conversations.create(refused, shared)).toBe('too_many_queued');
        expect(await store.chat.conversations.get(refused.tenantId, refused.id)).toBeUndefined();
        expect(await store.chat.conversations.create(own({ topic }), shared)).toBe('too_many_queued');
        expect(await store.chat.conversations.create(from(`net-${randomUUID()}`, { topic }), shared)).toBe(
          'created',
        );
        expect(await store.chat.conversations.listQueued('demo', topic)).toHaveLength(6);
      });

      it('never lets conversations of one network started at the same moment pass its bound', async () => {
        const network = `net-${randomUUID()}`;
        const started = Array.from({ length: 20 }, (_, i) =>
          from(network, { topic: i % 2 === 0 ? 'general' : 'billing' }),
        );
        const outcomes = await Promise.all(started.map(create));
        expect(outcomes.filter((o) => o === 'created')).toHaveLength(bounds.perNetwork);
        expect(outcomes.filter((o) => o === 'too_many_queued')).toHaveLength(20 - bounds.perNetwork);
        const queued = [
          ...(await store.chat.conversations.listQueued('demo', 'general')),
          ...(await store.chat.conversations.listQueued('demo', 'billing')),
        ];
        expect(queued).toHaveLength(bounds.perNetwork);
      });

      const exits: Array<[string, (c: ConversationRecord) => Promise<unknown>]> = [
        [
          'claimed by an agent',
          (c) =>
            store.chat.conversations.update(c.tenantId, c.id, (r) => ({
              ...r,
              status: 'assigned',
              assignedTo: { subject: 'agent-1', name: 'Agent' },
            })),
        ],
        [
          'closed (by its visitor, or as abandoned)',
          (c) =>
            store.chat.conversations.update(c.tenantId, c.id, (r) => ({
              ...r,
              status: 'closed',
              closedAt: 2_000,
            })),
        ],
        [
          'deleted (staff, the citizen’s erasure, retention)',
          (c) => store.retention.deleteConversation(c.tenantId, c.id),
        ],
        ['anonymised by retention', (c) => store.retention.anonymiseConversation(c.tenantId, c.id, 2_000)],
      ];
      for (const [exit, leave] of exits) {
        it(`frees a place the moment its conversation leaves the queue: ${exit}`, async () => {
          const network = `net-${randomUUID()}`;
          const [first] = await fill(network);
          if (!first) throw new Error('none stored');
          await refusesAnother(network);
          await leave(first);
          await takesAnother(network);
          await refusesAnother(network);
        });
      }

      it('counts a conversation again once it is transferred back into a queue (the transfer itself is never refused)', async () => {
        const network = `net-${randomUUID()}`;
        const [first, second] = await fill(network);
        if (!first || !second) throw new Error('none stored');
        await store.chat.conversations.update(first.tenantId, first.id, (r) => ({
          ...r,
          status: 'assigned',
          assignedTo: { subject: 'agent-1', name: 'Agent' },
        }));
        await takesAnother(network);
        const back = await store.chat.conversations.update(first.tenantId, first.id, (r) => {
          const { assignedTo: _dropped, ...rest } = r;
          return { ...rest, status: 'queued', topic: 'billing', requeuedAt: 3_000 };
        });
        expect(back?.status).toBe('queued');
        await refusesAnother(network);
        // Four wait now, one over the bound: out again (claimed from its new queue), three still
        // do, and only once another leaves is there a place.
        const claim = (id: string) =>
          store.chat.conversations.update('demo', id, (r) => ({
            ...r,
            status: 'assigned',
            assignedTo: { subject: 'agent-2', name: 'Agent' },
          }));
        await claim(first.id);
        await refusesAnother(network);
        await claim(second.id);
        await takesAnother(network);
      });

      it('keeps reading, queueing and letting agents claim a conversation stored without a network (an earlier version’s), which counts for its visitor only', async () => {
        const network = `net-${randomUUID()}`;
        const earlier = conversation({ visitorId: 'visitor-old' });
        expect(await store.chat.conversations.create(earlier)).toBe('created');
        await fill(network);
        expect((await store.chat.conversations.listQueued('demo', 'general')).map((c) => c.id)).toContain(
          earlier.id,
        );
        const claimed = await store.chat.conversations.update(earlier.tenantId, earlier.id, (r) => ({
          ...r,
          status: 'assigned',
          assignedTo: { subject: 'agent-1', name: 'Agent' },
        }));
        expect(claimed?.status).toBe('assigned');
        await refusesAnother(network);
      });
    });

    describe('messages', () => {
      /** A conversation's id, created in the store (messages belong to a stored conversation). */
      const started = async (): Promise<string> => {
        const c = conversation();
        await store.chat.conversations.create(c);
        return c.id;
      };

      it('refuses a message to a conversation not (or no longer) stored, and keeps nothing of it', async () => {
        const gone = randomUUID();
        await expect(
          store.chat.messages.append('demo', visitorMessageDraft(gone, 'late')),
        ).rejects.toMatchObject({
          code: 'conversation_not_found',
        });
        expect(await store.chat.messages.list('demo', gone)).toEqual([]);
        // Deleted between a read and the append (a system line racing a deletion).
        const id = await started();
        await store.chat.messages.append('demo', visitorMessageDraft(id, 'first'));
        await store.retention.deleteConversation('demo', id);
        await expect(
          store.chat.messages.append('demo', visitorMessageDraft(id, 'after')),
        ).rejects.toMatchObject({
          code: 'conversation_not_found',
        });
        expect(await store.chat.messages.list('demo', id)).toEqual([]);
        const next = await started();
        expect(
          (await store.chat.messages.append('demo', visitorMessageDraft(next, 'fresh'))).message.seq,
        ).toBe(1);
      });

      it('numbers messages 1, 2, 3 per conversation and lists those after a seq, in order', async () => {
        const [a, b] = [await started(), await started()];
        for (const text of ['one', 'two', 'three'])
          await store.chat.messages.append('demo', visitorMessageDraft(a, text));
        await store.chat.messages.append('demo', visitorMessageDraft(b, 'other'));
        expect((await store.chat.messages.list('demo', a)).map((m) => [m.seq, m.text])).toEqual([
          [1, 'one'],
          [2, 'two'],
          [3, 'three'],
        ]);
        expect((await store.chat.messages.list('demo', a, 1)).map((m) => m.text)).toEqual(['two', 'three']);
        expect(await store.chat.messages.list('demo', a, 3)).toEqual([]);
        // At most `limit`, from the first after `afterSeq`.
        expect((await store.chat.messages.list('demo', a, 0, 2)).map((m) => m.text)).toEqual(['one', 'two']);
        expect((await store.chat.messages.list('demo', a, 1, 1)).map((m) => m.text)).toEqual(['two']);
        expect(await store.chat.messages.list('demo', a, 3, 1)).toEqual([]);
        expect((await store.chat.messages.list('demo', b)).map((m) => m.seq)).toEqual([1]);
        expect(await store.chat.messages.list('demo', randomUUID())).toEqual([]);
      });

      it('stores a message once per author and client id and returns the earlier one for a resend', async () => {
        const id = await started();
        const withClientId = (text: string, clientId: string, author: Partial<MessageRecord> = {}) => ({
          ...visitorMessageDraft(id, text),
          clientId,
          ...author,
        });
        const first = await store.chat.messages.append('demo', withClientId('hello', 'c1'));
        const again = await store.chat.messages.append('demo', withClientId('hello (resent)', 'c1'));
        expect(first.duplicate).toBe(false);
        expect(again).toEqual({ message: first.message, duplicate: true });
        const other = await store.chat.messages.append('demo', withClientId('next', 'c2'));
        expect(other.message.seq).toBe(2);
        // Another participant (an agent, another visitor) reusing the client id is another message.
        const agent = await store.chat.messages.append(
          'demo',
          withClientId('agent', 'c1', { from: 'agent', authorId: 'agent-1' }),
        );
        const visitor = await store.chat.messages.append(
          'demo',
          withClientId('other visitor', 'c1', { authorId: 'v2' }),
        );
        expect([agent.duplicate, visitor.duplicate]).toEqual([false, false]);
        // Without a client id nothing is deduplicated.
        await store.chat.messages.append('demo', visitorMessageDraft(id, 'plain'));
        await store.chat.messages.append('demo', visitorMessageDraft(id, 'plain'));
        expect((await store.chat.messages.list('demo', id)).map((m) => m.text)).toEqual([
          'hello',
          'next',
          'agent',
          'other visitor',
          'plain',
          'plain',
        ]);
      });

      it('keeps every field of a message as written', async () => {
        const id = await started();
        const written = {
          ...visitorMessageDraft(id, 'x'),
          authorName: 'Agent A',
          clientId: 'c9',
          redacted: true,
          verified: true,
        };
        const { message } = await store.chat.messages.append('demo', written);
        expect(message).toEqual({ ...written, seq: 1 });
        expect(await store.chat.messages.list('demo', id)).toEqual([message]);
      });

      it('gives concurrent appends distinct, gap-free seqs and stores concurrent resends once', async () => {
        const id = await started();
        const results = await Promise.all([
          ...Array.from({ length: 30 }, (_, i) =>
            store.chat.messages.append('demo', visitorMessageDraft(id, `m${i}`)),
          ),
          ...Array.from({ length: 5 }, () =>
            store.chat.messages.append('demo', { ...visitorMessageDraft(id, 'same'), clientId: 'k' }),
          ),
        ]);
        const stored = await store.chat.messages.list('demo', id);
        expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
        expect(results.filter((r) => !r.duplicate)).toHaveLength(31);
      });
    });

    describe('transcript audit', () => {
      it('lists a tenant’s entries in order, and one conversation’s alone', async () => {
        const entry = (tenantId: string, conversationId: string, id: string) => ({
          id,
          tenantId,
          conversationId,
          reader: { subject: 's', name: 'Siri' },
          role: 'supervisor',
          at: 1,
        });
        const [a, b] = [randomUUID(), randomUUID()];
        await store.chat.transcriptReads.append(entry('demo', a, 'r1'));
        await store.chat.transcriptReads.append(entry('demo', b, 'r2'));
        await store.chat.transcriptReads.append({
          ...entry('demo', a, 'r3'),
          action: 'delete',
          reason: 'why',
        });
        await store.chat.transcriptReads.append(entry('other', a, 'r4'));
        const ids = (entries: Array<{ id: string }>) => entries.map((e) => e.id);
        expect(ids(await store.chat.transcriptReads.list('demo'))).toEqual(['r1', 'r2', 'r3']);
        expect(await store.chat.transcriptReads.list('demo', a)).toEqual([
          entry('demo', a, 'r1'),
          { ...entry('demo', a, 'r3'), action: 'delete', reason: 'why' },
        ]);
        expect(ids(await store.chat.transcriptReads.list('other', a))).toEqual(['r4']);
        expect(await store.chat.transcriptReads.list('demo', randomUUID())).toEqual([]);
      });

      it('finds the deletions and erasures of a data subject’s conversations by their blind index', async () => {
        const entry = (tenantId: string, id: string) => ({
          id,
          tenantId,
          conversationId: randomUUID(),
          reader: { subject: 's', name: 'Ada' },
          role: 'admin',
          at: 1,
          action: 'delete' as const,
          reason: 'why',
        });
        const deleted = entry('demo', 'd1');
        await store.chat.transcriptReads.append(deleted, ['ix-kari', 'ix-ola']);
        await store.chat.transcriptReads.append(entry('demo', 'd2'), ['ix-ola']);
        await store.chat.transcriptReads.append(entry('demo', 'd3'));
        await store.chat.transcriptReads.append(entry('other', 'd4'), ['ix-kari']);
        await store.chat.transcriptReads.append({ ...entry('demo', 'e1'), action: 'erase' }, ['ix-kari']);
        const ids = (entries: Array<{ id: string }>) => entries.map((e) => e.id);
        expect(await store.chat.transcriptReads.listDeletionsOf('demo', 'ix-kari')).toEqual([
          deleted,
          expect.objectContaining({ id: 'e1', action: 'erase' }),
        ]);
        expect(ids(await store.chat.transcriptReads.listDeletionsOf('demo', 'ix-ola'))).toEqual(['d1', 'd2']);
        expect(ids(await store.chat.transcriptReads.listDeletionsOf('other', 'ix-kari'))).toEqual(['d4']);
        expect(await store.chat.transcriptReads.listDeletionsOf('demo', 'ix-none')).toEqual([]);
      });
    });

    describe('offline messages', () => {
      it('lists a tenant’s offline messages newest first, at most `limit`', async () => {
        for (const createdAt of [3, 1, 2])
          await store.chat.offlineMessages.save(offlineMessage('demo', createdAt));
        await store.chat.offlineMessages.save(offlineMessage('other', 9));
        expect((await store.chat.offlineMessages.list('demo', 2)).map((m) => m.text)).toEqual([
          'at 3',
          'at 2',
        ]);
        expect(await store.chat.offlineMessages.list('demo', 10)).toHaveLength(3);
      });

      it('finds and deletes the offline messages a data subject left while identified, and no other', async () => {
        const of = (tenantId: string, createdAt: number, subjectIndex?: string) => ({
          ...offlineMessage(tenantId, createdAt),
          ...(subjectIndex ? { subjectIndex } : {}),
        });
        const kari = [of('demo', 20, 'ix-kari'), of('demo', 10, 'ix-kari')];
        for (const m of [...kari, of('demo', 15, 'ix-ola'), of('demo', 12), of('other', 11, 'ix-kari')])
          await store.chat.offlineMessages.save(m);
        expect(
          (await store.chat.offlineMessages.listBySubject('demo', 'ix-kari')).map((m) => m.text),
        ).toEqual(['at 10', 'at 20']);
        expect((await store.chat.offlineMessages.deleteBySubject('demo', 'ix-kari')).sort()).toEqual(
          kari.map((m) => m.id).sort(),
        );
        expect(await store.chat.offlineMessages.listBySubject('demo', 'ix-kari')).toEqual([]);
        expect(await store.chat.offlineMessages.deleteBySubject('demo', 'ix-kari')).toEqual([]);
        expect((await store.chat.offlineMessages.list('demo', 10)).map((m) => m.text)).toEqual([
          'at 15',
          'at 12',
        ]);
        expect(await store.chat.offlineMessages.listBySubject('other', 'ix-kari')).toHaveLength(1);
      });

      it('finds one offline message of its tenant by id and deletes it alone, once', async () => {
        const [kept, gone] = [offlineMessage('demo', 1), offlineMessage('demo', 2)];
        const elsewhere = { ...offlineMessage('other', 3), id: gone.id };
        for (const m of [kept, gone, elsewhere]) await store.chat.offlineMessages.save(m);
        expect(await store.chat.offlineMessages.get('demo', gone.id)).toEqual(gone);
        expect(await store.chat.offlineMessages.get('demo', 'unknown')).toBeUndefined();
        expect(await store.chat.offlineMessages.delete('demo', gone.id)).toBe(true);
        expect(await store.chat.offlineMessages.delete('demo', gone.id)).toBe(false);
        expect(await store.chat.offlineMessages.get('demo', gone.id)).toBeUndefined();
        expect((await store.chat.offlineMessages.list('demo', 10)).map((m) => m.id)).toEqual([kept.id]);
        // The same id in another tenant is another tenant's.
        expect(await store.chat.offlineMessages.get('other', gone.id)).toEqual(elsewhere);
      });

      it('marks an offline message handled once, keeping the first marker, and reopens it', async () => {
        const message = offlineMessage('demo', 5);
        const elsewhere = { ...offlineMessage('other', 6), id: message.id };
        for (const m of [message, elsewhere]) await store.chat.offlineMessages.save(m);
        const offline = store.chat.offlineMessages;
        const first = await offline.mark('demo', message.id, { by: 'Agent Aino', at: 100 });
        expect(first).toEqual({
          message: { ...message, handled: { by: 'Agent Aino', at: 100 } },
          changed: true,
        });
        // Marked again (another agent, a resend): the first marker stays.
        expect(await offline.mark('demo', message.id, { by: 'Agent Bo', at: 200 })).toEqual({
          message: { ...message, handled: { by: 'Agent Aino', at: 100 } },
          changed: false,
        });
        expect(await offline.get('demo', message.id)).toEqual({
          ...message,
          handled: { by: 'Agent Aino', at: 100 },
        });
        expect((await offline.list('demo', 10))[0]?.handled).toEqual({ by: 'Agent Aino', at: 100 });
        // The other tenant's message of the same id is untouched.
        expect(await offline.get('other', message.id)).toEqual(elsewhere);
        expect(await offline.mark('demo', message.id, null)).toEqual({ message, changed: true });
        expect(await offline.mark('demo', message.id, null)).toEqual({ message, changed: false });
        expect(await offline.get('demo', message.id)).toEqual(message);
        expect(await offline.list('demo', 10)).toEqual([message]);
      });

      it('marks no offline message it does not have, and writes none back once deleted', async () => {
        const message = offlineMessage('demo', 5);
        await store.chat.offlineMessages.save(message);
        const offline = store.chat.offlineMessages;
        expect(await offline.mark('demo', 'unknown', { by: 'A', at: 1 })).toBeUndefined();
        expect(await offline.mark('other', message.id, { by: 'A', at: 1 })).toBeUndefined();
        await offline.mark('demo', message.id, { by: 'A', at: 1 });
        // Deleted with its marker on (a new member on Redis): gone whole.
        expect(await offline.delete('demo', message.id)).toBe(true);
        expect(await offline.mark('demo', message.id, { by: 'A', at: 2 })).toBeUndefined();
        expect(await offline.mark('demo', message.id, null)).toBeUndefined();
        expect(await offline.list('demo', 10)).toEqual([]);
      });

      it('erases and expires marked offline messages like any other', async () => {
        const offline = store.chat.offlineMessages;
        const kari = { ...offlineMessage('demo', 10), subjectIndex: 'ix-kari' };
        const old = offlineMessage('demo', 20);
        for (const m of [kari, old]) await offline.save(m);
        for (const m of [kari, old]) await offline.mark('demo', m.id, { by: 'A', at: 30 });
        expect((await offline.listBySubject('demo', 'ix-kari'))[0]?.handled).toEqual({ by: 'A', at: 30 });
        expect(await offline.deleteBySubject('demo', 'ix-kari')).toEqual([kari.id]);
        expect(await store.retention.deleteOfflineMessages('demo', 25)).toEqual([old.id]);
        expect(await offline.list('demo', 10)).toEqual([]);
      });
    });

    describe('retention', () => {
      it('finds a tenant’s conversations by their closing, or their start while open, oldest first', async () => {
        const open = conversation({ createdAt: 100 });
        const closedLate = conversation({ createdAt: 50 });
        const closedEarly = conversation({ createdAt: 60 });
        const recent = conversation({ createdAt: 900 });
        const otherTenant = conversation({ tenantId: 'other', createdAt: 10 });
        for (const c of [open, closedLate, closedEarly, recent, otherTenant])
          await store.chat.conversations.create(c);
        const close = (id: string, closedAt: number) =>
          store.chat.conversations.update('demo', id, (c) => ({
            ...c,
            status: 'closed',
            closedAt,
            updatedAt: closedAt,
          }));
        await close(closedLate.id, 700);
        await close(closedEarly.id, 200);
        expect(await store.retention.due('demo', 500, 10)).toEqual([open.id, closedEarly.id]);
        expect(await store.retention.due('demo', 500, 1)).toEqual([open.id]);
        expect(await store.retention.due('demo', 100, 10)).toEqual([]);
        expect(await store.retention.due('demo', 1_000, 10)).toEqual([
          open.id,
          closedEarly.id,
          closedLate.id,
          recent.id,
        ]);
        expect(await store.retention.due('other', 1_000, 10)).toEqual([otherTenant.id]);
      });

      it('neither deletes nor anonymises a conversation asked for under another tenant', async () => {
        const theirs = conversation({ tenantId: 'other' });
        await store.chat.conversations.create(theirs);
        await store.chat.messages.append(theirs.tenantId, visitorMessageDraft(theirs.id, 'kept as written'));
        await store.retention.deleteConversation('demo', theirs.id);
        await store.retention.anonymiseConversation('demo', theirs.id, 2_000);
        const stored = await store.chat.conversations.get(theirs.tenantId, theirs.id);
        expect(stored?.anonymisedAt).toBeUndefined();
        expect(stored?.visitorId).toBe(theirs.visitorId);
        expect((await store.chat.messages.list(theirs.tenantId, theirs.id)).map((m) => m.text)).toEqual([
          'kept as written',
        ]);
        expect(await store.retention.due('other', 10_000, 10)).toContain(theirs.id);
      });

      it('deletes a conversation with its messages, dedupe keys, PII tail and list entries', async () => {
        const gone = conversation({
          status: 'assigned',
          assignedTo: { subject: 'agent-1', name: 'Alex' },
        });
        const kept = conversation();
        await store.chat.conversations.create(gone);
        await store.chat.conversations.create(kept);
        await store.chat.messages.append(gone.tenantId, {
          ...visitorMessageDraft(gone.id, 'first'),
          clientId: 'c1',
        });
        await store.chat.messages.append(gone.tenantId, visitorMessageDraft(gone.id, 'second'));
        await store.chat.messages.append(kept.tenantId, visitorMessageDraft(kept.id, 'stays'));
        await store.chat.textTails.set(gone.tenantId, gone.id, ' 1234');
        await store.retention.deleteConversation('demo', gone.id);
        expect(await store.chat.conversations.get(gone.tenantId, gone.id)).toBeUndefined();
        expect(await store.chat.messages.list(gone.tenantId, gone.id)).toEqual([]);
        expect(await store.chat.textTails.get(gone.tenantId, gone.id)).toBe('');
        expect(await store.chat.conversations.listAssigned('demo', 'agent-1')).toEqual([]);
        expect((await store.chat.conversations.listAssigned('demo')).map((c) => c.id)).not.toContain(gone.id);
        expect(
          (await store.chat.conversations.listOpenByVisitor('demo', 'visitor-1')).map((c) => c.id),
        ).toEqual([kept.id]);
        expect(await store.retention.due('demo', 10_000, 10)).toEqual([kept.id]);
        // Nothing of it is left to collide with: its id starts afresh, seq and dedupe included.
        await store.chat.conversations.create(gone);
        const again = await store.chat.messages.append(gone.tenantId, {
          ...visitorMessageDraft(gone.id, 'new'),
          clientId: 'c1',
        });
        expect(again).toMatchObject({ duplicate: false, message: { seq: 1, text: 'new' } });
        expect((await store.chat.messages.list(kept.tenantId, kept.id)).map((m) => m.text)).toEqual([
          'stays',
        ]);
        // Deleting what is gone does nothing.
        await store.retention.deleteConversation('demo', randomUUID());
      });

      it('keeps a conversation under legal hold out of retention until released, whatever asks', async () => {
        const legalHold = {
          since: 3_000,
          by: { subject: 'ada', name: 'Ada' },
          role: 'admin',
          reason: 'case 7',
        };
        const held = conversation({ createdAt: 1_000 });
        const free = conversation({ createdAt: 2_000 });
        for (const c of [held, free]) await store.chat.conversations.create(c);
        await store.chat.messages.append(held.tenantId, visitorMessageDraft(held.id, 'evidence'));
        await store.chat.conversations.update(held.tenantId, held.id, (cur) => ({ ...cur, legalHold }));
        expect(await store.retention.due('demo', 10_000, 10)).toEqual([free.id]);
        expect(await store.retention.dueForAnonymising('demo', 10_000, 10)).toEqual([free.id]);
        // Asked directly (a sweep that read the ids before the hold): nothing happens to it.
        await store.retention.anonymiseConversation('demo', held.id, 9_000);
        await store.retention.deleteConversation('demo', held.id);
        expect(await store.chat.conversations.get(held.tenantId, held.id)).toMatchObject({ legalHold });
        expect((await store.chat.messages.list(held.tenantId, held.id)).map((m) => m.text)).toEqual([
          'evidence',
        ]);
        // Released: due again by its own clock, for both.
        await store.chat.conversations.update(
          held.tenantId,
          held.id,
          ({ legalHold: _released, ...cur }) => cur,
        );
        expect(await store.retention.due('demo', 10_000, 10)).toEqual([held.id, free.id]);
        expect(await store.retention.dueForAnonymising('demo', 10_000, 10)).toEqual([held.id, free.id]);
        await store.retention.deleteConversation('demo', held.id);
        expect(await store.chat.conversations.get(held.tenantId, held.id)).toBeUndefined();
      });

      it('anonymises a conversation: texts, identity, metadata, preview and visitor id go; the rest stays', async () => {
        const record = conversation({
          status: 'assigned',
          assignedTo: { subject: 'agent-1', name: 'Alex' },
          participants: [
            { kind: 'visitor', id: 'visitor-1', joinedAt: 1_000 },
            { kind: 'agent', id: 'agent-1', name: 'Alex', joinedAt: 1_100 },
          ],
          identity: { sealed: 'v1.sealed.identity', subjectIndex: 'index-a', since: 1_050 },
          metadata: { ip: '192.0.2.7', userAgent: 'Firefox', pages: ['https://kunta.fi/vero'] },
          preview: 'My tax case',
        });
        await store.chat.conversations.create(record);
        await store.chat.messages.append('demo', {
          ...visitorMessageDraft(record.id, 'My tax case'),
          clientId: 'c1',
          verified: true,
        });
        await store.chat.messages.append('demo', {
          ...visitorMessageDraft(record.id, 'Let me look'),
          from: 'agent',
          authorId: 'agent-1',
          authorName: 'Alex',
        });
        await store.chat.messages.append('demo', {
          ...visitorMessageDraft(record.id, 'The visitor identified.'),
          from: 'system',
          authorId: undefined,
          systemCode: 'verified',
        });
        await store.chat.textTails.set(record.tenantId, record.id, ' 1234');
        expect(await store.retention.dueForAnonymising('demo', 5_000, 10)).toEqual([record.id]);

        await store.retention.anonymiseConversation('demo', record.id, 9_000);
        const anonymised = await store.chat.conversations.get(record.tenantId, record.id);
        expect(anonymised).toMatchObject({
          id: record.id,
          topic: 'general',
          status: 'assigned',
          createdAt: 1_000,
          assignedTo: { subject: 'agent-1', name: 'Alex' },
          metadata: {},
          anonymisedAt: 9_000,
        });
        expect(anonymised?.identity).toBeUndefined();
        expect(anonymised?.preview).toBeUndefined();
        expect(anonymised?.visitorId).not.toBe('visitor-1');
        expect(anonymised?.participants.map((p) => p.id)).toEqual([anonymised?.visitorId, 'agent-1']);
        expect(await store.chat.conversations.listOpenByVisitor('demo', 'visitor-1')).toEqual([]);
        const messages = await store.chat.messages.list(record.tenantId, record.id);
        expect(messages.map((m) => [m.seq, m.from, m.text, m.anonymised])).toEqual([
          [1, 'visitor', '', true],
          [2, 'agent', '', true],
          [3, 'system', 'The visitor identified.', undefined],
        ]);
        expect(messages[0]).not.toHaveProperty('authorId');
        expect(messages[0]).not.toHaveProperty('clientId');
        expect(messages[0]?.verified).toBe(true);
        expect(messages[1]).toMatchObject({ authorId: 'agent-1', authorName: 'Alex' });
        expect(await store.chat.textTails.get(record.tenantId, record.id)).toBe('');
        expect(await store.retention.dueForAnonymising('demo', 5_000, 10)).toEqual([]);
        // Its client ids are forgotten, and a second anonymisation changes nothing.
        const resent = await store.chat.messages.append('demo', {
          ...visitorMessageDraft(record.id, 'again'),
          clientId: 'c1',
        });
        expect(resent).toMatchObject({ duplicate: false, message: { seq: 4 } });
        await store.retention.anonymiseConversation('demo', record.id, 9_500);
        expect((await store.chat.conversations.get(record.tenantId, record.id))?.anonymisedAt).toBe(9_000);
        // Still deleted in time, and one that is gone is not anonymised.
        expect(await store.retention.due('demo', 5_000, 10)).toEqual([record.id]);
        await store.retention.deleteConversation('demo', record.id);
        await store.retention.anonymiseConversation('demo', record.id, 9_500);
        expect(await store.chat.conversations.get(record.tenantId, record.id)).toBeUndefined();
      });

      it('deletes a tenant’s offline messages left before a time and names them', async () => {
        const messages = [100, 200, 300].map((at) => offlineMessage('demo', at));
        for (const m of messages) await store.chat.offlineMessages.save(m);
        await store.chat.offlineMessages.save(offlineMessage('other', 100));
        expect((await store.retention.deleteOfflineMessages('demo', 300)).sort()).toEqual(
          messages
            .slice(0, 2)
            .map((m) => m.id)
            .sort(),
        );
        expect((await store.chat.offlineMessages.list('demo', 10)).map((m) => m.text)).toEqual(['at 300']);
        expect(await store.chat.offlineMessages.list('other', 10)).toHaveLength(1);
        expect(await store.retention.deleteOfflineMessages('demo', 300)).toEqual([]);
      });
    });

    describe('presence', () => {
      it('counts members until their entry expires, per tenant, and forgets removed ones', async () => {
        await store.chat.presence.touch('demo', 'agent-1', 2_000);
        await store.chat.presence.touch('demo', 'agent-2', 3_000);
        await store.chat.presence.touch('other', 'agent-3', 3_000);
        expect(await store.chat.presence.count('demo', 1_000)).toBe(2);
        expect(await store.chat.presence.count('demo', 2_000)).toBe(1);
        await store.chat.presence.touch('demo', 'agent-1', 5_000);
        expect(await store.chat.presence.count('demo', 2_500)).toBe(2);
        await store.chat.presence.remove('demo', 'agent-2');
        expect(await store.chat.presence.count('demo', 2_500)).toBe(1);
        expect(await store.chat.presence.count('nobody', 0)).toBe(0);
      });
    });

    describe('text tails (PII guard)', () => {
      it('keeps one tail per conversation and forgets it on an empty tail or delete', async () => {
        const [first, second] = [randomUUID(), randomUUID()];
        expect(await store.chat.textTails.get('demo', first)).toBe('');
        await store.chat.textTails.set('demo', first, ' 148385');
        await store.chat.textTails.set('demo', second, ' 12');
        expect(await store.chat.textTails.get('demo', first)).toBe(' 148385');
        await store.chat.textTails.set('demo', first, ' 99');
        expect(await store.chat.textTails.get('demo', first)).toBe(' 99');
        await store.chat.textTails.set('demo', first, '');
        expect(await store.chat.textTails.get('demo', first)).toBe('');
        await store.chat.textTails.delete('demo', second);
        expect(await store.chat.textTails.get('demo', second)).toBe('');
      });
    });

    describe('step-up tokens', () => {
      it('peeks without consuming and takes exactly once', async () => {
        const record = { tenantId: 'demo', conversationId: randomUUID(), visitorId: 'v', expiresAt: 60_000 };
        await store.chat.stepUpTokens.save('hash-1', record, 1_000);
        expect(await store.chat.stepUpTokens.peek('demo', 'hash-1')).toEqual(record);
        expect(await store.chat.stepUpTokens.peek('demo', 'hash-1')).toEqual(record);
        // Another tenant's prefix neither sees nor spends it.
        expect(await store.chat.stepUpTokens.peek('other', 'hash-1')).toBeUndefined();
        expect(await store.chat.stepUpTokens.take('other', 'hash-1')).toBeUndefined();
        const takes = await Promise.all([
          store.chat.stepUpTokens.take('demo', 'hash-1'),
          store.chat.stepUpTokens.take('demo', 'hash-1'),
        ]);
        expect(takes.filter((t) => t !== undefined)).toEqual([record]);
        expect(await store.chat.stepUpTokens.peek('demo', 'hash-1')).toBeUndefined();
        expect(await store.chat.stepUpTokens.take('demo', 'unknown')).toBeUndefined();
      });

      it('go with their conversation when it is deleted; held, its links stay; other conversations keep theirs', async () => {
        const gone = conversationRecord();
        const held = conversationRecord({
          legalHold: { since: 1, by: { subject: 's', name: 'Ada' }, role: 'admin', reason: 'case 7' },
        });
        const kept = conversationRecord();
        const link = (c: ConversationRecord) => ({
          tenantId: 'demo',
          conversationId: c.id,
          visitorId: c.visitorId,
          expiresAt: 60_000,
        });
        for (const c of [gone, held, kept]) await store.chat.conversations.create(c);
        await store.chat.stepUpTokens.save('gone-1', link(gone), 1_000);
        await store.chat.stepUpTokens.save('gone-2', link(gone), 2_000);
        await store.chat.stepUpTokens.save('held-1', link(held), 1_000);
        await store.chat.stepUpTokens.save('kept-1', link(kept), 1_000);
        expect(await store.retention.deleteConversation('demo', gone.id)).toBe(true);
        expect(await store.retention.deleteConversation('demo', held.id)).toBe(false);
        // Asked again (a deletion cut short and finished): nothing left to find, nothing fails.
        expect(await store.retention.deleteConversation('demo', gone.id)).toBe(true);
        expect(await store.chat.stepUpTokens.peek('demo', 'gone-1')).toBeUndefined();
        expect(await store.chat.stepUpTokens.peek('demo', 'gone-2')).toBeUndefined();
        expect(await store.chat.stepUpTokens.peek('demo', 'held-1')).toEqual(link(held));
        expect(await store.chat.stepUpTokens.take('demo', 'kept-1')).toEqual(link(kept));
      });

      it('go with their conversation when it is anonymised (each names it with its visitor); held, its links stay', async () => {
        const anonymised = conversationRecord();
        const held = conversationRecord({
          legalHold: { since: 1, by: { subject: 's', name: 'Ada' }, role: 'admin', reason: 'case 7' },
        });
        const link = (c: ConversationRecord) => ({
          tenantId: 'demo',
          conversationId: c.id,
          visitorId: c.visitorId,
          expiresAt: 60_000,
        });
        for (const c of [anonymised, held]) await store.chat.conversations.create(c);
        await store.chat.stepUpTokens.save('anonymised-1', link(anonymised), 1_000);
        await store.chat.stepUpTokens.save('held-1', link(held), 1_000);
        await store.retention.anonymiseConversation('demo', anonymised.id, 5_000);
        await store.retention.anonymiseConversation('demo', held.id, 5_000);
        expect(await store.chat.stepUpTokens.peek('demo', 'anonymised-1')).toBeUndefined();
        expect(await store.chat.stepUpTokens.peek('demo', 'held-1')).toEqual(link(held));
      });
    });

    describe('login hand-overs', () => {
      it('keeps a record, replaces it on completion and gives it out exactly once', async () => {
        const open = { tenantId: 'demo', sessionHash: 's', expiresAt: 60_000, status: 'open' as const };
        await store.handovers.save('handover-1', open, 1_000);
        expect(await store.handovers.peek('demo', 'handover-1')).toEqual(open);
        // Another tenant's prefix neither sees nor spends it.
        expect(await store.handovers.peek('other', 'handover-1')).toBeUndefined();
        expect(await store.handovers.take('other', 'handover-1')).toBeUndefined();
        const complete = { ...open, status: 'complete' as const, secretHash: 'r', shared: 'sealed' };
        await store.handovers.save('handover-1', complete, 2_000);
        expect(await store.handovers.peek('demo', 'handover-1')).toEqual(complete);
        const takes = await Promise.all([
          store.handovers.take('demo', 'handover-1'),
          store.handovers.take('demo', 'handover-1'),
        ]);
        expect(takes.filter((t) => t !== undefined)).toEqual([complete]);
        expect(await store.handovers.peek('demo', 'handover-1')).toBeUndefined();
        expect(await store.handovers.take('demo', 'unknown')).toBeUndefined();
      });
    });

    describe('rate limiter', () => {
      it('allows `points` hits per key in a window and then answers how long to wait', async () => {
        const limiter = store.rateLimiter(`contract-${randomUUID()}`, { points: 3, windowSeconds: 60 });
        for (let i = 0; i < 3; i++) expect(await limiter.consume('1.2.3.4')).toEqual({ allowed: true });
        const refused = await limiter.consume('1.2.3.4');
        expect(refused.allowed).toBe(false);
        if (!refused.allowed) {
          expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
        }
      });
      it('counts each key and each named limit apart', async () => {
        const name = `contract-${randomUUID()}`;
        const first = store.rateLimiter(name, { points: 1, windowSeconds: 60 });
        const other = store.rateLimiter(`${name}-other`, { points: 1, windowSeconds: 60 });
        expect((await first.consume('a')).allowed).toBe(true);
        expect((await first.consume('a')).allowed).toBe(false);
        expect((await first.consume('b')).allowed).toBe(true);
        expect((await other.consume('a')).allowed).toBe(true);
      });
    });

    describe('OpenID Provider state', () => {
      const state = () => store.oidcProvider;
      const later = () => Date.now() + 60_000;

      it('stores, finds by key, uid and user code, and keeps tenants apart', async () => {
        await state().upsert('demo:Session:s1', { uid: 'u1', accountId: 'a' }, later(), {
          prefix: 'demo',
          uid: 'u1',
        });
        await state().upsert('demo:DeviceCode:d1', { userCode: 'ABCD' }, later(), {
          prefix: 'demo',
          userCode: 'ABCD',
        });
        expect(await state().find('demo:Session:s1')).toEqual({ uid: 'u1', accountId: 'a' });
        expect(await state().findByUid('demo', 'u1')).toEqual({ uid: 'u1', accountId: 'a' });
        expect(await state().findByUserCode('demo', 'ABCD')).toEqual({ userCode: 'ABCD' });
        expect(await state().findByUid('other', 'u1')).toBeUndefined();
        expect(await state().find('other:Session:s1')).toBeUndefined();
      });

      it('hands out copies: changing a found payload changes nothing stored', async () => {
        await state().upsert('demo:Grant:g', { scope: 'openid' }, later(), { prefix: 'demo' });
        const found = await state().find('demo:Grant:g');
        if (found) found.scope = 'openid profile';
        expect(await state().find('demo:Grant:g')).toEqual({ scope: 'openid' });
      });

      it('marks a code consumed and keeps it readable, so a replay is seen', async () => {
        await state().upsert('demo:AuthorizationCode:c', { grantId: 'g1' }, later(), {
          prefix: 'demo',
          grantId: 'g1',
        });
        await state().consume('demo:AuthorizationCode:c', 1_234);
        expect(await state().find('demo:AuthorizationCode:c')).toEqual({ grantId: 'g1', consumed: 1_234 });
      });

      it('lets only the first of two redemptions that read a code before either marked it consume it', async () => {
        await state().upsert('demo:AuthorizationCode:c', { grantId: 'g1' }, later(), {
          prefix: 'demo',
          grantId: 'g1',
        });
        // Both token requests found the code unconsumed (oidc-provider reads, checks, then consumes).
        expect(await state().find('demo:AuthorizationCode:c')).toEqual({ grantId: 'g1' });
        expect(await state().find('demo:AuthorizationCode:c')).toEqual({ grantId: 'g1' });
        const consumed = await Promise.all([
          state().consume('demo:AuthorizationCode:c', 1_234),
          state().consume('demo:AuthorizationCode:c', 1_235),
        ]);
        expect(consumed.filter(Boolean)).toHaveLength(1);
        expect(await state().consume('demo:AuthorizationCode:c', 1_236)).toBe(false);
        expect(await state().consume('demo:AuthorizationCode:gone', 1_236)).toBe(false);
      });

      it('inserts an entry only where there is none, once of two at the same time (replay detection)', async () => {
        const inserted = await Promise.all([
          state().insert('demo:ReplayDetection:j', { iss: 'a' }, later()),
          state().insert('demo:ReplayDetection:j', { iss: 'a' }, later()),
        ]);
        expect(inserted.filter(Boolean)).toHaveLength(1);
        expect(await state().find('demo:ReplayDetection:j')).toEqual({ iss: 'a' });
        expect(await state().insert('demo:ReplayDetection:j', { iss: 'b' }, later())).toBe(false);
        expect(await state().find('demo:ReplayDetection:j')).toEqual({ iss: 'a' });
        // Once expired, the place is free again.
        await state().upsert('demo:ReplayDetection:old', { iss: 'a' }, Date.now() - 1, { prefix: 'demo' });
        expect(await state().insert('demo:ReplayDetection:old', { iss: 'c' }, later())).toBe(true);
      });

      it('revokes everything bound to a grant, and nothing else', async () => {
        await state().upsert('demo:AuthorizationCode:c', { grantId: 'g1' }, later(), {
          prefix: 'demo',
          grantId: 'g1',
        });
        await state().upsert('demo:AccessToken:t', { grantId: 'g1' }, later(), {
          prefix: 'demo',
          grantId: 'g1',
        });
        await state().upsert('demo:AccessToken:other', { grantId: 'g2' }, later(), {
          prefix: 'demo',
          grantId: 'g2',
        });
        await state().revokeByGrantId('demo', 'g1');
        expect(await state().find('demo:AuthorizationCode:c')).toBeUndefined();
        expect(await state().find('demo:AccessToken:t')).toBeUndefined();
        expect(await state().find('demo:AccessToken:other')).toEqual({ grantId: 'g2' });
      });

      it('finds an owner’s entries, both of two stored at once, and not those revoked, expired or of another owner', async () => {
        const owned = (grantId: string, owner: string, expiresAt = later()) =>
          state().upsert(`demo:VisitorRelease:${grantId}`, { grantId }, expiresAt, {
            prefix: 'demo',
            grantId,
            owner,
          });
        await Promise.all([owned('g1', 'v1'), owned('g2', 'v1')]);
        await owned('g3', 'v1');
        await owned('old', 'v1', Date.now() - 1);
        await owned('g4', 'v2');
        await state().upsert('other:VisitorRelease:g5', { grantId: 'g5' }, later(), {
          prefix: 'other',
          owner: 'v1',
        });
        const keys = async (owner: string) =>
          (await state().findByOwner('demo', owner)).map((entry) => entry.key).sort();
        expect(await keys('v1')).toEqual([
          'demo:VisitorRelease:g1',
          'demo:VisitorRelease:g2',
          'demo:VisitorRelease:g3',
        ]);
        expect(await state().findByOwner('demo', 'v1')).toContainEqual({
          key: 'demo:VisitorRelease:g1',
          payload: { grantId: 'g1' },
        });
        await state().revokeByGrantId('demo', 'g1');
        await state().destroy('demo:VisitorRelease:g2');
        expect(await keys('v1')).toEqual(['demo:VisitorRelease:g3']);
        expect(await keys('v2')).toEqual(['demo:VisitorRelease:g4']);
        expect(await keys('nobody')).toEqual([]);
      });

      it('forgets expired and destroyed entries', async () => {
        await state().upsert('demo:Interaction:i', { uid: 'i' }, Date.now() - 1, { prefix: 'demo' });
        expect(await state().find('demo:Interaction:i')).toBeUndefined();
        await state().upsert('demo:Interaction:j', { uid: 'j' }, later(), { prefix: 'demo' });
        await state().destroy('demo:Interaction:j');
        expect(await state().find('demo:Interaction:j')).toBeUndefined();
      });
    });
  });
}
