import type { ResolvedPersona } from '../personas.js';
import { html, layout } from './html.js';

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
  /** Why the page is shown instead of an automatic login, e.g. an unknown `login_hint`. */
  message?: string;
}

/** One line under a persona's name: the facts a tester picks a persona by. */
export function describePersona(resolved: ResolvedPersona): string {
  if (resolved.kind === 'staff') {
    const roles = resolved.claims.roles.length > 0 ? resolved.claims.roles.join(', ') : 'no roles';
    return `${resolved.claims.email} · roles: ${roles} · tenant: ${resolved.claims.tenant ?? 'demo'}`;
  }
  const { country, national_id, birthdate } = resolved.claims;
  return `${country} national id ${national_id} · born ${birthdate}`;
}

/**
 * The persona picker. Plain HTML forms: works keyboard-only and without JavaScript; the first
 * persona is preselected so Enter signs in straight away.
 */
export function renderLoginPage(model: LoginPageModel): string {
  const choices = model.personas.map((resolved, index) => {
    const inputId = `persona-${resolved.persona.id}`;
    const detailId = `${inputId}-detail`;
    return html`<div class="choice">
<input type="radio" name="persona" id="${inputId}" value="${resolved.persona.id}" aria-describedby="${detailId}"${index === 0 ? html` checked` : ''} required>
<label for="${inputId}">${resolved.persona.label}<span class="detail" id="${detailId}">${describePersona(resolved)} · id <code>${resolved.persona.id}</code></span></label>
</div>
`;
  });

  const loginForm =
    model.personas.length > 0
      ? html`<form method="post" action="${model.loginAction}">
<fieldset>
<legend>Choose a test identity</legend>
${choices}
</fieldset>
<div class="actions"><button type="submit" class="primary">Sign in</button></div>
</form>`
      : html`<p class="message" role="status">No test identities are configured for this issuer.</p>`;

  return layout({
    title: `Sign in – ${model.issuerTitle}`,
    body: html`<h1>${model.issuerTitle}</h1>
<p class="notice">Test identity provider with synthetic identities only. Never enter real personal data here.</p>
<p>Signing in to <strong>${model.clientName}</strong>${model.requestedAcrValues === undefined ? '' : html`, asking for <code>${model.requestedAcrValues}</code>`}.</p>
${model.message === undefined ? '' : html`<p class="message" role="alert">${model.message}</p>`}
${loginForm}
<form method="post" action="${model.abortAction}">
<div class="actions"><button type="submit" class="secondary">Cancel</button></div>
</form>
<p class="detail">Automated tests can skip this page with <code>login_hint=&lt;persona id&gt;</code>.</p>`,
  });
}
