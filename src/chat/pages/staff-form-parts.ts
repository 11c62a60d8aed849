import express, { type Request, type RequestHandler, type Response } from 'express';
import { saveSession } from '../../auth/session-state.js';
import { readStaff, requireStaff } from '../../auth/staff-login.js';
import type { StaffRole } from '../../config/schema.js';
import { csrfToken, verifyCsrf } from '../../http/csrf.js';
import { type GatewayError, isGatewayError } from '../../http/errors.js';
import { html, type SafeHtml } from '../../web/html.js';
import { renderPage } from '../../web/layout.js';
import { MAX_REASON_LENGTH } from '../conversation-deletion.js';
import { hasConsoleRole } from '../upgrade-auth.js';

/** What a staff form on one conversation posts before its handler: the form, CSRF, a role of `roles`. */
export function staffFormChecks(roles: readonly StaffRole[]): RequestHandler[] {
  return [
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 }),
    verifyCsrf((req) => req.tenant.staffOrigins),
    requireStaff(roles),
  ];
}

/** A staff form's id field: its name, the GET query parameter that fills it in, the codes that mark it invalid. */
export interface StaffFormIdField {
  name: string;
  query: string;
  codes: readonly string[];
}

/** The id field of the forms on one conversation (deletion, legal hold): `?conversation=`. */
const CONVERSATION_ID_FIELD: StaffFormIdField = {
  name: 'conversationId',
  query: 'conversation',
  codes: ['conversation_id_invalid', 'conversation_not_found'],
};

/** What was typed into a staff form, to show again with its error. */
export interface StaffFormValues {
  /** The id typed (a conversation's, or an offline message's on its deletion form). */
  conversationId: string;
  reason: string;
}

/** The typed values of a posted staff form (anything but text counts as empty). */
export function typedValues(body: Record<string, unknown>): StaffFormValues {
  return {
    conversationId: typeof body.conversationId === 'string' ? body.conversationId : '',
    reason: typeof body.reason === 'string' ? body.reason : '',
  };
}

/**
 * Runs a staff form's `act`; an error whose code is one of `formCodes` is answered on the form
 * itself (`again`, with what was typed), anything else goes to the error page.
 */
export async function onForm(
  formCodes: ReadonlySet<string>,
  act: () => Promise<void>,
  again: (error: GatewayError) => Promise<void>,
): Promise<void> {
  try {
    await act();
  } catch (error) {
    if (!isGatewayError(error) || !formCodes.has(error.code)) throw error;
    await again(error);
  }
}

/**
 * The page of a staff form on one conversation (deletion, legal hold): its messages under
 * `prefix` (`{prefix}.title`, `.intro`, `.conversation`, `.reason`), an optional state panel,
 * the refused input's alert, the id and reason fields (marked invalid by their codes) and the
 * form's own buttons.
 */
export async function sendStaffForm(
  req: Request,
  res: Response,
  form: {
    prefix: string;
    path: string;
    values: StaffFormValues;
    error: GatewayError | undefined;
    reasonCode: string;
    state?: SafeHtml;
    actions: SafeHtml;
    /**
     * The id field's name, the query parameter of the GET that fills it in (and which the
     * page's language links carry, typed or given) and the codes that mark it invalid
     * (default: a conversation's).
     */
    idField?: StaffFormIdField;
  },
): Promise<void> {
  const { t } = res.locals;
  const { prefix, values, error } = form;
  const idField = form.idField ?? CONVERSATION_ID_FIELD;
  const token = csrfToken(req);
  await saveSession(req);
  // The refused field is described by the alert's text, so moving into it says why. The form is
  // `novalidate`: a field left empty is refused by the server like any other fault, in the
  // page's language and tied to the field, not by the browser's bubble in the browser's
  // language; `required` still tells assistive technology which fields are.
  const invalid = (...codes: string[]) =>
    error && codes.includes(error.code) ? html` aria-invalid="true" aria-describedby="${FORM_ERROR_ID}"` : '';
  res.setHeader('Cache-Control', 'no-store');
  res.status(error?.status ?? 200).send(
    renderPage(req, res, {
      title: t(`${prefix}.title`),
      refused: error !== undefined,
      // Only the id: the reason may name a person or a case, which has no place in a URL.
      languageQuery: { [idField.query]: values.conversationId },
      body: html`<h1>${t(`${prefix}.title`)}</h1>
<p>${t(`${prefix}.intro`)}</p>
${form.state ?? ''}
${formAlert(res, error)}
<form method="post" action="${req.tenant.basePath}${form.path}" novalidate>
<input type="hidden" name="_csrf" value="${token}">
<div class="field"><label for="${prefix}-conversation">${t(`${prefix}.conversation`)}</label>
<input id="${prefix}-conversation" name="${idField.name}" required maxlength="64" autocomplete="off" spellcheck="false" value="${values.conversationId}"${invalid(...idField.codes)}></div>
<div class="field"><label for="${prefix}-reason">${t(`${prefix}.reason`)}</label>
<textarea id="${prefix}-reason" name="reason" required rows="3" maxlength="${String(MAX_REASON_LENGTH)}"${invalid(form.reasonCode)}>${values.reason}</textarea></div>
<div class="actions">${form.actions}</div>
</form>`,
    }),
  );
}

/**
 * The staff member acting on a staff form (behind `requireStaff(roles)`): who, in which of
 * `roles`, and whether they have a console to go back to.
 */
export function actingStaff(req: Request, roles: readonly StaffRole[]) {
  const staff = readStaff(req.session, req.tenant.config.id);
  const role = staff?.roles.find((r) => roles.includes(r as StaffRole));
  if (!staff || !role) throw new TypeError('requireStaff let a request without one of its roles through');
  return { by: { subject: staff.subject, name: staff.name }, role, console: hasConsoleRole(staff) };
}

/** The id of a staff form's error text, which the refused field names in `aria-describedby`. */
export const FORM_ERROR_ID = 'form-error';

/**
 * What a server-rendered form (the staff forms, the citizen's erasure) shows of a refused input: its
 * text (`FORM_ERROR_ID`, the invalid field's description) and the code for a support request.
 * It takes the focus as the page loads (`autofocus`, no script), so the error is read first.
 */
export function formAlert(res: Response, error: GatewayError | undefined): SafeHtml | '' {
  const { t } = res.locals;
  return error
    ? html`<div class="panel error-panel" role="alert" tabindex="-1" autofocus><p id="${FORM_ERROR_ID}">${t(`error.${error.code}`)}</p><p class="error-code">${t('error.code', { code: error.code })}</p></div>`
    : '';
}

/**
 * The page after a staff form on one conversation did its work: the title, what was done, a
 * link to the form again (`againPath` under the tenant) and, for console roles, to the console.
 */
export function sendStaffDone(
  req: Request,
  res: Response,
  page: { title: string; text: string; againPath: string; againLabel: string; console: boolean },
): void {
  const { t } = res.locals;
  const base = req.tenant.basePath;
  res.setHeader('Cache-Control', 'no-store');
  res.send(
    renderPage(req, res, {
      title: page.title,
      body: html`<h1>${page.title}</h1>
<div class="panel" role="status"><p>${page.text}</p></div>
<p class="actions"><a class="button secondary" href="${base}${page.againPath}">${page.againLabel}</a>${page.console ? html` <a class="button" href="${base}/agent">${t('deletion.console')}</a>` : ''}</p>`,
    }),
  );
}
