import type { Request, Response } from 'express';
import type { TenantRoutes } from '../../app.js';
import { requireStaff } from '../../auth/staff-login.js';
import type { StaffRole } from '../../config/schema.js';
import type { GatewayError } from '../../http/errors.js';
import { exactRouter } from '../../http/exact-router.js';
import { html } from '../../web/html.js';
import { type ConversationDeletion, deletionInput } from '../conversation-deletion.js';
import {
  actingStaff,
  onForm,
  type StaffFormValues,
  sendStaffDone,
  sendStaffForm,
  staffFormChecks,
  typedValues,
} from './staff-form-parts.js';

const PATH = '/staff/conversations/delete';
/** Codes the form answers on itself (with what was typed kept); anything else is the error page. */
const FORM_CODES = new Set(['conversation_id_invalid', 'deletion_reason_invalid', 'conversation_not_found']);

/**
 * `GET /staff/conversations/delete` (a form; `?conversation=` fills in the id, as the console's
 * link does) and `POST /staff/conversations/delete` (`conversationId`, `reason`, `_csrf`): the
 * targeted deletion of one conversation by the tenant's `conversationDeleters` (default admins
 * and security staff, who have no console of their own). Without a staff login both redirect to
 * it; other roles get `403 staff_forbidden`.
 */
export function deletionRoutes(deletion: ConversationDeletion): TenantRoutes {
  return (_deps, tenant) => {
    const router = exactRouter();
    const roles = tenant.config.conversationDeleters as readonly StaffRole[];

    router.get(PATH, requireStaff(roles), async (req, res) => {
      const conversationId = typeof req.query.conversation === 'string' ? req.query.conversation : '';
      await sendForm(req, res, { conversationId, reason: '' }, undefined);
    });

    router.post(PATH, ...staffFormChecks(roles), async (req, res) => {
      const { by, role, console } = actingStaff(req, roles);
      const body = (req.body ?? {}) as Record<string, unknown>;
      await onForm(
        FORM_CODES,
        async () => {
          const input = deletionInput(body.conversationId, body.reason);
          await deletion.delete({
            tenantId: tenant.config.id,
            conversationId: input.conversationId,
            by,
            role,
            reason: input.reason,
          });
          sendDone(req, res, input.conversationId, console);
        },
        (error) => sendForm(req, res, typedValues(body), error),
      );
    });
    return router;
  };
}

function sendForm(
  req: Request,
  res: Response,
  values: StaffFormValues,
  error: GatewayError | undefined,
): Promise<void> {
  return sendStaffForm(req, res, {
    prefix: 'deletion',
    path: PATH,
    values,
    error,
    reasonCode: 'deletion_reason_invalid',
    actions: html`<button type="submit" class="danger">${res.locals.t('deletion.submit')}</button>`,
  });
}

function sendDone(req: Request, res: Response, conversationId: string, console: boolean): void {
  const { t } = res.locals;
  sendStaffDone(req, res, {
    title: t('deletion.doneTitle'),
    text: t('deletion.done', { id: conversationId }),
    againPath: PATH,
    againLabel: t('deletion.another'),
    console,
  });
}
