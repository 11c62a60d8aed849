import { createHmac } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  importSPKI,
  type JSONWebKeySet,
  type JWTPayload,
  jwtDecrypt,
  jwtVerify,
} from 'jose';

/**
 * Verifiers written from each vendor's public documentation (not from the gateway's code): what
 * the chat system checks before it trusts a token. Each enforces the documented algorithm,
 * header, required claims and lifetime, and throws when anything is off.
 */

function fail(message: string): never {
  throw new Error(message);
}

/** Claims Zendesk documents for a messaging JWT; anything else is unexpected. */
const ZENDESK_CLAIMS = new Set(['external_id', 'scope', 'name', 'email', 'email_verified', 'exp', 'iat']);

/**
 * Zendesk messaging: HS256 with the signing key's secret, `kid` = key id, `scope: "user"`,
 * `external_id` required, `exp` recommended (required here: the gateway's tokens must expire).
 * @see developer.zendesk.com → Enabling authenticated visitors in the Web Widget
 */
export async function verifyZendesk(
  token: string,
  options: { secret: string; keyId: string; now: Date },
): Promise<JWTPayload> {
  const header = decodeProtectedHeader(token);
  if (header.kid !== options.keyId) fail(`kid ${String(header.kid)} is not the signing key id`);
  const { payload } = await jwtVerify(token, new TextEncoder().encode(options.secret), {
    algorithms: ['HS256'],
    requiredClaims: ['exp'],
    currentDate: options.now,
  });
  if (payload.scope !== 'user') fail('scope must be "user"');
  if (typeof payload.external_id !== 'string' || payload.external_id === '') fail('external_id missing');
  for (const claim of Object.keys(payload)) if (!ZENDESK_CLAIMS.has(claim)) fail(`unexpected claim ${claim}`);
  return payload;
}

/**
 * Salesforce user verification: RS256 or RS512 with a key of the keyset (by `kid`), `iss` equal
 * to the keyset's issuer, `sub` and `exp` required.
 * @see help.salesforce.com → Token-based user verification for Messaging for In-App and Web
 */
export async function verifySalesforce(
  token: string,
  options: { jwks: JSONWebKeySet; issuer: string; now: Date },
): Promise<JWTPayload> {
  const header = decodeProtectedHeader(token);
  if (typeof header.kid !== 'string') fail('kid missing');
  const { payload } = await jwtVerify(token, createLocalJWKSet(options.jwks), {
    algorithms: ['RS256', 'RS512'],
    issuer: options.issuer,
    requiredClaims: ['iss', 'sub', 'exp'],
    currentDate: options.now,
  });
  return payload;
}

/**
 * Ninchat secure metadata: a JWE (not a JWS) with `alg: dir`, `enc: A256GCM`, `kid` = master key
 * id, key = base64-decoded master key secret; `exp` required and within one week; the metadata
 * object in claim `ninchat.com/metadata`.
 * @see github.com/ninchat/ninchat-api master/jwt.md
 */
export async function verifyNinchat(
  token: string,
  options: { masterKeyId: string; masterKeySecret: string; now: Date },
): Promise<Record<string, unknown>> {
  if (token.split('.').length !== 5) fail('not a compact JWE');
  const header = decodeProtectedHeader(token);
  if (header.kid !== options.masterKeyId) fail('kid is not the master key id');
  const { payload } = await jwtDecrypt(token, Buffer.from(options.masterKeySecret, 'base64'), {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: ['A256GCM'],
    requiredClaims: ['exp'],
    currentDate: options.now,
  });
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  if ((payload.exp ?? 0) - nowSeconds > 7 * 24 * 3600) fail('exp is more than a week away');
  const metadata = payload['ninchat.com/metadata'];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) fail('metadata missing');
  return metadata as Record<string, unknown>;
}

/**
 * Omnichannel chat authentication: a JWT signed with the key published at the "Public key URL"
 * (PEM); `sub`, `iss`, `iat`, `exp`, `nbf` present; `lwicontexts` a JSON string of primitives.
 * @see learn.microsoft.com → setAuthTokenProvider; Create chat authentication settings
 */
export async function verifyOmnichannel(
  token: string,
  options: { publicKeyPem: string; now: Date },
): Promise<{ payload: JWTPayload; context: Record<string, string | number | boolean> }> {
  const header = decodeProtectedHeader(token);
  const alg = header.alg ?? fail('alg missing');
  const key = await importSPKI(options.publicKeyPem, alg);
  const { payload } = await jwtVerify(token, key, {
    algorithms: ['RS256'],
    requiredClaims: ['sub', 'iss', 'iat', 'exp', 'nbf'],
    currentDate: options.now,
  });
  if (typeof payload.lwicontexts !== 'string') fail('lwicontexts must be a serialised JSON string');
  const context = JSON.parse(payload.lwicontexts) as Record<string, unknown>;
  for (const [key, value] of Object.entries(context)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) fail(`context ${key} is not a primitive`);
  }
  return { payload, context: context as Record<string, string | number | boolean> };
}

/**
 * Chatwoot identity validation: `identifier_hash` = hex HMAC-SHA256 of the identifier keyed with
 * the inbox's HMAC token.
 * @see github.com/chatwoot/docs identity-validation.md
 */
export function verifyChatwoot(fields: Record<string, unknown>, hmacToken: string): void {
  const { identifier, identifier_hash: hash } = fields;
  if (typeof identifier !== 'string' || identifier === '') fail('identifier missing');
  const expected = createHmac('sha256', hmacToken).update(identifier).digest('hex');
  if (hash !== expected) fail('identifier_hash does not match');
}

/**
 * Intercom Messenger security: a JWT signed HS256 with the Messenger API secret; `user_id`
 * required (a token without it is refused), `exp` optional for Intercom (required here: the
 * gateway's tokens must expire). Other payload keys are user attributes.
 * @see developers.intercom.com → Secure your Messenger (identity verification)
 */
export async function verifyIntercom(
  token: string,
  options: { secret: string; now: Date },
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, new TextEncoder().encode(options.secret), {
    algorithms: ['HS256'],
    requiredClaims: ['exp'],
    currentDate: options.now,
  });
  if (typeof payload.user_id !== 'string' || payload.user_id === '') fail('user_id missing');
  return payload;
}
