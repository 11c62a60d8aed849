import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';

/**
 * What the retention sweep needs of the store (memory and Redis implement it in `src/store/`).
 *
 * A conversation's retention clock is the time it was closed, or, while it is still open, the
 * time it was started: an open conversation older than the limit has been abandoned (chats last
 * minutes), and it goes too. A conversation under legal hold (`ConversationRecord.legalHold`)
 * is never due, and is neither deleted nor anonymised while held, however it is asked.
 */
export interface RetentionRepository {
  /** Ids of a tenant's conversations whose retention clock is before `before`, oldest first, at most `limit`. */
  due(tenantId: string, before: number, limit: number): Promise<string[]>;
  /**
   * Deletes a conversation completely: its record, every message, its sequence, its dedupe
   * keys, its PII guard tail and its entries in every list (queue, assignments, the visitor's
   * open conversations). Deleting one that is already gone does nothing. Resolves `false`, with
   * nothing deleted, when it is under legal hold, also when the hold was stored while this ran
   * (the check and the deletion are one atomic step).
   */
  deleteConversation(tenantId: string, conversationId: string): Promise<boolean>;
  /**
   * Deletes a tenant's offline messages left before `before`; resolves with their ids, which
   * the consoles that list them drop.
   */
  deleteOfflineMessages(tenantId: string, before: number): Promise<string[]>;
  /**
   * Ids of a tenant's conversations not yet anonymised whose retention clock is before `before`,
   * oldest first, at most `limit`.
   */
  dueForAnonymising(tenantId: string, before: number, limit: number): Promise<string[]>;
  /**
   * Anonymises a conversation (`anonymisedConversation` and `anonymisedMessage` in
   * `src/chat/chat-records.ts`) and forgets its dedupe keys, PII tail and unused step-up links
   * (each names it with the visitor's id). Anonymising one that is already anonymised, or gone,
   * does nothing.
   */
  anonymiseConversation(tenantId: string, conversationId: string, at: number): Promise<void>;
}

/** One tenant's retention, in days after a conversation ended (see {@link RetentionRepository}). */
export interface TenantRetention {
  tenantId: string;
  /** Anonymise transcripts, and delete offline messages, this many days after they end. Unset: not anonymised. */
  anonymiseAfterDays?: number;
  /** Delete transcripts (and offline messages, unless anonymising comes first) this many days after they end. Unset: kept. */
  deleteAfterDays?: number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Conversations anonymised. */
  anonymised: number;
  /** Conversations deleted. */
  conversations: number;
  offlineMessages: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Conversations deleted per store read, so one sweep never holds a tenant's whole history in memory. */
const BATCH = 100;

/**
 * Applies each tenant's `retention`: anonymises conversations `anonymiseAfterDays` after they
 * ended, and deletes what `deleteAfterDays` no longer allows to keep: conversations
 * (transcripts, with everything stored with them) and offline messages. It runs once soon after
 * start-up and then every `intervalMs` on every instance; deleting is idempotent, so instances
 * sweeping the same Redis at once only repeat each other's work.
 * @see README.md, "Retention"
 */
export class RetentionSweeper {
  readonly #repository: RetentionRepository;
  readonly #tenants: readonly TenantRetention[];
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #onOfflineMessagesDeleted: ((tenantId: string, ids: string[]) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepResult> | undefined;

  constructor(options: {
    repository: RetentionRepository;
    tenants: readonly TenantRetention[];
    clock: Clock;
    logger: Logger;
    intervalMs: number;
    /**
     * Told the ids of the offline messages a sweep deleted, so every console drops them (the
     * chat bus). The windows showing a conversation learn of its deletion or anonymisation from
     * the `repository` the gateway passes (`src/chat/swept-conversations.ts`).
     */
    onOfflineMessagesDeleted?: (tenantId: string, ids: string[]) => void;
  }) {
    this.#onOfflineMessagesDeleted = options.onOfflineMessagesDeleted;
    this.#repository = options.repository;
    this.#tenants = options.tenants;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs;
  }

