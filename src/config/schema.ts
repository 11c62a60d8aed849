import { z } from 'zod';
import { ISSUER_IDS, isIssuerId } from '../../idp-mock/issuer-ids.js';
import { personaSchema } from '../../idp-mock/personas.js';
import { CLAIM_PROFILES } from '../auth/claim-profiles.js';
import { checkClientAuth } from './client-auth.js';
import { handoffSchema, oidcProviderSchema } from './handoff-schema.js';
import { isLoopbackUrl } from './loopback.js';
import { slug } from './slug.js';
import { trustProxySchema } from './trust-proxy.js';

/**
 * The one configuration schema of the gateway. Every key is documented here, beside its
 * default, and again in the README's settings reference. The loader (`./load-config.ts`)
 * resolves `{ "$env": "NAME" }` secret references, applies environment overrides, validates
 * with this schema and then applies the production rules (`./production-rules.ts`).
 */

const LOAS = ['low', 'substantial', 'high'] as const;
const LANGUAGES = ['nb', 'fi', 'sv', 'en'] as const;
const ROLES = ['agent', 'supervisor', 'admin', 'security'] as const;

/** Text shown to users: one string for every language, or one per language (`en` required). */
const localizedText = z.union(
  [
    z.string().min(1),
    z.strictObject({
      en: z.string().min(1),
      nb: z.string().min(1).optional(),
      fi: z.string().min(1).optional(),
      sv: z.string().min(1).optional(),
    }),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'required (a text, or { "en": …, "nb": …, "fi": …, "sv": … })'
        : 'expected a text, or { "en": …, "nb": …, "fi": …, "sv": … } with "en"',
  },
);

/**
 * Issuer of an OpenID Provider: an https URL (http only on loopback, development only), or
 * `mock:<issuer id>` for an issuer of the bundled mock IdP (`idp-mock/`), refused in production.
 */
const issuer = z
  .string()
  .refine(
    (value) =>
      value.startsWith('mock:') ||
      (URL.canParse(value) && (new URL(value).protocol === 'https:' || isLoopbackUrl(value))),
    'expected an https URL (http only on loopback) or mock:<issuer id>',
  );

/** A private JWK (EC P-256 or RSA) as JSON object. */
const privateJwk = z.looseObject({
  kty: z.enum(['EC', 'RSA', 'OKP']),
  d: z.string().min(1),
});

const clientAuth = z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);

const genericClaims = z.strictObject({
  /** Claim holding the national identity number. */
  nationalId: z.string().min(1),
  /** Fixed country of every identity from this provider. */
  country: z.enum(['NO', 'FI']).optional(),
  /** Claim holding the country (`NO`/`FI`) when it varies. */
  countryClaim: z.string().min(1).optional(),
  givenName: z.string().min(1).optional(),
  familyName: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  birthDate: z.string().min(1).optional(),
});

/** An OpenID Provider (broker) a client of ours is registered at. */
const oidcClientFields = {
  /** Issuer identifier, copied exactly from the broker's discovery document. */
  issuer,
  /** Client id registered at the broker. */
  clientId: z.string().min(1),
  /** Client secret (use `{ "$env": "NAME" }`); required for the client_secret_* methods. */
  clientSecret: z.string().min(1).optional(),
  /** Token endpoint client authentication. Default `client_secret_basic`. */
  clientAuth: clientAuth.default('client_secret_basic'),
  /** Private JWK for `private_key_jwt` (use `{ "$env": "NAME" }` holding the JSON). */
  privateKeyJwk: privateJwk.optional(),
  /** Send the authorization request by PAR (RFC 9126). Default false. */
  usePar: z.boolean().default(false),
};

const providerSchema = z
  .strictObject({
    /** Id used in URLs: `/auth/{id}/login`. */
    id: slug,
    /** Name on the provider button, e.g. "BankID" or "Suomi.fi". */
    label: localizedText,
    ...oidcClientFields,
    /** Scopes requested. Default `["openid"]`; Idura needs `ssn` for the national id. */
    scopes: z.array(z.string().min(1)).default(['openid']),
    /** `acr_values` sent to the broker. Default none. */
    acrValues: z.array(z.string().min(1)).default([]),
    /**
     * Lowest level of assurance accepted from the returned `acr`. Default `substantial`. A login
     * is held to the weakest level of `acrValues` too, when that is higher (`requiredLoa`).
     */
    minimumLoa: z.enum(LOAS).default('substantial'),
    /** Maps this broker's claims to a VerifiedIdentity. */
    claimProfile: z.enum(CLAIM_PROFILES),
    /** Extra acr → LoA mappings for this broker, overriding the built-in table. */
    acrLoa: z.record(z.string(), z.enum(LOAS)).optional(),
    /** Claim names for the `generic` profile. */
    genericClaims: genericClaims.optional(),
    /** End the broker session on logout when it has an end_session_endpoint. Default true. */
    endSession: z.boolean().default(true),
    /**
     * Send the ID token as `id_token_hint` when ending the broker session. Default false: the
     * end-session request is a browser redirect, and the ID token (national identity number,
     * name) would stay in the address, the browser's history and logs on the way. Without it the
     * broker asks the citizen to confirm the sign-out (`client_id` names the gateway). Turn it on
     * only for a broker that refuses a logout without the hint.
     */
    endSessionIdTokenHint: z.boolean().default(false),
  })
  .superRefine((provider, ctx) => {
    if (!provider.scopes.includes('openid')) {
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'must include "openid"' });
    }
    if (provider.claimProfile === 'generic' && !provider.genericClaims) {
      ctx.addIssue({
        code: 'custom',
        path: ['genericClaims'],
        message: 'required when claimProfile is "generic"',
      });
    }
    if (provider.claimProfile !== 'generic' && provider.genericClaims) {
      ctx.addIssue({
        code: 'custom',
        path: ['genericClaims'],
        message: `unused with claimProfile "${provider.claimProfile}", which names its own claims; set claimProfile to "generic" to use it`,
      });
    }
    // The hint makes the session keep the sealed ID token (national identity number, name) for
    // a logout at the broker, which endSession: false never sends.
    if (provider.endSessionIdTokenHint && !provider.endSession) {
      ctx.addIssue({
        code: 'custom',
        path: ['endSessionIdTokenHint'],
        message:
          'needs endSession: the ID token would be kept in the session for a broker logout that is never sent',
      });
    }
    checkClientAuth(provider, ctx);
  });

