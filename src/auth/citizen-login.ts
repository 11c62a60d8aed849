import type { Request, RequestHandler, Router } from 'express';
import type { ProviderConfig } from '../config/schema.js';
import type { GatewayDeps } from '../deps.js';
import { GatewayError } from '../http/errors.js';
import { exactRouter } from '../http/exact-router.js';
import { redirectSameOrigin, redirectToProvider } from '../http/safe-redirect.js';
import { ensureVisitorId } from '../http/visitor-cookie.js';
import { isTestIdentity } from '../identity/test-identity.js';
import { loaAtLeast, type VerifiedIdentity } from '../identity/verified-identity.js';
import { citizenCallbackUrl, findProvider } from '../tenants/tenant-context.js';
import { mapClaims, withUserinfo } from './claim-profiles.js';
import { keepOpener } from './handover-routes.js';
import { requiredLoa } from './loa.js';
import { handoverSessionHash, hashHandover, openHandover } from './login-handover.js';
import { completeLogin, fetchUserinfo, startLogin } from './oidc-flow.js';
import { safeReturnTo } from './return-to.js';
import {
  type CitizenRecord,
  citizenRecord,
  type DataSubject,
  loginInFlight,
  readPendingIdentity,
  readSharedIdentity,
  regenerateSession,
  saveSession,
  sealBrokerSession,
} from './session-state.js';
import { boundConversation, releaseStepUp } from './step-up-binding.js';

/**
 * `GET /auth/{provider}/login` and `GET /auth/{provider}/callback`: the citizen's strong
 * identification. The callback holds the mapped identity as *pending*; nothing reaches the
 * session's shared identity before the consent page.
 */
