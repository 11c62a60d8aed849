import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { ConversationRecord } from './chat-records.js';
import type { TranscriptAuditRepository } from './chat-repositories.js';
import { actionEntry, type ConversationAction } from './conversation-action.js';
import { type ConversationService, conversationNotFound } from './conversation-service.js';

/**
 * Putting one conversation under legal hold, or releasing it: by whom, in which role (one of the
 * tenant's `legalHolders`), why (the case, 5–500 characters, `checkedReason`).
 */
export interface LegalHoldRequest extends ConversationAction {
  action: 'hold' | 'release';
}

/** What a {@link LegalHolds} needs. */
export interface LegalHoldsOptions {
  service: ConversationService;
  audit: TranscriptAuditRepository;
  clock: Clock;
  logger: Logger;
}

/**
 * Legal hold (`tenants[].legalHolders`): a conversation kept as it is for a case. While held,
 * retention neither anonymises nor deletes it (nor does any sweep find it), staff deletion is
 * refused with `conversation_on_hold` and the citizen's erasure passes it by, telling them.
 * Releasing it gives it back to retention, counted from its own clock as before: one held past
 * its time goes at the next sweep. The audit entry (who, role, when, hold or release, the
 * reason) is written before the change, so no hold or release is unaccounted for.
 */
export class LegalHolds {
  readonly #options: LegalHoldsOptions;

  constructor(options: LegalHoldsOptions) {
    this.#options = options;
  }

  /** The conversation, if it is one of the tenant's (else `undefined`: not found). */
  async find(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    return this.#options.service.get(tenantId, conversationId);
  }

  /**
   * Holds or releases the conversation. Resolves `false` when it already was so (nothing
   * written, nothing audited).
   * @throws {GatewayError} `conversation_not_found` (404): not a conversation of this tenant.
   */
  async apply(request: LegalHoldRequest): Promise<boolean> {
    const { service, audit, clock, logger } = this.#options;
    const { tenantId, conversationId, action } = request;
    const conversation = await this.find(tenantId, conversationId);
    if (!conversation) throw conversationNotFound();
    if ((action === 'hold') === (conversation.legalHold !== undefined)) return false;
    const at = clock.now();
    await audit.append(actionEntry(request, action, at));
    await service.setLegalHold(
      tenantId,
      conversationId,
      action === 'hold'
        ? { since: at, by: request.by, role: request.role, reason: request.reason }
        : undefined,
    );
    // Who and which; the case stays in the audit trail and the record.
    logger.info(
      {
        audit: true,
        tenant: tenantId,
        conversation: conversationId,
        staff: request.by.subject,
        role: request.role,
      },
      action === 'hold' ? 'conversation put under legal hold' : 'legal hold released',
    );
    return true;
  }
}
