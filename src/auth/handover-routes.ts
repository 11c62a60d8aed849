import type { Request, Response, Router } from 'express';
import type { GatewayDeps } from '../deps.js';
import { csrfToken, verifyCsrf } from '../http/csrf.js';
import { GatewayError } from '../http/errors.js';
import { exactRouter } from '../http/exact-router.js';
import { jsonBody } from '../http/json-body.js';
import { ensureVisitorId } from '../http/visitor-cookie.js';
import { html } from '../web/html.js';
import { renderPage } from '../web/layout.js';
import { issueReceipt } from './consent-receipts.js';
import {
  type HandoverRecord,
  handoverInvalid,
  handoverSessionHash,
  hashHandover,
  isHandoverToken,
  newHandoverToken,
  secretMatches,
} from './login-handover.js';
import {
  citizenRecord,
  type PendingIdentity,
  regenerateSession,
  rememberSharedSubject,
  type SharedIdentity,
  saveSession,
} from './session-state.js';

/** What the hand-over carries: the shared identity before its receipt (issued on redemption). */
type HandedIdentity = Omit<SharedIdentity, 'receiptId' | 'sharedAt'>;

function sessionHash(req: Request): string {
  return handoverSessionHash(req.sessionID);
}

/**
 * Login hand-over to a widget embedded on another site (`login-handover.ts`):
 * `POST /api/identity/handover` (the widget, before opening the login tab),
 * `GET /consent/handover` (the tab's confirmation page, delivering R to its opener once) and
 * `POST /api/identity/handover/redeem` (the widget, with H and R).
 */
export function handoverRouter(deps: GatewayDeps): Router {
  const router = exactRouter();
  const json = jsonBody('1kb');
  const csrf = verifyCsrf((req) => req.tenant.allowedOrigins);
  const ttlMs = deps.config.session.loginTimeoutMinutes * 60_000;

  router.post('/api/identity/handover', json, csrf, async (req, res) => {
    const tenantId = req.tenant.config.id;
    const record = citizenRecord(req, tenantId);
    const now = deps.clock.now();
    // One open hand-over per session: a new one replaces the last.
    if (record.handover) await deps.store.handovers.take(tenantId, record.handover);
    const visitorId = ensureVisitorId(req);
    await saveSession(req);
    const h = newHandoverToken();
    const idHash = hashHandover(h);
    const expiresAt = now + ttlMs;
    await deps.store.handovers.save(
      idHash,
      { tenantId, sessionHash: sessionHash(req), expiresAt, status: 'open', visitorId },
      now,
    );
    record.handover = idHash;
    await saveSession(req);
    res.status(201).json({ handover: h, expiresAt });
  });

  router.post('/api/identity/handover/redeem', json, csrf, async (req, res) => {
    const tenantId = req.tenant.config.id;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!isHandoverToken(body.h) || !isHandoverToken(body.r)) throw handoverInvalid();
    const idHash = hashHandover(body.h);
    const stored = await deps.store.handovers.peek(tenantId, idHash);
    if (
      !stored ||
      stored.tenantId !== tenantId ||
      stored.sessionHash !== sessionHash(req) ||
      deps.clock.now() >= stored.expiresAt
    )
      throw handoverInvalid();
    if (stored.status !== 'complete' || !stored.secretHash || !stored.shared)
      throw new GatewayError('handover_pending');
    if (!secretMatches(body.r, stored.secretHash)) throw handoverInvalid();
    // Single use: of two redemptions at once only one gets the record.
    const taken = await deps.store.handovers.take(tenantId, idHash);
    if (!taken?.shared) throw handoverInvalid();
    const handed = deps.fieldCrypto.open<HandedIdentity>(taken.shared);
    const receipt = await issueReceipt(
      { store: deps.store, signingKeys: deps.signingKeys, clock: deps.clock, issuer: deps.config.publicUrl },
      {
        tenantId,
        decision: 'shared',
        provider: handed.provider,
        loa: handed.loa,
        acr: handed.acr,
        claims: handed.claimNames,
        subjectIndex: handed.subjectIndex,
      },
    );
    const shared: SharedIdentity = { ...handed, receiptId: receipt.id, sharedAt: deps.clock.now() };
    // The session gains an identity: a new id (fixation defence), as a login gives one.
    await regenerateSession(req, deps);
    const visitorId = ensureVisitorId(req);
    const record = citizenRecord(req, tenantId);
    record.shared = deps.fieldCrypto.seal(shared);
    rememberSharedSubject(record, shared.subjectIndex);
    delete record.handover;
    delete record.notice;
    const token = csrfToken(req);
    await saveSession(req);
    req.log.info(
      { tenant: tenantId, provider: shared.provider, claims: shared.claimNames },
      'consent handed over',
    );
    deps.identityEvents.publish({
      type: 'shared',
      tenantId,
      visitorId,
      identity: shared,
      ...(taken.conversationId ? { conversationId: taken.conversationId } : {}),
    });
    res.json({ shared: true, csrfToken: token });
  });

  router.get('/consent/handover', async (req, res) => {
    const { t } = res.locals;
    const record = req.session.citizens?.[req.tenant.config.id];
    const sealed = record?.handoverDelivery;
    // Delivered once: a reload or a later visit shows the page without the secret.
    let delivery: { h: string; r: string } | undefined;
    if (record && sealed) {
      delivery = deps.fieldCrypto.open<{ h: string; r: string }>(sealed);
      delete record.handoverDelivery;
      await saveSession(req);
    }
    const origin = new URL(deps.config.publicUrl).origin;
    keepOpener(res);
    res.send(
      renderPage(req, res, {
        title: t('handover.title'),
        scripts: delivery ? ['/static/handover.js'] : [],
        body: html`<h1>${t('handover.title')}</h1>
${
  delivery
    ? html`<div id="handover" data-h="${delivery.h}" data-r="${delivery.r}" data-origin="${origin}" hidden></div>
<p id="handover-status" role="status">${t('handover.sending')}</p>
<p class="handover-done" hidden>${t('handover.done')}</p>
<p class="handover-failed" hidden>${t('handover.noWidget')}</p>`
    : html`<p>${t('handover.none')}</p>`
}`,
      }),
    );
  });

  return router;
}

