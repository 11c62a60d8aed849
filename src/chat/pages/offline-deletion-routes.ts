import type { Request, Response } from 'express';
import type { TenantRoutes } from '../../app.js';
import { requireStaff } from '../../auth/staff-login.js';
import type { StaffRole } from '../../config/schema.js';
import type { GatewayError } from '../../http/errors.js';
import { exactRouter } from '../../http/exact-router.js';
import { html } from '../../web/html.js';
import { checkedReason } from '../conversation-deletion.js';
import { checkedOfflineMessageId, type OfflineMessageDeletion } from '../offline-message-deletion.js';
import {
  actingStaff,
  onForm,
  type StaffFormIdField,
  type StaffFormValues,
  sendStaffDone,
  sendStaffForm,
  staffFormChecks,
} from './staff-form-parts.js';

const PATH = '/staff/offline-messages/delete';
/** Codes the form answers on itself (with what was typed kept); anything else is the error page. */
const FORM_CODES = new Set([
  'offline_message_id_invalid',
  'deletion_reason_invalid',
  'offline_message_not_found',
]);
const ID_FIELD: StaffFormIdField = {
  name: 'messageId',
  query: 'message',
  codes: ['offline_message_id_invalid', 'offline_message_not_found'],
};

/**
 * `GET /staff/offline-messages/delete` (a form; `?message=` fills in the id, as the console's
 * link does) and `POST /staff/offline-messages/delete` (`messageId`, `reason`, `_csrf`): the
 * deletion of one offline message by the tenant's `conversationDeleters`, the roles that delete
 * a conversation, with the same checks (staff login, role, CSRF, the gateway's own Origin).
 * Without a staff login both redirect to it; other roles get `403 staff_forbidden`.
 */
export function offlineDeletionRoutes(deletion: OfflineMessageDeletion): TenantRoutes {
  return (_deps, tenant) => {
    const router = exactRouter();
    const roles = tenant.config.conversationDeleters as readonly StaffRole[];

    router.get(PATH, requireStaff(roles), async (req, res) => {
      const messageId = typeof req.query.message === 'string' ? req.query.message : '';
      await sendForm(req, res, { conversationId: messageId, reason: '' }, undefined);
    });

    router.post(PATH, ...staffFormChecks(roles), async (req, res) => {
      const { by, role, console } = actingStaff(req, roles);
      const body = (req.body ?? {}) as Record<string, unknown>;
      await onForm(
        FORM_CODES,
        async () => {
          const messageId = checkedOfflineMessageId(body.messageId);
          const reason = checkedReason(body.reason, 'deletion');
          await deletion.delete({ tenantId: tenant.config.id, messageId, by, role, reason });
          const { t } = res.locals;
          sendStaffDone(req, res, {
            title: t('offlineDeletion.doneTitle'),
            text: t('offlineDeletion.done', { id: messageId }),
            againPath: PATH,
            againLabel: t('offlineDeletion.another'),
            console,
          });
        },
        (error) =>
          sendForm(
            req,
            res,
            {
              conversationId: typeof body.messageId === 'string' ? body.messageId : '',
              reason: typeof body.reason === 'string' ? body.reason : '',
            },
            error,
          ),
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
    prefix: 'offlineDeletion',
    path: PATH,
    values,
    error,
    reasonCode: 'deletion_reason_invalid',
    idField: ID_FIELD,
    actions: html`<button type="submit" class="danger">${res.locals.t('offlineDeletion.submit')}</button>`,
  });
}
