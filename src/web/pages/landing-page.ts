import type { Request, Response } from 'express';
import type { SessionView } from '../../auth/session-routes.js';
import { tenantName } from '../../tenants/tenant-context.js';
import { html, type SafeHtml } from '../html.js';
import { renderPage } from '../layout.js';
import { providerButtons } from './provider-buttons.js';

/** The demo landing page: the session's state, provider choice, sharing controls. */
export function renderLandingPage(
  req: Request,
  res: Response,
  view: SessionView,
  options: { chatUrl?: string; myDataUrl?: string; staffUrl?: string; notice?: 'withdrawn' | 'declined' },
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
${entries.length > 0 ? html`<dl class="verified-list">${entries.map(([k, v]) => html`<dt>${t(`consent.claim.${k}`)}</dt><dd>${v}</dd>`)}</dl>` : ''}`;
  } else if (view.pending) {
    status = html`<p>${t('landing.pending')}</p><p><a class="button" href="${base}/consent">${t('landing.continueConsent')}</a></p>`;
  } else if (view.broker) {
    status = html`<p>${t('landing.loggedInNotSharing', { provider: providerName(view.broker.provider) })}</p>`;
  } else {
    status = html`<p>${t('landing.anonymous')}</p>`;
  }
  // Logging out ends the broker session too, so it stays on offer while one is open, also
  // after a withdrawal or a "share nothing" left the session itself anonymous.
  const signedIn = view.state !== 'anonymous' || view.broker !== undefined;
  const confirmation = options.notice
    ? html`<p class="panel confirmation" role="status">${t(`landing.notice.${options.notice}`, { org })}</p>`
    : '';
  const actions = html`<div class="actions">
${view.identity ? html`<form method="post" action="${base}/consent/withdraw"><input type="hidden" name="_csrf" value="${view.csrfToken}"><button type="submit" class="secondary">${t('landing.withdraw')}</button></form>` : ''}
${signedIn ? html`<form method="post" action="${base}/auth/logout"><input type="hidden" name="_csrf" value="${view.csrfToken}"><button type="submit" class="secondary">${t('landing.logout')}</button></form>` : ''}
</div>`;
  // Once identified, the page says so rather than asking for it; the providers stay on offer
  // (another service, e.g. for a higher level of assurance).
  const title = view.identity ? t('landing.titleIdentified') : t('landing.title');
  return renderPage(req, res, {
    title,
    body: html`<h1>${title}</h1>
<p>${t('landing.intro', { org })}</p>
${confirmation}
<section class="panel" aria-labelledby="status-heading">
<h2 id="status-heading">${t('landing.status')}</h2>
${status}
${actions}
</section>
<section aria-labelledby="providers-heading">
<h2 id="providers-heading">${view.identity ? t('landing.chooseAgain') : t('landing.choose')}</h2>
${providerButtons(t, view.providers)}
</section>
${options.chatUrl ? html`<p><a class="button secondary" href="${options.chatUrl}">${t('landing.openChat')}</a></p>` : ''}
${options.myDataUrl ? html`<p><a href="${options.myDataUrl}">${t('landing.myData')}</a></p>` : ''}
${options.staffUrl ? html`<p><a href="${options.staffUrl}">${t('landing.staff')}</a></p>` : ''}`,
  });
}
