import express, { type Request, type Response } from 'express';
import type { TenantRoutes } from '../../app.js';
import { saveSession } from '../../auth/session-state.js';
import { requireStaff } from '../../auth/staff-login.js';
import type { StaffRole } from '../../config/schema.js';
import { csrfToken, verifyCsrf } from '../../http/csrf.js';
import { GatewayError, isGatewayError } from '../../http/errors.js';
import { exactRouter } from '../../http/exact-router.js';
import { html } from '../../web/html.js';
import { hasMessage, registerMessages } from '../../web/i18n.js';
import { renderPage } from '../../web/layout.js';
import { utcMinute } from '../../web/time-format.js';
import type { ConversationRecord } from '../chat-records.js';
import { checkedConversationId, checkedReason, MAX_REASON_LENGTH } from '../conversation-deletion.js';
import { conversationNotFound } from '../conversation-service.js';
import type { LegalHolds } from '../legal-hold.js';
import { LEGAL_HOLD_MESSAGES } from './legal-hold-messages.js';
import { actingStaff, formAlert, sendStaffDone } from './staff-form-parts.js';

registerMessages(LEGAL_HOLD_MESSAGES);

const PATH = '/staff/conversations/hold';
/** Codes the form answers on itself (with what was typed kept); anything else is the error page. */
const FORM_CODES = new Set(['conversation_id_invalid', 'hold_reason_invalid', 'conversation_not_found']);

/**
 * `GET /staff/conversations/hold` (a form; `?conversation=` fills in the id and shows whether it
 * is held) and `POST /staff/conversations/hold` (`conversationId`, `reason`, `action` = `hold`
 * or `release`, `_csrf`): legal hold by the tenant's `legalHolders` (default admins and
 * security staff). Without a staff login both redirect to it; other roles get
 * `403 staff_forbidden`.
 */
export function legalHoldRoutes(holds: LegalHolds): TenantRoutes {
  return (_deps, tenant) => {
    const router = exactRouter();
    const roles = tenant.config.legalHolders as readonly StaffRole[];
    const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 });

    router.get(PATH, requireStaff(roles), async (req, res) => {
      const given = typeof req.query.conversation === 'string' ? req.query.conversation : '';
      let conversation: ConversationRecord | undefined;
      let error: GatewayError | undefined;
      if (given !== '') {
        // A bad or unknown id is said on the form, as a submitted one is.
        try {
          conversation = await holds.find(tenant.config.id, checkedConversationId(given));
          if (!conversation) throw conversationNotFound();
        } catch (failure) {
          if (!isGatewayError(failure) || !FORM_CODES.has(failure.code)) throw failure;
          error = failure;
        }
      }
      await sendForm(req, res, {
        conversationId: given,
        reason: '',
        conversation,
        ...(error ? { error } : {}),
      });
    });

    router.post(
      PATH,
      form,
      verifyCsrf((req) => req.tenant.allowedOrigins),
      requireStaff(roles),
      async (req, res) => {
        const { by, role, console } = actingStaff(req, roles);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const action = body.action;
        if (action !== 'hold' && action !== 'release') {
          throw new GatewayError('request_invalid', 'Choose to hold or to release.');
        }
        try {
          const conversationId = checkedConversationId(body.conversationId);
          const changed = await holds.apply({
            tenantId: tenant.config.id,
            conversationId,
            action,
            by,
            role,
            reason: checkedReason(body.reason, 'hold'),
          });
          sendDone(req, res, { conversationId, action, changed, console });
        } catch (error) {
          if (!isGatewayError(error) || !FORM_CODES.has(error.code)) throw error;
          const conversationId = typeof body.conversationId === 'string' ? body.conversationId : '';
          await sendForm(req, res, {
            conversationId,
            reason: typeof body.reason === 'string' ? body.reason : '',
            conversation: undefined,
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
  values: {
    conversationId: string;
    reason: string;
    conversation: ConversationRecord | undefined;
    error?: GatewayError;
  },
): Promise<void> {
  const { t } = res.locals;
  const base = req.tenant.basePath;
  const token = csrfToken(req);
  await saveSession(req);
  const { error, conversation } = values;
  const invalid = (...codes: string[]) =>
    error && codes.includes(error.code) ? html` aria-invalid="true"` : '';
  const hold = conversation?.legalHold;
  const state = conversation
    ? html`<p class="panel" role="status">${
        hold
          ? t('hold.held', {
              since: utcMinute(hold.since),
              name: hold.by.name,
              role: hasMessage(`hold.role.${hold.role}`) ? t(`hold.role.${hold.role}`) : hold.role,
              reason: hold.reason,
            })
          : t('hold.notHeld')
      }${conversation.anonymisedAt === undefined ? '' : html` ${t('hold.anonymised')}`}</p>`
    : '';
  res.setHeader('Cache-Control', 'no-store');
  res.status(error?.status ?? 200).send(
    renderPage(req, res, {
      title: t('hold.title'),
      body: html`<h1>${t('hold.title')}</h1>
<p>${t('hold.intro')}</p>
${state}
${formAlert(res, error)}
<form method="post" action="${base}${PATH}">
<input type="hidden" name="_csrf" value="${token}">
<div class="field"><label for="hold-conversation">${t('hold.conversation')}</label>
<input id="hold-conversation" name="conversationId" required maxlength="64" autocomplete="off" spellcheck="false" value="${values.conversationId}"${invalid('conversation_id_invalid', 'conversation_not_found')}></div>
<div class="field"><label for="hold-reason">${t('hold.reason')}</label>
<textarea id="hold-reason" name="reason" required rows="3" maxlength="${String(MAX_REASON_LENGTH)}"${invalid('hold_reason_invalid')}>${values.reason}</textarea></div>
<div class="actions"><button type="submit" name="action" value="hold">${t('hold.hold')}</button>
<button type="submit" name="action" value="release" class="secondary">${t('hold.release')}</button></div>
</form>`,
    }),
  );
}

function sendDone(
  req: Request,
  res: Response,
  done: { conversationId: string; action: 'hold' | 'release'; changed: boolean; console: boolean },
): void {
  const { t } = res.locals;
  sendStaffDone(req, res, {
    title: t(`hold.doneTitle.${done.action}`),
    text: t(done.changed ? `hold.done.${done.action}` : `hold.unchanged.${done.action}`, {
      id: done.conversationId,
    }),
    againPath: PATH,
    againLabel: t('hold.another'),
    console: done.console,
  });
}
