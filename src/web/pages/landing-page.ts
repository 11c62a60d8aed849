import type { Request, Response } from 'express';
import type { SessionView } from '../../auth/session-routes.js';
import { tenantName } from '../../tenants/tenant-context.js';
import { html, type SafeHtml } from '../html.js';
import { renderPage } from '../layout.js';

/** The demo landing page: the session's state, provider choice, sharing controls. */
export function renderLandingPage(
  req: Request,
  res: Response,
  view: SessionView,
  options: { chatUrl?: string; staffUrl?: string },
): string {
  const { lang, t } = res.locals;
  const org = tenantName(req.tenant, lang);
  const base = req.tenant.basePath;
  const providerName = (id: string) => view.providers.find((p) => p.id === id)?.label ?? id;
  let status: SafeHtml;
  if (view.identity) {
    const entries = Object.entries(view.identity.claims).filter(
      ([k]) => k !== 'givenName' && k !== 'familyName' && k !== 'nationalIdType',
    );
    status = html`<p>${entries.length > 0 ? t('landing.verified', { provider: providerName(view.identity.provider) }) : t('landing.verifiedNothing', { provider: providerName(view.identity.provider) })}</p>
${entries.length > 0 ? html`<dl class="verified-list">${entries.map(([k, v]) => html`<dt>${t(`consent.claim.${k}`)}</dt><dd>${v}</dd>`)}</dl>` : ''}
<form method="post" action="${base}/consent/withdraw"><input type="hidden" name="_csrf" value="${view.csrfToken}"><button type="submit" class="secondary">${t('landing.withdraw')}</button></form>`;
  } else if (view.pending) {
    status = html`<p>${t('landing.pending')}</p><p><a class="button" href="${base}/consent">${t('landing.continueConsent')}</a></p>`;
  } else {
    status = html`<p>${t('landing.anonymous')}</p>`;
  }
  const signedIn = view.state !== 'anonymous';
  return renderPage(req, res, {
    title: t('landing.title'),
    body: html`<h1>${t('landing.title')}</h1>
<p>${t('landing.intro', { org })}</p>
<section class="panel" aria-labelledby="status-heading">
<h2 id="status-heading">${t('landing.status')}</h2>
${status}
${signedIn ? html`<form method="post" action="${base}/auth/logout"><input type="hidden" name="_csrf" value="${view.csrfToken}"><button type="submit" class="secondary">${t('landing.logout')}</button></form>` : ''}
</section>
<section aria-labelledby="providers-heading">
<h2 id="providers-heading">${t('landing.choose')}</h2>
<ul class="providers">
${view.providers.map((p) =>
  p.available
    ? html`<li><a class="button" href="${p.loginUrl}">${t('landing.identifyWith', { provider: p.label })}</a></li>`
    : html`<li><span class="button" aria-disabled="true">${t('landing.identifyWith', { provider: p.label })} ${t('landing.unavailable')}</span></li>`,
)}
</ul>
</section>
${options.chatUrl ? html`<p><a class="button secondary" href="${options.chatUrl}">${t('landing.openChat')}</a></p>` : ''}
${options.staffUrl ? html`<p><a href="${options.staffUrl}">${t('landing.staff')}</a></p>` : ''}`,
  });
}
