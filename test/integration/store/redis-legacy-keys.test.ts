import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HandoverRecord } from '../../../src/auth/login-handover.js';
import type { ConversationRecord, MessageRecord, StepUpTokenRecord } from '../../../src/chat/chat-records.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { RedisKeys } from '../../../src/store/redis-keys.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { consentReceipt, conversationRecord, visitorMessageDraft } from '../../helpers/records.js';
import { useTestRedis } from '../../helpers/redis-suite.js';

// What the previous version stored without the tenant in its key names (`gw:c:{<id>}:…`,
// `gw:receipt:<id>`, `gw:stepup:<hash>`, `gw:handover:<hash>`), written here raw as it wrote
// them, and found, used and moved through the store of this version.

const codec = new FieldCrypto('redis-legacy-keys-test-data-key-0123456789');
const suite = useTestRedis();

/** Two stores (two gateway instances) on one key prefix of their own. */
function instances() {
  const prefix = `l${randomUUID().slice(0, 8)}:`;
  const keys = new RedisKeys(prefix);
  const create = () => createRedisStore({ connection: suite.connection, keys, codec });
  return { prefix, keys, a: create(), b: create() };
}

/**
 * A queued conversation of `demo` with two messages (the first with client id `k1`), a PII
 * guard tail and its index entries, as the previous version wrote them: its own keys under
 * `<prefix>c:{<id>}:…`, the tenant's indexes under `<prefix>{t:demo}:…` (unchanged since).
 */
async function writeTheOldWay(prefix: string, record: ConversationRecord): Promise<void> {
  const { client } = suite.connection;
  const own = `${prefix}c:{${record.id}}`;
  const tenant = `${prefix}{t:${record.tenantId}}`;
  const message = (text: string, clientId?: string): Omit<MessageRecord, 'seq'> => ({
    id: randomUUID(),
    conversationId: record.id,
    from: 'visitor',
    authorId: record.visitorId,
    text,
    at: 1_500,
    verified: false,
    ...(clientId ? { clientId } : {}),
  });
  await client.set(`${own}:rec`, codec.seal(record));
  await client.set(`${own}:seq`, '2');
  await client.xAdd(`${own}:msgs`, '1-0', { m: codec.seal(message('hello', 'k1')) });
  await client.xAdd(`${own}:msgs`, '2-0', { m: codec.seal(message('my number ends 1234')) });
  await client.hSet(`${own}:dedupe`, `visitor:${record.visitorId}:k1`, '1');
  await client.set(`${own}:tail`, codec.seal(' 1234'), { expiration: { type: 'PX', value: 600_000 } });
  const entry = { score: record.createdAt, value: record.id };
  await client.zAdd(`${tenant}:queue:${record.topic}`, entry);
  await client.hSet(`${tenant}:queue-places`, record.id, `${record.visitorId}\n\n${record.topic}`);
  await client.zAdd(`${tenant}:visitor:${record.visitorId}`, entry);
  for (const subject of record.subjects ?? []) await client.zAdd(`${tenant}:subject:${subject}`, entry);
  await client.zAdd(`${tenant}:retention`, entry);
  await client.zAdd(`${tenant}:anonymise`, entry);
}

/** How many of the five keys of a conversation exist under the old names and under the tenant's. */
async function keysOf(keys: RedisKeys, tenantId: string, id: string) {
  const { client } = suite.connection;
  return {
    old: await client.exists(keys.legacyConversation(id)),
    now: await client.exists(keys.conversationKeys(tenantId, id)),
  };
}

