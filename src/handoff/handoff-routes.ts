import type { Router } from 'express';
import { exportSPKI, importJWK, type JWK, type KeyObject } from 'jose';
import { issueReceipt } from '../auth/consent-receipts.js';
import { readSharedIdentity } from '../auth/session-state.js';
import type { HandoffTargetConfig } from '../config/handoff-schema.js';
import type { GatewayDeps } from '../deps.js';
import { readOnlyGet } from '../http/allowed-methods.js';
import { verifyCsrf } from '../http/csrf.js';
import { GatewayError } from '../http/errors.js';
import { exactRouter } from '../http/exact-router.js';
import { jsonBody } from '../http/json-body.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import { releasedClaimNames, releasedClaims } from './release-policy.js';
import type { HandoffTarget } from './targets/handoff-target.js';
import { createTarget } from './targets/registry.js';

/**
 * The vendor-token hand-off of one tenant (paths relative to its base path):
 * `POST /api/handoff/{target}/token` answers the host page a short-lived credential in the
 * target's format for the identity the citizen opted in to share (CSRF token and Origin
 * checked, `Cache-Control: no-store`), and keeps a consent receipt naming the recipient;
 * `GET /api/handoff/{target}/jwks.json` publishes the public key of RS256 targets.
 * @see README.md, "Handing identity to an existing chat system"
 */
export function handoffRoutes(deps: GatewayDeps, tenant: TenantContext): Router {
  const router = exactRouter();
  const targets = new Map<string, { config: HandoffTargetConfig; target: HandoffTarget }>(
    tenant.config.handoff.targets.map((config) => [config.id, { config, target: createTarget(config) }]),
  );
  const find = (id: unknown) => {
    const entry = typeof id === 'string' ? targets.get(id) : undefined;
    if (!entry)
      throw new GatewayError('handoff_target_unknown', 'No such chat system is configured.', { status: 404 });
    return entry;
  };
  const json = jsonBody('1kb');
  const csrf = verifyCsrf((req) => req.tenant.allowedOrigins);

  router.post('/api/handoff/:target/token', json, csrf, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const { config, target } = find(req.params.target);
    const tenantId = tenant.config.id;
    const shared = readSharedIdentity(req.session, tenantId, deps.fieldCrypto);
    if (!shared) {
      throw new GatewayError(
        'handoff_not_shared',
        'Identify and choose what to share before your identity can be handed to the chat.',
        { status: 409 },
      );
    }
    const claims = releasedClaims(shared, {
      nationalIdAllowed: 'releaseNationalId' in config && config.releaseNationalId,
      carried: target.carries,
    });
    const credential = await target.issue({
      subject: deps.fieldCrypto.pseudonym(`handoff:${tenantId}:${config.id}`, shared.subjectIndex),
      claims,
      loa: shared.loa,
      acr: shared.acr,
      provider: shared.provider,
      country: shared.country,
      tenantUrl: tenant.baseUrl,
      now: Math.floor(deps.clock.now() / 1000),
    });
    await issueReceipt(
      { store: deps.store, signingKeys: deps.signingKeys, clock: deps.clock, issuer: deps.config.publicUrl },
      {
        tenantId,
        decision: 'released',
        provider: shared.provider,
        loa: shared.loa,
        acr: shared.acr,
        claims: releasedClaimNames(claims),
        subjectIndex: shared.subjectIndex,
        recipient: { kind: 'vendor-token', id: config.id, name: config.label },
      },
    );
    req.log.info({ tenant: tenantId, target: config.id, vendor: config.vendor }, 'identity handed off');
    res.json({ target: config.id, vendor: config.vendor, ...credential });
  });

  const publicJwks = async (id: unknown) => {
    const { target } = find(id);
    if (!target.publicJwks) {
      throw new GatewayError('handoff_no_keys', 'This chat system verifies no public key.', { status: 404 });
    }
    return target.publicJwks();
  };

  readOnlyGet(router, '/api/handoff/:target/jwks.json', async (req, res) => {
    const jwks = await publicJwks(req.params.target);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(jwks);
  });

  // Omnichannel's "Public key URL" expects the key as PEM (SubjectPublicKeyInfo), not a JWKS.
  readOnlyGet(router, '/api/handoff/:target/public-key.pem', async (req, res) => {
    const [jwk] = (await publicJwks(req.params.target)).keys;
    if (!jwk)
      throw new GatewayError('handoff_no_keys', 'This chat system verifies no public key.', { status: 404 });
    const key = (await importJWK(jwk as JWK, 'RS256', { extractable: true })) as KeyObject;
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/x-pem-file').send(await exportSPKI(key));
  });

  return router;
}
