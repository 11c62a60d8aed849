import express, { type Request, type Router } from 'express';
import type { GatewayDeps } from '../deps.js';
import { csrfToken, verifyCsrf } from '../http/csrf.js';
import { GatewayError } from '../http/errors.js';
import { exactRouter } from '../http/exact-router.js';
import { jsonBody } from '../http/json-body.js';
import { redirectSameOrigin } from '../http/safe-redirect.js';
import { ensureVisitorId } from '../http/visitor-cookie.js';
import { findProvider } from '../tenants/tenant-context.js';
import { html } from '../web/html.js';
import { renderPage } from '../web/layout.js';
import { renderConsentPage } from '../web/pages/consent-page.js';
import { decideOnce, pendingDecision } from './consent-decision.js';
import { issueReceipt } from './consent-receipts.js';
import { completeHandover, dropHandover, keepOpener } from './handover-routes.js';
import { safeReturnTo } from './return-to.js';
import {
  citizenRecord,
  readFreshPendingIdentity,
  readSharedIdentity,
  rememberSharedSubject,
  type SharedIdentity,
  saveSession,
  sealBrokerSession,
} from './session-state.js';
import { availableClaims, pickClaims, tickedClaims } from './shareable-claims.js';

/**
 * The opt-in step. `GET /consent` shows the pending identity's claims; `POST /consent` shares
 * exactly the ticked claims (or none, with `decision=decline`) and keeps a signed receipt;
 * `POST /consent/withdraw` and `POST /api/identity/withdraw` stop sharing.
 */
