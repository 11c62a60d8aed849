import express, { type Request, type Response, type Router } from 'express';
import { decodeJwt } from 'jose';
import { errors, type Interaction, type Provider } from 'oidc-provider';
import { beginCitizenLogin } from '../../auth/citizen-login.js';
import { decideOnce, interactionDecision } from '../../auth/consent-decision.js';
import { issueReceipt, type ReceiptRecipient } from '../../auth/consent-receipts.js';
import {
  citizenRecord,
  type PendingIdentity,
  readFreshPendingIdentity,
  readPendingIdentity,
  saveSession,
  sealBrokerSession,
} from '../../auth/session-state.js';
import { availableClaims, pickClaims, tickedClaims } from '../../auth/shareable-claims.js';
import type { OidcClientConfig } from '../../config/handoff-schema.js';
import type { GatewayDeps } from '../../deps.js';
import { csrfToken, verifyCsrf } from '../../http/csrf.js';
import { GatewayError } from '../../http/errors.js';
import { exactRouter } from '../../http/exact-router.js';
import { speakUiLocales } from '../../http/language.js';
import { redirectToProvider } from '../../http/safe-redirect.js';
import { ensureVisitorId } from '../../http/visitor-cookie.js';
import { findProvider, type TenantContext } from '../../tenants/tenant-context.js';
import { renderConsentPage } from '../../web/pages/consent-page.js';
import { renderBrokerChoicePage } from '../pages/broker-choice-page.js';
import {
  claimsParameterNames,
  describeAssurance,
  meetsAssurance,
  providersFor,
  type RequestedAssurance,
  requestedAssurance,
  requestedSubjects,
} from './authorization-request.js';
import { accountIdOf, grantSeconds, interactionPath, subjectAtClient } from './gateway-provider.js';
import { revokeGrant } from './oidc-state-repository.js';
import { indexVisitorRelease, saveRelease, watchRevocations } from './release-records.js';
import {
  ALL_IDENTITY_CLAIM_NAMES,
  claimsInScopes,
  grantedScopes,
  oidcClaimNames,
  PROVIDER_SCOPES,
} from './released-claims.js';

/**
 * The gateway's side of its OpenID Provider's interactions, under
 * `/oidc/interaction/{uid}`: choose a broker (`GET`), run the citizen's eID login
 * (`GET …/login/{provider}`, returning to this interaction's consent page, bound server-side in
 * the login transaction), the consent page naming the chat system and the organisation
 * (`GET`/`POST …/consent`), and cancel (`POST …/abort`). Finishing hands oidc-provider the
 * login (upstream `acr`, `amr`, `auth_time`) and a grant covering exactly the ticked claims.
 */