export function citizenLoginRouter(deps: GatewayDeps): Router {
  const router = exactRouter();

  router.get('/auth/:provider/login', async (req, res) => {
    const tenant = req.tenant;
    const provider = findProvider(tenant, req.params.provider);
    const returnTo = safeReturnTo(req.query.returnTo, `${tenant.basePath}/`);
    // A step-up's conversation comes from the session (a redeemed link), never from the URL.
    const conversationId = boundConversation(req, tenant.config.id, deps.clock.now());
    // A widget embedded on another site waits for this login: the hand-over must be open. It
    // carries no authority here (only the widget's own session can redeem it, with a secret this
    // tab hands to its opener after consent).
    const handover =
      req.query.handover === undefined
        ? undefined
        : (await openHandover(deps.store.handovers, tenant.config.id, deps.clock.now(), req.query.handover))
            .handover;
    const url = await beginCitizenLogin(deps, req, provider, {
      returnTo,
      ...(conversationId ? { conversationId } : {}),
      ...(handover ? { handover } : {}),
      loginHint: req.query.login_hint,
      uiLocales: res.locals.lang,
    });
    await saveSession(req);
    if (handover) keepOpener(res);
    redirectToProvider(res, url);
  });

  router.get('/auth/:provider/callback', rememberBackTo, async (req, res) => {
    // The callback URL carries the code: it must never leak to another site (helmet sets
    // no-referrer globally; this repeats it where it matters most).
    res.setHeader('Referrer-Policy', 'no-referrer');
    const tenant = req.tenant;
    const provider = findProvider(tenant, req.params.provider);
    const configuration = await deps.oidc.verifier(tenant.config.id, provider.id);
    const login = await completeLogin(req, {
      configuration,
      kind: 'citizen',
      tenantId: tenant.config.id,
      providerId: provider.id,
      redirectUri: citizenCallbackUrl(tenant, provider.id),
      timeoutMs: deps.config.session.loginTimeoutMinutes * 60_000,
      clockSkewSeconds: deps.config.clockSkewSeconds,
      clock: deps.clock,
    });
    const context = {
      provider: provider.id,
      issuer: configuration.serverMetadata().issuer,
      ...(provider.acrLoa ? { acrLoa: provider.acrLoa } : {}),
      ...(provider.genericClaims ? { generic: provider.genericClaims } : {}),
      now: deps.clock.now(),
    };
    let identity: VerifiedIdentity;
    try {
      identity = mapClaims(provider.claimProfile, login.claims, context);
    } catch (error) {
      // Some brokers (Signicat) put the identity in userinfo rather than the ID token.
      if (!(error instanceof GatewayError && error.code === 'claims_missing')) throw error;
      if (!configuration.serverMetadata().userinfo_endpoint) throw error;
      const userinfo = await fetchUserinfo(configuration, login.accessToken, String(login.claims.sub));
      identity = mapClaims(provider.claimProfile, withUserinfo(login.claims, userinfo), context);
    }
    // The level the gateway asked for (acr_values) and at least the provider's minimumLoa; a
    // citizen's own data opens only to strong authentication, whatever a provider accepts for
    // identifying in a chat (eIDAS: substantial or high).
    const asked = requiredLoa(provider);
    const minimumLoa =
      login.transaction.purpose === 'data-subject' && !loaAtLeast(asked, DATA_SUBJECT_MINIMUM_LOA)
        ? DATA_SUBJECT_MINIMUM_LOA
        : asked;
    if (!loaAtLeast(identity.loa, minimumLoa)) {
      throw new GatewayError('acr_too_low', 'The level of assurance is below what this service requires.', {
        status: 403,
      });
    }
    if (isTestIdentity(identity) && !(tenant.config.acceptTestIdentities ?? !deps.production)) {
      throw new GatewayError('test_identity_refused', 'Test identities are not accepted by this service.', {
        status: 403,
      });
    }
    await regenerateSession(req, deps);
    const record = citizenRecord(req, tenant.config.id);
    const subjectIndex = deps.fieldCrypto.blindIndex(identity.nationalId);
    const withdrawn = forgetOthers(deps, req, subjectIndex);
    // What another person released from this browser to chat systems ends with their sharing.
    const visitorId = req.session.visitorId;
    if (visitorId) {
      for (const t of deps.tenants)
        await deps.identityEvents.endSharing({
          tenantId: t.config.id,
          visitorId,
          reason: 'other-person',
          keepSubject: subjectIndex,
        });
    }
    // After the session is saved: the chat's sockets re-read it when told.
    const tellChat = () => {
      const visitorId = req.session.visitorId;
      if (visitorId)
        for (const tenantId of withdrawn)
          deps.identityEvents.publish({ type: 'withdrawn', tenantId, visitorId });
    };
    if (login.transaction.purpose === 'data-subject') {
      // For their own data only: nothing is pending, nothing can be shared from this login.
      const subject: DataSubject = {
        subjectIndex,
        provider: provider.id,
        // From when the broker authenticated them (`auth_time`, required by `max_age` and at
        // most two minutes old), so the window is the same whatever the way back took.
        verifiedAt: Math.min(deps.clock.now(), (identity.authTime ?? Number.POSITIVE_INFINITY) * 1000),
        ...(identity.name ? { name: identity.name } : {}),
      };
      record.dataSubject = deps.fieldCrypto.seal(subject);
      record.brokerSession = sealBrokerSession(deps.fieldCrypto, provider, login.idToken);
      record.brokerProvider = provider.id;
      req.log.info(
        { tenant: tenant.config.id, provider: provider.id },
        'citizen identified for their own data',
      );
      await saveSession(req);
      tellChat();
      redirectSameOrigin(res, login.transaction.returnTo);
      return;
    }
    if (login.transaction.handover)
      await followHandover(
        deps,
        tenant.config.id,
        record.handover,
        login.transaction.handover,
        req.sessionID,
      );
    if (login.transaction.conversationId) releaseStepUp(req, tenant.config.id);
    record.pending = deps.fieldCrypto.seal({
      identity,
      returnTo: login.transaction.returnTo,
      receivedAt: deps.clock.now(),
      idToken: login.idToken,
      ...(login.transaction.conversationId ? { conversationId: login.transaction.conversationId } : {}),
      ...(login.transaction.handover ? { handover: login.transaction.handover } : {}),
      ...(login.transaction.consentPath ? { consentPath: login.transaction.consentPath } : {}),
    });
    req.log.info(
      { tenant: tenant.config.id, provider: provider.id, loa: identity.loa },
      'citizen identified; consent pending',
    );
    await saveSession(req);
    tellChat();
    if (login.transaction.handover) keepOpener(res);
    redirectSameOrigin(res, login.transaction.consentPath ?? `${tenant.basePath}/consent`);
  });

  return router;
}

