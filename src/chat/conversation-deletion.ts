import { GatewayError } from '../http/errors.js';
import type { RetentionRepository } from '../privacy/retention.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { ChatBus } from './chat-bus.js';
import type { TranscriptAuditRepository } from './chat-repositories.js';
import { actionEntry, type ConversationAction } from './conversation-action.js';
import {
  type ConversationService,
  conversationNotFound,
  conversationOnHold,
} from './conversation-service.js';
import type { DeliveryPort } from './delivery-port.js';
import { guardVisitorText } from './pii-guard.js';
import { announceDeleted } from './swept-conversations.js';

/** Shortest and longest reason a deletion takes, in characters. */
export const MIN_REASON_LENGTH = 5;
export const MAX_REASON_LENGTH = 500;

/** Conversation ids as the chat protocol has them. */
const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const LONE_SURROGATE = /\p{Cs}/u;
/** Separators, format characters (zero-width and the like) and controls: nothing to read. */
const INVISIBLE = /[\p{Z}\p{Cf}\p{Cc}]/gu;
/** Controls other than line breaks and tabs (NUL, BEL, escape sequences) have no place in a reason. */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;

/**
 * One deletion: which conversation, by whom (the staff member, or `DATA_SUBJECT_READER` for the
 * citizen's own erasure), in which role (one of the tenant's `conversationDeleters`, or
 * `data-subject`), why.
 */
export interface DeletionRequest extends ConversationAction {
  /** `erase`: the citizen's own request (`/privacy/my-data`); default `delete` (staff). */
  action?: 'delete' | 'erase';
}

/**
 * Checks a deletion's conversation id and reason as a form sent them.
 * @throws {GatewayError} `conversation_id_invalid`, `deletion_reason_invalid` (400).
 */
export function deletionInput(
  conversationId: unknown,
  reason: unknown,
): { conversationId: string; reason: string } {
  return { conversationId: checkedConversationId(conversationId), reason: checkedReason(reason, 'deletion') };
}

/**
 * A conversation id as a staff form sent it (trimmed).
 * @throws {GatewayError} `conversation_id_invalid` (400).
 */
export function checkedConversationId(conversationId: unknown): string {
  if (typeof conversationId !== 'string' || !CONVERSATION_ID.test(conversationId.trim())) {
    throw new GatewayError('conversation_id_invalid', 'Give the id of the conversation.');
  }
  return conversationId.trim();
}

/**
 * A reason as a staff form sent it (trimmed): at least {@link MIN_REASON_LENGTH} visible
 * characters, at most {@link MAX_REASON_LENGTH} UTF-16 units, no control characters; a national
 * identity number in it is replaced by `[redacted]` (the PII guard's scan). The reason is kept in
 * the audit trail, which outlives the conversation, its erasure and retention, and a hold's on
 * the record: a reason that names the number a visitor typed ("pasted their fnr …") would
 * otherwise keep for good the very number the deletion was made to remove.
 * @throws {GatewayError} `deletion_reason_invalid` or `hold_reason_invalid` (400).
 */
export function checkedReason(reason: unknown, purpose: 'deletion' | 'hold'): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  // Counted in UTF-16 units, as the form's maxlength counts; and at least the minimum in
  // characters one can see (zero-width and other invisible characters do not make a reason).
  const visible = [...text.replace(INVISIBLE, '')].length;
  if (
    visible < MIN_REASON_LENGTH ||
    text.length > MAX_REASON_LENGTH ||
    LONE_SURROGATE.test(text) ||
    CONTROL.test(text)
  ) {
    throw purpose === 'deletion'
      ? new GatewayError(
          'deletion_reason_invalid',
          `Give the reason for deleting in ${MIN_REASON_LENGTH} to ${MAX_REASON_LENGTH} characters.`,
        )
      : new GatewayError(
          'hold_reason_invalid',
          `Give the case or reason in ${MIN_REASON_LENGTH} to ${MAX_REASON_LENGTH} characters.`,
        );
  }
  return guardVisitorText(text).text;
}