/** The organisation's own OIDC provider for staff (Entra ID and the like). */
const staffSchema = z
  .strictObject({
    ...oidcClientFields,
    /** Scopes requested. Default `["openid", "profile", "email"]`. */
    scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']),
    /** Claim holding the roles (string or array). Default `roles`. */
    roleClaim: z.string().min(1).default('roles'),
    /** Maps the provider's role values to gateway roles; default identity for agent|supervisor|admin|security. */
    roleMap: z.record(z.string(), z.enum(ROLES)).optional(),
    /** Claim that must equal the tenant id (multi-tenant staff IdPs). Default none. */
    tenantClaim: z.string().min(1).optional(),
    /**
     * `acr_values` sent to the staff IdP (e.g. to ask for multi-factor authentication). Default
     * none. Without `requiredAcr`, the returned `acr` must be one of these.
     */
    acrValues: z.array(z.string().min(1)).default([]),
    /**
     * The ID token's `acr` must be one of these, else the login is refused
     * (`staff_assurance_too_low`). Default none: `acrValues` when set, else any. Production warns
     * when none of this, `acrValues` and `requiredAmr` is set.
     */
    requiredAcr: z.array(z.string().min(1)).default([]),
    /**
     * The ID token's `amr` must contain at least one of these (e.g. `["mfa"]`, or `["hwk", "fido"]`),
     * else the login is refused (`staff_assurance_too_low`). Default none (any).
     * @see RFC 8176 (authentication method reference values)
     */
    requiredAmr: z.array(z.string().min(1)).default([]),
    /**
     * Hours after which a staff login ends however busy its session was (the idle timeout never
     * comes for a session in use). Roles come from the staff IdP at login only, so this bounds
     * how long a role taken away there still works here. Default 12 (a working day).
     * @see https://owasp.org/www-project-application-security-verification-standard/ (V3.3 session timeout)
     */
    maxLoginHours: z.number().int().min(1).max(168).default(12),
  })
  .superRefine((staff, ctx) => checkClientAuth(staff, ctx));

const topicSchema = z.strictObject({
  /** Id used in the protocol: `{ "type": "start", "topic": "general" }`. */
  id: slug,
  /** Name shown to visitors and agents. */
  title: localizedText,
  /**
   * Who may start the topic. Absent: anyone, also anonymous visitors. Present: only a visitor
   * whose *shared* identity meets `minimumLoa` and includes every claim of `claims`.
   */
  requiresIdentification: z
    .strictObject({
      minimumLoa: z.enum(LOAS).default('substantial'),
      claims: z.array(z.enum(['name', 'nationalId', 'birthDate'])).default([]),
    })
    .optional(),
});

const metadataSchema = z.strictObject({
  /** Store the visitor's IP address with the conversation. Default false. */
  ip: z.boolean().default(false),
  /** Store the browser's User-Agent. Default false. */
  userAgent: z.boolean().default(false),
  /** Store the page the widget was opened on. Default false. */
  pages: z.boolean().default(false),
  /** Store the referrer of that page. Default false. */
  referrer: z.boolean().default(false),
});

const retentionSchema = z
  .strictObject({
    /**
     * Anonymise a conversation this many days after it ended (`src/privacy/retention.ts`): its
     * texts, the shared identity, the metadata and the visitor's id go; times, topic and agents
     * stay. Offline messages are deleted this many days after they were left. Unset: not
     * anonymised.
     */
    anonymiseAfterDays: z.number().int().positive().max(36_500).optional(),
    /**
     * Delete a conversation (transcript, identity, metadata) this many days after it was closed,
     * or after it was started while it is still open, and offline messages this many days after
     * they were left (unless `anonymiseAfterDays` deletes them first). Unset: kept until deleted
     * otherwise.
     */
    deleteAfterDays: z.number().int().positive().max(36_500).optional(),
  })
  .refine(
    (r) =>
      r.anonymiseAfterDays === undefined ||
      r.deleteAfterDays === undefined ||
      r.anonymiseAfterDays < r.deleteAfterDays,
    { message: 'anonymiseAfterDays must be before deleteAfterDays' },
  );

