import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { GatewayConfig } from '../config/schema.js';
import { publicPartOf, signsAndVerifies } from './signing-keys.js';

/**
 * The configured private keys the gateway signs with besides its own `signingKey` and the broker
 * clients' keys (`OidcClients.loadClientKeys`): hand-off targets' RS256 keys and the OpenID
 * Provider's JWKS. Each is imported once at start-up; one that cannot be used is reported by its
 * setting, so start-up fails naming it instead of a hand-off failing at runtime; so is a public
 * key published beside one (`extraPublicJwks`) that cannot be imported.
 */
export async function unusableHandoffKeys(config: GatewayConfig): Promise<string[]> {
  const checks: Array<{ path: string; jwk: Record<string, unknown>; alg: string }> = [];
  const publicChecks: Array<{ path: string; jwk: Record<string, unknown> }> = [];
  config.tenants.forEach((tenant, t) => {
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
  return problems;
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