export function interactionRoutes(deps: GatewayDeps, tenant: TenantContext, provider: Provider): Router {
  const router = exactRouter();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 });
  const csrf = verifyCsrf((req) => req.tenant.allowedOrigins);
  const tenantId = tenant.config.id;
  const receiptDeps = {
    store: deps.store,
    signingKeys: deps.signingKeys,
    clock: deps.clock,
    issuer: deps.config.publicUrl,
  };

  /** The interaction of this browser, which must be the one in the URL, and its client. */
  const interactionOf = async (req: Request, res: Response) => {
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (error) {
      if (error instanceof errors.SessionNotFound) throw expired(error);
      throw error;
    }
    if (interaction.uid !== req.params.uid) throw expired();
    const clientId = interaction.params.client_id;
    const client = tenant.config.handoff.oidcClients.find((c) => c.clientId === clientId);
    if (!client) throw expired();
    // The interaction's pages, and the broker, which gets their language, speak the chat's.
    speakUiLocales(req, res, interaction.params.ui_locales, deps.config.defaultLanguage);
    return { interaction, client, uid: interaction.uid };
  };

  /**
   * Ends the wait of the interaction's identity (released, declined, refused or cancelled). Its
   * broker login stays open at the broker, so the session keeps it, as the gateway's own consent
   * page does: the gateway's logout ends it and the landing page says it is still open, rather
   * than leave a single sign-on session (ID-porten's) to answer the next person at a shared
   * computer.
   */
  const dropPending = (req: Request, pending: PendingIdentity) => {
    const record = citizenRecord(req, tenantId);
    delete record.pending;
    const broker = findProvider(tenant, pending.identity.provider);
    record.brokerSession = sealBrokerSession(deps.fieldCrypto, broker, pending.idToken);
    record.brokerProvider = broker.id;
  };

  /** One decision per sign-in (share, share nothing, cancel): see {@link decideOnce}. */
  const decideOnceFor = (uid: string) => decideOnce(deps, tenantId, interactionDecision(uid));

  /** The interaction's consent page, where the login it starts returns. */
  const consentPathOf = (uid: string) => `${interactionPath(tenant, uid)}/consent`;

  const recipientOf = (client: OidcClientConfig): ReceiptRecipient => ({
    kind: 'oidc-client',
    id: client.clientId,
    name: client.label,
  });

  /** The pending identity of the login this interaction started, and only that one. */
  const pendingFor = (req: Request, uid: string) => {
    const pending = readFreshPendingIdentity(req.session, tenantId, deps, consentPathOf(uid));
    if (!pending) {
      throw new GatewayError('consent_not_pending', 'There is no identity waiting for consent.', {
        status: 409,
      });
    }
    return pending;
  };

  /**
   * The claims the consent page offers: those this chat system may ever receive that the scopes
   * it asked for carry. A claim outside the requested scopes would never leave, so offering it
   * would let the citizen tick something the chat system does not get.
   */
  const offeredClaims = (client: OidcClientConfig, interaction: Interaction) =>
    claimsInScopes(client.releasableClaims, requestedScopes(interaction));

  /** The consent page naming the chat system, offering only what it may receive. */
  const consentPage = (
    req: Request,
    res: Response,
    pending: PendingIdentity,
    client: OidcClientConfig,
    interaction: Interaction,
    error?: string,
  ) =>
    renderConsentPage(req, res, {
      pending,
      provider: findProvider(tenant, pending.identity.provider),
      csrfToken: csrfToken(req),
      ...(error ? { error } : {}),
      release: {
        action: consentPathOf(interaction.uid),
        recipient: client.label,
        claims: offeredClaims(client, interaction),
      },
    });

  /**
   * The chat system asked for a level no provider of the tenant guarantees: it is told so
   * (`unmet_authentication_requirements`), and the citizen is sent nowhere.
   */
  const unmet = (req: Request, res: Response, client: OidcClientConfig, assurance: RequestedAssurance) => {
    const requested = describeAssurance(assurance);
    req.log.info(
      { tenant: tenantId, client: client.clientId, level: requested },
      'release refused: level not offered',
    );
    return provider.interactionFinished(req, res, {
      error: 'unmet_authentication_requirements',
      error_description: `No identification method here meets the requested level (${requested}).`,
    });
  };

  router.get('/oidc/interaction/:uid', async (req, res) => {
    const { client, interaction } = await interactionOf(req, res);
    const assurance = requestedAssurance(tenant, interaction.params);
    const offered = providersFor(tenant, assurance);
    if (offered.length === 0) return unmet(req, res, client, assurance);
    res.setHeader('Cache-Control', 'no-store');
    const token = csrfToken(req);
    await saveSession(req);
    res.send(
      renderBrokerChoicePage(req, res, {
        base: interactionPath(tenant, req.params.uid),
        system: client.label,
        csrfToken: token,
        providers: offered,
      }),
    );
  });

  router.get('/oidc/interaction/:uid/login/:provider', async (req, res) => {
    const { interaction } = await interactionOf(req, res);
    const broker = findProvider(tenant, req.params.provider);
    // Only a provider the broker choice offered: the level the chat system asked for.
    if (!providersFor(tenant, requestedAssurance(tenant, interaction.params)).includes(broker)) {
      throw new GatewayError(
        'acr_too_low',
        'This identification method does not meet the level the chat asked for.',
      );
    }
    const consentPath = consentPathOf(req.params.uid);
    const url = await beginCitizenLogin(deps, req, broker, {
      returnTo: consentPath,
      consentPath,
      // The chat system's hint (if any) goes on to the broker, as on the direct login route.
      loginHint: interaction.params.login_hint,
      uiLocales: res.locals.lang,
      reauthenticate: reauthenticationOf(interaction),
      // A failed or cancelled eID login comes back to the broker choice, whose cancel answers
      // the chat system; the gateway's start page would leave it waiting.
      backTo: interactionPath(tenant, interaction.uid),
    });
    await saveSession(req);
    redirectToProvider(res, url);
  });

  /**
   * A chat system that names the citizen it expects (`id_token_hint`, or a `sub` with a `value` in
   * the `claims` parameter) gets `login_required` when another person identified: nothing is
   * offered, released or recorded, and the identity is dropped. oidc-provider checks these
   * against its own session only (and would send the citizen round to log in again), not
   * against the login the interaction returns.
   * @see OpenID Connect Core §3.1.2.1 (id_token_hint), §5.5.1 (sub value), §3.1.2.6 (login_required)
   */
  const refuseOtherPerson = async (
    req: Request,
    res: Response,
    interaction: Interaction,
    client: OidcClientConfig,
    pending: PendingIdentity,
  ): Promise<boolean> => {
    const hinted = hintedSubject(interaction);
    const named = [
      ...(hinted === undefined ? [] : [hinted]),
      ...requestedSubjects(interaction.params.claims),
    ];
    if (named.length === 0) return false;
    const accountId = accountIdOf(deps, tenantId, pending.identity.nationalId);
    const subject = subjectAtClient(deps, tenantId, client, accountId);
    if (named.every((sub) => sub === subject)) return false;
    dropPending(req, pending);
    await saveSession(req);
    req.log.info({ tenant: tenantId, client: client.clientId }, 'release refused: not the hinted citizen');
    await provider.interactionFinished(req, res, {
      error: 'login_required',
      error_description: 'The person who identified is not the one the chat system asked for.',
    });
    return true;
  };

  router.get('/oidc/interaction/:uid/consent', async (req, res) => {
    const { interaction, client, uid } = await interactionOf(req, res);
    const pending = pendingFor(req, uid);
    if (await refuseOtherPerson(req, res, interaction, client, pending)) return;
    const page = consentPage(req, res, pending, client, interaction);
    await saveSession(req);
    res.send(page);
  });

  router.post('/oidc/interaction/:uid/consent', form, csrf, async (req, res) => {
    const { interaction, client, uid } = await interactionOf(req, res);
    const pending = pendingFor(req, uid);
    if (await refuseOtherPerson(req, res, interaction, client, pending)) return;
    const assurance = requestedAssurance(tenant, interaction.params);
    if (!meetsAssurance(pending.identity, assurance)) {
      dropPending(req, pending);
      await saveSession(req);
      return unmet(req, res, client, assurance);
    }
    // A body that is not a form (JSON with the token in the header) is parsed by no one here.
    const body = (req.body ?? {}) as Record<string, unknown>;
    const decision = body.decision;
    if (decision !== 'share' && decision !== 'decline') {
      throw new GatewayError('consent_invalid', 'Choose to share the selected details or to share nothing.');
    }
    const offerable = offeredClaims(client, interaction);
    const offered = new Set(
      availableClaims(pending.identity)
        .map(([claim]) => claim)
        .filter((claim) => offerable.includes(claim)),
    );
    const claimNames = tickedClaims(body.claims, offered);
    const { identity } = pending;
    if (decision === 'share' && claimNames.length === 0 && offered.size > 0) {
      // As on the gateway's own consent page: "share the selected" with nothing ticked is
      // ambiguous; ask again and change nothing.
      const page = consentPage(req, res, pending, client, interaction, res.locals.t('consent.nothingTicked'));
      await saveSession(req);
      res.status(422).send(page);
      return;
    }
    await decideOnceFor(uid);
    const subjectIndex = deps.fieldCrypto.blindIndex(identity.nationalId);
    const receipt = {
      tenantId,
      provider: identity.provider,
      loa: identity.loa,
      acr: identity.acr,
      subjectIndex,
      recipient: recipientOf(client),
    };
    // The identity was for this release only: it never becomes the session's shared identity.
    dropPending(req, pending);
    const visitorId = ensureVisitorId(req);
    await saveSession(req);

    if (decision === 'decline') {
      await issueReceipt(receiptDeps, { ...receipt, decision: 'declined', claims: [] });
      req.log.info({ tenant: tenantId, client: client.clientId }, 'release to chat system declined');
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'The citizen chose to share nothing.',
      });
      return;
    }

    const revocations = await watchRevocations(deps.store.oidcProvider, deps.fieldCrypto, {
      tenantId,
      visitorId,
    });
    const accountId = accountIdOf(deps, tenantId, identity.nationalId);
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    const requested = requestedScopes(interaction).filter((scope) => PROVIDER_SCOPES.includes(scope));
    // Only what the requested scopes carry leaves: that is what is kept and named in the receipt.
    const leaving = claimsInScopes(claimNames, requested);
    const granted = grantedScopes(requested, leaving);
    grant.addOIDCScope(granted.join(' '));
    // Refused, not left out: oidc-provider would otherwise ask for consent to them again.
    const refusedScopes = requested.filter((scope) => !granted.includes(scope));
    if (refusedScopes.length > 0) grant.rejectOIDCScope(refusedScopes.join(' '));
    const released = oidcClaimNames(leaving);
    if (released.length > 0) grant.addOIDCClaims(released);
    // Refused: every identity claim not released, and whatever else the `claims` parameter asked
    // for (the login's own `sub`, `acr`, `auth_time` … always go).
    const asked = claimsParameterNames(interaction.params.claims).filter((name) => !LOGIN_CLAIMS.has(name));
    grant.rejectOIDCClaims(
      [...new Set([...ALL_IDENTITY_CLAIM_NAMES, ...asked])].filter((name) => !released.includes(name)),
    );
    const grantId = await grant.save();
    const { nationalIdType: _type, ...claims } = pickClaims(identity, leaving);
    const authTime = identity.authTime ?? Math.floor(deps.clock.now() / 1000);
    const expiresAt = deps.clock.now() + grantSeconds(deps) * 1000;
    await saveRelease(
      deps.store.oidcProvider,
      deps.fieldCrypto,
      { tenantId, grantId, expiresAt },
      {
        claimNames: leaving,
        claims,
        acr: identity.acr,
        authTime,
        ...(identity.amr.length > 0 ? { amr: identity.amr } : {}),
      },
    );
    // The citizen's withdrawal or the end of their session in this browser revokes it.
    await indexVisitorRelease(
      deps.store.oidcProvider,
      deps.fieldCrypto,
      { tenantId, visitorId },
      {
        grantId,
        expiresAt,
        clientId: client.clientId,
        clientLabel: client.label,
        provider: identity.provider,
        loa: identity.loa,
        acr: identity.acr,
        subjectIndex,
        claimNames: leaving,
      },
    );
    if (await revocations.missed(subjectIndex)) {
      // The citizen withdrew (or their session ended) in another tab while this was released.
      await revokeGrant(deps.store.oidcProvider, tenantId, grantId);
      req.log.info(
        { tenant: tenantId, client: client.clientId },
        'release to chat system withdrawn as it was made',
      );
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'The sharing was withdrawn while it was being released.',
      });
      return;
    }
    await issueReceipt(receiptDeps, { ...receipt, decision: 'released', claims: leaving });
    req.log.info(
      { tenant: tenantId, client: client.clientId, claims: leaving },
      'identity released to chat system',
    );
    await provider.interactionFinished(
      req,
      res,
      {
        login: {
          accountId,
          acr: identity.acr,
          // An empty list is no statement: the ID token then carries no `amr` at all.
          ...(identity.amr.length > 0 ? { amr: identity.amr } : {}),
          ts: authTime,
          remember: false,
        },
        consent: { grantId },
      },
      { mergeWithLastSubmission: false },
    );
  });

  router.post('/oidc/interaction/:uid/abort', form, csrf, async (req, res) => {
    const { uid } = await interactionOf(req, res);
    // A cancel is the sign-in's decision too: after a share it would replace the answer.
    await decideOnceFor(uid);
    // A citizen who identified and came back to cancel: the identity goes, as on "share nothing".
    const pending = readPendingIdentity(req.session, tenantId, deps.fieldCrypto);
    if (pending?.consentPath === consentPathOf(uid)) {
      dropPending(req, pending);
      await saveSession(req);
    }
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The citizen cancelled the identification.',
    });
  });

  return router;
}