/**
 * Whether an http(s) URL is an origin only: no path but `/`, no query, fragment or user. Anything
 * but an http(s) URL passes here: the `z.url` check before it refuses that with its own message.
 */
function isOriginOnly(value: string): boolean {
  if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) return true;
  const url = new URL(value);
  return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
}

/**
 * A web origin a browser names in `Origin`: http(s), host and port. Any other URL's origin is
 * the string "null" (`file:`, `data:`, `javascript:`), which is also what a sandboxed frame or
 * a local file sends, so allowing it would admit every one of those; a path is dropped by the
 * browser, so writing one suggests a page-level rule that does not exist.
 */
const webOrigin = z
  .url({
    protocol: /^https?$/,
    error: 'expected an http:// or https:// origin, e.g. https://www.kommune.example',
  })
  .refine(isOriginOnly, 'expected an origin only (scheme, host and port), e.g. https://www.kommune.example')
  // URL takes `*` in a host, and CSP reads it as a wildcard: `https://*` in the widget's
  // `frame-ancestors` let every https site frame the chat, while the socket and the embedding
  // messages, which compare origins exactly, matched none of them.
  .refine(
    (value) => !URL.canParse(value) || !new URL(value).host.includes('*'),
    'no wildcards: list each origin that embeds the chat, e.g. https://www.kommune.example',
  );

const tenantSchema = z.strictObject({
  /** Tenant id; with more than one tenant the routes stand under `/t/{id}`. */
  id: slug,
  /** Organisation name shown to citizens ("who will receive your data"). */
  name: localizedText,
  /** Origins allowed to open the chat WebSocket and embed the widget. Default: the gateway's own. */
  allowedOrigins: z.array(webOrigin).default([]),
  /** Identity providers citizens can choose from. */
  providers: z.array(providerSchema).min(1),
  /** Staff login; without it the agent console is unavailable for this tenant. */
  staff: staffSchema.optional(),
  /** Chat topics. */
  topics: z.array(topicSchema).default([]),
  /**
   * Accept synthetic/test national identity numbers (Norwegian Tenor numbers, Finnish individual
   * numbers 900–999) as citizens. Default: accepted in development, refused in production
   * (`test_identity_refused`); set `true` for a production-mode test tenant, `false` to refuse
   * them in development too.
   */
  acceptTestIdentities: z.boolean().optional(),
  /**
   * Seconds after the visitor's last chat socket closed (tab closed, network gone) from which
   * the agent console shows their conversation as abandoned, at the end of its queue. A reload
   * reconnects within a second or two, so a short value does not flag reloads. Default 120.
   */
  abandonAfterSeconds: z.number().int().min(10).max(86_400).default(120),
  /** Privacy notice linked from the widget and the consent page. */
  privacyNoticeUrl: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  /** Metadata collected with each conversation; nothing by default. */
  metadata: metadataSchema.default({ ip: false, userAgent: false, pages: false, referrer: false }),
  /** How long transcripts are kept. Default: deleted after 45 days. */
  retention: retentionSchema.default({ deleteAfterDays: 45 }),
  /** Identity handed to the tenant's existing chat system (README: "Handing identity to an existing chat system"). */
  handoff: handoffSchema.default({ targets: [], oidcClients: [] }),
  /**
   * Staff roles that may open a conversation assigned to someone else (or to nobody); others get
   * `not_assigned`. Every such read of an identified conversation is audited. Default
   * `["supervisor", "admin"]`; `[]` lets only the assignee read.
   */
  transcriptReaders: z.array(z.enum(ROLES)).default(['supervisor', 'admin']),
  /**
   * Staff roles that may delete a conversation completely, with a reason, when a visitor wrote
   * sensitive data unprompted (`/staff/conversations/delete`). Every deletion is audited. Default
   * `["admin", "security"]`; `[]` turns targeted deletion off (retention still applies).
   */
  conversationDeleters: z.array(z.enum(ROLES)).default(['admin', 'security']),
  /**
   * Staff roles that may put a conversation under legal hold (kept as it is for a case: no
   * retention, no deletion, no erasure) and release it, with a reason
   * (`/staff/conversations/hold`). Every hold and release is audited. Default
   * `["admin", "security"]`; `[]`: nobody.
   */
  legalHolders: z.array(z.enum(ROLES)).default(['admin', 'security']),
  /**
   * A visitor may have the transcript of a closed conversation an agent answered sent to an
   * e-mail address they give (needs `mail`). Default false.
   */
  transcriptByEmail: z.boolean().default(false),
});

/**
 * Every duration below ends up in a timer (`setTimeout`, `setInterval`, the in-memory limiter's
 * expiry), which Node cannot hold beyond 2^31 ms (24.8 days): a longer one fires after 1 ms, so a
 * huge window would end each count at once and a huge heartbeat would ping every millisecond.
 * Each is therefore bounded, well inside that.
 */
