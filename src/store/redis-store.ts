import type { ConsentReceipt } from '../auth/consent-receipts.js';
import type { HandoverRecord } from '../auth/login-handover.js';
import type {
  ConversationRecord,
  MessageRecord,
  OfflineMessageHandled,
  OfflineMessageRecord,
  StepUpTokenRecord,
  TranscriptReadRecord,
} from '../chat/chat-records.js';
import {
  anonymisedConversation,
  anonymisedMessage,
  type QueuePlace,
  queuePlace,
  retentionClock,
  waitsInQueue,
  withHandled,
} from '../chat/chat-records.js';
import type { AppendCondition, CreateOutcome, QueueBounds, StaleAppend } from '../chat/chat-repositories.js';
import { TAIL_TTL_MS } from '../chat/visitor-text-tails.js';
import { GatewayError } from '../http/errors.js';
import type { RetentionRepository } from '../privacy/retention.js';
import { frozen } from './frozen.js';
import { LastSeen } from './last-seen.js';
import { boundedMemo } from './memo.js';
import { type RedisClient, type RedisConnection, redisCall, transaction } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { RedisOidcState } from './redis-oidc-state.js';
import { redisRateLimiter } from './redis-rate-limiter.js';
import { RedisScript } from './redis-script.js';
import type {
  AppendResult,
  ChatRepositories,
  ConversationRepository,
  MessageRepository,
  OfflineMessageRepository,
  PresenceRepository,
  ReceiptRepository,
  Store,
  TextTailRepository,
  TranscriptAuditRepository,
  VisitorSocketsRepository,
} from './store.js';

/**
 * Seals every value written to Redis (`FieldCrypto` satisfies it): conversation records carry
 * participants' names and metadata, messages carry what visitors typed, offline messages carry
 * names and e-mail addresses. Only ids, blind indexes and sequence numbers stay readable, as
 * key names and index members.
 */
export interface StoreCodec {
  seal(value: unknown): string;
  open<T>(sealed: string): T;
  /** Keyed blind index: staff subjects (maybe e-mail addresses) appear in key names only so. */
  blindIndex(value: string): string;
}

interface RedisContext {
  client: RedisClient;
  keys: RedisKeys;
  codec: StoreCodec;
}

class RedisReceipts implements ReceiptRepository {
  readonly #c: RedisContext;
  constructor(context: RedisContext) {
    this.#c = context;
  }

  async save(receipt: ConsentReceipt): Promise<void> {
    const { client, keys, codec } = this.#c;
    await redisCall(async () => {
      await client.set(keys.receipt(receipt.tenantId, receipt.id), codec.seal(receipt));
      await client.sAdd(keys.receiptsOf(receipt.tenantId, receipt.subjectIndex), receipt.id);
    });
  }

  async get(tenantId: string, id: string): Promise<ConsentReceipt | undefined> {
    const { client, keys, codec } = this.#c;
    const text = await redisCall(() => client.get(keys.receipt(tenantId, id)));
    if (text !== null) return codec.open<ConsentReceipt>(text);
    return this.#moveLegacy(tenantId, id);
  }

  /**
   * A receipt the previous version kept without its tenant (`legacyReceipt`), moved to the
   * tenant's key when it is the tenant's (another tenant's stays where it is, unread). The two
   * keys may be in different Cluster slots, so no script: the copy is written (NX: never over
   * a newer one) before the old key is deleted, and both steps may be repeated after a crash.
   */
  async #moveLegacy(tenantId: string, id: string): Promise<ConsentReceipt | undefined> {
    const { client, keys, codec } = this.#c;
    const legacy = keys.legacyReceipt(id);
    const text = await redisCall(() => client.get(legacy));
    if (text === null) {
      // None, or another instance moved it since the first read: read the tenant's key again.
      const moved = await redisCall(() => client.get(keys.receipt(tenantId, id)));
      return moved === null ? undefined : codec.open<ConsentReceipt>(moved);
    }
    const receipt = codec.open<ConsentReceipt>(text);
    if (receipt.tenantId !== tenantId) return undefined;
    await redisCall(async () => {
      await client.set(keys.receipt(tenantId, id), text, { condition: 'NX' });
      await client.del(legacy);
    });
    return receipt;
  }

  async listBySubject(tenantId: string, subjectIndex: string): Promise<ConsentReceipt[]> {
    const { client, keys } = this.#c;
    const ids = await redisCall(() => client.sMembers(keys.receiptsOf(tenantId, subjectIndex)));
    const receipts = await Promise.all(ids.map((id) => this.get(tenantId, id)));
    return receipts
      .filter((r): r is ConsentReceipt => r !== undefined && r.tenantId === tenantId)
      .sort((a, b) => a.issuedAt - b.issuedAt);
  }
}

