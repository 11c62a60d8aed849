import { html, layout } from './html.js';

/** The root page of a standalone mock: which issuers it hosts and where their metadata is. */
export function renderIndexPage(issuers: readonly { title: string; issuer: string }[]): string {
  const items = issuers.map(
    ({ title, issuer }) =>
      html`<li>${title}: <code>${issuer}</code> (<a href="${issuer}/.well-known/openid-configuration">discovery</a>)</li>\n`,
  );
  return layout({
    title: 'Mock IdP',
    body: html`<h1>Mock OpenID Provider</h1>
<p class="notice">For development and tests only. Every identity here is synthetic.</p>
<ul class="issuers">
${items}</ul>`,
  });
}