/**
 * A login in this browser is of one person, in every tenant the session holds (they share the
 * cookie): what it holds of anyone else goes. An identification for one's own data
 * (`dataSubject`) ends with any other login; an identity shared into a chat, or waiting for
 * consent, by another person (another blind index) is dropped, and that chat stops being
 * verified at once (as on a withdrawal). Resolves the tenants whose shared identity went; the
 * caller tells their chats once the session is saved.
 */
function forgetOthers(deps: GatewayDeps, req: Request, subjectIndex: string): string[] {
  const withdrawn: string[] = [];
  for (const [tenantId, record] of Object.entries(req.session.citizens ?? {})) {
    delete record.dataSubject;
    // The conversations another person shared into are theirs, not this person's to read.
    const own = record.sharedSubjects?.filter((s) => s === subjectIndex) ?? [];
    if (own.length > 0) record.sharedSubjects = own;
    else delete record.sharedSubjects;
    const pending = readable(() => readPendingIdentity(req.session, tenantId, deps.fieldCrypto));
    if (
      pending === null ||
      (pending && deps.fieldCrypto.blindIndex(pending.identity.nationalId) !== subjectIndex)
    )
      delete record.pending;
    const shared = readable(() => readSharedIdentity(req.session, tenantId, deps.fieldCrypto));
    if (shared === undefined || shared?.subjectIndex === subjectIndex) continue;
    delete record.shared;
    withdrawn.push(tenantId);
  }
  return withdrawn;
}

/** What `read` opens, or `null` when it cannot be opened (sealed under another data key): nobody's any more. */
function readable<T>(read: () => T | undefined): T | undefined | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/**
 * The lowest level of assurance that opens a citizen's own data (`/privacy/my-data`): a copy
 * and an erasure rest on strong authentication even at a provider whose `minimumLoa` is `low`.
 */
export const DATA_SUBJECT_MINIMUM_LOA = 'substantial';

/**
 * How long before the callback a citizen identifying for their own data may have authenticated
 * at the broker (`max_age`, checked on `auth_time`): a broker session left open on a shared
 * computer does not open someone's data to the next person, even with `prompt=login` taken out
 * of the address. Two minutes cover the way back from the broker; the clock skew is added.
 */
export const DATA_SUBJECT_REAUTHENTICATION_SECONDS = 120;

/**
 * Starts a citizen login at `provider` for `req.tenant` (the caller saves the session and
 * redirects). `consentPath` sends the callback to another consent page than `/consent` (the
 * hand-off to a chat system, `src/handoff/oidc/`): bound server-side, never from a parameter.
 */
