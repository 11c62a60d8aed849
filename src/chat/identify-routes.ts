import type { Request, Response } from 'express';
import type { TenantRoutes } from '../app.js';
import { keepOpener } from '../auth/handover-routes.js';
import { openHandover } from '../auth/login-handover.js';
import { saveSession } from '../auth/session-state.js';
import { bindStepUp, boundConversation } from '../auth/step-up-binding.js';
import { isGatewayError } from '../http/errors.js';
import { exactRouter } from '../http/exact-router.js';
import { redirectSameOrigin } from '../http/safe-redirect.js';
import { html } from '../web/html.js';
import { renderPage } from '../web/layout.js';
import type { StepUpTokenRecord } from './chat-records.js';
import type { StepUp } from './step-up.js';
import { providerChoices } from './topic-policy.js';

/** Where a redeemed link shows the provider choice (the token is no longer in the address). */
const CHOICE_PATH = '/chat/identify';
/** A hand-over id as `openHandover` gives it (base64url). */
const HANDOVER_ID = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * `GET /chat/identify/:token`: the step-up link an agent's request put into the chat. It is
 * consumed here (single use) for the visitor of this browser session only (or, with
 * `?handover=`, of the embedded widget's session that opened that hand-over), binds the
 * conversation in that session (not in any URL) and redirects to `GET /chat/identify`, the
 * provider choice, which a reload or a language switch shows again while the binding lasts
 * (`410 step_up_invalid` without one); the login takes the binding from the session, and the
 * chat listens for
 * the resulting `shared` event (`step-up.ts`), which attaches nothing unless that conversation
 * is this visitor's own.
 */
export function identifyRoutes(stepUp: StepUp): TenantRoutes {
  return (deps, tenant) => {
    const router = exactRouter();
    router.get('/chat/identify/:token', async (req, res) => {
      // The token is in the URL: never send it on as a Referer, never cache the page.
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      let record: StepUpTokenRecord;
      let handover: string | undefined;
      try {
        // From a widget embedded on another site, this tab's cookies are not the widget's: the
        // widget's open hand-over says whose chat this is, and the login carries it on.
        let visitorId = req.session.visitorId;
        if (req.query.handover !== undefined) {
          const opened = await openHandover(
            deps.store.handovers,
            tenant.config.id,
            deps.clock.now(),
            req.query.handover,
          );
          handover = opened.handover;
          visitorId = opened.record.visitorId;
        }
        record = await stepUp.redeem(tenant.config.id, req.params.token, visitorId);
      } catch (error) {
        if (!isGatewayError(error)) throw error;
        req.log.info({ code: error.code, tenant: tenant.config.id }, 'step-up link refused');
        sendRefusal(req, res, error.status, error.code, req.query.handover === undefined);
        return;
      }
      // The binding lives in this visitor's server-side session, for as long as a login may take.
      bindStepUp(req, tenant.config.id, {
        conversationId: record.conversationId,
        expiresAt: deps.clock.now() + deps.config.session.loginTimeoutMinutes * 60_000,
      });
      await saveSession(req);
      // The token is spent: the choice is shown on an address without it, which a reload or a
      // language switch can load again as long as the binding lasts.
      const query = handover ? `?handover=${encodeURIComponent(handover)}` : '';
      // Browsers apply a redirect's Cross-Origin-Opener-Policy too: the tab must keep its opener.
      if (handover) keepOpener(res);
      redirectSameOrigin(res, `${tenant.basePath}${CHOICE_PATH}${query}`);
    });

    router.get(CHOICE_PATH, async (req, res) => {
      const { t, lang } = res.locals;
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      if (boundConversation(req, tenant.config.id, deps.clock.now()) === undefined) {
        await saveSession(req);
        sendRefusal(req, res, 410, 'step_up_invalid', req.query.handover === undefined);
        return;
      }
      // The login checks the hand-over itself; here it is only carried on (an id, nothing more).
      const handover =
        typeof req.query.handover === 'string' && HANDOVER_ID.test(req.query.handover)
          ? req.query.handover
          : undefined;
      const providers = providerChoices(tenant, lang).map((p) =>
        handover ? { ...p, loginUrl: withHandover(p.loginUrl, handover) } : p,
      );
      if (handover) keepOpener(res);
      res.send(
        renderPage(req, res, {
          title: t('stepup.title'),
          body: html`<h1>${t('stepup.title')}</h1>
<p>${t('stepup.intro')}</p>
<h2>${t('stepup.providers')}</h2>
<ul class="providers">${providers.map((p) => html`<li><a class="button" href="${p.loginUrl}">${p.label}</a></li>`)}</ul>`,
        }),
      );
    });
    return router;
  };
}

/** A provider's login URL (a path of this gateway) with the hand-over the login must carry. */
function withHandover(loginUrl: string, handover: string): string {
  const url = new URL(loginUrl, 'http://gateway.invalid');
  url.searchParams.set('handover', handover);
  return `${url.pathname}${url.search}`;
}

/**
 * The step-up page's refusal: a link of another chat (`step_up_forbidden`), or no longer valid.
 * `toChat`: with a link back to this gateway's chat page, where a new link can be asked for (not
 * for a hand-over: that chat is in the embedding site's window, which opened this tab).
 */
function sendRefusal(req: Request, res: Response, status: number, code: string, toChat: boolean): void {
  const { t } = res.locals;
  // A hand-over that is not open leaves the link itself unused: say what is wrong with the window.
  const text =
    code === 'step_up_forbidden'
      ? 'stepup.forbidden'
      : code === 'handover_invalid'
        ? 'error.handover_invalid'
        : 'stepup.invalid';
  res.status(status).send(
    renderPage(req, res, {
      title: t('stepup.title'),
      body: html`<h1>${t('stepup.title')}</h1>
<div class="panel error-panel" role="alert"><p>${t(text)}</p></div>
${toChat ? html`<p><a href="${req.tenant.basePath}/chat">${t('stepup.backToChat')}</a></p>` : ''}
<p class="error-code">${t('error.code', { code })}</p>`,
    }),
  );
}
