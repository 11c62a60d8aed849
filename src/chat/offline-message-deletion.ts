import { GatewayError } from '../http/errors.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { ChatBus } from './chat-bus.js';
import type { OfflineMessageRepository, TranscriptAuditRepository } from './chat-repositories.js';
import { actionEntry } from './conversation-action.js';
import { offlineMessageNotFound } from './conversation-service.js';

/** Offline message ids as the store makes them (UUIDs) and the protocol accepts ids. */
const OFFLINE_MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An offline message id as a staff form sent it (trimmed).
 * @throws {GatewayError} `offline_message_id_invalid` (400).
 */
export function checkedOfflineMessageId(id: unknown): string {
  if (typeof id !== 'string' || !OFFLINE_MESSAGE_ID.test(id.trim())) {
    throw new GatewayError('offline_message_id_invalid', 'Give the id of the offline message.');
  }
  return id.trim();
}

/** One staff deletion of an offline message: which, by whom, in which role, why. */
export interface OfflineMessageDeletionRequest {
  tenantId: string;
  messageId: string;
  by: { subject: string; name: string };
  role: string;
  reason: string;
}

/** What an {@link OfflineMessageDeletion} needs. */
export interface OfflineMessageDeletionOptions {
  offlineMessages: Pick<OfflineMessageRepository, 'get' | 'delete'>;
  audit: TranscriptAuditRepository;
  bus: ChatBus;
  clock: Clock;
  logger: Logger;
}

/**
 * Deletion of one offline message by staff (`tenants[].conversationDeleters`, as for a
 * conversation): for a visitor who wrote sensitive data unprompted into the offline form.
 *
 * As a conversation's deletion (`conversation-deletion.ts`): the audit entry (who, which role, which message, why, when;
 * `target: 'offline-message'`; never the content) is written first, so no deletion is
 * unaccounted for; then the message goes, and every console of the tenant (on every instance)
 * drops it (`offline-messages-deleted`). Offline messages cannot be put under legal hold (the
 * hold is a conversation's), so none is refused for one.
 */
export class OfflineMessageDeletion {
  readonly #options: OfflineMessageDeletionOptions;

  constructor(options: OfflineMessageDeletionOptions) {
    this.#options = options;
  }

  /**
   * Deletes the message. Asking again after it went (a form sent twice, or a deletion cut short
   * after its entry) answers as done and audits nothing more.
   * @throws {GatewayError} `offline_message_not_found` (404): no such message of this tenant,
   * and none deleted here before.
   */
  async delete(request: OfflineMessageDeletionRequest): Promise<void> {
    const { offlineMessages, audit, bus, clock, logger } = this.#options;
    const { tenantId, messageId } = request;
    const deletedBefore = async () =>
      (await audit.list(tenantId, messageId)).some(
        (entry) => entry.target === 'offline-message' && entry.action === 'delete',
      );
    const message = await offlineMessages.get(tenantId, messageId);
    if (!message) {
      if (!(await deletedBefore())) {
        throw offlineMessageNotFound();
      }
      // A deletion cut short between the store and the bus: the consoles are told now.
      bus.publish({ kind: 'queue', tenantId }, { type: 'offline-messages-deleted', ids: [messageId] });
      return;
    }
    if (!(await deletedBefore())) {
      const entry = actionEntry({ ...request, conversationId: messageId }, 'delete', clock.now());
      // Under the blind index of the identity it was left with: the citizen's copy says it went.
      await audit.append(
        { ...entry, target: 'offline-message' },
        message.subjectIndex ? [message.subjectIndex] : [],
      );
    }
    await offlineMessages.delete(tenantId, messageId);
    bus.publish({ kind: 'queue', tenantId }, { type: 'offline-messages-deleted', ids: [messageId] });
    // Who deleted which; the reason stays in the audit trail (it may describe what was written).
    logger.info(
      {
        audit: true,
        tenant: tenantId,
        offlineMessage: messageId,
        role: request.role,
        staff: request.by.subject,
      },
      'offline message deleted by staff',
    );
  }
}
