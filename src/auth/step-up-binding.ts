import type { Request } from 'express';
import { citizenRecord, type StepUpBinding } from './session-state.js';

/**
 * Step-up binding in the server, not in the URL. Redeeming an agent's link (`GET
 * /chat/identify/:token`, in the visitor's own session) records the conversation here; the next
 * citizen login of this session and tenant takes it from here into its transaction. No request
 * parameter can name a conversation, so a login link passed around carries no authority.
 * @see ARCHITECTURE.md, core flow 4 (step-up in chat)
 */
export function bindStepUp(req: Request, tenantId: string, binding: StepUpBinding): void {
  citizenRecord(req, tenantId).stepUp = binding;
}

/** The conversation this session is bound to for `tenantId`, unless the binding expired (then dropped). */
export function boundConversation(req: Request, tenantId: string, now: number): string | undefined {
  const record = req.session.citizens?.[tenantId];
  const binding = record?.stepUp;
  if (!record || !binding) return undefined;
  if (now >= binding.expiresAt) {
    delete record.stepUp;
    return undefined;
  }
  return binding.conversationId;
}

/** Drops the binding once a login carrying it came back (it is spent). */
export function releaseStepUp(req: Request, tenantId: string): void {
  const record = req.session.citizens?.[tenantId];
  if (record) delete record.stepUp;
}
