import type { Request, Response } from 'express';
import type { PendingIdentity } from '../../auth/session-state.js';
import { availableClaims } from '../../auth/shareable-claims.js';
import type { ProviderConfig } from '../../config/schema.js';
import type { ShareableClaim } from '../../identity/verified-identity.js';
import { tenantName } from '../../tenants/tenant-context.js';
import { html } from '../html.js';
import { localize } from '../i18n.js';
import { renderPage } from '../layout.js';

/**
 * The opt-in page: each verified claim with its value and a checkbox (unticked: nothing is
 * shared by default), the recipients (the organisation, and the chat systems the tenant hands an
 * opted-in identity to), and two buttons — share the ticked ones, or share nothing.
 * With `release` it asks for a hand-off to another chat system (`src/handoff/oidc/`): it names
 * that chat system and the organisation as recipients, offers only the claims the chat system
 * may receive, and posts to `release.action`.
 */
export function renderConsentPage(
  req: Request,
  res: Response,
  options: {
    pending: PendingIdentity;
    provider: ProviderConfig;
    csrfToken: string;
    error?: string;
    release?: { action: string; recipient: string; claims: readonly ShareableClaim[] };
  },
): string {
  const { lang, t } = res.locals;
  const org = tenantName(req.tenant, lang);
  const providerName = localize(options.provider.label, lang);
  const { release } = options;
  const claims = availableClaims(options.pending.identity).filter(
    ([claim]) => !release || release.claims.includes(claim),
  );
  const intro = release
    ? t('consent.introRelease', { provider: providerName, org, system: release.recipient })
    : t('consent.intro', { provider: providerName, org });
  // What is shared here can be handed on, without another question, to each of the tenant's
  // vendor-token chat systems (`POST /api/handoff/{target}/token`): they are recipients too, and
  // the receipt of such a hand-off names them, so the page must name them before the opt-in.
  const systems = req.tenant.config.handoff.targets.map((target) => target.label);
  const recipient = release
    ? t('consent.recipientRelease', { org, system: release.recipient })
    : systems.length > 0
      ? t('consent.recipientWithSystems', { org, systems: systems.join(', ') })
      : t('consent.recipient', { org });
  return renderPage(req, res, {
    title: t('consent.title'),
    refused: options.error !== undefined,
    body: html`<h1>${t('consent.title')}</h1>
<p>${intro}</p>
<div class="panel"><p><strong>${recipient}</strong></p>
<p>${t(`consent.checked.${options.pending.identity.loa}`, { provider: providerName })}</p>
<details><summary>${t('consent.technical')}</summary><p>${t('consent.loa', { loa: t(`loa.${options.pending.identity.loa}`) })}</p></details></div>
${options.error ? html`<p id="consent-error" class="panel error-panel" role="alert" tabindex="-1" autofocus>${options.error}</p>` : ''}
<form method="post" action="${release?.action ?? `${req.tenant.basePath}/consent`}">
<input type="hidden" name="_csrf" value="${options.csrfToken}">
<fieldset${options.error ? html` aria-describedby="consent-error"` : ''}>
<legend>${t('consent.legend')}</legend>
${claims.map(
  ([claim, value]) => html`<div class="claim">
<input type="checkbox" id="claim-${claim}" name="claims" value="${claim}" aria-describedby="claim-${claim}-value">
<label for="claim-${claim}">${t(`consent.claim.${claim}`)}</label>
<span class="value" id="claim-${claim}-value">${value}</span>
</div>`,
)}
</fieldset>
<p class="notice">${t('consent.withdrawNote')}</p>
<div class="actions">
<button type="submit" name="decision" value="share">${t('consent.share')}</button>
<button type="submit" name="decision" value="decline" class="secondary">${t('consent.decline')}</button>
</div>
</form>`,
  });
}