const windowSeconds = z.number().int().min(1).max(86_400);

/** One HTTP rate limit: hits per client address and per session in a fixed window. */
function httpLimit(perAddress: number, perSession: number) {
  const defaults = { perAddress, perSession, windowSeconds: 60 };
  return z
    .strictObject({
      /** Requests per client address (`req.ip`, see `trustProxy`; an IPv6 client by its /64) in the window. */
      perAddress: z.number().int().positive().default(perAddress),
      /** Requests per session in the window. */
      perSession: z.number().int().positive().default(perSession),
      /** The window, in seconds (1–86400). Default 60. */
      windowSeconds: windowSeconds.default(60),
    })
    .default(defaults);
}

const CONVERSATION_STARTS = { perVisitor: 20, perAddress: 300, windowSeconds: 3600 };
const OFFLINE_MESSAGES = { perVisitor: 5, perAddress: 100, windowSeconds: 3600 };

/** A quota of what visitors store: per visitor and per client address in a fixed window. */
function visitorQuota(defaults: { perVisitor: number; perAddress: number; windowSeconds: number }) {
  return z
    .strictObject({
      /** Per visitor (its visitor id) in the window. */
      perVisitor: z.number().int().positive().default(defaults.perVisitor),
      /** Per client address (an IPv4 address, an IPv6 /64) in the window. */
      perAddress: z.number().int().positive().default(defaults.perAddress),
      /** The window, in seconds (1–86400). */
      windowSeconds: windowSeconds.default(defaults.windowSeconds),
    })
    .default(defaults);
}

const RATE_LIMIT_DEFAULTS = {
  login: { perAddress: 30, perSession: 10, windowSeconds: 60 },
  callback: { perAddress: 30, perSession: 10, windowSeconds: 60 },
  consent: { perAddress: 60, perSession: 20, windowSeconds: 60 },
  api: { perAddress: 600, perSession: 120, windowSeconds: 60 },
  pages: { perAddress: 600, perSession: 120, windowSeconds: 60 },
  newSessions: { perAddress: 300, windowSeconds: 600 },
  sockets: { perAddress: 1000, perSession: 30, windowSeconds: 60 },
};

/**
 * HTTP rate limits (429 `rate_limited` with `Retry-After`), counted in the store (in memory, or
 * in Redis across instances). Several people behind one address (an office, a school) share its
 * budget: the per-address defaults are generous, the per-session ones tighter.
 */
const rateLimitsSchema = z
  .strictObject({
    /** Login starts (`/auth/{provider}/login`, `/staff/login`, `/oidc/interaction/{uid}/login/{provider}`). Default 30 per address, 10 per session, per minute. */
    login: httpLimit(RATE_LIMIT_DEFAULTS.login.perAddress, RATE_LIMIT_DEFAULTS.login.perSession),
    /** Broker callbacks. Default 30 per address, 10 per session, per minute. */
    callback: httpLimit(RATE_LIMIT_DEFAULTS.callback.perAddress, RATE_LIMIT_DEFAULTS.callback.perSession),
    /** Consent page and decision (also `/oidc/interaction/{uid}/consent`), withdrawal, logout. Default 60 per address, 20 per session, per minute. */
    consent: httpLimit(RATE_LIMIT_DEFAULTS.consent.perAddress, RATE_LIMIT_DEFAULTS.consent.perSession),
    /** JSON APIs (`/api/session`, `/api/chat/bootstrap`, …). Default 600 per address, 120 per session, per minute. */
    api: httpLimit(RATE_LIMIT_DEFAULTS.api.perAddress, RATE_LIMIT_DEFAULTS.api.perSession),
    /** Every other request: page loads. Default 600 per address, 120 per session, per minute. */
    pages: httpLimit(RATE_LIMIT_DEFAULTS.pages.perAddress, RATE_LIMIT_DEFAULTS.pages.perSession),
    /**
     * Chat WebSocket upgrades (`/ws/visitor`, `/ws/agent`), which pass no other limit: a client
     * reconnecting in a loop. Default 1000 per address (everyone behind one NAT address
     * reconnecting after an instance restarted; counted across instances), 30 per session (counted on
     * each instance), per minute.
     */
    sockets: httpLimit(RATE_LIMIT_DEFAULTS.sockets.perAddress, RATE_LIMIT_DEFAULTS.sockets.perSession),
    /** New sessions one client address may create. Default 300 per 10 minutes. */
    newSessions: z
      .strictObject({
        perAddress: z.number().int().positive().default(RATE_LIMIT_DEFAULTS.newSessions.perAddress),
        windowSeconds: windowSeconds.default(RATE_LIMIT_DEFAULTS.newSessions.windowSeconds),
      })
      .default(RATE_LIMIT_DEFAULTS.newSessions),
  })
  .default(RATE_LIMIT_DEFAULTS);

