/** A conversation's own keys: record, sequence, messages, dedupe, tail. */
export type ConversationKeys = [
  record: string,
  sequence: string,
  messages: string,
  dedupe: string,
  tail: string,
];

/**
 * The Redis key layout, in one place (documented in the README, "Deployment with Redis").
 *
 * Everything starts with the configured prefix (`gw:`), and every key of a tenant's data names
 * the tenant, so whose data a key holds is told by its name. Keys that
 * belong to one conversation (`gw:t:<tenant>:c:{<id>}:…`) share the hash tag `{<id>}` so a Lua
 * script or transaction over them stays in one slot of a Redis Cluster; a tenant's indexes share
 * `{t:<tenant>}` for the same reason. The repositories address a conversation by its tenant and
 * id: an id asked for under another tenant names keys that do not exist, so it is not found.
 *
 * Keys without a tenant, and why: sessions (`sess:`, `sess-owner:`) are read by connect-redis
 * from the session cookie before any tenant is known, and one session holds the browser's state
 * at every tenant (its per-tenant records are inside the sealed value); rate-limit counters
 * (`rl:`) are named by rate-limiter-flexible from the limit and a keyed blind index of what they
 * count, which holds the tenant where the count is per tenant (a visitor's quotas) and leaves it
 * out where a client address or session is counted over every tenant's prefix at once; the
 * OpenID Provider's state (`oidc:`) is per tenant already, by its own hash tag
 * (`{op:<tenant>}`, `redis-oidc-state.ts`).
 *
 * The previous version kept a conversation's keys as `gw:c:{<id>}:…` ({@link legacyConversation})
 * and receipts, step-up links and hand-overs without the tenant too: the Redis store moves each
 * to the tenant's names the first time it is looked up under its own tenant (a conversation's
 * hash tag is the same, so its old and new names share a slot).
 */
export class RedisKeys {
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** Sealed conversation record (string). */
  conversation(tenantId: string, id: string): string {
    return `${this.#prefix}t:${tenantId}:c:{${id}}:rec`;
  }
  /** Last message sequence number (INCR). */
  sequence(tenantId: string, id: string): string {
    return `${this.#prefix}t:${tenantId}:c:{${id}}:seq`;
  }
  /** The conversation's messages: a Stream whose entry ids are `<seq>-0`. */
  messages(tenantId: string, id: string): string {
    return `${this.#prefix}t:${tenantId}:c:{${id}}:msgs`;
  }
  /** Client idempotency keys → seq (hash). */
  dedupe(tenantId: string, id: string): string {
    return `${this.#prefix}t:${tenantId}:c:{${id}}:dedupe`;
  }
  /** The end of the last visitor message, sealed, for the PII guard (string, expiring). */
  textTail(tenantId: string, id: string): string {
    return `${this.#prefix}t:${tenantId}:c:{${id}}:tail`;
  }
  /**
   * A conversation's own keys, in the order record, sequence, messages, dedupe, tail (the order
   * {@link legacyConversation} gives the same keys of the previous version in).
   */
  conversationKeys(tenantId: string, id: string): ConversationKeys {
    return [
      this.conversation(tenantId, id),
      this.sequence(tenantId, id),
      this.messages(tenantId, id),
      this.dedupe(tenantId, id),
      this.textTail(tenantId, id),
    ];
  }
  /**
   * The same keys as the previous version named them, without the tenant (`gw:c:{<id>}:rec`,
   * `:seq`, `:msgs`, `:dedupe`, `:tail`): read only to move them to {@link conversationKeys}.
   */
  legacyConversation(id: string): ConversationKeys {
    const base = `${this.#prefix}c:{${id}}`;
    return [`${base}:rec`, `${base}:seq`, `${base}:msgs`, `${base}:dedupe`, `${base}:tail`];
  }

