import { z } from 'zod';
import { SHAREABLE_CLAIMS } from '../identity/verified-identity.js';
import { checkClientAuth } from './client-auth.js';
import { isLoopbackUrl } from './loopback.js';
import { slug } from './slug.js';

/**
 * Configuration of the identity hand-off to a tenant's existing chat system (`tenants[].handoff`):
 * the vendor-token targets (`targets`) the host page may obtain a credential for. Part of the one
 * configuration schema (`./schema.ts`); documented in the README's settings reference.
 */

/** A private RSA JWK (RS256 signing), e.g. `{ "$env": "SF_KEY", "json": true }`. */
const rsaPrivateJwk = z.looseObject({
  kty: z.literal('RSA'),
  n: z.string().min(1),
  e: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1).optional(),
});

/**
 * A public RSA JWK published beside a target's signing key (a private one may be given: only
 * its public members are published).
 */
const rsaPublicJwk = z.looseObject({
  kty: z.literal('RSA'),
  n: z.string().min(1),
  e: z.string().min(1),
  kid: z.string().min(1).optional(),
});

/** A private signing JWK of the OpenID Provider. */
const privateSigningJwk = z.looseObject({
  kty: z.enum(['RSA', 'EC']),
  d: z.string().min(1),
  kid: z.string().min(1).optional(),
});

/** Default names of the released fields, where the tenant names none (`fieldNames`). */
export const DEFAULT_FIELD_NAMES = {
  name: 'verified_name',
  birthDate: 'verified_birth_date',
  nationalId: 'national_id',
  loa: 'loa',
  provider: 'eid_provider',
} as const;

/**
 * Names under which the released claims reach the chat system (context variables, metadata
 * keys, custom attributes). Only ticked claims are ever sent; a claim without a name here uses
 * the default (`verified_name`, `verified_birth_date`, `national_id`, `loa`, `eid_provider`).
 */
const fieldNames = z
  .strictObject({
    name: z.string().min(1).max(100).optional(),
    birthDate: z.string().min(1).max(100).optional(),
    nationalId: z.string().min(1).max(100).optional(),
    loa: z.string().min(1).max(100).optional(),
    provider: z.string().min(1).max(100).optional(),
  })
  .default({})
  .superRefine((names, ctx) => {
    // One object carries them all: two fields under one name would leave one value under the
    // other's label (the national id where the agent expects the name, outside a masking rule).
    const fieldOf = new Map<string, string>();
    for (const field of Object.keys(DEFAULT_FIELD_NAMES) as Array<keyof typeof DEFAULT_FIELD_NAMES>) {
      const name = names[field] ?? DEFAULT_FIELD_NAMES[field];
      const other = fieldOf.get(name);
      if (other) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `"${name}" is already the name of ${other}: each released field needs a name of its own`,
        });
      }
      fieldOf.set(name, field);
    }
  });

/** Ninchat's metadata holds the pseudonymous subject beside the fields, under `subject`. */
const ninchatFieldNames = fieldNames.refine(
  (names) => !Object.values(names).includes('subject'),
  'a field may not be named "subject": the metadata carries the pseudonymous subject under it',
);

const common = {
  /** Id used in URLs: `POST /api/handoff/{id}/token`. */
  id: slug,
  /** Name of the chat system shown to citizens as a recipient, e.g. "Zendesk (kundeservice)". */
  label: z.string().min(1).max(100),
  /** Lifetime of a credential in seconds. Default 300 (5 minutes), at most 3600. */
  lifetimeSeconds: z.number().int().min(30).max(3600).default(300),
};

/** Targets that can carry the national identity number may be allowed to receive it. */
const mayReceiveNationalId = {
  /**
   * Release the national identity number to this target when the citizen ticked it. Default
   * false: only allow it where the vendor can mask it from agents who do not need it.
   */
  releaseNationalId: z.boolean().default(false),
  fieldNames,
};

/** Zendesk messaging: `zE('messenger', 'loginUser', cb => cb(jwt))`. */
const zendeskTarget = z.strictObject({
  vendor: z.literal('zendesk'),
  ...common,
  /** The signing key's id ("key ID" in Admin Center, `app_…`): the JWT's `kid`. */
  keyId: z.string().min(1),
  /** The signing key's shared secret (use `{ "$env": "NAME" }`). */
  secret: z.string().min(16, 'expected the shared secret from Admin Center'),
});

