import { html, type SafeHtml } from '../html.js';
import type { Translate } from '../i18n.js';

/**
 * The "Identify with …" list of a page: a link per provider whose broker answers, a disabled
 * button saying so for one that does not.
 */
export function providerButtons(
  t: Translate,
  providers: ReadonlyArray<{ label: string; loginUrl: string; available: boolean }>,
): SafeHtml {
  return html`<ul class="providers">
${providers.map((p) =>
  p.available
    ? html`<li><a class="button" href="${p.loginUrl}">${t('landing.identifyWith', { provider: p.label })}</a></li>`
    : html`<li><span class="button" aria-disabled="true">${t('landing.identifyWith', { provider: p.label })} ${t('landing.unavailable')}</span></li>`,
)}
</ul>`;
}
