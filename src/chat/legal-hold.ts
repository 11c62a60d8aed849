import { isGatewayError } from '../http/errors.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { type ConversationRecord, DATA_SUBJECT_READER } from './chat-records.js';
import type { TranscriptAuditRepository } from './chat-repositories.js';
import { actionEntry, type ConversationAction } from './conversation-action.js';
import type { ConversationDeletion } from './conversation-deletion.js';
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
  /** Carries out a citizen's erasure that waited for the release. */
  deletion: Pick<ConversationDeletion, 'delete'>;
  clock: Clock;
  logger: Logger;
}

/** What {@link LegalHolds.apply} did. */
export interface LegalHoldOutcome {
  /** `false`: it already was so (nothing written, nothing audited). */
  changed: boolean;
  /** Released, and erased at the citizen's request made while it was held. */
  erased: boolean;
}

/**
 * Legal hold (`tenants[].legalHolders`): a conversation kept as it is for a case. While held,
 * retention neither anonymises nor deletes it (nor does any sweep find it), staff deletion is
 * refused with `conversation_on_hold` and the citizen's erasure passes it by, telling them, and
 * is noted on it (`erasureRequestedAt`). Releasing it carries that erasure out at once (audited
 * as the citizen's, after the release); one nobody asked to erase goes back to retention,
 * counted from its own clock as before: one held past its time goes at the next sweep. The audit entry (who, role, when, hold or release, the
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
   * Holds or releases the conversation; a release erases it when the citizen asked for that
   * while it was held.
   * @throws {GatewayError} `conversation_not_found` (404): not a conversation of this tenant.
   */
  async apply(request: LegalHoldRequest): Promise<LegalHoldOutcome> {
    const { service, audit, clock, logger } = this.#options;
    const { tenantId, conversationId, action } = request;
    const conversation = await this.find(tenantId, conversationId);
    if (!conversation) throw conversationNotFound();
    if ((action === 'hold') === (conversation.legalHold !== undefined))
      return { changed: false, erased: false };
    const at = clock.now();
    await audit.append(actionEntry(request, action, at));
    const updated = await service.setLegalHold(
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
    const erased = action === 'release' && (await this.#eraseAsRequested(updated));
    return { changed: true, erased };
  }

  /**
   * Erases a conversation just released when the citizen asked for that while it was held;
   * resolves whether it did. A hold set again meanwhile keeps it (the request stays noted).
   */
  async #eraseAsRequested(conversation: ConversationRecord): Promise<boolean> {
    const requestedAt = conversation.erasureRequestedAt;
    if (requestedAt === undefined || conversation.legalHold) return false;
    // Another person identified in it since: not the citizen's alone to erase any more.
    if (new Set(conversation.subjects ?? []).size > 1) return false;
    try {
      await this.#options.deletion.delete({
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        by: DATA_SUBJECT_READER,
        role: 'data-subject',
        reason: `Erasure requested by the citizen on ${new Date(requestedAt).toISOString().slice(0, 10)}, carried out when the legal hold was released.`,
        action: 'erase',
      });
      return true;
    } catch (error) {
      if (isGatewayError(error) && error.code === 'conversation_on_hold') return false;
      throw error;
    }
  }
}
