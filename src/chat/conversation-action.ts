import { newId } from '../runtime/ids.js';
import type { TranscriptReadRecord } from './chat-records.js';

// Not in chat-records: the browser bundles read those types, and this needs the runtime.

/** What an audited action on one conversation names: which, by whom, in which role, why. */
export interface ConversationAction {
  tenantId: string;
  conversationId: string;
  by: { subject: string; name: string };
  role: string;
  reason: string;
}

/** The audit entry of an action on a conversation (deletion, erasure, hold, release) at `at`. */
export function actionEntry(
  request: ConversationAction,
  action: NonNullable<TranscriptReadRecord['action']>,
  at: number,
): TranscriptReadRecord {
  const { tenantId, conversationId, by, role, reason } = request;
  return { id: newId(), tenantId, conversationId, reader: by, role, at, action, reason };
}
