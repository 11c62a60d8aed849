import type { Request } from 'express';
import type { SharedIdentity } from '../identity/shared-identity.js';
import type { VerifiedIdentity } from '../identity/verified-identity.js';
import type { FieldCrypto } from '../privacy/field-crypto.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import type { IdentityEvents } from './identity-events.js';

// The shared identity is the identity domain's type; re-exported for the auth routes' callers.
export type { SharedIdentity };

/** An authorization request in flight, keyed by its `state` in the session. */
export interface LoginTransaction {
  kind: 'citizen' | 'staff';
  tenantId: string;
  providerId: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  createdAt: number;
  /** Step-up inside a chat: the conversation the identity is for. */
  conversationId?: string;
  /** Where the callback sends the citizen instead of `/consent` (hand-off to a chat system). */
  consentPath?: string;
  /** A widget on another site waits for this login (`login-handover.ts`): the hand-over id H. */
  handover?: string;
  /**
   * `data-subject`: the citizen identifies to see, copy or erase their own data
   * (`/privacy/my-data`), not to share anything: the callback keeps a {@link DataSubject} and no
   * pending identity, and there is no consent page.
   */
  purpose?: 'data-subject';
  /**
   * Sent as `max_age`, and checked on the ID token's `auth_time` (which must then be there):
   * the citizen authenticated at the broker at most this many seconds ago. `prompt=login`
   * alone proves nothing (it can be taken out of the address on the way to the broker).
   */
  maxAgeSeconds?: number;
  /**
   * Where the error page of a failed callback leads back to, instead of the start page: a chat
   * system's hand-off (`src/handoff/oidc/`) goes back to its broker choice, where the citizen can
   * try again or cancel, which answers the chat system (`access_denied`). A path, set server-side.
   */
  backTo?: string;
}

/** Who identified for their own data, and when (`/privacy/my-data`); sealed in the session. */
export interface DataSubject {
  /** Keyed blind index of their national id: how their conversations and receipts are found. */
  subjectIndex: string;
  provider: string;
  /** Their name as the broker sent it, to greet them; never stored elsewhere. */
  name?: string;
  /** When the broker identified them (epoch ms, injected clock). */
  verifiedAt: number;
}

/** A verified identity waiting for the citizen's decision on the consent page. */
export interface PendingIdentity {
  identity: VerifiedIdentity;
  returnTo: string;
  receivedAt: number;
  /** Kept for RP-initiated logout (`id_token_hint`). */
  idToken: string;
  conversationId?: string;
  /** The hand-over id H the consent page completes instead of sharing in this session. */
  handover?: string;
  /**
   * The consent page this identity waits for when it is not the gateway's own `/consent`: a chat
   * system's sign-in (`src/handoff/oidc/`), for whose release alone the citizen identified.
   */
  consentPath?: string;
}

/** Per-tenant citizen state in the session; identity fields are sealed (`FieldCrypto`). */
export interface CitizenRecord {
  pending?: string;
  shared?: string;
  /**
   * Sealed `{ providerId, idToken? }` of the last broker login, for logout (the ID token only for a
   * provider with `endSessionIdTokenHint`).
   */
  brokerSession?: string;
  /** Provider id of the broker login still open (shown: "you are still logged in with …"). */
  brokerProvider?: string;
  /** A confirmation the landing page shows once (after a withdrawal or a "share nothing"). */
  notice?: 'withdrawn' | 'declined';
  /** The conversation a redeemed step-up link bound this session to (`step-up-binding.ts`). */
  stepUp?: StepUpBinding;
  /** Hash of the hand-over this (widget's) session created last, replaced by the next one. */
  handover?: string;
  /** Sealed `{ h, r }` the hand-over confirmation page delivers once to the widget's window. */
  handoverDelivery?: string;
  /** Sealed {@link DataSubject}: the citizen identified for their own data. */
  dataSubject?: string;
  /**
   * Blind indexes of the identities this session shared into the tenant's chat, withdrawn ones
   * too. A conversation an identity was shared into is readable by a visitor socket only while
   * its session holds one of them: the visitor cookie outlives a session, and the next person at
   * a shared computer must not read (or have e-mailed) the verified chat of the last one, whose
   * session expired. Another person's login in the session drops the first one's.
   */
  sharedSubjects?: string[];
}

