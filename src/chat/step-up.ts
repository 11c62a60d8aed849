import { createHash, randomBytes } from 'node:crypto';
import { GatewayError } from '../http/errors.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import type { ChatBus } from './chat-bus.js';
import type { ConversationRecord, StepUpTokenRecord } from './chat-records.js';
import type { StepUpTokenRepository } from './chat-repositories.js';

/** A step-up link lives five minutes. */
export const STEP_UP_TTL_MS = 5 * 60_000;

/** Options of {@link StepUp}. */
export interface StepUpOptions {
  tokens: StepUpTokenRepository;
  bus: ChatBus;
  clock: Clock;
  logger: Logger;
  ttlMs?: number;
}

/**
 * Identification inside a chat. An agent's request issues a single-use, short-lived link bound
 * to the conversation *and* the visitor; only a hash of the token is stored, so a store dump
 * does not hand out links. The link is redeemed by `GET /chat/identify/:token` in the visitor's
 * own browser session.
 * @see ARCHITECTURE.md, core flow 4 (step-up in chat)
 */
export class StepUp {
  readonly #options: StepUpOptions;
  readonly #ttlMs: number;

  constructor(options: StepUpOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? STEP_UP_TTL_MS;
  }

  /** Issues a link for the conversation's visitor and delivers it to their sockets only. */
  async issue(
    tenant: TenantContext,
    conversation: ConversationRecord,
  ): Promise<{ url: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#options.clock.now();
    const expiresAt = now + this.#ttlMs;
    await this.#options.tokens.save(
      hashToken(token),
      {
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        visitorId: conversation.visitorId,
        expiresAt,
      },
      now,
    );
    const url = `${tenant.basePath}/chat/identify/${token}`;
    // An event rather than a direct send: the visitor may be connected to another instance.
    this.#options.bus.publish(
      { kind: 'visitor', tenantId: conversation.tenantId, visitorId: conversation.visitorId },
      { type: 'identification-request', conversationId: conversation.id, url, expiresAt },
    );
    return { url, expiresAt };
  }

  /**
   * Consumes a link for the visitor of the current session.
   * @throws {GatewayError} `step_up_invalid` (410: unknown, used or of another tenant),
   *   `step_up_expired` (410), `step_up_forbidden` (403: another visitor's link; not consumed,
   *   so a link that leaked cannot be burnt by whoever found it).
   */
  async redeem(tenantId: string, token: string, visitorId: string | undefined): Promise<StepUpTokenRecord> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw invalid();
    const hash = hashToken(token);
    const peeked = await this.#options.tokens.peek(tenantId, hash);
    if (!peeked || peeked.tenantId !== tenantId) throw invalid();
    if (peeked.visitorId !== visitorId) {
      throw new GatewayError('step_up_forbidden', 'This identification link was made for another chat.', {
        status: 403,
      });
    }
    const record = await this.#options.tokens.take(tenantId, hash);
    if (!record) throw invalid();
    if (this.#options.clock.now() >= record.expiresAt) {
      throw new GatewayError('step_up_expired', 'This identification link has expired.', { status: 410 });
    }
    this.#options.logger.info({ tenant: tenantId, conversation: record.conversationId }, 'step-up link used');
    return record;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function invalid(): GatewayError {
  return new GatewayError('step_up_invalid', 'This identification link is unknown or was already used.', {
    status: 410,
  });
}
