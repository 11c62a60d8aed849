import express, { type Request, type RequestHandler, type Router } from 'express';
import type { StaffConfig, StaffRole } from '../config/schema.js';
import type { GatewayDeps } from '../deps.js';
import { verifyCsrf } from '../http/csrf.js';
import { GatewayError, isGatewayError } from '../http/errors.js';
import { exactRouter } from '../http/exact-router.js';
import { redirectSameOrigin, redirectToProvider } from '../http/safe-redirect.js';
import { staffCallbackUrl, type TenantContext } from '../tenants/tenant-context.js';
import { checkClaimText, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH } from './claim-text.js';
import { completeLogin, endSessionUrl, startLogin } from './oidc-flow.js';
import { safeReturnTo } from './return-to.js';
import {
  openOrNothing,
  regenerateSession,
  type StaffRecord,
  saveSession,
  staffSessionEnded,
} from './session-state.js';
import { authorizeStaff, CONSOLE_ROLES } from './staff-roles.js';

/** The provider id staff clients are registered under in `deps.oidc`. */
const STAFF_PROVIDER = 'staff';

/**
 * The employee signed in for `tenantId` in this session, if any. The HTTP routes run behind
 * {@link expireStaffLogins}, which drops logins past their age first; the sockets, which read
 * the session on their own, ask {@link liveStaff}.
 */
export function readStaff(
  session: { staff?: Record<string, StaffRecord> } | undefined,
  tenantId: string,
): StaffRecord | undefined {
  return session?.staff?.[tenantId];
}

/**
 * The staff login of `tenant` in this session while it is younger than the tenant's
 * `staff.maxLoginHours`: a login in a session kept busy would otherwise keep, for as long as it
 * is used, roles the staff IdP has taken away since (they are read at login only).
 */
export function liveStaff(
  session: { staff?: Record<string, StaffRecord> } | undefined,
  tenant: Pick<TenantContext, 'config'>,
  now: number,
): StaffRecord | undefined {
  const record = session?.staff?.[tenant.config.id];
  const maxLoginHours = tenant.config.staff?.maxLoginHours;
  if (!record || maxLoginHours === undefined) return undefined;
  const age = now - record.signedInAt;
  return age >= 0 && age < maxLoginHours * 3_600_000 ? record : undefined;
}

/**
 * Drops from the session every staff login past its age (before any route reads it), so a page
 * asks for a new login and a form acts for nobody. The session, and a citizen side, stay.
 */
export function expireStaffLogins(deps: Pick<GatewayDeps, 'tenants' | 'clock'>): RequestHandler {
  return (req, _res, next) => {
    const staff = req.session?.staff;
    if (staff) {
      const now = deps.clock.now();
      for (const tenant of deps.tenants) {
        if (staff[tenant.config.id] && !liveStaff(req.session, tenant, now)) delete staff[tenant.config.id];
      }
    }
    next();
  };
}

function staffConfig(req: Request): StaffConfig {
  const staff = req.tenant.config.staff;
  if (!staff)
    throw new GatewayError('staff_unavailable', 'Staff login is not configured for this service.', {
      status: 404,
    });
  return staff;
}

/**
 * Guards a staff page: without a staff login for this tenant the browser is sent to
 * `/staff/login` (303) and comes back to the page afterwards; a login without one of `roles`
 * gets the 403 page `staff_forbidden`, and the refusal is logged as an access would be (who, in
 * which roles, which page): an employee trying the deletion or hold forms their role does not
 * give is what the organisation's security staff must be able to find.
 */
export function requireStaff(roles: readonly StaffRole[] = CONSOLE_ROLES): RequestHandler {
  return (req, res, next) => {
    const base = req.tenant.basePath;
    const staff = readStaff(req.session, req.tenant.config.id);
    if (!staff) {
      const returnTo = `${base}${req.path}`;
      redirectSameOrigin(res, `${base}/staff/login?returnTo=${encodeURIComponent(returnTo)}`);
      return;
    }
    if (!staff.roles.some((role) => roles.includes(role as StaffRole))) {
      req.log.info(
        {
          audit: true,
          tenant: req.tenant.config.id,
          staff: staff.subject,
          roles: staff.roles,
          method: req.method,
          page: req.path,
        },
        'staff refused: the role does not give this page',
      );
      throw staffForbidden();
    }
    next();
  };
}

