import type { Request, Response } from 'express';
import { tenantName } from '../../tenants/tenant-context.js';
import { html } from '../../web/html.js';
import { renderPage } from '../../web/layout.js';

/**
 * RP-initiated logout at the gateway's OpenID Provider: a plain form (no script, so it works
 * under the CSP) confirming the logout a chat system asked for, or the page after it.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html §2
 */
export function renderLogoutPage(
  req: Request,
  res: Response,
  options: { action: string; xsrf: string; client: string | undefined } | { done: true },
): string {
  const { t, lang } = res.locals;
  const title = t('handoff.logout.title');
  if ('done' in options) {
    return renderPage(req, res, { title, body: html`<h1>${title}</h1><p>${t('handoff.logout.done')}</p>` });
  }
  const org = tenantName(req.tenant, lang);
  return renderPage(req, res, {
    title,
    body: html`<h1>${title}</h1>
<p>${t('handoff.logout.confirm', { system: options.client ?? org, org })}</p>
<form method="post" action="${options.action}">
<input type="hidden" name="xsrf" value="${options.xsrf}">
<input type="hidden" name="logout" value="yes">
<div class="actions"><button type="submit">${t('handoff.logout.button')}</button></div>
</form>`,
  });
}