/**
 * The re-authentication the chat system asked for, to pass on to the broker: `max_age` (its
 * `auth_time` is then checked at the callback) and `prompt=login` (oidc-provider turns
 * `max_age=0` into it). Without them the broker may answer from a session it already has.
 * @see OpenID Connect Core §3.1.2.1 (max_age, prompt=login)
 */
function reauthenticationOf(interaction: Interaction): { maxAgeSeconds?: number; prompt?: 'login' } {
  const maxAge = Number(interaction.params.max_age);
  const prompts = String(interaction.params.prompt ?? '').split(' ');
  return {
    ...(interaction.params.max_age !== undefined && Number.isSafeInteger(maxAge) && maxAge > 0
      ? { maxAgeSeconds: maxAge }
      : {}),
    ...(prompts.includes('login') ? { prompt: 'login' as const } : {}),
  };
}

/** Claims of the login itself, which every ID token carries whatever the consent (oidc-provider's list). */
const LOGIN_CLAIMS = new Set(['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss']);

/** The scopes of the chat system's authorization request. */
function requestedScopes(interaction: Interaction): string[] {
  return String(interaction.params.scope ?? 'openid').split(' ');
}

/**
 * The `sub` of the request's `id_token_hint`, if it has one. oidc-provider validated the hint
 * (our signature, issued to this client) when it accepted the request; the interaction keeps
 * the parameters server-side, so reading its payload here is safe.
 */
function hintedSubject(interaction: Interaction): string | undefined {
  const hint = interaction.params.id_token_hint;
  if (typeof hint !== 'string' || hint === '') return undefined;
  try {
    const { sub } = decodeJwt(hint);
    // A hint without a subject names no one, and matches no one.
    return typeof sub === 'string' ? sub : '';
  } catch {
    return '';
  }
}

function expired(cause?: unknown): GatewayError {
  return new GatewayError(
    'handoff_interaction_expired',
    'This sign-in for the chat has expired or belongs to another browser. Start again from the chat.',
    { status: 400, cause },
  );
}
