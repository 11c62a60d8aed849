import type { Request, Response } from 'express';
import { LANGUAGES } from '../config/schema.js';
import { tenantName } from '../tenants/tenant-context.js';
import { html, type SafeHtml } from './html.js';
import { LANGUAGE_NAMES } from './i18n.js';

/**
 * The query parameters a language link carries over. Nothing else is copied: on a failed
 * callback the query holds the authorization `code` and `state`, which must not be written into
 * the page (and so into a link a user may share). A page that is about something its query
 * does not name (a staff form refused after a POST) gives it as `languageQuery`.
 */
const KEPT_QUERY = ['returnTo', 'handover'] as const;

/**
 * The frame of every server-rendered page: language attribute, skip link, header with the
 * organisation's name, language switch, and a footer with the privacy notice. Only external
 * stylesheets and scripts (strict CSP). `refused`: a form shown again with its error, whose
 * title then begins with "Error:" (the first thing a screen reader says of the page, WCAG 3.3.1).
 */
export function renderPage(
  req: Request,
  res: Response,
  options: {
    title: string;
    body: SafeHtml;
    scripts?: string[];
    styles?: string[];
    bodyClass?: string;
    refused?: boolean;
    /**
     * What the page is about, for its language links to keep (e.g. `{ conversation: id }` on a
     * staff form): switching the language reloads the page by GET, which would otherwise show
     * it about nothing. An empty value is left out.
     */
    languageQuery?: Readonly<Record<string, string>>;
  },
): string {
  const { lang, t } = res.locals;
  const tenant = req.tenant as Request['tenant'] | undefined;
  const org = tenant ? tenantName(tenant, lang) : '';
  const staticBase = '/static';
  const switchLinks = LANGUAGES.map((code) => {
    const params = new URLSearchParams();
    for (const name of KEPT_QUERY) {
      const value = req.query[name];
      if (typeof value === 'string') params.set(name, value);
    }
    for (const [name, value] of Object.entries(options.languageQuery ?? {})) {
      if (value !== '') params.set(name, value);
    }
    params.set('lang', code);
    const current = code === lang;
    // A query-only reference: the browser keeps the page's own path (a tenant's mount
    // `/t/<id>` included). The path is never written back into the page: on a 404 for
    // `//evil.example/x` or `/\evil.example` it would be a link off the site.
    // @see RFC 3986 §5.2.2 (a reference of only a query keeps the base's path)
    return html`<li><a href="${`?${params}`}" lang="${code}" hreflang="${code}"${current ? html` aria-current="true"` : ''}>${LANGUAGE_NAMES[code]}</a></li>`;
  });
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.refused ? t('common.errorTitle', { title: options.title }) : options.title}${org ? ` – ${org}` : ''}</title>
<link rel="stylesheet" href="${staticBase}/app.css">
${(options.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}">`)}
${(options.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body${options.bodyClass ? html` class="${options.bodyClass}"` : ''}>
<a class="skip-link" href="#content">${t('common.skip')}</a>
<header class="site-header">
<p class="org">${org}</p>
<nav aria-label="${t('common.language')}"><ul class="lang-switch">${switchLinks}</ul></nav>
</header>
<main id="content" tabindex="-1">
${options.body}
</main>
${tenant?.config.privacyNoticeUrl ? html`<footer class="site-footer"><a href="${tenant.config.privacyNoticeUrl}">${t('common.privacy')}</a></footer>` : ''}
</body>
</html>`.value;
}
