import type { Request, Response } from 'express';
import type { GatewayError } from '../../http/errors.js';
import { html } from '../html.js';
import { hasMessage } from '../i18n.js';
import { renderPage } from '../layout.js';

/**
 * Codes raised while identifying; their page says nothing was shared (and that the visitor is
 * still anonymous, unless an identity they shared before is still shared).
 */
const LOGIN_CODES = new Set([
  'login_cancelled',
  'login_expired',
  'login_failed',
  'acr_too_low',
  'acr_unknown',
  'national_id_invalid',
  'claims_missing',
  'claims_invalid',
  'claims_inconsistent',
  'provider_unavailable',
  'provider_error',
  'state_mismatch',
  'iss_mismatch',
  'id_token_invalid',
  'token_exchange_failed',
  'test_identity_refused',
]);

/** Codes of a staff sign-in refused for who the employee is: a sign-in failure, never a citizen's. */
const STAFF_LOGIN_CODES = new Set(['staff_no_role', 'staff_wrong_tenant', 'staff_assurance_too_low']);

/**
 * Codes whose message carries a protocol detail an administrator needs to fix the set-up (the
 * OAuth error a chat system's request caused). Nothing personal is in it; other codes' messages
 * stay in the log.
 */
const DETAIL_CODES = new Set(['handoff_protocol_error']);

/**
 * Where the page's back button leads, and what it says, for codes of a page other than the
 * start page (the path under the tenant's base).
 */
const BACK_LINKS: Partial<Record<string, { path: string; label: string }>> = {
  data_subject_required: { path: '/privacy/my-data', label: 'common.backToMyData' },
  erasure_not_confirmed: { path: '/privacy/my-data', label: 'common.backToMyData' },
};

/**
 * Which message explains a code: its own (`error.{code}` in the catalog), else the login or
 * generic one. `state_mismatch` reads as an expired login: to the citizen it is the same.
 */
function messageKey(code: string): string {
  if (code === 'state_mismatch') return 'error.login_expired';
  if (hasMessage(`error.${code}`)) return `error.${code}`;
  return LOGIN_CODES.has(code) ? 'error.login_failed' : 'error.generic';
}

/** The HTML error page of browser flows. */
export function renderErrorPage(req: Request, res: Response, error: GatewayError): string {
  const { t } = res.locals;
  const tenant = req.tenant as Request['tenant'] | undefined;
  const basePath = tenant?.basePath ?? '';
  const login = LOGIN_CODES.has(error.code);
  // A staff sign-in shares nothing and leaves no one anonymous: only its title is its own.
  const staff =
    STAFF_LOGIN_CODES.has(error.code) || (login && (req.originalUrl ?? '').startsWith(`${basePath}/staff/`));
  // A refused login leaves the session as it was: an identity shared before stays shared.
  const sharing = tenant !== undefined && req.session?.citizens?.[tenant.config.id]?.shared !== undefined;
  const back = BACK_LINKS[error.code] ?? res.locals.errorBack ?? { path: '/', label: 'common.back' };
  // A failed login started by a chat system's hand-off leads back there (`LoginTransaction.backTo`).
  const handoff = login && !staff ? res.locals.loginBackTo : undefined;
  const home = handoff ?? `${basePath}${back.path}`;
  const backLabel = handoff ? 'error.backToHandoff' : back.label;
  const title = staff ? t('error.staffLoginTitle') : login ? t('error.loginTitle') : t('error.title');
  return renderPage(req, res, {
    title,
    body: html`<h1>${title}</h1>
<div class="panel error-panel" role="alert">
<p>${t(messageKey(error.code))}</p>
${login && !staff ? html`<p>${t(sharing ? 'error.stillSharing' : 'error.anonymous')}</p>` : ''}
</div>
${DETAIL_CODES.has(error.code) ? html`<p class="error-detail">${t('error.detail', { detail: error.message })}</p>` : ''}
<p class="error-code">${t('error.code', { code: error.code })}</p>
<p class="reference">${t('common.reference', { id: req.id })}</p>
<p><a class="button secondary" href="${home}">${t(backLabel)}</a></p>`,
  });
}
