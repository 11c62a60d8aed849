import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { abandonedSince, type ConversationRecord } from './chat-records.js';
import type { VisitorSocketsRepository } from './chat-repositories.js';
import type { ConversationService } from './conversation-service.js';
import type { DeliveryPort } from './delivery-port.js';

/** One tenant's queues, by topic id. */
export interface TenantQueues {
  tenantId: string;
  topics: readonly string[];
}

/** What {@link AbandonedQueue} needs. */
export interface AbandonedQueueOptions {
  service: ConversationService;
  port: DeliveryPort;
  /** Which instances hold a visitor's sockets (Redis; the memory store keeps none). */
  visitorSockets: VisitorSocketsRepository;
  /** Whether this instance holds a socket of the visitor (its own count, which the memory store relies on). */
  connectedHere(tenantId: string, visitorId: string): boolean;
  tenants: readonly TenantQueues[];
  clock: Clock;
  logger: Logger;
  /** `chat.abandonedQueuedMinutes` in milliseconds. */
  abandonAfterMs: number;
}

/** What one sweep did. */
export interface AbandonedSweepResult {
  /** Queued conversations closed as abandoned. */
  closed: number;
}

/**
 * Closes queued conversations nobody will come back to: a visitor who closed the tab or lost
 * their session never ends the conversation, which otherwise waited in the queue for good,
 * counted against `chat.maxQueued` (anonymous clients could fill the queue and have every new
 * visitor refused `queue_full`) and shown to agents as someone waiting.
 *
 * A queued conversation is abandoned once its visitor has had no chat socket open on any
 * instance for `abandonAfterMs` (`visitorLeftAt`, set when their last socket closed; counted
 * anew from an agent's transfer back into a queue, so the team it went to sees it). The sweep
 * also puts right what a lost instance leaves: a visitor whose instance died was never marked
 * "left" (marked now, and closed a full period later), and a visitor holding a socket is never
 * "left" here, whatever the record says. Every instance sweeps; the closing itself is the
 * store's compare-and-set (`ConversationService.closeAbandoned`), so instances sweeping at once
 * close a conversation once. Assigned conversations are an agent's and never swept.
 * @see README.md, "Settings reference" (`chat.abandonedQueuedMinutes`)
 */
export class AbandonedQueue {
  readonly #options: AbandonedQueueOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<AbandonedSweepResult> | undefined;

  constructor(options: AbandonedQueueOptions) {
    this.#options = options;
  }

  /** Sweeps every `intervalMs` (real time; decisions read the injected clock); never keeps the process alive. */
  start(intervalMs: number): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      // Failures are logged per tenant; nothing else can reject.
      void this.sweep();
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops sweeping and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One sweep of every tenant's queues now (a sweep under way is joined, not doubled). */
  sweep(): Promise<AbandonedSweepResult> {
    this.#running ??= this.#sweepAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweepAll(): Promise<AbandonedSweepResult> {
    let closed = 0;
    for (const tenant of this.#options.tenants) {
      // One tenant's failure (the store answering an error mid-way) leaves the others swept.
      try {
        closed += await this.#sweepTenant(tenant);
      } catch (error) {
        this.#options.logger.warn(
          { tenant: tenant.tenantId, reason: (error as Error).name },
          'abandoned queue sweep of a tenant failed; retried at the next',
        );
      }
    }
    return { closed };
  }

  async #sweepTenant({ tenantId, topics }: TenantQueues): Promise<number> {
    const { service, port, clock, abandonAfterMs } = this.#options;
    let closed = 0;
    for (const topic of topics) {
      const now = clock.now();
      const leftBefore = now - abandonAfterMs;
      // A visitor's presence is settled once per sweep, for all their conversations together.
      const settled = new Set<string>();
      const ended: ConversationRecord[] = [];
      for (const conversation of await service.queued(tenantId, topic)) {
        const present = await this.#present(tenantId, conversation.visitorId, now);
        const left = conversation.visitorLeftAt !== undefined;
        if (present || !left) {
          // Marked as it is: back (a "left" mark whose visitor holds a socket), or left (no
          // instance holds one, and none marked it: the instance that did died).
          if (present === left && !settled.has(conversation.visitorId)) {
            settled.add(conversation.visitorId);
            await this.#mark(tenantId, conversation.visitorId, present);
          }
          continue;
        }
        if ((abandonedSince(conversation) ?? now) > leftBefore) continue;
        const done = await service.closeAbandoned(tenantId, conversation.id, leftBefore);
        if (done) ended.push(done);
      }
      // Told together: the desk then sends the consoles the queue once for all of them.
      await Promise.all(ended.map((conversation) => port.ended(conversation)));
      closed += ended.length;
    }
    return closed;
  }

  async #present(tenantId: string, visitorId: string, now: number): Promise<boolean> {
    const { connectedHere, visitorSockets } = this.#options;
    return connectedHere(tenantId, visitorId) || (await visitorSockets.holders(tenantId, visitorId, now)) > 0;
  }

  async #mark(tenantId: string, visitorId: string, present: boolean): Promise<void> {
    const changed: ConversationRecord[] = await this.#options.service.visitorPresence(
      tenantId,
      visitorId,
      present,
    );
    for (const conversation of changed) await this.#options.port.changed(conversation, 'presence');
  }
}
