import type { Language } from '../config/schema.js';
import { LANGUAGES } from '../config/schema.js';
import { html } from '../web/html.js';
import { translator } from '../web/i18n.js';
import { HSTS_MAX_AGE_SECONDS } from './security-headers.js';

/** The codes of the requests Node's parser refuses before the app (and its language) is reached. */
export type UnreadRequestCode = 'request_invalid' | 'request_too_large';

/**
 * The security headers of that page, which helmet never sees: the same as on every page the app
 * answers (no framing, no referrer, not stored, HSTS in production), with a CSP that allows
 * nothing, as the page loads nothing.
 */
export function unreadRequestHeaders(production: boolean): string {
  return [
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    'X-Content-Type-Options: nosniff',
    'X-Frame-Options: DENY',
    'Referrer-Policy: no-referrer',
    'Cache-Control: no-store',
    ...(production ? [`Strict-Transport-Security: max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`] : []),
  ].join('\r\n');
}

/**
 * The page for a request Node's HTTP parser refused (`clientError`), which no middleware sees:
 * no cookie, no `Accept-Language`, no tenant, no stylesheet (the CSP is `default-src 'none'`).
 * Since its reader's language cannot be told, it says the same in every page language: the
 * configured default first (the document's `lang`), then each other one in an element with its
 * own `lang`, so that a screen reader reads each with its own pronunciation (WCAG 3.1.2).
 */
export function unreadRequestPage(code: UnreadRequestCode, defaultLanguage: Language): string {
  const languages = [defaultLanguage, ...LANGUAGES.filter((lang) => lang !== defaultLanguage)];
  const parts = languages.map((lang, index) => {
    const t = translator(lang);
    const heading = index === 0 ? html`<h1>${t('error.title')}</h1>` : html`<h2>${t('error.title')}</h2>`;
    return html`<section${index === 0 ? '' : html` lang="${lang}"`}>${heading}<p>${t(`error.${code}`)}</p><p>${t('error.code', { code })}</p></section>`;
  });
  return html`<!doctype html><html lang="${defaultLanguage}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${translator(defaultLanguage)('error.title')}</title></head><body><main>${parts}</main></body></html>`
    .value;
}
