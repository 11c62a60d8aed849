import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type Interaction } from 'oidc-provider';
import { BadFormError, readForm, sendHtml } from './http-responses.js';
import type { IssuerHost } from './issuer-host.js';
import { authenticationFor } from './issuer-profiles.js';
import type { ResolvedPersona } from './personas.js';
import { renderErrorPage } from './views/error-page.js';
import { type LoginMessage, renderLoginPage } from './views/login-page.js';
import { loginLanguage } from './views/login-texts.js';

/** What a request under `/${issuer}/interaction/:uid` asks for. */
export type InteractionAction = 'show' | 'login' | 'abort';

const METHODS: Readonly<Record<InteractionAction, readonly string[]>> = {
  // Not HEAD: showing the page may log in (login_hint), which a HEAD request must not do.
  show: ['GET'],
  login: ['POST'],
  abort: ['POST'],
};

/**
 * The mock's side of oidc-provider's interactions: the persona picker (`show`), choosing a
 * persona (`login`) and the cancel button (`abort`, answered with `access_denied`).
 * A `login_hint` naming a persona of this issuer logs in without showing the page.
 */
export async function handleInteraction(
  host: IssuerHost,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  action: InteractionAction,
): Promise<void> {
  const allowed = METHODS[action];
  if (!allowed.includes(req.method ?? '')) {
    res.setHeader('Allow', allowed.join(', '));
    sendHtml(res, 405, renderErrorPage('method_not_allowed', `use ${allowed.join(' or ')}`));
    return;
  }
  try {
    const interaction = await host.provider.interactionDetails(req, res);
    if (interaction.uid !== uid) {
      sendHtml(res, 400, renderErrorPage('invalid_request', 'this sign-in page belongs to another sign-in'));
      return;
    }
    if (action === 'abort') {
      await host.provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'End-User aborted interaction',
      });
      return;
    }
    if (interaction.prompt.name === 'consent') {
      await finishConsent(host, req, res, interaction);
      return;
    }
    if (action === 'login') {
      await submitLogin(host, req, res, interaction);
      return;
    }
    await showLogin(host, req, res, interaction);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) {
      sendHtml(
        res,
        400,
        renderErrorPage(
          'invalid_request',
          'This sign-in has expired or the browser did not send the mock’s cookies. Start again from the application.',
        ),
      );
      return;
    }
    if (error instanceof BadFormError) {
      sendHtml(res, error.status, renderErrorPage('invalid_request', error.message));
      return;
    }
    throw error;
  }
}

async function showLogin(
  host: IssuerHost,
  req: IncomingMessage,
  res: ServerResponse,
  interaction: Interaction,
): Promise<void> {
  const hint = stringParam(interaction, 'login_hint');
  if (hint !== undefined) {
    const persona = host.personaById(hint);
    if (persona !== undefined) {
      await finishLogin(host, req, res, interaction, persona);
      return;
    }
    await sendLoginPage(host, res, interaction, 200, { kind: 'unknown-hint', hint });
    return;
  }
  await sendLoginPage(host, res, interaction, 200);
}

async function submitLogin(
  host: IssuerHost,
  req: IncomingMessage,
  res: ServerResponse,
  interaction: Interaction,
): Promise<void> {
  const form = await readForm(req);
  const personaId = form.get('persona') ?? '';
  const persona = host.personaById(personaId);
  if (persona === undefined) {
    await sendLoginPage(host, res, interaction, 400, { kind: 'choose-persona' });
    return;
  }
  await finishLogin(host, req, res, interaction, persona);
}

async function finishLogin(
  host: IssuerHost,
  req: IncomingMessage,
  res: ServerResponse,
  interaction: Interaction,
  persona: ResolvedPersona,
): Promise<void> {
  if (interaction.session !== undefined) {
    // Every login starts a fresh session. Otherwise, logging in as another persona in the same
    // browser makes oidc-provider log the old one out through an auto-submitting form that
    // needs inline script.
    const { uid } = interaction.session;
    const previous = uid === undefined ? undefined : await host.provider.Session.findByUid(uid);
    await previous?.destroy();
    interaction.session = undefined;
    await interaction.save(remainingSeconds(interaction));
  }
  const requestedAcr = (stringParam(interaction, 'acr_values') ?? '').split(' ').filter(Boolean);
  const { acr, amr } = authenticationFor(host.profile, persona, requestedAcr);
  host.logger?.info({ issuer: host.id, persona: persona.persona.id, acr }, 'persona logged in');
  await host.provider.interactionFinished(req, res, {
    login: {
      accountId: host.subjectOf(persona),
      ...(acr === undefined ? {} : { acr }),
      ...(amr === undefined ? {} : { amr }),
      // A browser-session cookie: closing the browser ends the mock session.
      remember: false,
    },
  });
}

/**
 * Reached only when a client insists on `prompt=consent`; the grant already covers what was
 * asked (see `grantEverythingRequested`), so consent is given at once.
 */
async function finishConsent(
  host: IssuerHost,
  req: IncomingMessage,
  res: ServerResponse,
  interaction: Interaction,
): Promise<void> {
  if (interaction.grantId === undefined) {
    sendHtml(res, 400, renderErrorPage('invalid_request', 'nothing to consent to'));
    return;
  }
  await host.provider.interactionFinished(req, res, { consent: { grantId: interaction.grantId } });
}

async function sendLoginPage(
  host: IssuerHost,
  res: ServerResponse,
  interaction: Interaction,
  status: number,
  message?: LoginMessage,
): Promise<void> {
  const clientId = stringParam(interaction, 'client_id') ?? '';
  const client = await host.provider.Client.find(clientId);
  const base = `${host.prefix}/interaction/${interaction.uid}`;
  sendHtml(
    res,
    status,
    renderLoginPage({
      issuerTitle: host.profile.title,
      clientName: client?.clientName ?? clientId,
      requestedAcrValues: stringParam(interaction, 'acr_values'),
      loginAction: `${base}/login`,
      abortAction: `${base}/abort`,
      personas: host.personas,
      lang: loginLanguage(stringParam(interaction, 'ui_locales')),
      ...(message === undefined ? {} : { message }),
    }),
  );
}

function stringParam(interaction: Interaction, name: string): string | undefined {
  const value = interaction.params[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function remainingSeconds(interaction: Interaction): number {
  return Math.max(1, interaction.exp - Math.floor(Date.now() / 1000));
}
