import type { Request, Response } from 'express';
import type { ProviderConfig } from '../../config/schema.js';
import { tenantName } from '../../tenants/tenant-context.js';
import { html } from '../../web/html.js';
import { localize } from '../../web/i18n.js';
import { renderPage } from '../../web/layout.js';

/**
 * The first page a chat system's login lands on: which organisation and chat system ask, a
 * button per identity provider of the tenant that meets the level the chat system asked for,
 * and a cancel button (`access_denied` to the chat
 * system).
 */
export function renderBrokerChoicePage(
  req: Request,
  res: Response,
  options: { base: string; system: string; csrfToken: string; providers: readonly ProviderConfig[] },
): string {
  const { t, lang } = res.locals;
  const org = tenantName(req.tenant, lang);
  return renderPage(req, res, {
    title: t('handoff.broker.title'),
    body: html`<h1>${t('handoff.broker.title')}</h1>
<p>${t('handoff.broker.intro', { system: options.system, org })}</p>
<h2>${t('handoff.broker.choose')}</h2>
<ul class="providers">
${options.providers.map(
  (p) => html`<li><a class="button" href="${options.base}/login/${p.id}">${localize(p.label, lang)}</a></li>`,
)}
</ul>
<form method="post" action="${options.base}/abort">
<input type="hidden" name="_csrf" value="${options.csrfToken}">
<button type="submit" class="secondary">${t('handoff.broker.cancel')}</button>
</form>`,
  });
}
