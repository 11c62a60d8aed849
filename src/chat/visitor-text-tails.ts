import type { Clock } from '../runtime/clock.js';
import type { TextTailRepository } from './chat-repositories.js';

/** A tail is forgotten this long after the message it came from: "consecutive" has a limit. */
export const TAIL_TTL_MS = 10 * 60_000;
/** Conversations whose tail is kept; the oldest is forgotten beyond this. */
export const MAX_TAILS = 10_000;

/**
 * The end of each conversation's last visitor message, as the PII guard needs it to catch a
 * national identity number split over two messages (`guardVisitorMessage`). A tail holds at
 * most ten digits and letters in the scan alphabet, never a whole number, and only what the
 * stored message itself holds.
 *
 * This is the in-process implementation (the memory store's, one instance); the Redis store
 * keeps a tail with its conversation, sealed and expiring with the TTL, so every instance sees it.
 * Kept by conversation id with the tenant in the entry (conversation ids are random, one per
 * conversation of any tenant): asked for under another tenant, a tail is not there.
 */
export class VisitorTextTails implements TextTailRepository {
  readonly #tails = new Map<string, { tenantId: string; tail: string; at: number }>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(options: { clock: Clock; ttlMs?: number; maxEntries?: number }) {
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? TAIL_TTL_MS;
    this.#max = options.maxEntries ?? MAX_TAILS;
  }

  /** The tail of the conversation's previous visitor message, or `''`. */
  async get(tenantId: string, conversationId: string): Promise<string> {
    return this.current(tenantId, conversationId);
  }

  /** Remembers the tail of the message just stored (an empty tail forgets). */
  async set(tenantId: string, conversationId: string, tail: string): Promise<void> {
    this.keep(tenantId, conversationId, tail);
  }

  /** {@link get} without a promise, for a store that appends and keeps the tail in one step. */
  current(tenantId: string, conversationId: string): string {
    const entry = this.#tails.get(conversationId);
    if (entry?.tenantId !== tenantId) return '';
    if (this.#clock.now() - entry.at > this.#ttlMs) {
      this.#tails.delete(conversationId);
      return '';
    }
    return entry.tail;
  }

  /** {@link set} without a promise (see {@link current}). */
  keep(tenantId: string, conversationId: string, tail: string): void {
    // Another tenant's entry under the id (none: ids are random) is left alone.
    const entry = this.#tails.get(conversationId);
    if (entry && entry.tenantId !== tenantId) return;
    this.#tails.delete(conversationId);
    if (tail === '') return;
    this.#tails.set(conversationId, { tenantId, tail, at: this.#clock.now() });
    // Map order is insertion order, and `set` re-inserts: the first key is the least recent.
    while (this.#tails.size > this.#max) {
      const oldest = this.#tails.keys().next();
      if (oldest.done) break;
      this.#tails.delete(oldest.value);
    }
  }

  /** Forgets the conversation (closed). */
  async delete(tenantId: string, conversationId: string): Promise<void> {
    this.keep(tenantId, conversationId, '');
  }
}