/**
 * The consent page's share when the login carried a hand-over: completes the hand-over with the
 * identity (sealed) and a fresh secret R (hashed), and leaves `{ h, r }` for the confirmation
 * page. Nothing is shared in this session and no receipt is issued until the widget redeems.
 * @throws {GatewayError} `handover_invalid` when the hand-over is gone, expired or already complete.
 */
export async function completeHandover(
  deps: GatewayDeps,
  req: Request,
  pending: PendingIdentity & { handover: string },
  identity: HandedIdentity,
): Promise<void> {
  const now = deps.clock.now();
  const idHash = hashHandover(pending.handover);
  const stored = await deps.store.handovers.peek(req.tenant.config.id, idHash);
  if (
    !stored ||
    stored.tenantId !== req.tenant.config.id ||
    stored.status !== 'open' ||
    now >= stored.expiresAt
  )
    throw handoverInvalid();
  const r = newHandoverToken();
  const complete: HandoverRecord = {
    ...stored,
    status: 'complete',
    secretHash: hashHandover(r),
    shared: deps.fieldCrypto.seal(identity),
    ...(pending.conversationId ? { conversationId: pending.conversationId } : {}),
  };
  await deps.store.handovers.save(idHash, complete, now);
  citizenRecord(req, req.tenant.config.id).handoverDelivery = deps.fieldCrypto.seal({
    h: pending.handover,
    r,
  });
}

/**
 * The login tab's pages that need `window.opener` (the widget's frame, whose top-level page is
 * another site) must not sever it: `Cross-Origin-Opener-Policy: same-origin` (helmet's default)
 * would put the tab in a new browsing context group, and Chromium applies it to redirects too.
 * Only the responses of a hand-over login (its start, callback, consent page and answer) and the
 * hand-over page relax it; the message still goes to the gateway's origin only. A broker whose
 * pages send COOP severs the opener as well: the confirmation page then says nothing was shared.
 */
export function keepOpener(res: Response): void {
  res.setHeader('Cross-Origin-Opener-Policy', 'unsafe-none');
}

/** A declined login drops its hand-over: nothing crosses to the widget. */
export async function dropHandover(deps: GatewayDeps, tenantId: string, handover: string): Promise<void> {
  await deps.store.handovers.take(tenantId, hashHandover(handover));
}