/** A step-up link's conversation, held server-side until a login takes it or it expires. */
export interface StepUpBinding {
  conversationId: string;
  /** Epoch ms (injected clock) after which the binding no longer applies to a login. */
  expiresAt: number;
}

/** A signed-in employee. */
export interface StaffRecord {
  subject: string;
  name: string;
  email?: string;
  roles: string[];
  signedInAt: number;
  /** Sealed id token for logout at the staff IdP. */
  idToken?: string;
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    /** Stable pseudonymous id of this browser's visitor, kept across session id rotation. */
    visitorId?: string;
    logins?: Record<string, LoginTransaction>;
    citizens?: Record<string, CitizenRecord>;
    staff?: Record<string, StaffRecord>;
  }
}

/**
 * The login in flight under `state`, the callback's own parameter: an own property of the
 * session's logins only, so that a `state` named after a property of Object.prototype
 * (`__proto__`, `constructor`) finds nothing, as any other state the gateway never issued.
 */
export function loginInFlight(
  session: { logins?: Record<string, LoginTransaction> } | undefined,
  state: string,
): LoginTransaction | undefined {
  const logins = session?.logins;
  return logins && Object.hasOwn(logins, state) ? logins[state] : undefined;
}

/** Notes in the tenant's citizen record that this session shared the identity with `subjectIndex`. */
export function rememberSharedSubject(record: CitizenRecord, subjectIndex: string): void {
  if (!record.sharedSubjects?.includes(subjectIndex))
    record.sharedSubjects = [...(record.sharedSubjects ?? []), subjectIndex];
}

/** The citizen record of a tenant, created on first use. */
export function citizenRecord(req: Request, tenantId: string): CitizenRecord {
  req.session.citizens ??= {};
  req.session.citizens[tenantId] ??= {};
  return req.session.citizens[tenantId];
}

type CitizenSession = { citizens?: Record<string, CitizenRecord> } | undefined;

function readSealed<T>(
  session: CitizenSession,
  tenantId: string,
  field: 'pending' | 'shared' | 'dataSubject',
  crypto: FieldCrypto,
): T | undefined {
  const sealed = session?.citizens?.[tenantId]?.[field];
  return sealed ? crypto.open<T>(sealed) : undefined;
}

/** The opted-in identity of the session for a tenant, if any. */
export function readSharedIdentity(
  session: CitizenSession,
  tenantId: string,
  crypto: FieldCrypto,
): SharedIdentity | undefined {
  return readSealed(session, tenantId, 'shared', crypto);
}

/**
 * The citizen who identified for their own data in this session, while that identification is
 * younger than `maxAgeMs` (a copy or an erasure needs a recent one, not a login of this morning).
 */
export function readDataSubject(
  session: CitizenSession,
  tenantId: string,
  crypto: FieldCrypto,
  now: number,
  maxAgeMs: number,
): DataSubject | undefined {
  const subject = readSealed<DataSubject>(session, tenantId, 'dataSubject', crypto);
  if (!subject) return undefined;
  const age = now - subject.verifiedAt;
  return age >= 0 && age < maxAgeMs ? subject : undefined;
}

/**
 * What the session keeps of a broker login for logging out (sealed): the provider, and the ID
 * token only when the provider's `endSessionIdTokenHint` sends it back on logout. Otherwise the
 * token, with the national identity number in it, is not kept.
 */
export function sealBrokerSession(
  crypto: FieldCrypto,
  provider: { id: string; endSessionIdTokenHint?: boolean | undefined },
  idToken: string,
): string {
  return crypto.seal(
    provider.endSessionIdTokenHint ? { providerId: provider.id, idToken } : { providerId: provider.id },
  );
}

