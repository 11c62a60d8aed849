import type { Request, Response } from 'express';
import { readStaff } from '../../auth/staff-login.js';
import type { StaffRole } from '../../config/schema.js';
import type { GatewayError } from '../../http/errors.js';
import { html, type SafeHtml } from '../../web/html.js';
import { renderPage } from '../../web/layout.js';
import { hasConsoleRole } from '../upgrade-auth.js';

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

/** What the staff forms on one conversation (deletion, legal hold) show of a refused input. */
export function formAlert(res: Response, error: GatewayError | undefined): SafeHtml | '' {
  const { t } = res.locals;
  return error
    ? html`<div class="panel" role="alert"><p>${t(`error.${error.code}`)}</p><p class="error-code">${t('error.code', { code: error.code })}</p></div>`
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
