import type { ResolvedPersona } from '../personas.js';
import { html, layout, type SafeHtml } from './html.js';
import { LOGIN_TEXTS, type LoginTexts, type MockLanguage } from './login-texts.js';

/** What the login page shows for one interaction. */
export interface LoginPageModel {
  issuerTitle: string;
  /** `client_name`, else `client_id`, of the client asking. */
  clientName: string;
  /** `acr_values` of the request, shown so a tester sees which level was asked for. */
  requestedAcrValues: string | undefined;
  loginAction: string;
  abortAction: string;
  personas: readonly ResolvedPersona[];
  /** The page's language, from the request's `ui_locales` (`loginLanguage`). */
  lang: MockLanguage;
  /** Why the page is shown instead of an automatic login, e.g. an unknown `login_hint`. */
  message?: LoginMessage;
}

/** Why the login page is shown again: a `login_hint` naming no persona, or no persona chosen. */
export type LoginMessage = { kind: 'unknown-hint'; hint: string } | { kind: 'choose-persona' };

/** One line under a persona's name: the facts a tester picks a persona by, in the page's language. */
export function describePersona(resolved: ResolvedPersona, texts: LoginTexts = LOGIN_TEXTS.en): string {
  if (resolved.kind === 'staff') {
    const roles = resolved.claims.roles.length > 0 ? resolved.claims.roles.join(', ') : texts.noRoles;
    return `${resolved.claims.email} · ${texts.roles(roles)} · ${texts.tenant(resolved.claims.tenant ?? 'demo')}`;
  }
  const { country, national_id, birthdate } = resolved.claims;
  return `${texts.nationalId(country, national_id)} · ${texts.born(birthdate)}`;
}

/**
 * The persona picker. Plain HTML forms: works keyboard-only and without JavaScript; the first
 * persona is preselected so Enter signs in straight away.
 */
export function renderLoginPage(model: LoginPageModel): string {
  const texts = LOGIN_TEXTS[model.lang];
  // The issuer's title and the personas' labels come from the mock's configuration, written in
  // English: on a page in another language they say so (WCAG 3.1.2).
  const configured = (text: string): SafeHtml =>
    model.lang === 'en' ? html`${text}` : html`<span lang="en">${text}</span>`;
  const message =
    model.message === undefined
      ? undefined
      : model.message.kind === 'unknown-hint'
        ? texts.unknownHint(model.message.hint)
        : texts.choosePersona;
  const choices = model.personas.map((resolved, index) => {
    const inputId = `persona-${resolved.persona.id}`;
    const detailId = `${inputId}-detail`;
    return html`<div class="choice">
<input type="radio" name="persona" id="${inputId}" value="${resolved.persona.id}" aria-describedby="${detailId}"${index === 0 ? html` checked` : ''} required>
<label for="${inputId}">${configured(resolved.persona.label)}<span class="detail" id="${detailId}">${describePersona(resolved, texts)} · id <code>${resolved.persona.id}</code></span></label>
</div>
`;
  });

  const loginForm =
    model.personas.length > 0
      ? html`<form method="post" action="${model.loginAction}">
<fieldset>
<legend>${texts.legend}</legend>
${choices}
</fieldset>
<div class="actions"><button type="submit" class="primary">${texts.signIn}</button></div>
</form>`
      : html`<p class="message" role="status">${texts.noPersonas}</p>`;

  return layout({
    lang: model.lang,
    title: texts.title(model.issuerTitle),
    body: html`<h1>${configured(model.issuerTitle)}</h1>
<p class="notice">${texts.notice}</p>
<p>${texts.signingInTo} <strong>${model.clientName}</strong>${model.requestedAcrValues === undefined ? '' : html`, ${texts.askingFor} <code>${model.requestedAcrValues}</code>`}.</p>
${message === undefined ? '' : html`<p class="message" role="alert">${message}</p>`}
${loginForm}
<form method="post" action="${model.abortAction}">
<div class="actions"><button type="submit" class="secondary">${texts.cancel}</button></div>
</form>
<p class="detail">${texts.skipHint} <code>login_hint=&lt;persona id&gt;</code>.</p>`,
  });
}
