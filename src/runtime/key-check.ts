import type { JWK } from 'jose';
import type { GatewayConfig } from '../config/schema.js';
import { signsAndVerifies } from './signing-keys.js';

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