  /** Sweeps after `firstDelayMs`, then every interval; the timers never keep the process alive. */
  start(firstDelayMs: number): void {
    if (this.#timer) return;
    const run = () => {
      this.sweep().catch((error: unknown) => {
        // A store outage: the next sweep tries again.
        this.#logger.warn({ reason: (error as Error).name }, 'retention sweep failed; retried at the next');
      });
    };
    this.#timer = setTimeout(() => {
      run();
      this.#timer = setInterval(run, this.#intervalMs);
      this.#timer.unref();
    }, firstDelayMs);
    this.#timer.unref();
  }

  /** Stops sweeping and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One sweep of every tenant now (a sweep already under way is joined, not doubled). */
  sweep(): Promise<SweepResult> {
    this.#running ??= this.#sweepAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweepAll(): Promise<SweepResult> {
    const total: SweepResult = { anonymised: 0, conversations: 0, offlineMessages: 0 };
    for (const tenant of this.#tenants) {
      // One tenant's failure (its store answering an error mid-way) leaves the others swept.
      try {
        const done = await this.#sweepTenant(tenant);
        total.anonymised += done.anonymised;
        total.conversations += done.conversations;
        total.offlineMessages += done.offlineMessages;
      } catch (error) {
        this.#logger.warn(
          { tenant: tenant.tenantId, reason: (error as Error).name },
          'retention sweep of a tenant failed; retried at the next',
        );
      }
    }
    return total;
  }

  /** Anonymises and deletes what one tenant keeps no longer. */
  async #sweepTenant(tenant: TenantRetention): Promise<SweepResult> {
    const { tenantId, anonymiseAfterDays, deleteAfterDays } = tenant;
    const now = this.#clock.now();
    let anonymised = 0;
    if (anonymiseAfterDays !== undefined) {
      const before = now - anonymiseAfterDays * DAY_MS;
      anonymised = await this.#inBatches(
        () => this.#repository.dueForAnonymising(tenantId, before, BATCH),
        (id) => this.#repository.anonymiseConversation(tenantId, id, now),
      );
    }
    let conversations = 0;
    let deferred = 0;
    let offlineMessages = 0;
    if (deleteAfterDays !== undefined) {
      const before = now - deleteAfterDays * DAY_MS;
      conversations = await this.#inBatches(
        () => this.#repository.due(tenantId, before, BATCH),
        async (id) => {
          // Held since `due` read it: kept, and out of the index, so not found again.
          if (!(await this.#repository.deleteConversation(tenantId, id))) deferred += 1;
        },
      );
      conversations -= deferred;
    }
    // An offline message is its name, e-mail and text: anonymised, nothing of it would be
    // left, so it goes at the first of the two (under `{ anonymiseAfterDays }` alone too).
    const offlineDays = anonymiseAfterDays ?? deleteAfterDays;
    if (offlineDays !== undefined) {
      const ids = await this.#repository.deleteOfflineMessages(tenantId, now - offlineDays * DAY_MS);
      offlineMessages = ids.length;
      if (ids.length > 0) this.#onOfflineMessagesDeleted?.(tenantId, ids);
    }
    if (anonymised > 0 || conversations > 0 || offlineMessages > 0) {
      this.#logger.info(
        {
          tenant: tenantId,
          anonymised,
          conversations,
          offlineMessages,
          anonymiseAfterDays,
          deleteAfterDays,
        },
        'retention: anonymised and deleted what the tenant keeps no longer',
      );
    }
    return { anonymised, conversations, offlineMessages };
  }

  /** Applies `act` to every id `next` gives, a batch at a time, until a batch is short. */
  async #inBatches(next: () => Promise<string[]>, act: (id: string) => Promise<void>): Promise<number> {
    let done = 0;
    for (;;) {
      const ids = await next();
      for (const id of ids) await act(id);
      done += ids.length;
      if (ids.length < BATCH) return done;
    }
  }
}
