import { html, layout } from './html.js';
import type { MockLanguage } from './login-texts.js';
import { LOGOUT_TEXTS } from './logout-texts.js';

/** What the logout confirmation needs. */
export interface LogoutPageModel {
  issuerTitle: string;
  /** `client_name`, else `client_id`, of the client that asked, when known. */
  clientName: string | undefined;
  /** Whether someone is signed in at the mock in this browser. */
  signedIn: boolean;
  /** oidc-provider's `end_session_confirm` URL. */
  action: string;
  /** oidc-provider's anti-CSRF secret for this logout. */
  xsrf: string;
  /** The page's language, from the request's `ui_locales` (`loginLanguage`). */
  lang: MockLanguage;
}

/**
 * RP-initiated logout confirmation. oidc-provider's own page (and, with no session, its
 * auto-submitting form) uses inline script and style; this one is a plain form, so it also
 * works without JavaScript under a strict CSP.
 *
 * `logout=yes` ends the whole mock session; submitting without it only ends the session of
 * the client that asked (oidc-provider's semantics).
 */
export function renderLogoutPage(model: LogoutPageModel): string {
  const texts = LOGOUT_TEXTS[model.lang];
  // The issuer's title comes from the mock's configuration, written in English (WCAG 3.1.2).
  const issuer =
    model.lang === 'en' ? html`${model.issuerTitle}` : html`<span lang="en">${model.issuerTitle}</span>`;
  const from = model.clientName === undefined ? '' : texts.askedBy(model.clientName);
  const body = model.signedIn
    ? html`<h1>${texts.question(issuer)}</h1>
<p>${texts.signedIn}${from}.</p>
<form method="post" action="${model.action}">
<input type="hidden" name="xsrf" value="${model.xsrf}">
<div class="actions">
<button type="submit" name="logout" value="yes" class="primary">${texts.signOut}</button>
<button type="submit" class="secondary">${texts.staySignedIn}</button>
</div>
</form>`
    : html`<h1>${issuer}</h1>
<p>${texts.notSignedIn}${from}.</p>
<form method="post" action="${model.action}">
<input type="hidden" name="xsrf" value="${model.xsrf}">
<input type="hidden" name="logout" value="yes">
<div class="actions"><button type="submit" class="primary">${texts.continue}</button></div>
</form>`;
  return layout({ lang: model.lang, title: `${texts.title} – ${model.issuerTitle}`, body });
}

/** Shown after a logout that had no (valid) `post_logout_redirect_uri` to return to. */
export function renderLogoutSuccessPage(issuerTitle: string, clientName: string | undefined): string {
  return layout({
    title: `Signed out – ${issuerTitle}`,
    body: html`<h1>Signed out</h1>
<p>You have signed out of ${issuerTitle}${clientName === undefined ? '' : html` and ${clientName}`}.</p>`,
  });
}