/** Salesforce Enhanced Chat (Messaging for In-App and Web) token-based user verification. */
const salesforceTarget = z.strictObject({
  vendor: z.literal('salesforce'),
  ...common,
  /** `iss` of the JWTs: the "Issuer" of the keyset configured in Salesforce. Default the tenant's URL. */
  issuer: z.string().min(1).optional(),
  /** Private RSA key signing the JWTs (RS256); its public part is served as a JWKS URL. */
  privateKeyJwk: rsaPrivateJwk,
  /**
   * Further RSA keys published at the JWKS URL beside the signing key, for a rotation without a
   * refused token: the next key before it signs (Salesforce may hold the keyset it fetched), the
   * previous one until its last token has expired (`lifetimeSeconds`). Default none.
   */
  extraPublicJwks: z.array(rsaPublicJwk).max(5).default([]),
});

/** Ninchat secure metadata (JWE, `alg: dir`, `enc: A256GCM`). */
const ninchatTarget = z.strictObject({
  vendor: z.literal('ninchat'),
  ...common,
  ...mayReceiveNationalId,
  fieldNames: ninchatFieldNames,
  /** The master key id (`kid` of the JWE). */
  masterKeyId: z.string().min(1),
  /** The master key secret as Ninchat gives it: base64 of 32 bytes (use `{ "$env": "NAME" }`). */
  // (A regular expression, not Buffer: the browser bundle's typecheck reads this schema too.)
  masterKeySecret: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected base64 of a 32-byte key'),
});

/** Microsoft Dynamics 365 Omnichannel (Customer Service) chat authentication. */
const omnichannelTarget = z.strictObject({
  vendor: z.literal('omnichannel'),
  ...common,
  ...mayReceiveNationalId,
  /** `iss` of the JWTs (Microsoft's examples use the site's domain). Default the tenant's URL. */
  issuer: z.string().min(1).optional(),
  /** Private RSA key signing the JWTs (RS256); its public part is served as the "Public key URL". */
  privateKeyJwk: rsaPrivateJwk,
});

/** Chatwoot website inbox identity validation (`identifier_hash`). */
const chatwootTarget = z.strictObject({
  vendor: z.literal('chatwoot'),
  ...common,
  ...mayReceiveNationalId,
  /** The inbox's `hmac_token` (Settings → Inboxes → Configuration → Identity validation). */
  hmacToken: z.string().min(16, 'expected the inbox HMAC token'),
});

/**
 * Keys of an Intercom Messenger JWT's payload that are not custom data attributes: the JWT's
 * own claims and Intercom's standard user attributes. A released field under one of them would
 * overwrite the subject or the name, or be read as the token's lifetime.
 */
const INTERCOM_RESERVED = [
  'user_id',
  'email',
  'phone',
  'name',
  'exp',
  'iat',
  'nbf',
  'iss',
  'sub',
  'aud',
  'jti',
];

/** Intercom's custom attributes sit beside `user_id`, `name` and `exp` in the payload. */
const intercomFieldNames = fieldNames.superRefine((names, ctx) => {
  for (const [field, name] of Object.entries(names)) {
    if (INTERCOM_RESERVED.includes(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `"${name}" is a key Intercom's JWT already uses: name the field as one of your custom data attributes`,
      });
    }
  }
});

/** Intercom Messenger security: `intercomSettings.intercom_user_jwt` (HS256). */
const intercomTarget = z.strictObject({
  vendor: z.literal('intercom'),
  ...common,
  ...mayReceiveNationalId,
  fieldNames: intercomFieldNames,
  /** The Messenger API secret (Settings → Messenger → Security; use `{ "$env": "NAME" }`). */
  secret: z.string().min(16, 'expected the Messenger API secret from the Messenger security settings'),
});

export const handoffTargetSchema = z.discriminatedUnion('vendor', [
  zendeskTarget,
  salesforceTarget,
  ninchatTarget,
  omnichannelTarget,
  chatwootTarget,
  intercomTarget,
]);

/** Redirect targets of a relying party: https, or http on loopback (development). */
const rpUrl = z
  .url()
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(value));
  }, 'expected an https URL (http only on loopback)')
  .refine((value) => !new URL(value).hash, 'must not contain a fragment');

/**
 * A chat system that logs citizens in through the gateway acting as its OpenID Provider
 * (Puzzel Secure Chat, Genesys authenticated web messaging, …).
 */