/** What a {@link ConversationDeletion} needs. */
export interface ConversationDeletionOptions {
  service: ConversationService;
  retention: Pick<RetentionRepository, 'deleteConversation'>;
  audit: TranscriptAuditRepository;
  bus: ChatBus;
  port: DeliveryPort;
  clock: Clock;
  logger: Logger;
}

/**
 * Targeted deletion of one conversation by staff (`tenants[].conversationDeleters`), for when a
 * visitor wrote sensitive data unprompted: the conversation goes completely, as retention
 * deletes it (record with its sealed identity and metadata, messages, sequence, dedupe keys,
 * PII tail, list entries), at once instead of after the retention period.
 *
 * The audit entry (who, which role, which conversation, why, when; never the content) is
 * written first, so no deletion is ever unaccounted for; deleting is idempotent, so a deletion
 * cut short after its entry is finished by asking again, even once the record is gone. Every
 * console of the tenant and the visitor's windows are told `deleted` and forget it, also when
 * it was closed; the delivery port is told it ended (the desk's queue summaries drop it).
 */
export class ConversationDeletion {
  readonly #options: ConversationDeletionOptions;

  constructor(options: ConversationDeletionOptions) {
    this.#options = options;
  }

  /**
   * Deletes the conversation, or finishes a deletion begun here and cut short after its record
   * went (Redis stopped answering between the steps): its audit entry says it was begun.
   * @throws {GatewayError} `conversation_not_found` (404): not a conversation of this tenant;
   * `conversation_on_hold` (409): under legal hold, nothing deleted.
   */
  async delete(request: DeletionRequest): Promise<void> {
    const { service, retention, audit, bus, port, clock, logger } = this.#options;
    const { tenantId, conversationId } = request;
    const conversation = await service.get(tenantId, conversationId);
    const action = request.action ?? 'delete';
    // Begun: a deletion or erasure is the last of the entries that decide its fate. One that a
    // legal hold stopped is followed by the hold (and its release), and a deletion after the
    // release is audited as its own.
    const begun = async () => {
      const decisive = (await audit.list(tenantId, conversationId)).filter((entry) =>
        ['delete', 'erase', 'hold', 'release'].includes(entry.action ?? 'read'),
      );
      const last = decisive.at(-1)?.action;
      return last === 'delete' || last === 'erase';
    };
    if (conversation?.legalHold && conversation.tenantId === tenantId) throw conversationOnHold();
    if (!conversation || conversation.tenantId !== tenantId) {
      if (!(await begun())) throw conversationNotFound();
      await retention.deleteConversation(tenantId, conversationId);
      bus.publish({ kind: 'queue', tenantId }, { type: 'deleted', conversationId });
      logger.info(
        { audit: true, tenant: tenantId, conversation: conversationId },
        'conversation deletion finished',
      );
      return;
    }
    // One entry per conversation, also when the form was sent twice.
    // The subjects go with it: the citizen's copy says it was deleted once it is gone.
    if (!(await begun()))
      await audit.append(actionEntry(request, action, clock.now()), conversation.subjects);
    // The store checks the hold again in the same step as it deletes: one stored since the check
    // above keeps the conversation, and nobody is told it went (the entry records the request).
    if (!(await retention.deleteConversation(tenantId, conversationId))) throw conversationOnHold();
    // Windows drop it once it is gone (a deletion cut short is finished by asking again, which
    // tells them then). Not on the conversation's channel: nobody follows a closed one, yet
    // windows may still show it.
    announceDeleted(bus, conversation);
    if (conversation.status !== 'closed') await port.ended(conversation);
    // Who deleted what; the reason stays in the audit trail (it may describe what was written).
    const entry = { audit: true, tenant: tenantId, conversation: conversationId, role: request.role };
    if (action === 'erase') logger.info(entry, "conversation erased at the citizen's request");
    else logger.info({ ...entry, staff: request.by.subject }, 'conversation deleted by staff');
  }
}