/** The identity waiting for consent, if any. */
export function readPendingIdentity(
  session: CitizenSession,
  tenantId: string,
  crypto: FieldCrypto,
): PendingIdentity | undefined {
  return readSealed(session, tenantId, 'pending', crypto);
}

/**
 * The identity waiting for consent on one consent page (`consentPath`; the gateway's own
 * `/consent` when not given), unless it waited longer than a login may take
 * (`session.loginTimeoutMinutes`, measured from the callback on the injected clock). A consent
 * page left open on a shared computer, in a session kept alive by the chat, must not let the
 * next person at the keyboard share the previous one's identity; they identify again. An
 * identity a chat system's sign-in waits for is not the gateway's to share, nor the reverse.
 */
export function readFreshPendingIdentity(
  session: CitizenSession,
  tenantId: string,
  deps: {
    fieldCrypto: FieldCrypto;
    clock: { now(): number };
    config: { session: { loginTimeoutMinutes: number } };
  },
  consentPath?: string,
): PendingIdentity | undefined {
  const pending = readPendingIdentity(session, tenantId, deps.fieldCrypto);
  if (!pending || pending.consentPath !== consentPath) return undefined;
  const waited = deps.clock.now() - pending.receivedAt;
  return waited <= deps.config.session.loginTimeoutMinutes * 60_000 ? pending : undefined;
}

/**
 * Issues a new session id keeping the session's data, but not its CSRF token (login fixation
 * defence: the id, and any token, an attacker may have seen before login die at login), and
 * tells the chat: the visitor's open sockets follow the session to its new id. The new session
 * is saved before that announcement, so a socket that re-reads it finds it (the callers used to
 * announce before saving and relied on their save winning the race against the socket's read).
 *
 * The agent consoles of the old session close at once ({@link staffSessionEnded}): they are
 * bound to a session id that no longer exists (their heartbeat would close them anyway), and a
 * login in this browser may be someone else's or carry other roles, which a console must not
 * keep acting with until its next heartbeat.
 * @see https://owasp.org/www-community/attacks/Session_fixation
 */
export async function regenerateSession(
  req: Request,
  announce: { identityEvents: IdentityEvents; tenants: readonly TenantContext[] },
): Promise<void> {
  const previousSessionId = req.sessionID;
  const previousStaff = { ...(req.session.staff ?? {}) };
  const { cookie: _cookie, csrfToken: _csrfToken, ...data } = req.session;
  await new Promise<void>((resolve, reject) =>
    req.session.regenerate((err) => (err ? reject(err) : resolve())),
  );
  Object.assign(req.session, data);
  staffSessionEnded(announce.identityEvents, previousStaff, previousSessionId);
  const { visitorId } = req.session;
  if (!visitorId) return;
  await saveSession(req);
  for (const tenant of announce.tenants)
    announce.identityEvents.publish({
      type: 'session-renewed',
      tenantId: tenant.config.id,
      visitorId,
      previousSessionId,
      sessionId: req.sessionID,
    });
}

/** Saves the session before a redirect, so the next request sees what this one wrote. */
export async function saveSession(req: Request): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/**
 * The session `sessionId` no longer exists (logout, rotation): the agent consoles of each of its
 * staff logins close at once (4401), on every instance, instead of acting on until their next
 * heartbeat finds the session gone.
 */
export function staffSessionEnded(
  identityEvents: IdentityEvents,
  staff: Record<string, StaffRecord> | undefined,
  sessionId: string,
): void {
  for (const [tenantId, record] of Object.entries(staff ?? {}))
    identityEvents.publish({ type: 'staff-signed-out', tenantId, staffSubject: record.subject, sessionId });
}

/** What `open` unseals, or `undefined` when it cannot (another data key, damaged data). */
export function openOrNothing<T>(open: () => T): T | undefined {
  try {
    return open();
  } catch {
    return undefined;
  }
}