/**
 * What is wrong with a Redis URL `z.url` let through, if anything: node-redis reads it again
 * itself and throws a bare `URIError` or `TypeError` at start-up for a user or password that
 * does not percent-decode (a generated password with `%`) or a path that is no database number,
 * and ignores a query (`?db=2`) without a word, connecting to database 0.
 */
function redisUrlProblem(redisUrl: string): string | undefined {
  if (!URL.canParse(redisUrl)) return undefined;
  const url = new URL(redisUrl);
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return 'percent-encode special characters in the user and password (% as %25, @ as %40)';
  }
  if (url.hostname === '') return 'expected a host, e.g. redis://redis.internal:6379';
  if (!/^(\/\d*)?$/.test(url.pathname))
    return 'the path is the database number, e.g. redis://redis.internal:6379/2, or none';
  if (url.search || url.hash)
    return 'no query or fragment: the database number goes in the path, credentials before the host';
  return undefined;
}

/** What is wrong with an SMTP URL the pattern let through, if anything. */
function smtpUrlProblem(smtpUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(smtpUrl);
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return 'not a valid URL (percent-encode special characters in the user and password; port 1 to 65535)';
  }
  if (url.protocol === 'smtp:' && url.port === '465') return 'port 465 is TLS from the start: use smtps://';
  return undefined;
}