export async function beginCitizenLogin(
  deps: GatewayDeps,
  req: Request,
  provider: ProviderConfig,
  options: {
    returnTo: string;
    conversationId?: string;
    consentPath?: string;
    handover?: string;
    purpose?: 'data-subject';
    loginHint?: unknown;
    uiLocales?: string;
    /**
     * Re-authentication a chat system asked the gateway's OpenID Provider for (`max_age`,
     * `prompt=login`), passed on to the broker: the gateway's own login is fresh every time, but a
     * broker session left open would otherwise answer with an old authentication.
     */
    reauthenticate?: { maxAgeSeconds?: number; prompt?: 'login' };
    /** Where the error page of a failed callback leads back to (`LoginTransaction.backTo`). */
    backTo?: string;
  },
): Promise<URL> {
  const tenant = req.tenant;
  ensureVisitorId(req);
  const maxAgeSeconds =
    options.purpose === 'data-subject'
      ? Math.min(
          DATA_SUBJECT_REAUTHENTICATION_SECONDS,
          options.reauthenticate?.maxAgeSeconds ?? Number.POSITIVE_INFINITY,
        )
      : options.reauthenticate?.maxAgeSeconds;
  const prompt = options.purpose === 'data-subject' ? 'login' : options.reauthenticate?.prompt;
  return startLogin(req, {
    configuration: await deps.oidc.configuration(tenant.config.id, provider.id),
    transaction: {
      kind: 'citizen',
      tenantId: tenant.config.id,
      providerId: provider.id,
      returnTo: options.returnTo,
      ...(options.conversationId ? { conversationId: options.conversationId } : {}),
      ...(options.consentPath ? { consentPath: options.consentPath } : {}),
      ...(options.handover ? { handover: options.handover } : {}),
      ...(options.purpose ? { purpose: options.purpose } : {}),
      ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
      ...(options.backTo ? { backTo: options.backTo } : {}),
    },
    redirectUri: citizenCallbackUrl(tenant, provider.id),
    scopes: provider.scopes,
    acrValues: provider.acrValues,
    usePar: provider.usePar,
    loginHint: options.loginHint,
    ...(options.uiLocales ? { uiLocales: options.uiLocales } : {}),
    // One's own data needs the person at the keyboard now, not a broker session left open.
    ...(prompt ? { prompt } : {}),
    clock: deps.clock,
  });
}

/**
 * When the widget that created the hand-over shares this cookie jar (embedded on the same site),
 * the login just rotated its session id: the hand-over follows to the new id. A login started
 * from any other session leaves the binding alone.
 */
async function followHandover(
  deps: GatewayDeps,
  tenantId: string,
  own: CitizenRecord['handover'],
  handover: string,
  sessionId: string,
): Promise<void> {
  const idHash = hashHandover(handover);
  if (own !== idHash) return;
  const stored = await deps.store.handovers.peek(tenantId, idHash);
  if (stored)
    await deps.store.handovers.save(
      idHash,
      { ...stored, sessionHash: handoverSessionHash(sessionId) },
      deps.clock.now(),
    );
}

/**
 * Notes where the error page of this callback leads back to, read from the login transaction
 * before the callback spends it: a failed login of a chat system's hand-off goes back to that
 * hand-off (see `LoginTransaction.backTo`), not to the gateway's start page, so the chat system
 * is not left waiting for an answer; one for the citizen's own data goes back to that page,
 * and one started from the chat to the chat, whether the broker refused it (cancelled at the
 * IdP, an error) or the gateway did (level of assurance, claims, test identity).
 */
const rememberBackTo: RequestHandler<{ provider: string }> = (req, res, next) => {
  const state = req.query.state;
  const login = typeof state === 'string' ? loginInFlight(req.session, state) : undefined;
  if (login?.backTo?.startsWith('/')) res.locals.loginBackTo = login.backTo;
  if (login?.purpose === 'data-subject')
    res.locals.errorBack = { path: '/privacy/my-data', label: 'common.backToMyData' };
  // Started from the chat (its identification panel or an agent's link, in a tab of its own):
  // back to the chat, as the step-up page's refusals lead, where the citizen can try again. Not
  // for a hand-over: that chat is in the embedding site's window.
  if (login?.returnTo === `${req.tenant.basePath}/chat/identified` && login.handover === undefined)
    res.locals.errorBack = { path: '/chat', label: 'stepup.backToChat' };
  next();
};