/** Compare-and-set of one key: the optimistic transaction of `update`, in one slot. */
const COMPARE_AND_SET = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`);

const UPDATE_ATTEMPTS = 50;

/**
 * Deletes a conversation's own keys only while its record is the sealed text the caller checked
 * (compared by its head, `sealedHead`; `''`: there was none, and whatever is left goes), else
 * answers 0 and deletes nothing. KEYS: record, sequence, messages, dedupe, tail (one slot);
 * ARGV: expected head.
 */
const DELETE_UNCHANGED = new RedisScript(`
local rec = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if rec then return 0 end
elseif not rec or string.sub(rec, 1, #ARGV[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1`);

/**
 * Moves a conversation's keys as the previous version named them (`RedisKeys.legacyConversation`)
 * to the tenant's names (`RedisKeys.conversationKeys`), each that exists, in one atomic step:
 * only while no record is stored under the new name (another instance moved it first) and the
 * old record is still the sealed text whose tenant the caller checked (compared by its head,
 * `sealedHead`; an instance of the previous version may have changed it meanwhile). Old and new
 * names share the hash tag `{<id>}`, so RENAME stays in one Cluster slot; RENAME keeps a key's
 * expiry (the tail's). KEYS: the five old names, then the five new; ARGV: expected head.
 * Returns 1 when moved, else 0.
 */
const MOVE_LEGACY = new RedisScript(`
if redis.call('EXISTS', KEYS[6]) == 1 then return 0 end
local rec = redis.call('GET', KEYS[1])
if not rec or string.sub(rec, 1, #ARGV[1]) ~= ARGV[1] then return 0 end
for i = 1, 5 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('RENAME', KEYS[i], KEYS[i + 5]) end
end
return 1`);

/** Conversation records kept opened, by their sealed text (see `RedisConversations.#open`). */
const OPENED_RECORDS = 1_000;
/**
 * Conversations (and their tails) whose last seen stored text an instance keeps: a sealed
 * record is one to two KiB, so at most some 20 MiB for the conversations active on an instance.
 */
const LAST_SEEN = 10_000;

class RedisConversations implements ConversationRepository {
  readonly #c: RedisContext;
  /** Sealed text → the record it holds, least recently used first. */
  readonly #opened = new Map<string, ConversationRecord>();
  /** Record handed out → the sealed text it was read from or stored as (the append's check). */
  readonly #texts = new WeakMap<ConversationRecord, string>();
  /** Conversation id → its sealed text as this instance last read or wrote it. */
  readonly #latest = new LastSeen<string>(LAST_SEEN);
  /**
   * Queue entries found without a record, by when this instance first found them so. A create
   * enters the queue before it stores the record, so such an entry is normally a create in
   * flight; one still without a record {@link ORPHAN_AFTER_MS} later was left by a create that
   * failed or an instance that died in between, and is removed: the queue's length is its bound
   * (`chat.maxQueued`), which orphans would otherwise use up for good.
   */
  readonly #orphans = new Map<string, number>();
  constructor(context: RedisContext) {
    this.#c = context;
  }

  /**
   * Opens a stored record, reusing the record opened from the very same sealed text before:
   * every seal has a fresh random IV, so equal text means the stored record did not change,
   * and each frame's read (still one GET, the stored truth) skips decryption and parsing.
   * Records handed out are frozen, as the memory store's are.
   */
  #open(text: string): ConversationRecord {
    const cached = this.#opened.get(text);
    if (cached) {
      this.#opened.delete(text);
      this.#opened.set(text, cached);
      return cached;
    }
    const record = frozen(this.#c.codec.open<ConversationRecord>(text));
    this.#opened.set(text, record);
    this.#texts.set(record, text);
    if (this.#opened.size > OPENED_RECORDS) {
      const oldest = this.#opened.keys().next();
      if (!oldest.done) this.#opened.delete(oldest.value);
    }
    return record;
  }

  async create(record: ConversationRecord, bounds: QueueBounds = {}): Promise<CreateOutcome> {
    const { client, keys, codec } = this.#c;
    const text = codec.seal(record);
    const place = queuePlace(record);
    const bounded =
      bounds.maxQueued !== undefined || bounds.perVisitor !== undefined || bounds.perNetwork !== undefined;
    const outcome = await redisCall(async (): Promise<CreateOutcome> => {
      // A place in the queue first, only within the bounds (one script: two instances cannot
      // both take the last place); the queue and the places are in the tenant's slot.
      if (place && bounded) {
        const entered = await this.#enqueue(record, place, bounds);
        if (entered !== 'created') return entered;
      }
      // In its lists and the retention index before it exists: a crash in between leaves entries
      // that readers skip and whose deletion finds nothing to delete.
      await this.#index(undefined, record, undefined, true);
      const created = await client.set(keys.conversation(record.tenantId, record.id), text, {
        condition: 'NX',
      });
      if (created === null) throw new TypeError(`conversation ${record.id} exists`);
      return 'created';
    });
    if (outcome === 'created') this.#latest.set(record.id, text);
    return outcome;
  }

  /**
   * Enters a new queued conversation in its queue and the tenant's places within `bounds`
   * ({@link ENQUEUE_BOUNDED}). Refused for its visitor or network, it forgets the places of
   * theirs that are in no queue any more ({@link #forgetLeftPlaces}) and, if there were such,
   * tries once more: so a place left behind (by an instance of the previous version, which
   * takes conversations out of queues without knowing of places) is never what refuses.
   */
  async #enqueue(record: ConversationRecord, place: QueuePlace, bounds: QueueBounds): Promise<CreateOutcome> {
    const { client, keys } = this.#c;
    const attempt = async (): Promise<CreateOutcome> => {
      const reply = await ENQUEUE_BOUNDED.run(
        client,
        [keys.queue(record.tenantId, record.topic), keys.queuePlaces(record.tenantId)],
        [
          String(bounds.maxQueued ?? ''),
          String(record.createdAt),
          record.id,
          placeEntry(record, place),
          place.visitorId,
          place.networkIndex ?? '',
          String(bounds.perVisitor ?? ''),
          String(bounds.perNetwork ?? ''),
          String(bounds.sharedFrom ?? ''),
        ],
      );
      return Number(reply) === 1 ? 'created' : Number(reply) === 0 ? 'queue_full' : 'too_many_queued';
    };
    const outcome = await attempt();
    if (outcome !== 'too_many_queued' || !(await this.#forgetLeftPlaces(record.tenantId, place)))
      return outcome;
    return attempt();
  }

  /**
   * Forgets the places of this visitor or network whose conversation is in no queue any more
   * (checked against the queue itself, in one script per topic); whether there were any.
   */
  async #forgetLeftPlaces(tenantId: string, place: QueuePlace): Promise<boolean> {
    const { client, keys } = this.#c;
    const places = keys.queuePlaces(tenantId);
    const entries = await client.hGetAll(places);
    const byTopic = new Map<string, string[]>();
    for (const [id, entry] of Object.entries(entries)) {
      const [visitorId, networkIndex, topic] = entry.split('\n');
      if (topic === undefined) continue;
      const theirs =
        visitorId === place.visitorId ||
        (place.networkIndex !== undefined && networkIndex === place.networkIndex);
      if (theirs) byTopic.set(topic, [...(byTopic.get(topic) ?? []), id, entry]);
    }
    let forgotten = 0;
    for (const [topic, args] of byTopic) {
      const removed = await FORGET_LEFT_PLACES.run(client, [places, keys.queue(tenantId, topic)], args);
      forgotten += Number(removed);
    }
    return forgotten > 0;
  }

  async get(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
    const text = await this.#raw(tenantId, id);
    return text === null ? undefined : this.#open(text);
  }

  /**
   * The record as last read or written here (no round trip); read when not known. Kept by id
   * alone (ids are random, one per conversation of any tenant), so one known here is handed out
   * only to its own tenant; asked for under another, it is read, and not found.
   */
  async recent(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
    const text = this.#latest.get(id);
    if (text !== undefined) {
      const record = this.#open(text);
      if (record.tenantId === tenantId) return record;
    }
    return this.get(tenantId, id);
  }

  /** The sealed text a record handed out by this repository was read from or stored as. */
  textOf(record: ConversationRecord): string | undefined {
    return this.#texts.get(record);
  }

  /** Notes the stored text of the tenant's conversation read elsewhere (the append's check); `''`: none. */
  seen(tenantId: string, id: string, text: string): void {
    if (text === '') this.#unseen(tenantId, id);
    else this.#latest.set(id, text);
  }

  /**
   * Optimistic transaction without WATCH (which is per connection, and node-redis multiplexes
   * one connection): read, apply `change`, then store only if the record is still the one read
   * (compare-and-set in Lua), else read again and retry. Index entries the new state needs are
   * added before the record changes and stale ones removed after, so a crash in between leaves
   * at most an extra index entry, which the list methods check against the record and skip.
   */
  async update(
    tenantId: string,
    id: string,
    change: (current: ConversationRecord) => ConversationRecord | undefined,
  ): Promise<ConversationRecord | undefined> {
    const { client, keys, codec } = this.#c;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
      const text = await this.#raw(tenantId, id);
      if (text === null) return undefined;
      const current = this.#open(text);
      const next = change(structuredClone(current));
      if (next === undefined) return current;
      if (next.id !== id || next.tenantId !== tenantId)
        throw new TypeError('a conversation update must keep its id and tenant');
      const nextText = codec.seal(next);
      const holdChanged = !!next.legalHold !== !!current.legalHold;
      const stored = await redisCall(async () => {
        // A hold leaves the retention indexes before it is stored: a crash in between leaves a
        // conversation no sweep finds, never one held yet swept.
        await this.#index(undefined, next, current, holdChanged && !!next.legalHold);
        return COMPARE_AND_SET.run(client, [keys.conversation(tenantId, id)], [text, nextText]);
      });
      if (stored === 1) {
        // Frozen as records read are; known by its text, so an append can be checked against it.
        frozen(next);
        this.#texts.set(next, nextText);
        this.#latest.set(id, nextText);
        // Closed: retention now counts from the closing (a crash before this leaves the start,
        // minutes earlier).
        await redisCall(() =>
          this.#index(
            current,
            next,
            undefined,
            holdChanged || retentionClock(next) !== retentionClock(current),
          ),
        );
        return next;
      }
    }
    throw new TypeError(`conversation ${id} kept changing; update abandoned`);
  }

  async listQueued(tenantId: string, topic: string): Promise<ConversationRecord[]> {
    return this.#list(
      tenantId,
      this.#c.keys.queue(tenantId, topic),
      (c) => c.tenantId === tenantId && c.topic === topic && waitsInQueue(c),
      false,
      this.#c.keys.queuePlaces(tenantId),
    );
  }

  async listAssigned(tenantId: string, agentSubject?: string): Promise<ConversationRecord[]> {
    if (agentSubject === undefined) {
      return this.#list(
        tenantId,
        this.#c.keys.assignedAny(tenantId),
        (c) => c.tenantId === tenantId && c.status === 'assigned',
      );
    }
    return this.#list(
      tenantId,
      this.#c.keys.assigned(tenantId, this.#c.codec.blindIndex(agentSubject)),
      (c) => c.tenantId === tenantId && c.status === 'assigned' && c.assignedTo?.subject === agentSubject,
    );
  }

  async listOpenByVisitor(tenantId: string, visitorId: string): Promise<ConversationRecord[]> {
    return this.#list(
      tenantId,
      this.#c.keys.visitorOpen(tenantId, visitorId),
      (c) => c.tenantId === tenantId && c.visitorId === visitorId && c.status !== 'closed',
    );
  }

  async listBySubject(tenantId: string, subjectIndex: string): Promise<ConversationRecord[]> {
    return this.#list(
      tenantId,
      this.#c.keys.subject(tenantId, subjectIndex),
      (c) => c.tenantId === tenantId && (c.subjects ?? []).includes(subjectIndex),
      true,
    );
  }

  /**
   * Ids of a tenant's conversations whose retention clock is before `before`, oldest first;
   * with `anonymised: false`, only those not anonymised yet.
   */
  async due(tenantId: string, before: number, limit: number, anonymised = true): Promise<string[]> {
    const key = anonymised ? this.#c.keys.retention(tenantId) : this.#c.keys.anonymise(tenantId);
    return redisCall(() =>
      this.#c.client.zRange(key, '-inf', `(${before}`, { BY: 'SCORE', LIMIT: { offset: 0, count: limit } }),
    );
  }

  /**
   * Deletes a conversation's record, sequence, messages, dedupe keys and PII tail (one slot, one
   * script), having taken it out of its lists first (the tenant's slot); its retention entries
   * go last, so a deletion cut short is found and finished by the next sweep. A conversation
   * under legal hold is kept (resolves `false`): the record is deleted only while it is the very
   * text checked, so a hold stored meanwhile, on any instance, is never deleted with it.
   */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const { client, keys } = this.#c;
    // The tenant's keys: another tenant's conversation is not there for this one, and nothing
    // of it is deleted.
    const own = keys.conversationKeys(tenantId, id);
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
      const text = await this.#raw(tenantId, id);
      if (text !== null) {
        const record = this.#open(text);
        if (record.legalHold) {
          // Kept: in its lists (a deletion that raced the hold may have taken it out) and out of
          // the retention indexes (a hold cut short after its record was stored is finished here).
          await this.#index(undefined, record, undefined, true);
          return false;
        }
        // Its queue place goes with its queue entry (an id no queue holds has none to lose).
        const multi = client.multi().hDel(keys.queuePlaces(record.tenantId), id);
        for (const key of this.#indexKeys(record)) multi.zRem(key, id);
        await transaction(client, () => multi.exec());
      }
      const deleted = await redisCall(() =>
        DELETE_UNCHANGED.run(client, own, [text === null ? '' : sealedHead(text)]),
      );
      // Changed since it was read (held, or anything else): read again and decide again.
      if (deleted === 0) continue;
      this.#unseen(tenantId, id);
      await transaction(client, () =>
        client.multi().zRem(keys.anonymise(tenantId), id).zRem(keys.retention(tenantId), id).exec(),
      );
      return true;
    }
    throw new TypeError(`conversation ${id} kept changing; deletion abandoned`);
  }

  /** Takes an anonymised (or deleted) conversation out of the tenant's anonymising index. */
  async anonymised(tenantId: string, id: string): Promise<void> {
    await redisCall(() => this.#c.client.zRem(this.#c.keys.anonymise(tenantId), id));
  }

  /**
   * The sealed record of the tenant's conversation, or `null`. Not under the tenant's key, it
   * may still be under the previous version's ({@link #moveLegacy}): one more GET, only for a
   * conversation that is not found at first (never on the message path, which appends by
   * script on the record known here).
   */
  async #raw(tenantId: string, id: string): Promise<string | null> {
    const { client, keys } = this.#c;
    const text =
      (await redisCall(() => client.get(keys.conversation(tenantId, id)))) ??
      (await this.#moveLegacy(tenantId, id));
    this.seen(tenantId, id, text ?? '');
    return text;
  }

  /**
   * Moves a conversation the previous version stored without its tenant to the tenant's keys
   * ({@link MOVE_LEGACY}), after checking in the record opened here that it is this tenant's:
   * another tenant's conversation is neither moved nor read for this one. Resolves the sealed
   * record now under the tenant's key (moved here or by another instance meanwhile), or `null`.
   */
  async #moveLegacy(tenantId: string, id: string): Promise<string | null> {
    const { client, keys } = this.#c;
    const legacy = keys.legacyConversation(id);
    const own = keys.conversationKeys(tenantId, id);
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
      const old = await redisCall(() => client.get(legacy[0]));
      if (old === null || this.#open(old).tenantId !== tenantId) {
        // Moved meanwhile by another instance, or there is none (or it is not this tenant's).
        return old === null ? redisCall(() => client.get(keys.conversation(tenantId, id))) : null;
      }
      const moved = await redisCall(() => MOVE_LEGACY.run(client, [...legacy, ...own], [sealedHead(old)]));
      // RENAME kept the sealed text: the record is `old`, now under the tenant's key.
      if (moved === 1) return old;
      const now = await redisCall(() => client.get(keys.conversation(tenantId, id)));
      if (now !== null) return now;
      // The old record changed before it could be moved (an instance of the previous version
      // wrote it): read and check it again.
    }
    throw new TypeError(`conversation ${id} kept changing; moving its keys abandoned`);
  }

  /** Forgets what is known here of the tenant's conversation (another tenant's entry stays). */
  #unseen(tenantId: string, id: string): void {
    const known = this.#latest.get(id);
    if (known !== undefined && this.#open(known).tenantId === tenantId) this.#latest.delete(id);
  }

  /**
   * `keepsClosed`: a list that holds closed conversations too (a citizen's). `places`: the list
   * is a queue, whose entries left by failed creates go too, with their places (see
   * {@link RedisKeys.queuePlaces}).
   */
  async #list(
    tenantId: string,
    indexKey: string,
    keep: (c: ConversationRecord) => boolean,
    keepsClosed = false,
    places: string | undefined = undefined,
  ): Promise<ConversationRecord[]> {
    const { client } = this.#c;
    const ids = await redisCall(() => client.zRange(indexKey, 0, -1));
    const records = await Promise.all(ids.map((id) => this.get(tenantId, id)));
    // Only closed conversations are dropped from an open list here: closed is final. An entry
    // whose record is missing or in another state may belong to a create or update in flight on
    // another instance (entries are added before the record changes), so it is only skipped.
    const closed = keepsClosed ? [] : ids.filter((_, i) => records[i]?.status === 'closed');
    if (places) closed.push(...this.#orphaned(ids, records));
    if (closed.length > 0) {
      const multi = client.multi().zRem(indexKey, closed);
      if (places) multi.hDel(places, closed);
      await transaction(client, () => multi.exec());
    }
    return records
      .filter((c): c is ConversationRecord => c !== undefined && keep(c))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * The queue entries of `ids` without a record for {@link ORPHAN_AFTER_MS} as seen here. Real
   * elapsed time, not the injected clock: it bounds how long a create can be in flight.
   */
  #orphaned(ids: readonly string[], records: ReadonlyArray<ConversationRecord | undefined>): string[] {
    const now = Date.now();
    const orphans: string[] = [];
    ids.forEach((id, i) => {
      if (records[i] !== undefined) {
        this.#orphans.delete(id);
        return;
      }
      const since = this.#orphans.get(id);
      if (since === undefined) this.#orphans.set(id, now);
      else if (now - since >= ORPHAN_AFTER_MS) {
        this.#orphans.delete(id);
        orphans.push(id);
      }
    });
    return orphans;
  }

  /**
   * Index keys a record belongs to. With `previous`, removes it from the keys it no longer
   * belongs to; without, adds it to the keys of `next`. With `retention`, also (re)scores it in
   * the tenant's retention index (and, until anonymised, its anonymising index) by its
   * retention clock. All keys of one tenant share a slot,
   * so the MULTI is valid on a Cluster.
   */
  async #index(
    previous: ConversationRecord | undefined,
    next: ConversationRecord,
    already: ConversationRecord | undefined = undefined,
    retention = false,
  ): Promise<void> {
    const target = this.#indexKeys(next);
    const multi = this.#c.client.multi();
    let changes = 0;
    if (retention && next.legalHold) {
      // Held: in no retention index until released.
      multi.zRem(this.#c.keys.retention(next.tenantId), next.id);
      multi.zRem(this.#c.keys.anonymise(next.tenantId), next.id);
      changes += 2;
    } else if (retention) {
      const entry = { score: retentionClock(next), value: next.id };
      multi.zAdd(this.#c.keys.retention(next.tenantId), entry);
      changes += 1;
      if (next.anonymisedAt === undefined) {
        multi.zAdd(this.#c.keys.anonymise(next.tenantId), entry);
        changes += 1;
      }
    }
    // A queue place is written and taken back in the same transaction as the queue entry.
    const entry = placeEntryOf(next);
    const places = this.#c.keys.queuePlaces(next.tenantId);
    if (previous) {
      for (const key of this.#indexKeys(previous)) {
        if (target.includes(key)) continue;
        multi.zRem(key, next.id);
        changes += 1;
      }
      if (entry === undefined && placeEntryOf(previous) !== undefined) {
        multi.hDel(places, next.id);
        changes += 1;
      }
    } else {
      if (entry !== undefined && entry !== (already && placeEntryOf(already))) {
        multi.hSet(places, next.id, entry);
        changes += 1;
      }
      // Keys the record is already in (`already`, the state read) need no write: most updates
      // (read markers, identity) change no index, and then cost no round trip here.
      const present = already ? this.#indexKeys(already) : [];
      for (const key of target) {
        if (present.includes(key)) continue;
        multi.zAdd(key, { score: next.createdAt, value: next.id });
        changes += 1;
      }
    }
    if (changes > 0) await transaction(this.#c.client, () => multi.exec());
  }

  #indexKeys(c: ConversationRecord): string[] {
    const { keys } = this.#c;
    const result: string[] = [];
    if (waitsInQueue(c)) result.push(keys.queue(c.tenantId, c.topic));
    if (c.status === 'assigned' && c.assignedTo)
      result.push(
        keys.assigned(c.tenantId, this.#c.codec.blindIndex(c.assignedTo.subject)),
        keys.assignedAny(c.tenantId),
      );
    if (c.status !== 'closed') result.push(keys.visitorOpen(c.tenantId, c.visitorId));
    for (const subject of c.subjects ?? []) result.push(keys.subject(c.tenantId, subject));
    return result;
  }
}

/**
 * Append with the next seq and the client's idempotency key in one atomic step. The message
 * (sealed, without its seq) becomes the Stream entry `<seq>-0`; a key seen before returns the
 * entry stored under it instead (a new entry's body is not sent back: the caller has it).
 * KEYS: seq, dedupe hash, stream, record (one slot; {@link APPEND} answers `{3}` without the record); ARGV: key, body.
 */
const APPEND_SOURCE = `
if ARGV[1] ~= '' then
  local seen = redis.call('HGET', KEYS[2], ARGV[1])
  if seen then
    local entry = redis.call('XRANGE', KEYS[3], seen .. '-0', seen .. '-0')
    if entry[1] then return {1, seen, entry[1][2][2]} end
  end
end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[3], seq .. '-0', 'm', ARGV[2])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], seq) end`;
const APPEND = new RedisScript(`
if redis.call('EXISTS', KEYS[4]) == 0 then return {3} end
${APPEND_SOURCE}
return {0, tostring(seq)}`);

/**
 * {@link APPEND} only while the conversation's record is the sealed text the caller decided on
 * (and, for a visitor message, its PII guard tail the one the text was guarded against), the
 * new tail written with the message: a visitor message costs this one call instead of a GET of
 * the record, a GET of the tail, the append and a SET of the tail. A sealed text is compared
 * by its head `v1.<iv>.` ({@link sealedHead}): every seal draws a fresh random 96-bit IV (GCM
 * must never repeat one under a key), so an equal head is the very same seal, and a record of
 * a kilobyte or two need not travel with every message. When either changed nothing is
 * written and both current texts come back (`''`: none), so the caller decides again without
 * another read.
 * KEYS: seq, dedupe hash, stream, record, tail (one slot); ARGV: key, body, expected record
 * head, `'1'` to check and write the tail, expected tail head (`''`: none), next tail (`''`
 * deletes), tail TTL (ms).
 */
const APPEND_IF = new RedisScript(`
local rec = redis.call('GET', KEYS[4]) or ''
local tail = ''
if ARGV[4] == '1' then tail = redis.call('GET', KEYS[5]) or '' end
if rec == '' or string.sub(rec, 1, #ARGV[3]) ~= ARGV[3]
  or string.sub(tail, 1, #ARGV[5]) ~= ARGV[5] or (tail == '') ~= (ARGV[5] == '') then
  return {2, rec, tail}
end
${APPEND_SOURCE}
if ARGV[4] == '1' and (tail ~= '' or ARGV[6] ~= '') then
  if ARGV[6] == '' then redis.call('DEL', KEYS[5])
  else redis.call('SET', KEYS[5], ARGV[6], 'PX', ARGV[7]) end
end
return {0, tostring(seq)}`);

/**
 * The field of a message's client id in its conversation's dedupe hash: the author is part of
 * it, so another participant reusing a client id does not hit it (`''`: no client id, no dedupe).
 * An agent is named by the keyed blind index of their staff subject, as in key names: a subject
 * may be an e-mail address, and a hash field is not sealed. A visitor's id is random.
 */
function clientIdField(draft: Omit<MessageRecord, 'seq'>, staffIndex: (subject: string) => string): string {
  if (draft.clientId === undefined) return '';
  const author =
    draft.from === 'agent' && draft.authorId !== undefined
      ? staffIndex(draft.authorId)
      : (draft.authorId ?? '');
  return `${draft.from}:${author}:${draft.clientId}`;
}

/** Staff subjects' blind indexes kept computed; beyond this many the cache starts afresh. */
const STAFF_INDEX_CACHE = 1_000;

/** An expected head no sealed text has (they start with `v1.`): the check fails. */
const NEVER_STORED = '-';

/** `v1.<iv>.` of a sealed text: unique to that seal (see {@link APPEND_IF}). */
function sealedHead(sealed: string): string {
  const dot = sealed.indexOf('.', 3);
  // Not a sealed text: compared whole.
  return sealed.startsWith('v1.') && dot > 3 ? sealed.slice(0, dot + 1) : sealed;
}

/**
 * The entry stored under a client's idempotency key, as {@link APPEND} finds it, in one step.
 * KEYS: dedupe hash, stream (one slot); ARGV: key. Returns `{seq, body}` or nil.
 */
const BY_CLIENT_ID = new RedisScript(`
local seen = redis.call('HGET', KEYS[1], ARGV[1])
if not seen then return nil end
local entry = redis.call('XRANGE', KEYS[2], seen .. '-0', seen .. '-0')
if entry[1] then return {seen, entry[1][2][2]} end
return nil`);

class RedisMessages implements MessageRepository {
  readonly #c: RedisContext;
  readonly #conversations: RedisConversations;
  readonly #tails: RedisTextTails;
  /** A staff subject's blind index: an agent's every message needs it, and agents are few. */
  readonly #staffIndex: (subject: string) => string;
  constructor(context: RedisContext, conversations: RedisConversations, tails: RedisTextTails) {
    this.#c = context;
    this.#conversations = conversations;
    this.#tails = tails;
    this.#staffIndex = boundedMemo((subject) => context.codec.blindIndex(subject), STAFF_INDEX_CACHE);
  }

  async appendIf(
    tenantId: string,
    draft: Omit<MessageRecord, 'seq'>,
    condition: AppendCondition,
  ): Promise<AppendResult | StaleAppend> {
    const { client, keys, codec } = this.#c;
    const id = draft.conversationId;
    const { conversation, tail } = condition;
    // A record or tail not known here by its text cannot be checked: the script answers with
    // the stored ones, and the caller decides again on them.
    const text = this.#conversations.textOf(conversation);
    const expected = text === undefined ? NEVER_STORED : sealedHead(text);
    const seenTail = this.#tails.seenOf(tenantId, id);
    let tailArgs = ['', '', '', ''];
    let nextTail = '';
    if (tail) {
      const previous = seenTail
        ? seenTail.tail === tail.previous
          ? sealedHead(seenTail.sealed)
          : NEVER_STORED
        : tail.previous === ''
          ? ''
          : NEVER_STORED;
      // An unchanged tail keeps its sealed text (the write renews its expiry).
      nextTail =
        tail.next === ''
          ? ''
          : tail.next === seenTail?.tail && seenTail.sealed
            ? seenTail.sealed
            : codec.seal(tail.next);
      tailArgs = ['1', previous, nextTail, String(TAIL_TTL_MS)];
    }
    const reply = (await redisCall(() =>
      APPEND_IF.run(
        client,
        [
          keys.sequence(tenantId, id),
          keys.dedupe(tenantId, id),
          keys.messages(tenantId, id),
          keys.conversation(tenantId, id),
          keys.textTail(tenantId, id),
        ],
        [clientIdField(draft, this.#staffIndex), codec.seal(draft), expected, ...tailArgs],
      ),
    )) as [0, string] | [1, string, string] | [2, string, string];
    if (reply[0] === 2) {
      this.#conversations.seen(tenantId, id, reply[1]);
      if (tail) this.#tails.seen(tenantId, id, reply[2]);
      return { stale: true };
    }
    if (reply[0] === 1) {
      return {
        message: { ...codec.open<Omit<MessageRecord, 'seq'>>(reply[2]), seq: Number(reply[1]) },
        duplicate: true,
      };
    }
    if (tail) this.#tails.seen(tenantId, id, nextTail, tail.next);
    return { message: { ...draft, seq: Number(reply[1]) }, duplicate: false };
  }

  async append(tenantId: string, draft: Omit<MessageRecord, 'seq'>): Promise<AppendResult> {
    const { client, keys, codec } = this.#c;
    const id = draft.conversationId;
    const reply = (await redisCall(() =>
      APPEND.run(
        client,
        [
          keys.sequence(tenantId, id),
          keys.dedupe(tenantId, id),
          keys.messages(tenantId, id),
          keys.conversation(tenantId, id),
        ],
        [clientIdField(draft, this.#staffIndex), codec.seal(draft)],
      ),
    )) as [0, string] | [1, string, string] | [3];
    // The record is gone (deleted since the caller read it): nothing may be left behind it.
    if (reply[0] === 3) throw new GatewayError('conversation_not_found');
    // A new entry is the draft just sealed: only an earlier message (duplicate) needs opening.
    if (reply[0] !== 1) return { message: { ...draft, seq: Number(reply[1]) }, duplicate: false };
    return {
      message: { ...codec.open<Omit<MessageRecord, 'seq'>>(reply[2]), seq: Number(reply[1]) },
      duplicate: true,
    };
  }

  async byClientId(
    tenantId: string,
    conversationId: string,
    author: Pick<MessageRecord, 'from' | 'authorId'>,
    clientId: string,
  ): Promise<MessageRecord | undefined> {
    const { client, keys, codec } = this.#c;
    const draft = { ...author, clientId } as Omit<MessageRecord, 'seq'>;
    const reply = (await redisCall(() =>
      BY_CLIENT_ID.run(
        client,
        [keys.dedupe(tenantId, conversationId), keys.messages(tenantId, conversationId)],
        [clientIdField(draft, this.#staffIndex)],
      ),
    )) as [string, string] | null;
    if (!reply) return undefined;
    return { ...codec.open<Omit<MessageRecord, 'seq'>>(reply[1]), seq: Number(reply[0]) };
  }

  async list(
    tenantId: string,
    conversationId: string,
    afterSeq = 0,
    limit?: number,
  ): Promise<MessageRecord[]> {
    const { client, keys, codec } = this.#c;
    const start = `${Math.max(0, Math.floor(afterSeq)) + 1}-0`;
    const entries = await redisCall(() =>
      client.xRange(
        keys.messages(tenantId, conversationId),
        start,
        '+',
        limit === undefined ? undefined : { COUNT: limit },
      ),
    );
    return entries.map((entry) => ({
      ...codec.open<Omit<MessageRecord, 'seq'>>(entry.message.m ?? ''),
      seq: Number(entry.id.split('-')[0]),
    }));
  }
}

/**
 * Replaces one sealed offline message by another (its handled marker changed), only while the
 * member read is still in the set: one deleted meanwhile (staff, erasure, retention) is not
 * written back, and one another instance changed meanwhile is read again. KEYS: offline set;
 * ARGV: member read, score (its time), new member. Returns 1 when replaced, else 0.
 */
const REPLACE_OFFLINE_MESSAGE = new RedisScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1`);

/**
 * Removes sealed members and says, for each, whether it was there (1) or not (0): a member
 * replaced meanwhile (its marker changed) is read again and removed in its new form.
 * KEYS: offline set; ARGV: members.
 */
const REMOVE_OFFLINE_MESSAGES = new RedisScript(`
local removed = {}
for i = 1, #ARGV do removed[i] = redis.call('ZREM', KEYS[1], ARGV[i]) end
return removed`);

/**
 * Removes, in one step, the members scored below a time and returns them: a member replaced
 * between a read and a removal (its marker changed) would otherwise be left for the next sweep.
 * KEYS: offline set; ARGV: exclusive upper bound (`(time`).
 */
const REMOVE_OFFLINE_BEFORE = new RedisScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #due > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) end
return due`);

/**
 * Tries of a change to one offline message while other instances keep changing it (each try
 * after a lost race finds the other's change, which a mark keeps and a deletion needs not redo).
 */
const OFFLINE_CHANGE_ATTEMPTS = 10;

class RedisOfflineMessages implements OfflineMessageRepository {
  readonly #c: RedisContext;
  constructor(context: RedisContext) {
    this.#c = context;
  }

  async save(record: OfflineMessageRecord): Promise<void> {
    const { client, keys, codec } = this.#c;
    await redisCall(() =>
      client.zAdd(keys.offline(record.tenantId), { score: record.createdAt, value: codec.seal(record) }),
    );
  }

  async list(tenantId: string, limit: number): Promise<OfflineMessageRecord[]> {
    if (limit <= 0) return [];
    const { client, keys, codec } = this.#c;
    const sealed = await redisCall(() => client.zRange(keys.offline(tenantId), 0, limit - 1, { REV: true }));
    return sealed
      .map((text) => codec.open<OfflineMessageRecord>(text))
      .filter((m) => m.tenantId === tenantId)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async get(tenantId: string, id: string): Promise<OfflineMessageRecord | undefined> {
    return (await this.#matching(tenantId, (m) => m.id === id))[0]?.[1];
  }

  /**
   * Each member is sealed whole, so a changed marker is a new member: the old one is replaced
   * by a script that writes only while the old one is still there (compare-and-set on the
   * member itself).
   */
  async mark(
    tenantId: string,
    id: string,
    handled: OfflineMessageHandled | null,
  ): Promise<{ message: OfflineMessageRecord; changed: boolean } | undefined> {
    const { client, keys, codec } = this.#c;
    for (let attempt = 0; attempt < OFFLINE_CHANGE_ATTEMPTS; attempt++) {
      const [found] = await this.#matching(tenantId, (m) => m.id === id);
      if (!found) return undefined;
      const [sealed, message] = found;
      const next = withHandled(message, handled);
      if (!next) return { message, changed: false };
      const replaced = await redisCall(() =>
        REPLACE_OFFLINE_MESSAGE.run(
          client,
          [keys.offline(tenantId)],
          [sealed, String(message.createdAt), codec.seal(next)],
        ),
      );
      if (replaced === 1) return { message: next, changed: true };
    }
    throw new TypeError(`offline message ${id} kept changing; not marked`);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.#remove(tenantId, (m) => m.id === id)).length > 0;
  }

  async listBySubject(tenantId: string, subjectIndex: string): Promise<OfflineMessageRecord[]> {
    return (await this.#matching(tenantId, (m) => m.subjectIndex === subjectIndex)).map(
      ([, record]) => record,
    );
  }

  deleteBySubject(tenantId: string, subjectIndex: string): Promise<string[]> {
    return this.#remove(tenantId, (m) => m.subjectIndex === subjectIndex);
  }

  /**
   * Removes the tenant's messages that `test` holds for; the ids this call removed. ZREM of the
   * sealed members read: one an instance deleted at the same moment is not counted twice, and
   * one whose marker changed meanwhile (a new member) is read again and removed.
   */
  async #remove(tenantId: string, test: (message: OfflineMessageRecord) => boolean): Promise<string[]> {
    const { client, keys } = this.#c;
    const removed: string[] = [];
    for (let attempt = 0; attempt < OFFLINE_CHANGE_ATTEMPTS; attempt++) {
      const found = await this.#matching(tenantId, test);
      if (found.length === 0) return removed;
      const flags = (await redisCall(() =>
        REMOVE_OFFLINE_MESSAGES.run(
          client,
          [keys.offline(tenantId)],
          found.map(([sealed]) => sealed),
        ),
      )) as number[];
      found.forEach(([, record], i) => {
        if (flags[i] === 1) removed.push(record.id);
      });
      if (flags.every((flag) => flag === 1)) return removed;
    }
    throw new TypeError('offline messages kept changing; not all deleted');
  }

  /**
   * The tenant's messages that `test` holds for, with their sealed members, oldest first. The
   * set is read whole and opened here: its members are sealed (neither an id nor a blind index
   * can be matched in Redis), and retention bounds it (`tenants[].retention`); a citizen's copy
   * or erasure is rare, and staff open, mark or delete one message at a time.
   */
  async #matching(
    tenantId: string,
    test: (message: OfflineMessageRecord) => boolean,
  ): Promise<Array<[string, OfflineMessageRecord]>> {
    const { client, keys, codec } = this.#c;
    const sealed = await redisCall(() => client.zRange(keys.offline(tenantId), 0, -1));
    return sealed
      .map((text): [string, OfflineMessageRecord] => [text, codec.open<OfflineMessageRecord>(text)])
      .filter(([, m]) => m.tenantId === tenantId && test(m))
      .sort(([, a], [, b]) => a.createdAt - b.createdAt);
  }
}

/** How long a queue entry may be without its record before it counts as left by a failed create. */
const ORPHAN_AFTER_MS = 30_000;

/**
 * A queued conversation's entry in its tenant's places ({@link RedisKeys.queuePlaces}): its
 * visitor, its network's blind index (`''`: none) and its topic (whose queue tells whether the
 * place is still taken, {@link FORGET_LEFT_PLACES}).
 */
function placeEntry(c: ConversationRecord, place: QueuePlace): string {
  return `${place.visitorId}\n${place.networkIndex ?? ''}\n${c.topic}`;
}

/** {@link placeEntry} of a conversation that takes a place, else `undefined`. */
function placeEntryOf(c: ConversationRecord): string | undefined {
  const place = queuePlace(c);
  return place && placeEntry(c, place);
}

/**
 * Enters a conversation in its topic's queue and its place in the tenant's places, only while
 * the queue holds fewer than `chat.maxQueued` and the places of its visitor, and of its client
 * network, number fewer than theirs (per tenant: every topic's places are in the one hash, read
 * whole; it holds only what waits, at most the queues' bounds together). Counted here, in the
 * step that takes the place, so starts racing on any instances cannot pass a bound together.
 * KEYS: queue, places; ARGV: queue bound (`''`: none), score (creation time), conversation id,
 * place entry, visitor id, network index (`''`: unknown, no network bound), visitor bound,
 * network bound (`''`: none), the queue's length from which the visitor and network bounds apply
 * (`''`: at once). Returns 1 when entered, 0 when the queue is full, 2 when the visitor or the
 * network has its bound waiting.
 */
const ENQUEUE_BOUNDED = new RedisScript(`
local queued = redis.call('ZCARD', KEYS[1])
if ARGV[1] ~= '' and queued >= tonumber(ARGV[1]) then return 0 end
local perVisitor = tonumber(ARGV[7])
local perNetwork = nil
if ARGV[6] ~= '' then perNetwork = tonumber(ARGV[8]) end
if ARGV[9] ~= '' and queued < tonumber(ARGV[9]) then perVisitor, perNetwork = nil, nil end
if perVisitor or perNetwork then
  local visitor = ARGV[5] .. '\\n'
  local network = '\\n' .. ARGV[6] .. '\\n'
  local visitors, networks = 0, 0
  for _, entry in ipairs(redis.call('HVALS', KEYS[2])) do
    if string.sub(entry, 1, #visitor) == visitor then visitors = visitors + 1 end
    if perNetwork and string.find(entry, network, 1, true) then networks = networks + 1 end
  end
  if (perVisitor and visitors >= perVisitor) or (perNetwork and networks >= perNetwork) then return 2 end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1`);

/**
 * Forgets places whose conversation is not in the queue their entry names, each only while its
 * entry is still the one read (a transfer meanwhile wrote another). KEYS: places, the topic's
 * queue; ARGV: conversation id and entry, pairwise. Returns how many were forgotten.
 */
const FORGET_LEFT_PLACES = new RedisScript(`
local forgotten = 0
for i = 1, #ARGV, 2 do
  if not redis.call('ZSCORE', KEYS[2], ARGV[i]) and redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    forgotten = forgotten + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return forgotten`);

/**
 * Replaces a conversation's messages by their anonymised forms, only while its last entry is
 * still the one read (a message appended meanwhile: nothing is written, 0, and the caller reads
 * again), and forgets its dedupe keys and PII tail. A Stream entry cannot be changed in place:
 * the Stream is written anew with the same ids. KEYS: stream, dedupe, tail; ARGV: last id read,
 * then id and body of each entry.
 */
const REWRITE_MESSAGES = new RedisScript(`
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local lastId = ''
if last[1] then lastId = last[1][1] end
if lastId ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do redis.call('XADD', KEYS[1], ARGV[i], 'm', ARGV[i + 1]) end
redis.call('DEL', KEYS[2], KEYS[3])
return 1`);

/** Tries of a rewrite while messages keep arriving (an abandoned conversation rarely has any). */
const REWRITE_ATTEMPTS = 5;

/** Retention on the Redis chat repositories (see `RetentionRepository`). */
class RedisRetention implements RetentionRepository {
  readonly #c: RedisContext;
  readonly #conversations: RedisConversations;
  readonly #tails: RedisTextTails;
  readonly #stepUps: RedisStepUpTokens;
  constructor(
    context: RedisContext,
    chat: { conversations: RedisConversations; textTails: RedisTextTails; stepUpTokens: RedisStepUpTokens },
  ) {
    this.#c = context;
    this.#conversations = chat.conversations;
    this.#tails = chat.textTails;
    this.#stepUps = chat.stepUpTokens;
  }

  due(tenantId: string, before: number, limit: number): Promise<string[]> {
    return this.#conversations.due(tenantId, before, limit);
  }

  async deleteConversation(tenantId: string, conversationId: string): Promise<boolean> {
    const deleted = await this.#conversations.delete(tenantId, conversationId);
    if (deleted) {
      // Its tail went with its keys: known here as none.
      this.#tails.seen(tenantId, conversationId, '', '');
      // Last, as the retention index entry: a deletion cut short before it is finished by the next.
      await this.#stepUps.forget(tenantId, conversationId);
    }
    return deleted;
  }

  async deleteOfflineMessages(tenantId: string, before: number): Promise<string[]> {
    const { client, keys, codec } = this.#c;
    const key = keys.offline(tenantId);
    // Read and removed in one script: the ids are sealed, and the consoles are told them.
    const sealed = (await redisCall(() =>
      REMOVE_OFFLINE_BEFORE.run(client, [key], [`(${before}`]),
    )) as string[];
    return sealed.map((text) => codec.open<OfflineMessageRecord>(text).id);
  }

  dueForAnonymising(tenantId: string, before: number, limit: number): Promise<string[]> {
    return this.#conversations.due(tenantId, before, limit, false);
  }

  /**
   * The record first, then the messages with the dedupe keys and the tail, then its unused
   * step-up links (each names the conversation with the visitor's id, which anonymising
   * replaced), and the index entry last: each step is safe to repeat, so an anonymisation cut
   * short is finished by the next sweep.
   */
  async anonymiseConversation(tenantId: string, conversationId: string, at: number): Promise<void> {
    // The same new visitor id on every instance and every retry: `update` adds the visitor-list
    // entry before its compare-and-set, so with a fresh random id per attempt the instance whose
    // attempt lost left an entry under an id no record names, which no deletion takes out. Keyed
    // by the data key and derived from the conversation's own id alone, it links nothing.
    const visitorId = this.#c.codec.blindIndex(`anonymised-visitor\n${conversationId}`);
    // Another tenant's is not there for this one (under the tenant's keys): `update` finds none.
    const updated = await this.#conversations.update(tenantId, conversationId, (c) =>
      c.anonymisedAt === undefined && !c.legalHold ? anonymisedConversation(c, at, visitorId) : undefined,
    );
    // Held: not anonymised; out of the anonymising index until released (which puts it back).
    // One anonymised before has its messages rewritten again (a sweep cut short between the
    // record and the messages is finished).
    if (updated && !updated.legalHold) {
      await this.#rewriteMessages(tenantId, conversationId);
      this.#tails.seen(tenantId, conversationId, '', '');
      await this.#stepUps.forget(tenantId, conversationId);
    }
    await this.#conversations.anonymised(tenantId, conversationId);
  }

  async #rewriteMessages(tenantId: string, conversationId: string): Promise<void> {
    const { client, keys, codec } = this.#c;
    for (let attempt = 0; attempt < REWRITE_ATTEMPTS; attempt++) {
      const entries = await redisCall(() => client.xRange(keys.messages(tenantId, conversationId), '-', '+'));
      const args = [entries.at(-1)?.id ?? ''];
      for (const entry of entries) {
        const stored = codec.open<Omit<MessageRecord, 'seq'>>(entry.message.m ?? '');
        const { seq: _seq, ...body } = anonymisedMessage({ ...stored, seq: 0 });
        args.push(entry.id, codec.seal(body));
      }
      const written = await redisCall(() =>
        REWRITE_MESSAGES.run(
          client,
          [
            keys.messages(tenantId, conversationId),
            keys.dedupe(tenantId, conversationId),
            keys.textTail(tenantId, conversationId),
          ],
          args,
        ),
      );
      if (written === 1) return;
    }
    throw new TypeError(`conversation ${conversationId} kept receiving messages; anonymising retried later`);
  }
}

/**
 * RPUSH only: the audit trail has no update or delete command. Each entry goes to the tenant's
 * list and, in the same transaction (one slot), to its conversation's, so a conversation's
 * entries are read without opening the whole tenant's trail.
 */
class RedisTranscriptReads implements TranscriptAuditRepository {
  readonly #c: RedisContext;
  constructor(context: RedisContext) {
    this.#c = context;
  }

  async append(entry: TranscriptReadRecord, subjects: readonly string[] = []): Promise<void> {
    const { client, keys, codec } = this.#c;
    const sealed = codec.seal(entry);
    await transaction(client, () => {
      const multi = client
        .multi()
        .rPush(keys.transcriptReads(entry.tenantId), sealed)
        .rPush(keys.transcriptReadsOf(entry.tenantId, this.#index(entry.conversationId)), sealed);
      for (const subject of new Set(subjects))
        multi.rPush(keys.deletionsOfSubject(entry.tenantId, subject), sealed);
      return multi.exec();
    });
  }

  async listDeletionsOf(tenantId: string, subjectIndex: string): Promise<TranscriptReadRecord[]> {
    const { client, keys, codec } = this.#c;
    const sealed = await redisCall(() =>
      client.lRange(keys.deletionsOfSubject(tenantId, subjectIndex), 0, -1),
    );
    return sealed
      .map((text) => codec.open<TranscriptReadRecord>(text))
      .filter((e) => e.tenantId === tenantId);
  }

  async list(tenantId: string, conversationId?: string): Promise<TranscriptReadRecord[]> {
    const { client, keys, codec } = this.#c;
    const key =
      conversationId === undefined
        ? keys.transcriptReads(tenantId)
        : keys.transcriptReadsOf(tenantId, this.#index(conversationId));
    const sealed = await redisCall(() => client.lRange(key, 0, -1));
    return sealed
      .map((text) => codec.open<TranscriptReadRecord>(text))
      .filter(
        (e) =>
          e.tenantId === tenantId && (conversationId === undefined || e.conversationId === conversationId),
      );
  }

  /** Its own domain of the keyed index, apart from national ids, staff subjects and bus channels. */
  #index(conversationId: string): string {
    return this.#c.codec.blindIndex(`transcript-reads\n${conversationId}`);
  }
}

class RedisPresence implements PresenceRepository {
  readonly #c: RedisContext;
  constructor(context: RedisContext) {
    this.#c = context;
  }

  async touch(tenantId: string, memberId: string, expiresAt: number): Promise<void> {
    const { client, keys } = this.#c;
    await redisCall(() => client.zAdd(keys.presence(tenantId), { score: expiresAt, value: memberId }));
  }

  async remove(tenantId: string, memberId: string): Promise<void> {
    const { client, keys } = this.#c;
    await redisCall(() => client.zRem(keys.presence(tenantId), memberId));
  }

  /** Counts entries expiring after `now` (the injected clock), dropping the expired ones. */
  async count(tenantId: string, now: number): Promise<number> {
    const { client, keys } = this.#c;
    const key = keys.presence(tenantId);
    const [, count] = await transaction(client, () =>
      client.multi().zRemRangeByScore(key, '-inf', now).zCard(key).exec(),
    );
    return Number(count);
  }
}

class RedisVisitorSockets implements VisitorSocketsRepository {
  readonly #c: RedisContext;
  constructor(context: RedisContext) {
    this.#c = context;
  }

  /**
   * The key expires with its latest-expiring entry, so a visitor who is gone leaves nothing
   * behind. Set only forward (NX, then GT): an instance touching after another with an earlier
   * expiry (its clock a little behind) must not cut the other instance's entry short with the key.
   */
  async touch(tenantId: string, visitorId: string, instanceId: string, expiresAt: number): Promise<void> {
    const { client, keys } = this.#c;
    const key = keys.visitorSockets(tenantId, visitorId);
    await transaction(client, () =>
      client
        .multi()
        .zAdd(key, { score: expiresAt, value: instanceId })
        .pExpireAt(key, expiresAt, 'NX')
        .pExpireAt(key, expiresAt, 'GT')
        .exec(),
    );
  }

  async leave(tenantId: string, visitorId: string, instanceId: string, now: number): Promise<number> {
    const { client, keys } = this.#c;
    const key = keys.visitorSockets(tenantId, visitorId);
    const [, , count] = await transaction(client, () =>
      client.multi().zRem(key, instanceId).zRemRangeByScore(key, '-inf', now).zCard(key).exec(),
    );
    return Number(count);
  }

  async holders(tenantId: string, visitorId: string, now: number): Promise<number> {
    const { client, keys } = this.#c;
    return redisCall(() => client.zCount(keys.visitorSockets(tenantId, visitorId), `(${now}`, '+inf'));
  }
}

/**
 * Short-lived records taken once by the hash of their secret (step-up links, login hand-overs),
 * sealed. The key expires with the record (PX), so unused ones do not pile up; GETDEL means two
 * instances redeeming the same secret at once cannot both get it.
 */
class RedisOneTimeRecords<T extends { tenantId: string; expiresAt: number }> {
  readonly #c: RedisContext;
  readonly #key: (tenantId: string, hash: string) => string;
  readonly #legacyKey: (hash: string) => string;
  /** `key`: the tenant's key of a hash; `legacyKey`: the previous version's, without the tenant. */
  constructor(
    context: RedisContext,
    key: (tenantId: string, hash: string) => string,
    legacyKey: (hash: string) => string,
  ) {
    this.#c = context;
    this.#key = key;
    this.#legacyKey = legacyKey;
  }

  async save(hash: string, record: T, now: number): Promise<void> {
    const ttl = record.expiresAt - now;
    if (ttl <= 0) return;
    const { client, codec } = this.#c;
    await redisCall(() =>
      client.set(this.#key(record.tenantId, hash), codec.seal(record), {
        expiration: { type: 'PX', value: ttl },
      }),
    );
  }

  async peek(tenantId: string, hash: string): Promise<T | undefined> {
    const text = await redisCall(() => this.#c.client.get(this.#key(tenantId, hash)));
    if (text !== null) return this.#c.codec.open<T>(text);
    return (await this.#moveLegacy(tenantId, hash)) ? this.peek(tenantId, hash) : undefined;
  }

  async take(tenantId: string, hash: string): Promise<T | undefined> {
    const text = await redisCall(() => this.#c.client.getDel(this.#key(tenantId, hash)));
    if (text !== null) return this.#c.codec.open<T>(text);
    return (await this.#moveLegacy(tenantId, hash)) ? this.take(tenantId, hash) : undefined;
  }

  /**
   * Moves a record the previous version stored without its tenant (one made before the upgrade,
   * still within its minutes) to the tenant's key, when it is the tenant's: another tenant's is
   * left where it is, unread. The old key is taken (GETDEL, with its remaining time read in the
   * same transaction) so exactly one instance moves it and a used record cannot come back from
   * it; the two keys may be in different Cluster slots, so it is written anew (NX: never over a
   * newer one) rather than renamed. Resolves whether there is now a record under the tenant's key
   * to read (this call moved it, or another did meanwhile).
   */
  async #moveLegacy(tenantId: string, hash: string): Promise<boolean> {
    const { client, codec } = this.#c;
    const legacy = this.#legacyKey(hash);
    const text = await redisCall(() => client.get(legacy));
    if (text === null || codec.open<T>(text).tenantId !== tenantId) return false;
    const [ttl, taken] = await transaction(client, () => client.multi().pTTL(legacy).getDel(legacy).exec());
    if (typeof taken !== 'string')
      return (await redisCall(() => client.exists(this.#key(tenantId, hash)))) > 0;
    const ms = Number(ttl);
    // Expiring as it would have (an old key without expiry gets none: the record's own
    // `expiresAt` still voids it).
    await redisCall(() =>
      ms > 0
        ? client.set(this.#key(tenantId, hash), taken, {
            condition: 'NX',
            expiration: { type: 'PX', value: ms },
          })
        : client.set(this.#key(tenantId, hash), taken, { condition: 'NX' }),
    );
    return true;
  }
}

/**
 * Step-up links, each also listed under its conversation ({@link RedisKeys.stepUpsOf}) so that
 * deleting the conversation deletes its links: a link left behind would name, sealed, the
 * conversation and its visitor for the rest of its minutes. The list is written before the link,
 * so a link is never stored unlisted; a link issued while its conversation is being deleted may
 * still outlive it, until its own expiry.
 */
class RedisStepUpTokens extends RedisOneTimeRecords<StepUpTokenRecord> {
  readonly #c: RedisContext;
  constructor(context: RedisContext) {
    super(
      context,
      (tenantId, hash) => context.keys.stepUp(tenantId, hash),
      (hash) => context.keys.legacyStepUp(hash),
    );
    this.#c = context;
  }

  override async save(hash: string, record: StepUpTokenRecord, now: number): Promise<void> {
    const ttl = record.expiresAt - now;
    if (ttl <= 0) return;
    const { client, keys } = this.#c;
    const list = keys.stepUpsOf(record.tenantId, record.conversationId);
    // Every link lives as long (`STEP_UP_TTL_MS`), so the latest link's expiry is the list's.
    await transaction(client, () => client.multi().sAdd(list, hash).pExpire(list, ttl).exec());
    await super.save(hash, record, now);
  }

  /** Deletes every link made for the conversation, and their list. */
  async forget(tenantId: string, conversationId: string): Promise<void> {
    const { client, keys } = this.#c;
    const list = keys.stepUpsOf(tenantId, conversationId);
    const hashes = await redisCall(() => client.sMembers(list));
    // One command per link: the links' keys lie in other Cluster slots than the list.
    await Promise.all(hashes.map((hash) => redisCall(() => client.del(keys.stepUp(tenantId, hash)))));
    await redisCall(() => client.del(list));
  }
}

/** Tails kept with their conversation, sealed (a tail is part of what a visitor typed). */
class RedisTextTails implements TextTailRepository {
  readonly #c: RedisContext;
  /**
   * Conversation id → its tenant, its tail as last read or written here, and the sealed text
   * (`''`: none). Kept by id alone (ids are random, one per conversation of any tenant) with the
   * tenant in the entry: asked for under another tenant, a tail known here is not handed out.
   */
  readonly #latest = new LastSeen<{ tenantId: string; sealed: string; tail: string }>(LAST_SEEN);
  constructor(context: RedisContext) {
    this.#c = context;
  }

  async get(tenantId: string, conversationId: string): Promise<string> {
    const { client, keys } = this.#c;
    const sealed = await redisCall(() => client.get(keys.textTail(tenantId, conversationId)));
    return this.seen(tenantId, conversationId, sealed ?? '');
  }

  /** The tail as last read or written here (no round trip); read when not known. */
  async recent(tenantId: string, conversationId: string): Promise<string> {
    return this.seenOf(tenantId, conversationId)?.tail ?? this.get(tenantId, conversationId);
  }

  async set(tenantId: string, conversationId: string, tail: string): Promise<void> {
    const { client, keys, codec } = this.#c;
    const key = keys.textTail(tenantId, conversationId);
    this.#latest.delete(conversationId);
    if (tail === '') {
      await redisCall(() => client.del(key));
      this.seen(tenantId, conversationId, '', '');
      return;
    }
    const sealed = codec.seal(tail);
    await redisCall(() => client.set(key, sealed, { expiration: { type: 'PX', value: TAIL_TTL_MS } }));
    this.seen(tenantId, conversationId, sealed, tail);
  }

  async delete(tenantId: string, conversationId: string): Promise<void> {
    const { client, keys } = this.#c;
    this.#latest.delete(conversationId);
    await redisCall(() => client.del(keys.textTail(tenantId, conversationId)));
    this.seen(tenantId, conversationId, '', '');
  }

  /** What was last seen here of the tenant's conversation's tail (for the append's check). */
  seenOf(tenantId: string, conversationId: string): { sealed: string; tail: string } | undefined {
    const entry = this.#latest.get(conversationId);
    return entry?.tenantId === tenantId ? entry : undefined;
  }

  /** Notes a tail's stored sealed text (`''`: none), opening it unless `tail` is given; returns the tail. */
  seen(tenantId: string, conversationId: string, sealed: string, tail?: string): string {
    const opened = tail ?? (sealed === '' ? '' : this.#c.codec.open<string>(sealed));
    this.#latest.set(conversationId, { tenantId, sealed, tail: opened });
    return opened;
  }
}

/** The chat's repositories on Redis. */
export function createRedisChatRepositories(context: RedisContext): ChatRepositories {
  return redisChat(context);
}

/** The Redis chat repositories as their own classes (retention reaches into two of them). */
function redisChat(context: RedisContext) {
  const conversations = new RedisConversations(context);
  const textTails = new RedisTextTails(context);
  return {
    textTails,
    conversations,
    messages: new RedisMessages(context, conversations, textTails),
    offlineMessages: new RedisOfflineMessages(context),
    presence: new RedisPresence(context),
    visitorSockets: new RedisVisitorSockets(context),
    stepUpTokens: new RedisStepUpTokens(context),
    transcriptReads: new RedisTranscriptReads(context),
  };
}

/**
 * The store on Redis, for several gateway instances. It does not own the connection's life
 * beyond `close()`; readiness is the connection's (`RedisConnection.health()`).
 */
export function createRedisStore(options: {
  connection: RedisConnection;
  keys: RedisKeys;
  codec: StoreCodec;
}): Store {
  const context: RedisContext = {
    client: options.connection.client,
    keys: options.keys,
    codec: options.codec,
  };
  const chat = redisChat(context);
  return {
    receipts: new RedisReceipts(context),
    handovers: new RedisOneTimeRecords<HandoverRecord>(
      context,
      (tenantId, hash) => context.keys.handover(tenantId, hash),
      (hash) => context.keys.legacyHandover(hash),
    ),
    chat,
    retention: new RedisRetention(context, chat),
    rateLimiter: redisRateLimiter(options.connection.client, options.keys.rateLimits(), (value) =>
      options.codec.blindIndex(value),
    ),
    oidcProvider: new RedisOidcState({
      client: options.connection.client,
      prefix: options.keys.oidcProvider(),
      codec: options.codec,
    }),
    close: () => options.connection.close(),
  };
}