export const configSchema = z
  .strictObject({
    /** External base URL of the gateway (redirect URIs are built from it). https in production. Default `http://localhost:{port}`. */
    // `new URL` also parses `localhost:3000` (scheme `localhost:`), which would only fail later,
    // with a stack trace, when the redirect URIs are registered at the mock IdP.
    publicUrl: z
      .url({
        protocol: /^https?$/,
        error: 'expected an http:// or https:// URL, e.g. https://chat.kommune.example',
      })
      // The gateway's routes, pages and static files stand at the root of its host: with a path
      // here the redirect URIs named it while the pages linked past it, and no login came back.
      .refine(
        isOriginOnly,
        'expected an origin only, e.g. https://chat.kommune.example: the gateway serves at the root of its host (no path, query or user)',
      )
      .default('http://localhost:3000'),
    /** Listening port; `PORT` overrides. Default 3000. */
    port: z.number().int().min(0).max(65535).default(3000),
    /** Listening address. Default `127.0.0.1`; use `0.0.0.0` in a container. */
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * Seconds an idle keep-alive connection is kept open for its client's next request (Node's
     * `keepAliveTimeout`, whose own default is 5). A load balancer that reuses its connections
     * to the gateway (AWS ALB: 60 s idle; nginx with upstream keepalive) must not find one closed
     * as it sends on it, or the client gets a 502 now and then: set this above the balancer's
     * idle timeout (65 behind an ALB). 1–600; default 5, for a gateway that clients reach directly.
     * @see https://nodejs.org/api/http.html#serverkeepalivetimeout
     */
    keepAliveSeconds: z.number().int().min(1).max(600).default(5),
    /**
     * Seconds between SIGTERM and closing: readiness answers 503 (`draining`) while the instance
     * still serves everything, so a load balancer (or Kubernetes, whose endpoints follow a pod's
     * termination with a delay) stops sending new connections before the listener closes and
     * they would be refused. 0–120; default 0 (close at once).
     */
    shutdownDrainSeconds: z.number().int().min(0).max(120).default(0),
    /** Express `trust proxy` (hops or subnet list) behind a load balancer. Default false. */
    trustProxy: trustProxySchema.default(false),
    /** pino level. `LOG_LEVEL` overrides. Default `info`. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Tolerated difference, in seconds, between a broker's clock and ours: an ID token issued
     * further in the future is refused (`id_token_invalid`), and openid-client allows as much
     * on `exp`/`nbf`. Default 60.
     */
    clockSkewSeconds: z.number().int().min(0).max(300).default(60),
    /** HTTP rate limits per client address and per session; see {@link rateLimitsSchema}. */
    rateLimits: rateLimitsSchema,
    /** Default language when Accept-Language names none we have. Default `en`. */
    defaultLanguage: z.enum(LANGUAGES).default('en'),
    session: z
      .strictObject({
        /** Secret signing the session cookie, ≥ 32 characters; `SESSION_SECRET` overrides. Required in production. */
        secret: z.string().min(32, 'expected at least 32 characters').optional(),
        /** Idle timeout, in minutes (1–1440). Default 30. */
        idleMinutes: z.number().int().min(1).max(1440).default(30),
        /** Pending login transactions expire after this, in minutes (1–60). Default 10. */
        loginTimeoutMinutes: z.number().int().min(1).max(60).default(10),
      })
      .default({ idleMinutes: 30, loginTimeoutMinutes: 10 }),
    store: z
      .strictObject({
        /** `memory` (single instance, development) or `redis`. `REDIS_URL` selects redis. */
        type: z.enum(['memory', 'redis']).default('memory'),
        /** Redis URL, e.g. `redis://127.0.0.1:6379` (`rediss://` for TLS). Required for `redis`. */
        // node-redis throws a bare `TypeError: Invalid protocol` at start-up for anything else.
        redisUrl: z
          .url({
            protocol: /^rediss?$/,
            error: 'expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
          })
          .optional(),
        /** Prefix of every Redis key. Default `gw:`. */
        keyPrefix: z.string().default('gw:'),
        /** Bound on connecting to Redis (TCP and handshake), in ms. Default 2000. */
        connectTimeoutMs: z.number().int().min(50).max(60_000).default(2_000),
        /**
         * How long Redis may leave a command unanswered, in ms, before the connection counts as
         * stalled and is dropped (a PING every half of it while connected): a request touching a
         * Redis that stops answering fails with 503 within about 1 to 1.5 times this. Default 1000.
         */
        commandTimeoutMs: z.number().int().min(10).max(60_000).default(1_000),
      })
      .default({ type: 'memory', keyPrefix: 'gw:', connectTimeoutMs: 2_000, commandTimeoutMs: 1_000 })
      .superRefine((s, ctx) => {
        const problem = s.redisUrl === undefined ? undefined : redisUrlProblem(s.redisUrl);
        if (problem) ctx.addIssue({ code: 'custom', path: ['redisUrl'], message: problem });
      })
      .refine((s) => s.type !== 'redis' || !!s.redisUrl, {
        message: 'redisUrl is required when type is "redis"',
        path: ['redisUrl'],
      })
      // Without type "redis" the memory store would start and the URL be read by nothing:
      // several instances would each keep their own sessions and chats.
      .refine((s) => s.type === 'redis' || !s.redisUrl, {
        message: 'unused while type is "memory": set type to "redis" (REDIS_URL sets both)',
        path: ['redisUrl'],
      }),
    /**
     * The gateway's private signing key (JWK, ES256 or RS256) for consent receipts and webhook
     * JWTs; its public part is served at `/.well-known/jwks.json`. Required in production;
     * in development an ephemeral key is generated.
     */
    signingKey: privateJwk.optional(),
    /**
     * Secret (≥ 32 characters) for the keyed blind index of national identity numbers and the
     * encryption of stored identity fields. Required in production; ephemeral in development.
     */
    dataKey: z.string().min(32, 'expected at least 32 characters').optional(),
    /** The gateway as OpenID Provider for chat systems (`tenants[].handoff.oidcClients`). */
    oidcProvider: oidcProviderSchema.default({
      idTokenSeconds: 300,
      accessTokenSeconds: 300,
      codeSeconds: 60,
    }),
    mockIdp: z
      .strictObject({
        /** Start the bundled mock IdP in-process (development only). Default false. */
        enabled: z.boolean().default(false),
        /** Its port; `MOCK_IDP_PORT` overrides. Default 3001. */
        port: z.number().int().min(0).max(65535).default(3001),
        /**
         * Test personas added to the built-in ones (one with a built-in's id replaces it), in the
         * standalone mock's format (`idp-mock/README.md`, "Personas"): e.g. more staff to try a
         * console with many agents. Default none.
         */
        personas: z
          .array(personaSchema)
          .max(1000)
          .default([])
          .superRefine((personas, ctx) => {
            personas.forEach((persona, i) => {
              if (personas.findIndex((other) => other.id === persona.id) !== i)
                ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'duplicate persona id' });
            });
          }),
      })
      .default({ enabled: false, port: 3001, personas: [] }),
    chat: z
      .strictObject({
        /** Frames per second one chat connection may send. Default 10 (a person types far slower). */
        connectionPerSecond: z.number().int().positive().default(10),
        /** Frames per second over all chat connections of one session (several tabs). Default 20. */
        sessionPerSecond: z.number().int().positive().default(20),
        /** Frames dropped within `dropWindowSeconds` after which a connection is closed (4429). Default 50. */
        maxDropped: z.number().int().positive().default(50),
        /** Window of `maxDropped`, in seconds (1–3600). Default 10. */
        dropWindowSeconds: z.number().int().min(1).max(3600).default(10),
        /** Chat sockets one session may hold open (tabs); more are refused with 429. Default 10. */
        socketsPerSession: z.number().int().positive().default(10),
        /**
         * Chat sockets one client address (an IPv4 address, an IPv6 /64) may hold open on one
         * instance, over all its sessions; more are refused with 429. Default 1000: a campus, a
         * library or an office behind one NAT address, not one host opening sockets for session
         * after session.
         */
        socketsPerAddress: z.number().int().positive().default(1000),
        /** Ping interval, in seconds (0.05–3600); sockets also re-check their session on each. Default 30. */
        heartbeatSeconds: z.number().min(0.05).max(3600).default(30),
        /**
         * How often each instance reads whether agents are online for the tenants it has
         * visitor sockets of, to tell open visitor pages when that changes (an `agents` frame):
         * one read per tenant and instance, not per visitor. A console connecting or leaving on
         * the instance is told at once; on another instance, or one that died (its agents'
         * presence lapsing), within this. In seconds (0.05–3600). Default 5.
         */
        availabilityCheckSeconds: z.number().min(0.05).max(3600).default(5),
        /**
         * New conversations (each one queued for the agents and stored) one visitor, and one
         * client address (an IPv6 /64), may start in the window, on every instance together;
         * more answer `conversation_limit`. Default 20 per visitor, 300 per address (a NAT), per hour.
         */
        conversationStarts: visitorQuota(CONVERSATION_STARTS),
        /**
         * Offline messages one visitor, and one client address, may leave in the window; more
         * answer `offline_message_limit`. Default 5 per visitor, 100 per address, per hour.
         */
        offlineMessages: visitorQuota(OFFLINE_MESSAGES),
        /**
         * Messages in one conversation after which the visitor can add none (`conversation_full`;
         * agents still can): the transcript sent whole in `welcome`, `resume` and `open` stays
         * bounded. Default 1000.
         */
        messagesPerConversation: z.number().int().positive().default(1000),
        /**
         * Frames per minute on one connection answered with a whole transcript (`resume`, `start`
         * of an open conversation); more answer `rate_limited`. Default 10.
         */
        transcriptsPerMinute: z.number().int().positive().default(10),
        /**
         * Queued conversations of one topic beyond which a new one is not started (`queue_full`):
         * every queue change sends the whole queue to each console. Default 500.
         */
        maxQueued: z.number().int().positive().default(500),
        /**
         * Conversations of one visitor waiting at once in all the tenant's queues together (per
         * tenant, not per topic: a flood spread over the topics is stopped too), applied once the
         * topic's queue is half full (`maxQueued` / 2: while it has room for everyone nobody is
         * refused); another start answers `too_many_queued` until one is taken or closed. A
         * visitor rarely has more than one or two waiting (one per topic at most). Default 2; at
         * most `maxQueuedPerAddress`.
         */
        maxQueuedPerVisitor: z.number().int().positive().default(2),
        /**
         * Conversations from one client network (an IPv4 address, an IPv6 /64; counted by a keyed
         * blind index of it) waiting at once in all the tenant's queues, applied once the topic's
         * queue is half full (`maxQueued` / 2); another start answers `too_many_queued`. Without
         * it two hosts holding sockets open, within their start quota, could keep the whole queue
         * for an hour; with it they fill half at most, and the other half is shared out. Default
         * 20 (a family or an office behind one NAT address waits side by side; raise it for a
         * campus). A start whose address is unknown meets only `maxQueuedPerVisitor`.
         */
        maxQueuedPerAddress: z.number().int().positive().default(20),
        /**
         * Minutes a queued conversation may wait with no chat socket of its visitor open on any
         * instance (tab closed, session lost, instance gone) before it is closed as abandoned:
         * nobody will come back to it, and it would hold a place of `maxQueued` for good. A
         * visitor reconnecting in time keeps it, an agent's transfer back into a queue counts
         * anew, and assigned conversations are never closed so. Checked at every heartbeat by
         * every instance (`src/chat/abandoned-queue.ts`). Default 10, 1–1440.
         */
        abandonedQueuedMinutes: z.number().int().min(1).max(1440).default(10),
      })
      .default({
        connectionPerSecond: 10,
        sessionPerSecond: 20,
        maxDropped: 50,
        dropWindowSeconds: 10,
        socketsPerSession: 10,
        socketsPerAddress: 1000,
        heartbeatSeconds: 30,
        availabilityCheckSeconds: 5,
        conversationStarts: CONVERSATION_STARTS,
        offlineMessages: OFFLINE_MESSAGES,
        messagesPerConversation: 1000,
        transcriptsPerMinute: 10,
        maxQueued: 500,
        maxQueuedPerVisitor: 2,
        maxQueuedPerAddress: 20,
        abandonedQueuedMinutes: 10,
      })
      .refine((c) => c.sessionPerSecond >= c.connectionPerSecond, {
        message: 'sessionPerSecond must be at least connectionPerSecond',
        path: ['sessionPerSecond'],
      })
      .refine((c) => c.socketsPerAddress >= c.socketsPerSession, {
        message: 'socketsPerAddress must be at least socketsPerSession',
        path: ['socketsPerAddress'],
      })
      .refine((c) => c.maxQueuedPerAddress >= c.maxQueuedPerVisitor, {
        message: 'maxQueuedPerAddress must be at least maxQueuedPerVisitor',
        path: ['maxQueuedPerAddress'],
      }),
    /**
     * How the gateway sends e-mail (a visitor's transcript, `tenants[].transcriptByEmail`).
     * Absent: no e-mail is sent and the feature is off.
     */
    mail: z
      .strictObject({
        /** Sender, e.g. `"Demo kommune <chat@kommune.example>"`. */
        // Any text was taken, and nodemailer finds no address in "Demo kommune": it sends the mail
        // with no From header and the empty sender of a bounce (MAIL FROM:<>), which servers
        // refuse or file as spam, so transcripts went missing with nothing said at start-up.
        from: z
          .string()
          .max(320)
          .regex(
            /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
            'expected an e-mail address, alone or as "Name <address>", e.g. "Demo kommune <chat@kommune.example>"',
          ),
        /**
         * SMTP server as a URL: `smtps://user:password@smtp.example:465` (TLS), or
         * `smtp://…:587` (STARTTLS, required in production). `SMTP_URL` overrides.
         */
        smtpUrl: z
          .string()
          .regex(
            /^smtps?:\/\/[^\s?#/]+\/?$/,
            'expected smtp:// or smtps:// with user, password, host and port only',
          )
          .optional(),
        /**
         * Development: each e-mail is written to this directory as an `.eml` file instead of
         * being sent (refused in production).
         */
        outboxDir: z.string().min(1).optional(),
        /** Bound on one SMTP delivery (connect, greeting, send), in ms. Default 10000. */
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .refine((m) => (m.smtpUrl === undefined) !== (m.outboxDir === undefined), {
        message: 'give exactly one of smtpUrl and outboxDir',
      })
      .superRefine((m, ctx) => {
        const problem = m.smtpUrl === undefined ? undefined : smtpUrlProblem(m.smtpUrl);
        if (problem) ctx.addIssue({ code: 'custom', path: ['smtpUrl'], message: problem });
      })
      .optional(),
    tenants: z.array(tenantSchema).min(1),
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    config.tenants.forEach((tenant, t) => {
      if (ids.has(tenant.id))
        ctx.addIssue({ code: 'custom', path: ['tenants', t, 'id'], message: 'duplicate id' });
      ids.add(tenant.id);
      if (tenant.transcriptByEmail && !config.mail) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', t, 'transcriptByEmail'],
          message: 'needs mail (smtpUrl, or outboxDir in development)',
        });
      }
      const providerIds = new Set<string>();
      tenant.providers.forEach((provider, p) => {
        if (providerIds.has(provider.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', t, 'providers', p, 'id'],
            message: 'duplicate id',
          });
        }
        providerIds.add(provider.id);
      });
      const topicIds = new Set<string>();
      tenant.topics.forEach((topic, i) => {
        if (topicIds.has(topic.id)) {
          ctx.addIssue({ code: 'custom', path: ['tenants', t, 'topics', i, 'id'], message: 'duplicate id' });
        }
        topicIds.add(topic.id);
      });
    });
    // A `mock:` issuer must name one the bundled mock IdP hosts; said against the provider's
    // own key (and with the tenant and provider ids) rather than at start-up, deep in discovery.
    config.tenants.forEach((tenant, t) => {
      const clients = [
        ...tenant.providers.map((p, i) => ({
          path: ['providers', i],
          label: `provider "${p.id}"`,
          issuer: p.issuer,
        })),
        ...(tenant.staff ? [{ path: ['staff'], label: 'staff login', issuer: tenant.staff.issuer }] : []),
      ];
      for (const client of clients) {
        if (!client.issuer.startsWith('mock:') || isIssuerId(client.issuer.slice('mock:'.length))) continue;
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', t, ...client.path, 'issuer'],
          message: `tenant "${tenant.id}", ${client.label}: "${client.issuer}" is not an issuer of the mock IdP (it hosts ${ISSUER_IDS.map((id) => `mock:${id}`).join(', ')})`,
        });
      }
    });
    const usesMock = config.tenants.some(
      (t) => t.providers.some((p) => p.issuer.startsWith('mock:')) || t.staff?.issuer.startsWith('mock:'),
    );
    // Port 0 picks a free port for each listener; any other shared port would be taken by the
    // mock IdP, which starts first, and reported as "already in use" for the gateway's own port.
    if (config.mockIdp.enabled && config.mockIdp.port !== 0 && config.mockIdp.port === config.port) {
      ctx.addIssue({
        code: 'custom',
        path: ['mockIdp', 'port'],
        message: `must differ from port (${config.port}): the mock IdP listens on a port of its own`,
      });
    }
    if (config.mockIdp.personas.length > 0 && !config.mockIdp.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['mockIdp', 'personas'],
        message: 'unused while the mock IdP is not enabled (mockIdp.enabled)',
      });
    }
    if (usesMock && !config.mockIdp.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['mockIdp', 'enabled'],
        message: 'must be true when an issuer is "mock:…"',
      });
    }
    // The provider's tokens end with its session, which lives as long as the gateway's idle
    // timeout: a longer access token would be issued with an expires_in it never reaches.
    const sessionSeconds = config.session.idleMinutes * 60;
    const issuesTokens = config.tenants.some((tenant) => tenant.handoff.oidcClients.length > 0);
    if (issuesTokens && config.oidcProvider.accessTokenSeconds > sessionSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['oidcProvider', 'accessTokenSeconds'],
        message: `must not exceed session.idleMinutes (${config.session.idleMinutes} min = ${sessionSeconds} s): the chat system's access tokens end with the citizen's session`,
      });
    }
  });

export type GatewayConfig = z.infer<typeof configSchema>;
export type TenantConfig = GatewayConfig['tenants'][number];
export type ProviderConfig = TenantConfig['providers'][number];
export type StaffConfig = NonNullable<TenantConfig['staff']>;
export type TopicConfig = TenantConfig['topics'][number];
export type LocalizedText = z.infer<typeof localizedText>;
export type StaffRole = (typeof ROLES)[number];
export type Language = (typeof LANGUAGES)[number];
export { LANGUAGES, ROLES };
