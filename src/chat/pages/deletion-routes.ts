import express, { type Request, type Response } from 'express';
import type { TenantRoutes } from '../../app.js';
import { saveSession } from '../../auth/session-state.js';
import { requireStaff } from '../../auth/staff-login.js';
import type { StaffRole } from '../../config/schema.js';
import { csrfToken, verifyCsrf } from '../../http/csrf.js';
import { type GatewayError, isGatewayError } from '../../http/errors.js';
import { exactRouter } from '../../http/exact-router.js';
import { html } from '../../web/html.js';
import { registerMessages } from '../../web/i18n.js';
import { renderPage } from '../../web/layout.js';
import { type ConversationDeletion, deletionInput, MAX_REASON_LENGTH } from '../conversation-deletion.js';
import { DELETION_MESSAGES } from './deletion-messages.js';
import { actingStaff, formAlert, sendStaffDone } from './staff-form-parts.js';

registerMessages(DELETION_MESSAGES);

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
    const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 });

    router.get(PATH, requireStaff(roles), async (req, res) => {
      const conversationId = typeof req.query.conversation === 'string' ? req.query.conversation : '';
      await sendForm(req, res, { conversationId, reason: '' });
    });

    router.post(
      PATH,
      form,
      verifyCsrf((req) => req.tenant.allowedOrigins),
      requireStaff(roles),
      async (req, res) => {
        const { by, role, console } = actingStaff(req, roles);
        const body = (req.body ?? {}) as Record<string, unknown>;
        try {
          const input = deletionInput(body.conversationId, body.reason);
          await deletion.delete({
            tenantId: tenant.config.id,
            conversationId: input.conversationId,
            by,
            role,
            reason: input.reason,
          });
          sendDone(req, res, input.conversationId, console);
        } catch (error) {
          if (!isGatewayError(error) || !FORM_CODES.has(error.code)) throw error;
          await sendForm(req, res, {
            conversationId: typeof body.conversationId === 'string' ? body.conversationId : '',
            reason: typeof body.reason === 'string' ? body.reason : '',
            error,
          });
        }
      },
    );
    return router;
  };
}

async function sendForm(
  req: Request,
  res: Response,
  values: { conversationId: string; reason: string; error?: GatewayError },
): Promise<void> {
  const { t } = res.locals;
  const base = req.tenant.basePath;
  const token = csrfToken(req);
  await saveSession(req);
  const { error } = values;
  const invalid = (code: string) => (error?.code === code ? html` aria-invalid="true"` : '');
  res.setHeader('Cache-Control', 'no-store');
  res.status(error?.status ?? 200).send(
    renderPage(req, res, {
      title: t('deletion.title'),
      body: html`<h1>${t('deletion.title')}</h1>
<p>${t('deletion.intro')}</p>
${formAlert(res, error)}
<form method="post" action="${base}${PATH}">
<input type="hidden" name="_csrf" value="${token}">
<div class="field"><label for="deletion-conversation">${t('deletion.conversation')}</label>
<input id="deletion-conversation" name="conversationId" required maxlength="64" autocomplete="off" spellcheck="false" value="${values.conversationId}"${invalid('conversation_id_invalid')}${invalid('conversation_not_found')}></div>
<div class="field"><label for="deletion-reason">${t('deletion.reason')}</label>
<textarea id="deletion-reason" name="reason" required rows="3" maxlength="${String(MAX_REASON_LENGTH)}"${invalid('deletion_reason_invalid')}>${values.reason}</textarea></div>
<div class="actions"><button type="submit" class="danger">${t('deletion.submit')}</button></div>
</form>`,
    }),
  );
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
