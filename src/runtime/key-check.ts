import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { GatewayConfig } from '../config/schema.js';
import { publicPartOf, signsAndVerifies } from './signing-keys.js';

/**
 * The configured private keys the gateway signs with besides its own `signingKey` and the broker
 * clients' keys (`OidcClients.loadClientKeys`): hand-off targets' RS256 keys and the OpenID
 * Provider's JWKS. Each is imported once at start-up; one that cannot be used is reported by its
 * setting, so start-up fails naming it instead of a hand-off failing at runtime; so is a public
 * key published beside one (`extraPublicJwks`) that cannot be imported, and a chat system's key
 * (`oidcClients[].jwks`) that cannot verify its client assertions.
 */
export async function unusableHandoffKeys(config: GatewayConfig): Promise<string[]> {
  const checks: Array<{ path: string; jwk: Record<string, unknown>; alg: string }> = [];
  const publicChecks: Array<{ path: string; jwk: Record<string, unknown> }> = [];
  const clientKeyProblems: string[] = [];
  config.tenants.forEach((tenant, t) => {
    tenant.handoff.oidcClients.forEach((client, c) => {
      client.jwks?.keys.forEach((jwk, k) => {
        const problem = clientPublicKeyProblem(jwk);
        if (problem)
          clientKeyProblems.push(
            `tenants.${t}.handoff.oidcClients.${c}.jwks.keys.${k}: not a usable public key (${problem})`,
          );
      });
    });
    tenant.handoff.targets.forEach((target, i) => {
      if ('privateKeyJwk' in target && target.privateKeyJwk) {
        checks.push({
          path: `tenants.${t}.handoff.targets.${i}.privateKeyJwk`,
          jwk: target.privateKeyJwk,
          alg: 'RS256',
        });
      }
      if ('extraPublicJwks' in target) {
        target.extraPublicJwks.forEach((jwk, k) => {
          publicChecks.push({ path: `tenants.${t}.handoff.targets.${i}.extraPublicJwks.${k}`, jwk });
        });
      }
    });
  });
  config.oidcProvider.jwks?.keys.forEach((jwk, k) => {
    checks.push({ path: `oidcProvider.jwks.keys.${k}`, jwk, alg: jwk.kty === 'EC' ? 'ES256' : 'RS256' });
  });
  const problems: string[] = [];
  for (const { path, jwk, alg } of checks) {
    try {
      await signsAndVerifies(jwk as JWK, alg);
    } catch (error) {
      problems.push(`${path}: not a usable private key (${error instanceof Error ? error.message : error})`);
    }
  }
  for (const { path, jwk } of publicChecks) {
    const problem = rsaPublicKeyProblem(jwk);
    if (problem) problems.push(`${path}: not a usable RSA public key (${problem})`);
  }
  return [...clientKeyProblems, ...problems];
}

/** Members of a JWK that hold a secret (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Why a chat system's key (its `jwks` for `private_key_jwt`) cannot verify its client assertions,
 * if it cannot: a secret member (its key pair or a shared secret pasted in: the private key
 * belongs to the chat system alone, and oidc-provider refuses such a client at every request), not
 * an importable public key, or one no algorithm the provider accepts for client assertions fits
 * (RSA of 2048 bits or more, EC P-256, Ed25519).
 * @see RFC 7523 §3 (the assertion's signature), RFC 7517 §4 (JWK members)
 */
function clientPublicKeyProblem(jwk: Record<string, unknown>): string | undefined {
  const secret = SECRET_MEMBERS.filter((member) => member in jwk);
  if (secret.length > 0)
    return `has the private or secret member ${secret.join(', ')}: give the public key only`;
  if (jwk.kty === 'RSA') return rsaPublicKeyProblem(jwk);
  try {
    const details = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails;
    const usable =
      (jwk.kty === 'EC' && details?.namedCurve === 'prime256v1') ||
      (jwk.kty === 'OKP' && jwk.crv === 'Ed25519');
    return usable ? undefined : `a ${String(jwk.kty)} key on ${String(jwk.crv)}, not P-256 or Ed25519`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Why a public RSA JWK cannot verify RS256 tokens, if it cannot: not importable, or a modulus
 * under 2048 bits (jose, like the vendors, refuses to verify with one).
 */
function rsaPublicKeyProblem(jwk: Record<string, unknown>): string | undefined {
  try {
    const bits = createPublicKey({ key: publicPartOf(jwk as JWK) as JsonWebKey, format: 'jwk' })
      .asymmetricKeyDetails?.modulusLength;
    return bits !== undefined && bits >= 2048 ? undefined : `a modulus of ${bits ?? 0} bits, under 2048`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