/**
 * The roles a staff login is admitted with ({@link requireStaffAssurance}, `authorizeStaff`).
 * A refusal is logged as a sign-in is (who, as the IdP names them, and why): an account of
 * another organisation, or one without a role, trying the console is what the organisation's
 * security staff must be able to find.
 * @throws {GatewayError} `staff_assurance_too_low`, `staff_wrong_tenant`, `staff_no_role` (403).
 */
function admittedRoles(
  req: Request,
  claims: Record<string, unknown>,
  staff: StaffConfig,
  tenantId: string,
): StaffRole[] {
  try {
    requireStaffAssurance(claims, staff);
    return authorizeStaff(claims, staff, tenantId);
  } catch (error) {
    if (isGatewayError(error))
      req.log.info(
        {
          audit: true,
          tenant: tenantId,
          staff: String(claims.sub).slice(0, MAX_SUBJECT_LENGTH),
          code: error.code,
        },
        'staff sign-in refused',
      );
    throw error;
  }
}

/** `staff_forbidden` (403): signed in as staff, without a role the page needs. */
function staffForbidden(): GatewayError {
  return new GatewayError('staff_forbidden', 'Your role does not give access to this page.', { status: 403 });
}

/**
 * The staff IdP's assurance: with `requiredAcr` the ID token's `acr` must be one of them, with
 * `requiredAmr` its `amr` must contain one of them (multi-factor authentication). Without
 * `requiredAcr`, the `acrValues` the login asked for are required instead: they travel in the
 * authorization URL, where the employee (or whoever holds their password) can take them out, and
 * an IdP that then signs in with a password alone must not get past a request for more.
 * @throws {GatewayError} `staff_assurance_too_low` (403).
 * @see OpenID Connect Core §2 (acr, amr), §3.1.2.1 (acr_values), RFC 8176
 */
export function requireStaffAssurance(
  claims: Record<string, unknown>,
  staff: Pick<StaffConfig, 'requiredAcr' | 'requiredAmr'> & Partial<Pick<StaffConfig, 'acrValues'>>,
): void {
  const acr = claims.acr;
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
  const requiredAcr = staff.requiredAcr.length > 0 ? staff.requiredAcr : (staff.acrValues ?? []);
  const acrOk = requiredAcr.length === 0 || (typeof acr === 'string' && requiredAcr.includes(acr));
  const amrOk = staff.requiredAmr.length === 0 || amr.some((method) => staff.requiredAmr.includes(method));
  if (!acrOk || !amrOk) {
    throw new GatewayError(
      'staff_assurance_too_low',
      'Your sign-in did not use the authentication this service requires (for example a second factor).',
      { status: 403 },
    );
  }
}

/**
 * Who the employee is, from the staff IdP's ID token: `sub`, the name shown to citizens and
 * colleagues (and stored with every message they write): `name`, else `preferred_username`, else
 * `email`, else `sub`; and `email`. Each is bounded like a citizen's name ({@link checkClaimText}):
 * the organisation's IdP is trusted for who may sign in and with which role, not to decide what
 * text the chat shows.
 * @throws {GatewayError} `claims_invalid` (400).
 * @see OpenID Connect Core §5.1 (standard claims)
 */
function staffProfile(claims: Record<string, unknown>): Pick<StaffRecord, 'subject' | 'name' | 'email'> {
  const text = (claim: string, maxLength: number): string | undefined => {
    const value = claims[claim];
    return typeof value === 'string' && value !== '' ? checkClaimText(claim, value, maxLength) : undefined;
  };
  // openid-client has checked `sub` is a string.
  const subject = checkClaimText('sub', String(claims.sub), MAX_SUBJECT_LENGTH);
  const email = text('email', MAX_EMAIL_LENGTH);
  return {
    subject,
    name: text('name', MAX_NAME_LENGTH) ?? text('preferred_username', MAX_NAME_LENGTH) ?? email ?? subject,
    ...(email ? { email } : {}),
  };
}

/**
 * `GET /staff/login`, `GET /staff/callback` and `POST /staff/logout`: employees sign in through
 * the organisation's own OpenID Provider (Entra ID and the like; `mock:staff` offline), with the
 * same PKCE/state/nonce flow as citizens. Roles come from `staff.roleClaim`; the session keeps a
 * {@link StaffRecord} per tenant, so signing in at one tenant gives nothing at another.
 */