const oidcClientSchema = z
  .strictObject({
    /** `client_id` the chat system is configured with. */
    clientId: z.string().min(1).max(200),
    /** Name of the chat system shown on the consent page as a recipient, e.g. "Puzzel". */
    label: z.string().min(1).max(100),
    /** Client secret for the `client_secret_*` methods (use `{ "$env": "NAME" }`), ≥ 32 characters. */
    clientSecret: z.string().min(32, 'expected at least 32 characters').optional(),
    /** Token endpoint authentication. Default `client_secret_basic`. */
    clientAuth: z
      .enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt'])
      .default('client_secret_basic'),
    /** Public keys of the chat system for `private_key_jwt`. */
    jwks: z.strictObject({ keys: z.array(z.looseObject({ kty: z.string() })).min(1) }).optional(),
    /** Exact redirect URIs (code flow). */
    redirectUris: z.array(rpUrl).min(1),
    /** Where RP-initiated logout may return to. Default none. */
    postLogoutRedirectUris: z.array(rpUrl).default([]),
    /**
     * Claims that may ever be released to this chat system, whatever the citizen ticks. Default
     * `["name"]`; `nationalId` only where the chat system masks it from agents who need not see it.
     */
    releasableClaims: z.array(z.enum(SHAREABLE_CLAIMS)).default(['name']),
    /**
     * `pairwise` (default): a `sub` of its own for this chat system; `public`: one pseudonymous
     * `sub` per tenant shared by every `public` client. Never the national identity number.
     */
    subjectType: z.enum(['pairwise', 'public']).default('pairwise'),
  })
  .superRefine((client, ctx) => {
    checkClientAuth(client, ctx, 'jwks');
    // oidc-provider derives a pairwise client's sector from its redirect URIs' host.
    if (
      client.subjectType === 'pairwise' &&
      new Set(client.redirectUris.map((u) => new URL(u).host)).size > 1
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['redirectUris'],
        message: 'a pairwise client must keep all redirect URIs on one host',
      });
    }
  });

export const handoffSchema = z
  .strictObject({
    /** Chat systems the host page may obtain a signed identity credential for. Default none. */
    targets: z.array(handoffTargetSchema).default([]),
    /** Chat systems that log citizens in through the gateway as OpenID Provider. Default none. */
    oidcClients: z.array(oidcClientSchema).default([]),
  })
  .superRefine((handoff, ctx) => {
    const ids = new Set<string>();
    handoff.targets.forEach((target, i) => {
      if (ids.has(target.id))
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: 'duplicate id' });
      ids.add(target.id);
    });
    const clientIds = new Set<string>();
    handoff.oidcClients.forEach((client, i) => {
      if (clientIds.has(client.clientId)) {
        ctx.addIssue({ code: 'custom', path: ['oidcClients', i, 'clientId'], message: 'duplicate clientId' });
      }
      clientIds.add(client.clientId);
    });
  });

/**
 * The gateway as OpenID Provider (top-level `oidcProvider`): its signing keys and lifetimes,
 * used by tenants with `handoff.oidcClients`.
 */
export const oidcProviderSchema = z.strictObject({
  /**
   * Private signing keys as a JWKS (RSA → RS256, EC P-256 → ES256), e.g. `{ "$env": "OIDC_KEYS",
   * "json": true }`. The first key signs; the others stay published so tokens signed before a
   * rotation still verify (rotate: put the new key first, drop the old one after the longest
   * token lifetime). Required in production; ephemeral in development.
   */
  jwks: z.strictObject({ keys: z.array(privateSigningJwk).min(1) }).optional(),
  /** ID token lifetime in seconds. Default 300. */
  idTokenSeconds: z.number().int().min(30).max(3600).default(300),
  /** Access token (userinfo) lifetime in seconds. Default 300. */
  accessTokenSeconds: z.number().int().min(30).max(3600).default(300),
  /** Authorization code lifetime in seconds. Default 60. */
  codeSeconds: z.number().int().min(10).max(600).default(60),
});

export type HandoffConfig = z.infer<typeof handoffSchema>;
export type HandoffTargetConfig = z.infer<typeof handoffTargetSchema>;
export type HandoffVendor = HandoffTargetConfig['vendor'];
export type OidcClientConfig = z.infer<typeof oidcClientSchema>;
export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;
export type HandoffFieldNames = z.infer<typeof fieldNames>;
