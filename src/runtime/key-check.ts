import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import type { GatewayConfig } from '../config/schema.js';
import { publicPartOf } from './signing-keys.js';

/**
 * The configured private keys the gateway signs with besides its own `signingKey` and the broker
 * clients' keys (`OidcClients.loadClientKeys`): hand-off targets' RS256 keys and the OpenID
 * Provider's JWKS. Each is imported once at start-up; one that cannot be used is reported by its
 * setting, so start-up fails naming it instead of a hand-off failing at runtime.
 */
export async function unusableHandoffKeys(config: GatewayConfig): Promise<string[]> {
  const checks: Array<{ path: string; jwk: Record<string, unknown>; alg: string }> = [];
  config.tenants.forEach((tenant, t) => {
    tenant.handoff.targets.forEach((target, i) => {
      if ('privateKeyJwk' in target && target.privateKeyJwk) {
        checks.push({
          path: `tenants.${t}.handoff.targets.${i}.privateKeyJwk`,
          jwk: target.privateKeyJwk,
          alg: 'RS256',
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
  return problems;
}

/**
 * Signs a probe with the key and verifies it with its public part (what the gateway publishes).
 * Importing alone lets through keys jose refuses to sign with (RSA under 2048 bits) and a
 * private part that does not belong to the published public one: every token would fail later.
 */
async function signsAndVerifies(jwk: JWK, alg: string): Promise<void> {
  const probe = await new CompactSign(new TextEncoder().encode('key check'))
    .setProtectedHeader({ alg })
    .sign(await importJWK(jwk, alg));
  await compactVerify(probe, await importJWK(publicPartOf(jwk), alg));
}