export function staffLoginRouter(deps: GatewayDeps): Router {
  const router = exactRouter();
  const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 });

  router.get('/staff/login', async (req, res) => {
    const tenant = req.tenant;
    const staff = staffConfig(req);
    const returnTo = safeReturnTo(req.query.returnTo, `${tenant.basePath}/agent`);
    const url = await startLogin(req, {
      configuration: await deps.oidc.configuration(tenant.config.id, STAFF_PROVIDER),
      transaction: { kind: 'staff', tenantId: tenant.config.id, providerId: STAFF_PROVIDER, returnTo },
      redirectUri: staffCallbackUrl(tenant),
      scopes: staff.scopes,
      acrValues: staff.acrValues,
      usePar: staff.usePar,
      loginHint: req.query.login_hint,
      uiLocales: res.locals.lang,
      clock: deps.clock,
    });
    await saveSession(req);
    redirectToProvider(res, url);
  });

  router.get('/staff/callback', async (req, res) => {
    // The callback URL carries the code: it must never leak through a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const tenant = req.tenant;
    const staff = staffConfig(req);
    const tenantId = tenant.config.id;
    const login = await completeLogin(req, {
      configuration: await deps.oidc.verifier(tenantId, STAFF_PROVIDER),
      kind: 'staff',
      tenantId,
      providerId: STAFF_PROVIDER,
      redirectUri: staffCallbackUrl(tenant),
      timeoutMs: deps.config.session.loginTimeoutMinutes * 60_000,
      clockSkewSeconds: deps.config.clockSkewSeconds,
      clock: deps.clock,
    });
    const roles = admittedRoles(req, login.claims, staff, tenantId);
    const record: StaffRecord = {
      ...staffProfile(login.claims),
      roles,
      signedInAt: deps.clock.now(),
      idToken: deps.fieldCrypto.seal(login.idToken),
    };
    await regenerateSession(req, deps);
    req.session.staff = { ...(req.session.staff ?? {}), [tenantId]: record };
    await saveSession(req);
    // Access is logged by who (the staff subject, as every staff line names them) and with which roles.
    req.log.info({ audit: true, tenant: tenantId, staff: record.subject, roles }, 'staff signed in');
    redirectSameOrigin(res, login.transaction.returnTo);
  });

  /**
   * Ends the staff login for this tenant only (a citizen identity in the same browser stays)
   * and, when the staff IdP supports it, its session too (RP-initiated logout).
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
   */
  router.post(
    '/staff/logout',
    form,
    verifyCsrf((req) => req.tenant.staffOrigins),
    async (req, res) => {
      const tenant = req.tenant;
      const tenantId = tenant.config.id;
      const record = readStaff(req.session, tenantId);
      let brokerLogout: string | undefined;
      // An ID token sealed under a data key since rotated is no hint: the logout here still happens.
      const sealedToken = record?.idToken;
      const idToken = sealedToken
        ? openOrNothing(() => deps.fieldCrypto.open<string>(sealedToken))
        : undefined;
      if (idToken && deps.oidc.isReady(tenantId, STAFF_PROVIDER)) {
        // A staff ID token holds the employee's name and work e-mail, no national identity number.
        brokerLogout = endSessionUrl(
          deps.oidc.get(tenantId, STAFF_PROVIDER),
          `${tenant.baseUrl}/`,
          idToken,
          res.locals.lang,
        );
      }
      if (req.session.staff) delete req.session.staff[tenantId];
      // A new session id (and CSRF token) after the logout, as after a login: whoever saw the
      // id while the staff login was in it holds nothing (the citizen side of the session stays).
      // The consoles of this login close now, not at their next heartbeat; so do those of any
      // other tenant's staff login in this browser, whose session id changed under them.
      staffSessionEnded(deps.identityEvents, record ? { [tenantId]: record } : undefined, req.sessionID);
      await regenerateSession(req, deps);
      await saveSession(req);
      req.log.info(
        { audit: true, tenant: tenantId, ...(record ? { staff: record.subject } : {}) },
        'staff signed out',
      );
      if (brokerLogout) redirectToProvider(res, new URL(brokerLogout));
      else redirectSameOrigin(res, `${tenant.basePath}/`);
    },
  );

  return router;
}