describe('Redis store: a conversation the previous version stored without its tenant', () => {
  it('is found, appended to, listed and deleted through its tenant, its keys moved once', async () => {
    const { prefix, keys, a, b } = instances();
    const record = conversationRecord();
    await writeTheOldWay(prefix, record);

    // Listed in its queue (the index holds ids, which stay valid): read, and moved, on the way.
    expect(await a.chat.conversations.listQueued('demo', 'general')).toEqual([record]);
    expect(await keysOf(keys, 'demo', record.id)).toEqual({ old: 0, now: 5 });
    // Its tail kept its expiry (RENAME keeps it).
    expect(await suite.connection.client.pTTL(keys.textTail('demo', record.id))).toBeGreaterThan(0);

    // The other instance finds it under the tenant's keys, with its messages, dedupe and tail.
    expect(await b.chat.conversations.get('demo', record.id)).toEqual(record);
    expect((await b.chat.messages.list('demo', record.id)).map((m) => [m.seq, m.text])).toEqual([
      [1, 'hello'],
      [2, 'my number ends 1234'],
    ]);
    expect(await b.chat.textTails.get('demo', record.id)).toBe(' 1234');
    const resent = await b.chat.messages.append('demo', visitorMessageDraft(record.id, 'hello again', 'k1'));
    expect(resent).toMatchObject({ duplicate: true, message: { seq: 1, text: 'hello' } });
    const next = await b.chat.messages.append('demo', visitorMessageDraft(record.id, 'next'));
    expect(next).toMatchObject({ duplicate: false, message: { seq: 3 } });
    const claimed = await a.chat.conversations.update('demo', record.id, (c) => ({
      ...c,
      status: 'assigned',
      assignedTo: { subject: 'agent-1', name: 'Alex' },
    }));
    expect(claimed?.status).toBe('assigned');
    expect(await b.chat.conversations.listAssigned('demo', 'agent-1')).toEqual([claimed]);

    expect(await a.retention.deleteConversation('demo', record.id)).toBe(true);
    expect(await keysOf(keys, 'demo', record.id)).toEqual({ old: 0, now: 0 });
    expect(await b.chat.conversations.get('demo', record.id)).toBeUndefined();
    expect(await b.chat.conversations.listOpenByVisitor('demo', 'visitor-1')).toEqual([]);
    expect(await b.retention.due('demo', Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });

  it('is found by the citizen’s index for their copy and erased, and anonymised by retention', async () => {
    const { prefix, keys, a } = instances();
    const theirs = conversationRecord({ subjects: ['index-a'], status: 'closed', closedAt: 1_200 });
    const aged = conversationRecord({ status: 'closed', closedAt: 1_100 });
    await writeTheOldWay(prefix, theirs);
    await writeTheOldWay(prefix, aged);

    expect(await a.chat.conversations.listBySubject('demo', 'index-a')).toEqual([theirs]);
    expect(await a.retention.deleteConversation('demo', theirs.id)).toBe(true);
    expect(await keysOf(keys, 'demo', theirs.id)).toEqual({ old: 0, now: 0 });
    expect(await a.chat.conversations.listBySubject('demo', 'index-a')).toEqual([]);

    // Retention finds the other by the tenant's index and anonymises it where it now lies.
    expect(await a.retention.dueForAnonymising('demo', 5_000, 10)).toContain(aged.id);
    await a.retention.anonymiseConversation('demo', aged.id, 5_000);
    expect((await a.chat.conversations.get('demo', aged.id))?.anonymisedAt).toBe(5_000);
    expect((await a.chat.messages.list('demo', aged.id)).map((m) => m.text)).toEqual(['', '']);
    expect(await keysOf(keys, 'demo', aged.id)).toEqual({ old: 0, now: 3 });
  });

  it('is not reached under another tenant: not found, not moved, not deleted', async () => {
    const { prefix, keys, a } = instances();
    const record = conversationRecord();
    await writeTheOldWay(prefix, record);
    const other = a.chat;

    expect(await other.conversations.get('other', record.id)).toBeUndefined();
    expect(
      await other.conversations.update('other', record.id, (c) => ({ ...c, topic: 'x' })),
    ).toBeUndefined();
    expect(await other.messages.list('other', record.id)).toEqual([]);
    await expect(
      other.messages.append('other', visitorMessageDraft(record.id, 'intruder')),
    ).rejects.toMatchObject({
      code: 'conversation_not_found',
    });
    expect(await other.textTails.get('other', record.id)).toBe('');
    expect(await other.conversations.listQueued('other', 'general')).toEqual([]);
    expect(await a.retention.deleteConversation('other', record.id)).toBe(true);
    await a.retention.anonymiseConversation('other', record.id, 9_000);
    expect(await keysOf(keys, 'demo', record.id)).toEqual({ old: 5, now: 0 });
    expect(await keysOf(keys, 'other', record.id)).toEqual({ old: 5, now: 0 });

    // Its own tenant still has all of it.
    expect(await a.chat.conversations.get('demo', record.id)).toEqual(record);
    expect(await a.chat.messages.list('demo', record.id)).toHaveLength(2);
  });

  it('is moved once when two instances look it up at the same moment', async () => {
    const { prefix, keys, a, b } = instances();
    const record = conversationRecord();
    await writeTheOldWay(prefix, record);
    const [onA, onB] = await Promise.all([
      a.chat.conversations.get('demo', record.id),
      b.chat.conversations.get('demo', record.id),
    ]);
    expect([onA, onB]).toEqual([record, record]);
    expect(await keysOf(keys, 'demo', record.id)).toEqual({ old: 0, now: 5 });
    expect(await a.chat.messages.list('demo', record.id)).toHaveLength(2);
  });
});

describe('Redis store: receipts, step-up links and hand-overs the previous version stored without their tenant', () => {
  it('finds a receipt under its tenant only, and moves it there', async () => {
    const { prefix, keys, a } = instances();
    const old = consentReceipt();
    await suite.connection.client.set(`${prefix}receipt:${old.id}`, codec.seal(old));
    await suite.connection.client.sAdd(keys.receiptsOf('demo', 'index-a'), old.id);
    expect(await a.receipts.get('other', old.id)).toBeUndefined();
    expect(await suite.connection.client.exists(keys.legacyReceipt(old.id))).toBe(1);
    expect(await a.receipts.listBySubject('demo', 'index-a')).toEqual([old]);
    expect(await suite.connection.client.exists(keys.legacyReceipt(old.id))).toBe(0);
    expect(await a.receipts.get('demo', old.id)).toEqual(old);
  });

  it('takes a step-up link once, under its tenant only, with the time it had left', async () => {
    const { prefix, keys, a, b } = instances();
    const record: StepUpTokenRecord = {
      tenantId: 'demo',
      conversationId: randomUUID(),
      visitorId: 'visitor-1',
      expiresAt: Date.now() + 60_000,
    };
    await suite.connection.client.set(`${prefix}stepup:hash-1`, codec.seal(record), {
      expiration: { type: 'PX', value: 60_000 },
    });
    expect(await a.chat.stepUpTokens.peek('other', 'hash-1')).toBeUndefined();
    expect(await a.chat.stepUpTokens.take('other', 'hash-1')).toBeUndefined();
    expect(await a.chat.stepUpTokens.peek('demo', 'hash-1')).toEqual(record);
    expect(await suite.connection.client.exists(keys.legacyStepUp('hash-1'))).toBe(0);
    const ttl = await suite.connection.client.pTTL(keys.stepUp('demo', 'hash-1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const taken = await Promise.all([
      a.chat.stepUpTokens.take('demo', 'hash-1'),
      b.chat.stepUpTokens.take('demo', 'hash-1'),
    ]);
    expect(taken.filter((r) => r !== undefined)).toEqual([record]);
  });

  it('moves an old hand-over once when two instances take it at the same moment', async () => {
    const { prefix, a, b } = instances();
    const record: HandoverRecord = {
      tenantId: 'demo',
      sessionHash: 'session-hash',
      expiresAt: Date.now() + 60_000,
      status: 'open',
    };
    await suite.connection.client.set(`${prefix}handover:hash-2`, codec.seal(record), {
      expiration: { type: 'PX', value: 60_000 },
    });
    expect(await b.handovers.peek('other', 'hash-2')).toBeUndefined();
    const taken = await Promise.all([a.handovers.take('demo', 'hash-2'), b.handovers.take('demo', 'hash-2')]);
    expect(taken.filter((r) => r !== undefined)).toEqual([record]);
    expect(await a.handovers.peek('demo', 'hash-2')).toBeUndefined();
  });
});
