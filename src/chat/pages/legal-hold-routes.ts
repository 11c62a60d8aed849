import type { Request, Response } from 'express';
import type { TenantRoutes } from '../../app.js';
import { requireStaff } from '../../auth/staff-login.js';
import type { StaffRole } from '../../config/schema.js';
import { GatewayError } from '../../http/errors.js';
import { exactRouter } from '../../http/exact-router.js';
import { html } from '../../web/html.js';
import { staffRoleName } from '../../web/i18n.js';
import { utcMinute } from '../../web/time-format.js';
import type { ConversationRecord } from '../chat-records.js';
import { checkedConversationId, checkedReason } from '../conversation-deletion.js';
import { conversationNotFound } from '../conversation-service.js';
import type { LegalHoldOutcome, LegalHolds } from '../legal-hold.js';
import {
  actingStaff,
  onForm,
  type StaffFormValues,
  sendStaffDone,
  sendStaffForm,
  staffFormChecks,
  typedValues,
} from './staff-form-parts.js';

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

    router.get(PATH, requireStaff(roles), async (req, res) => {
      const values = {
        conversationId: typeof req.query.conversation === 'string' ? req.query.conversation : '',
        reason: '',
      };
      if (values.conversationId === '') return sendForm(req, res, values, undefined, undefined);
      // A bad or unknown id is said on the form, as a submitted one is.
      await onForm(
        FORM_CODES,
        async () => {
          const conversation = await holds.find(
            tenant.config.id,
            checkedConversationId(values.conversationId),
          );
          if (!conversation) throw conversationNotFound();
          await sendForm(req, res, values, conversation, undefined);
        },
        (error) => sendForm(req, res, values, undefined, error),
      );
    });

    router.post(PATH, ...staffFormChecks(roles), async (req, res) => {
      const { by, role, console } = actingStaff(req, roles);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const action = body.action;
      if (action !== 'hold' && action !== 'release') {
        throw new GatewayError('request_invalid', 'Choose to hold or to release.');
      }
      await onForm(
        FORM_CODES,
        async () => {
          const conversationId = checkedConversationId(body.conversationId);
          const outcome = await holds.apply({
            tenantId: tenant.config.id,
            conversationId,
            action,
            by,
            role,
            reason: checkedReason(body.reason, 'hold'),
          });
          sendDone(req, res, { conversationId, action, ...outcome, console });
        },
        (error) => sendForm(req, res, typedValues(body), undefined, error),
      );
    });
    return router;
  };
}

function sendForm(
  req: Request,
  res: Response,
  values: StaffFormValues,
  conversation: ConversationRecord | undefined,
  error: GatewayError | undefined,
): Promise<void> {
  const { t } = res.locals;
  const hold = conversation?.legalHold;
  const state = conversation
    ? html`<p class="panel" role="status">${
        hold
          ? t('hold.held', {
              since: utcMinute(hold.since),
              name: hold.by.name,
              role: staffRoleName(t, hold.role),
              reason: hold.reason,
            })
          : t('hold.notHeld')
      }${conversation.anonymisedAt === undefined ? '' : html` ${t('hold.anonymised')}`}${
        hold && conversation.erasureRequestedAt !== undefined
          ? html` ${t('hold.erasureRequested', { at: utcMinute(conversation.erasureRequestedAt) })}`
          : ''
      }</p>`
    : undefined;
  return sendStaffForm(req, res, {
    prefix: 'hold',
    path: PATH,
    values,
    error,
    reasonCode: 'hold_reason_invalid',
    ...(state ? { state } : {}),
    actions: html`<button type="submit" name="action" value="hold">${t('hold.hold')}</button>
<button type="submit" name="action" value="release" class="secondary">${t('hold.release')}</button>`,
  });
}

function sendDone(
  req: Request,
  res: Response,
  done: LegalHoldOutcome & { conversationId: string; action: 'hold' | 'release'; console: boolean },
): void {
  const { t } = res.locals;
  const text = done.erased
    ? 'hold.done.releaseErased'
    : done.changed
      ? `hold.done.${done.action}`
      : `hold.unchanged.${done.action}`;
  sendStaffDone(req, res, {
    title: t(`hold.doneTitle.${done.action}`),
    text: t(text, { id: done.conversationId }),
    againPath: PATH,
    againLabel: t('hold.another'),
    console: done.console,
  });
}