  /** Queued conversations of a topic (sorted set by creation time). */
  queue(tenantId: string, topic: string): string {
    return `${this.#tenant(tenantId)}:queue:${topic}`;
  }
  /**
   * Whose places the tenant's queued conversations take (hash: conversation id →
   * `<visitor id>\n<network blind index or ''>\n<topic>`), written in the same step as each
   * queue entry and counted by the start's script (`chat.maxQueuedPerVisitor`,
   * `chat.maxQueuedPerAddress`). Readable: a random visitor id, a keyed index, a topic id.
   */
  queuePlaces(tenantId: string): string {
    return `${this.#tenant(tenantId)}:queue-places`;
  }
  /** Open conversations assigned to an agent, by the keyed blind index of its subject (sorted set). */
  assigned(tenantId: string, agentIndex: string): string {
    return `${this.#tenant(tenantId)}:agent:${agentIndex}`;
  }
  /** Conversations assigned to any agent of the tenant (sorted set by creation): the supervisors' list. */
  assignedAny(tenantId: string): string {
    return `${this.#tenant(tenantId)}:assigned`;
  }
  /** Open conversations of a visitor (sorted set). */
  visitorOpen(tenantId: string, visitorId: string): string {
    return `${this.#tenant(tenantId)}:visitor:${visitorId}`;
  }
  /**
   * Every conversation, open or closed, a citizen's identity was shared into, by the keyed blind
   * index of their national id (sorted set by creation): their copy and erasure.
   */
  subject(tenantId: string, subjectIndex: string): string {
    return `${this.#tenant(tenantId)}:subject:${subjectIndex}`;
  }
  /**
   * Every conversation of a tenant by its retention clock (sorted set: scored by its start, then
   * by its closing), for the retention sweep.
   */
  retention(tenantId: string): string {
    return `${this.#tenant(tenantId)}:retention`;
  }
  /** A tenant's conversations not yet anonymised, by their retention clock (sorted set). */
  anonymise(tenantId: string): string {
    return `${this.#tenant(tenantId)}:anonymise`;
  }
  /** Connected agents with their expiry (sorted set scored by `expiresAt`). */
  presence(tenantId: string): string {
    return `${this.#tenant(tenantId)}:presence`;
  }
  /** Instances holding chat sockets of a visitor, with their expiry (sorted set scored by `expiresAt`). */
  visitorSockets(tenantId: string, visitorId: string): string {
    return `${this.#tenant(tenantId)}:visitor-sockets:${visitorId}`;
  }
  /** Append-only list of staff access to conversations not theirs (reads, deletions). */
  transcriptReads(tenantId: string): string {
    return `${this.#tenant(tenantId)}:transcript-reads`;
  }
  /**
   * The same entries of one conversation, by the keyed blind index of its id (the tenant's
   * slot; no key names a deleted conversation), so one is read without the rest.
   */
  transcriptReadsOf(tenantId: string, conversationIndex: string): string {
    return `${this.#tenant(tenantId)}:transcript-reads:${conversationIndex}`;
  }
  /** The deletion and erasure entries of the conversations a data subject shared into (keyed index). */
  deletionsOfSubject(tenantId: string, subjectIndex: string): string {
    return `${this.#tenant(tenantId)}:deletions:${subjectIndex}`;
  }

  offline(tenantId: string): string {
    return `${this.#tenant(tenantId)}:offline`;
  }
  /** Receipt ids of one data subject (set), by blind index. */
  receiptsOf(tenantId: string, subjectIndex: string): string {
    return `${this.#tenant(tenantId)}:receipts:${subjectIndex}`;
  }

  /** One consent receipt of the tenant (string). */
  receipt(tenantId: string, id: string): string {
    return `${this.#prefix}t:${tenantId}:receipt:${id}`;
  }
  /** One step-up link of the tenant by the hash of its token, expiring with it (PX). */
  stepUp(tenantId: string, tokenHash: string): string {
    return `${this.#prefix}t:${tenantId}:stepup:${tokenHash}`;
  }
  /**
   * The hashes of the step-up links made for a conversation (set, expiring with its latest
   * link), so a deleted conversation's links go with it.
   */
  stepUpsOf(tenantId: string, conversationId: string): string {
    return `${this.#prefix}t:${tenantId}:c:{${conversationId}}:stepups`;
  }
  /** One login hand-over of the tenant by the hash of its id, expiring with it (PX). */
  handover(tenantId: string, idHash: string): string {
    return `${this.#prefix}t:${tenantId}:handover:${idHash}`;
  }
  /** The previous version's {@link receipt}, without the tenant: read only to move it. */
  legacyReceipt(id: string): string {
    return `${this.#prefix}receipt:${id}`;
  }
  /** The previous version's {@link stepUp}, without the tenant: read only to move it. */
  legacyStepUp(tokenHash: string): string {
    return `${this.#prefix}stepup:${tokenHash}`;
  }
  /** The previous version's {@link handover}, without the tenant: read only to move it. */
  legacyHandover(idHash: string): string {
    return `${this.#prefix}handover:${idHash}`;
  }
  /** Rate-limit counters (rate-limiter-flexible appends the limit's name and key). */
  rateLimits(): string {
    return `${this.#prefix}rl:`;
  }
  /** The gateway's OpenID Provider state (`redis-oidc-state.ts` adds `{op:<tenant>}:…`). */
  oidcProvider(): string {
    return `${this.#prefix}oidc:`;
  }
  /** Sessions (connect-redis appends the session id). */
  sessions(): string {
    return `${this.#prefix}sess:`;
  }
  /**
   * The visitor id of a session, in clear (a random id, nothing personal), kept a little longer
   * than the session so the instance that hears of the session's expiry can tell whose it was.
   */
  sessionOwner(sid: string): string {
    // Hash-tagged with the session's own key, so both share a Cluster slot (written in one
    // MULTI, deleted in one DEL): a key without braces hashes whole, and a prefix with its own
    // tag makes both keys hash on that tag.
    return `${this.#prefix}sess-owner:{${this.sessions()}${sid}}`;
  }

  /**
   * A keyed blind index of a fixed label under the data key, written by the first instance of a
   * deployment: an instance whose `DATA_KEY` gives another one cannot open what the others seal.
   */
  dataKeyCheck(): string {
    return `${this.#prefix}data-key-check`;
  }

  /**
   * An HMAC of a fixed label under the session secret, written by the first instance: an
   * instance whose `SESSION_SECRET` gives another one rejects the others' session cookies.
   */
  sessionSecretCheck(): string {
    return `${this.#prefix}session-secret-check`;
  }

  #tenant(tenantId: string): string {
    return `${this.#prefix}{t:${tenantId}}`;
  }
}