export function consentRouter(deps: GatewayDeps): Router {
  const router = exactRouter();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 });
  const json = jsonBody('4kb');
  const csrf = verifyCsrf((req) => req.tenant.allowedOrigins);
  const receiptDeps = {
    store: deps.store,
    signingKeys: deps.signingKeys,
    clock: deps.clock,
    issuer: deps.config.publicUrl,
  };

  router.get('/consent', async (req, res) => {
    const pending = readFreshPendingIdentity(req.session, req.tenant.config.id, deps);
    if (!pending) {
      const { t } = res.locals;
      res.send(
        renderPage(req, res, {
          title: t('consent.title'),
          body: html`<h1>${t('consent.title')}</h1><p>${t('consent.none')}</p><p><a class="button secondary" href="${req.tenant.basePath}/">${t('common.back')}</a></p>`,
        }),
      );
      return;
    }
    const provider = findProvider(req.tenant, pending.identity.provider);
    const token = csrfToken(req);
    await saveSession(req);
    if (pending.handover) keepOpener(res);
    res.send(renderConsentPage(req, res, { pending, provider, csrfToken: token }));
  });

  router.post('/consent', form, csrf, async (req, res) => {
    const tenantId = req.tenant.config.id;
    const pending = readFreshPendingIdentity(req.session, tenantId, deps);
    if (!pending)
      throw new GatewayError('consent_not_pending', 'There is no identity waiting for consent.', {
        status: 409,
      });
    // A body that is not a form (JSON with the token in the header) is parsed by no one here.
    const body = (req.body ?? {}) as Record<string, unknown>;
    const decision = body.decision;
    if (decision !== 'share' && decision !== 'decline') {
      throw new GatewayError('consent_invalid', 'Choose to share the selected details or to share nothing.');
    }
    const offered = new Set(availableClaims(pending.identity).map(([claim]) => claim));
    const claimNames = tickedClaims(body.claims, offered);
    const { identity } = pending;
    if (decision === 'share' && claimNames.length === 0) {
      // "Share the selected details" with nothing ticked is ambiguous: ask again, change nothing.
      const provider = findProvider(req.tenant, identity.provider);
      const token = csrfToken(req);
      await saveSession(req);
      if (pending.handover) keepOpener(res);
      res.status(422).send(
        renderConsentPage(req, res, {
          pending,
          provider,
          csrfToken: token,
          error: res.locals.t('consent.nothingTicked'),
        }),
      );
      return;
    }
    const subjectIndex = deps.fieldCrypto.blindIndex(identity.nationalId);
    const record = citizenRecord(req, tenantId);
    // Posted twice at once (a double click sent to two instances): the second changes nothing.
    if (record.pending === undefined) throw new GatewayError('consent_not_pending');
    await decideOnce(deps, tenantId, pendingDecision(record.pending));

    if (decision === 'decline') {
      if (pending.handover) await dropHandover(deps, tenantId, pending.handover);
      await issueReceipt(receiptDeps, {
        tenantId,
        decision: 'declined',
        provider: identity.provider,
        loa: identity.loa,
        acr: identity.acr,
        claims: [],
        subjectIndex,
      });
      // Declining discards the identity altogether; the session stays anonymous. The broker
      // session is still open, so logging out (which ends it) stays on offer.
      delete record.pending;
      record.brokerSession = sealBrokerSession(
        deps.fieldCrypto,
        findProvider(req.tenant, identity.provider),
        pending.idToken,
      );
      record.brokerProvider = identity.provider;
      record.notice = 'declined';
      req.log.info({ tenant: tenantId, provider: identity.provider }, 'consent declined');
      await saveSession(req);
      redirectSameOrigin(res, pending.returnTo);
      return;
    }

    // What the citizen chose to share (the receipt adds its id and time).
    const chosen = {
      provider: identity.provider,
      country: identity.country,
      loa: identity.loa,
      acr: identity.acr,
      claimNames,
      claims: pickClaims(identity, claimNames),
      subjectIndex,
    };
    if (pending.handover) {
      // A widget on another site waits for this identity: it crosses over when the widget
      // redeems the hand-over (with its receipt); this session shares nothing. The broker
      // session stays for logout.
      await completeHandover(deps, req, { ...pending, handover: pending.handover }, chosen);
      record.brokerSession = sealBrokerSession(
        deps.fieldCrypto,
        findProvider(req.tenant, identity.provider),
        pending.idToken,
      );
      record.brokerProvider = identity.provider;
      delete record.pending;
      delete record.notice;
      await saveSession(req);
      req.log.info(
        { tenant: tenantId, provider: identity.provider, claims: claimNames },
        'consent given for hand-over',
      );
      keepOpener(res);
      redirectSameOrigin(res, `${req.tenant.basePath}/consent/handover`);
      return;
    }

    const receipt = await issueReceipt(receiptDeps, {
      tenantId,
      decision: 'shared',
      provider: identity.provider,
      loa: identity.loa,
      acr: identity.acr,
      claims: claimNames,
      subjectIndex,
    });
    const shared: SharedIdentity = { ...chosen, receiptId: receipt.id, sharedAt: deps.clock.now() };
    record.shared = deps.fieldCrypto.seal(shared);
    rememberSharedSubject(record, shared.subjectIndex);
    record.brokerSession = sealBrokerSession(
      deps.fieldCrypto,
      findProvider(req.tenant, identity.provider),
      pending.idToken,
    );
    record.brokerProvider = identity.provider;
    delete record.pending;
    delete record.notice;
    const visitorId = ensureVisitorId(req);
    await saveSession(req);
    req.log.info({ tenant: tenantId, provider: identity.provider, claims: claimNames }, 'consent given');
    deps.identityEvents.publish({
      type: 'shared',
      tenantId,
      visitorId,
      identity: shared,
      ...(pending.conversationId ? { conversationId: pending.conversationId } : {}),
    });
    redirectSameOrigin(res, pending.returnTo);
  });

  /**
   * Stops sharing in this browser: the identity shared into the chat, and what was released from
   * here to the tenant's chat systems (their tokens stop answering before this resolves).
   * Resolves whether anything was being shared.
   */
  const withdraw = async (req: Request): Promise<boolean> => {
    const tenantId = req.tenant.config.id;
    const visitorId = req.session.visitorId;
    const released = visitorId
      ? await deps.identityEvents.endSharing({ tenantId, visitorId, reason: 'withdrawn' })
      : 0;
    const shared = readSharedIdentity(req.session, tenantId, deps.fieldCrypto);
    if (shared) {
      await issueReceipt(receiptDeps, {
        tenantId,
        decision: 'withdrawn',
        provider: shared.provider,
        loa: shared.loa,
        acr: shared.acr,
        claims: shared.claimNames,
        subjectIndex: shared.subjectIndex,
      });
      delete citizenRecord(req, tenantId).shared;
      await saveSession(req);
      req.log.info({ tenant: tenantId }, 'consent withdrawn');
    }
    // Awaited, as the releases are: the answer comes once no conversation shows the identity to
    // an agent, and a store that fails here answers 503 instead of the agent going on seeing it.
    // Run whether or not this session still shares: the retry of a withdrawal whose session was
    // saved but whose chat part failed finds nothing in the session, and finishes the chat part.
    const detached = req.session.visitorId
      ? await deps.identityEvents.apply({ type: 'withdrawn', tenantId, visitorId: req.session.visitorId })
      : 0;
    return shared !== undefined || released > 0 || detached > 0;
  };

  router.post('/consent/withdraw', form, csrf, async (req, res) => {
    const returnTo = safeReturnTo(
      (req.body as Record<string, unknown> | undefined)?.returnTo,
      `${req.tenant.basePath}/`,
    );
    // The page the form returns to confirms it once (the chat confirms in its own log).
    if (await withdraw(req)) {
      citizenRecord(req, req.tenant.config.id).notice = 'withdrawn';
      await saveSession(req);
    }
    redirectSameOrigin(res, returnTo);
  });

  router.post('/api/identity/withdraw', json, csrf, async (req, res) => {
    const withdrawn = await withdraw(req);
    res.json({ withdrawn });
  });

  return router;
}
