import { z } from 'zod';
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
  .default({});

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
});

/** Ninchat secure metadata (JWE, `alg: dir`, `enc: A256GCM`). */
const ninchatTarget = z.strictObject({
  vendor: z.literal('ninchat'),
  ...common,
  ...mayReceiveNationalId,
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

export const handoffTargetSchema = z.discriminatedUnion('vendor', [
  zendeskTarget,
  salesforceTarget,
  ninchatTarget,
  omnichannelTarget,
  chatwootTarget,
]);

export const handoffSchema = z
  .strictObject({
    /** Chat systems the host page may obtain a signed identity credential for. Default none. */
    targets: z.array(handoffTargetSchema).default([]),
  })
  .superRefine((handoff, ctx) => {
    const ids = new Set<string>();
    handoff.targets.forEach((target, i) => {
      if (ids.has(target.id))
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: 'duplicate id' });
      ids.add(target.id);
    });
  });

export type HandoffConfig = z.infer<typeof handoffSchema>;
export type HandoffTargetConfig = z.infer<typeof handoffTargetSchema>;
export type HandoffVendor = HandoffTargetConfig['vendor'];
export type HandoffFieldNames = z.infer<typeof fieldNames>;
