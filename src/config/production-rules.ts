import { guessableSecret } from './guessable-secret.js';
import { isLoopbackUrl } from './loopback.js';
import { type GatewayConfig, ROLES } from './schema.js';
import { overbroadProxySubnets } from './trust-proxy.js';

/**
 * The client secret of the demo configuration (`config/default.json`, `config/idp-mock.json`),
 * public in this repository: a configuration copied from the demo keeps it.
 */
const DEMO_CLIENT_SECRET = 'demo-secret-not-for-production';

/** Log levels above `info`, which would leave out the audit lines. */
const AUDIT_DROPPING_LEVELS: readonly string[] = ['warn', 'error', 'fatal', 'silent'];

/**
 * Settings that are acceptable for local development but never in production. In production
 * each `errors` entry stops start-up; in development they are logged as warnings.
 */
export function productionProblems(config: GatewayConfig): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (config.mockIdp.enabled)
    errors.push(
      "mockIdp.enabled: the mock IdP must not run in production: set it to false, and give each provider its broker's issuer",
    );
  if (config.mail?.outboxDir)
    errors.push(
      'mail.outboxDir: e-mails (transcripts) would be written to disk instead of sent: set mail.smtpUrl (or SMTP_URL) in its place',
    );
  if (!config.session.secret)
    errors.push(
      'session.secret: required (set SESSION_SECRET, the same on every instance, e.g. from `openssl rand -base64 32`); development uses a random one',
    );
  if (!isHttps(config.publicUrl))
    errors.push(
      'publicUrl: must be an https URL, the address citizens open (TLS may end at a load balancer in front: trustProxy)',
    );
  if (config.trustProxy === true) {
    errors.push(
      "trustProxy: true believes X-Forwarded-For from any client, who could then pick their own address for the rate limits and the recorded metadata; set the number of proxy hops or the proxies' addresses",
    );
  }
  // Staff access to identified data is audited by info lines (`audit: true`); some of it, the
  // assignee's views of a shared identity and the staff logins, only there.
  if (AUDIT_DROPPING_LEVELS.includes(config.logLevel)) {
    errors.push(
      `logLevel: "${config.logLevel}" drops the audit lines (staff access to identified data, staff sign-in and sign-out), which are at info; use "info" or "debug"`,
    );
  }
  const overbroad = overbroadProxySubnets(config.trustProxy);
  if (overbroad.length > 0) {
    errors.push(
      `trustProxy: ${overbroad.join(', ')} trusts X-Forwarded-For from a large part of the internet, as true would; list the load balancers' own addresses or subnets, or set the number of proxy hops`,
    );
  }
  if (!config.signingKey)
    errors.push(
      'signingKey: required (set SIGNING_KEY to a private JWK, EC P-256 or RSA); development uses an ephemeral key',
    );
  if (!config.dataKey)
    errors.push(
      'dataKey: required (set DATA_KEY, the same on every instance, e.g. from `openssl rand -base64 32`); development uses an ephemeral key',
    );
  errors.push(...guessableSecrets(config));
  if (config.store.type === 'redis' && !config.dataKey) {
    warnings.push(
      'dataKey: without it each instance seals Redis data with its own ephemeral key; other instances and restarts cannot read it',
    );
  }
  const redisUrl = config.store.type === 'redis' ? config.store.redisUrl : undefined;
  if (redisUrl?.startsWith('redis://') && !isLoopbackUrl(redisUrl)) {
    warnings.push(
      'store.redisUrl: redis:// to another host sends the Redis password, and the keys that name conversations and visitors, unencrypted over the network (stored values stay sealed); use rediss:// (TLS) unless that network is private',
    );
  }
  if (config.store.type === 'memory') {
    warnings.push('store.type: "memory" keeps sessions and chats in this process only (one instance)');
  }
  if (!config.oidcProvider.jwks && config.tenants.some((t) => t.handoff.oidcClients.length > 0)) {
    errors.push(
      'oidcProvider.jwks: required when a tenant has handoff.oidcClients (private JWKs, e.g. { "$env": …, "json": true }); development uses an ephemeral key',
    );
  }
  errors.push(...sharedStaffClients(config));
  config.tenants.forEach((tenant, t) => {
    const clients = [
      ...tenant.providers.map((p, i) => ({ path: `tenants.${t}.providers.${i}`, ...p })),
      ...(tenant.staff ? [{ path: `tenants.${t}.staff`, ...tenant.staff }] : []),
    ];
    for (const { path, issuer, clientSecret } of clients) {
      if (issuer.startsWith('mock:'))
        errors.push(`${path}.issuer: the mock IdP must not be used in production: use the broker's issuer`);
      else if (!isHttps(issuer))
        errors.push(`${path}.issuer: must be an https URL, as the broker's discovery document names it`);
      if (clientSecret === DEMO_CLIENT_SECRET)
        errors.push(
          `${path}.clientSecret: the demo's published secret (config/default.json); use the broker's`,
        );
    }
    if (
      tenant.staff &&
      tenant.staff.requiredAcr.length === 0 &&
      tenant.staff.requiredAmr.length === 0 &&
      tenant.staff.acrValues.length === 0
    ) {
      warnings.push(
        `tenants.${t}.staff: requires no acr or amr, so staff may sign in without multi-factor authentication (set requiredAmr, e.g. ["mfa"], or requiredAcr)`,
      );
    }
    if (tenant.acceptTestIdentities === true) {
      warnings.push(
        `tenants.${t}.acceptTestIdentities: synthetic/test national identity numbers are accepted`,
      );
    }
    tenant.handoff.oidcClients.forEach((client, c) => {
      [...client.redirectUris, ...client.postLogoutRedirectUris].forEach((uri) => {
        if (!isHttps(uri))
          errors.push(
            `tenants.${t}.handoff.oidcClients.${c}: redirect URI ${uri} must be https: register the chat system's https address`,
          );
      });
    });
    tenant.allowedOrigins.forEach((origin, o) => {
      if (!isHttps(origin))
        errors.push(
          `tenants.${t}.allowedOrigins.${o}: must be an https origin, the site as browsers name it`,
        );
    });
    // Linked from every page, the consent page among them: over http the notice a citizen reads
    // before sharing can be rewritten on the way.
    if (tenant.privacyNoticeUrl !== undefined && !isHttps(tenant.privacyNoticeUrl))
      errors.push(
        `tenants.${t}.privacyNoticeUrl: must be an https URL, or the notice could be changed on the way`,
      );
  });
  return { errors, warnings };
}

/**
 * Tenants are isolated: a staff login of one admits nobody to another. Two tenants on the same
 * staff client (issuer and `clientId`, a regional Entra ID tenant shared by municipalities)
 * receive the same ID tokens, so a tenant admits the other's employees unless `tenantClaim`
 * names the organisation or its `roleMap` admits none of the IdP roles the other one does.
 */
function sharedStaffClients(config: GatewayConfig): string[] {
  const problems: string[] = [];
  const admitted = (staff: NonNullable<GatewayConfig['tenants'][number]['staff']>) =>
    new Set(staff.roleMap ? Object.keys(staff.roleMap) : ROLES);
  config.tenants.forEach((tenant, t) => {
    const staff = tenant.staff;
    if (!staff || staff.tenantClaim) return;
    const mine = admitted(staff);
    const others = config.tenants
      .map((other, o) => ({ other, o }))
      .filter(
        ({ other, o }) =>
          o !== t &&
          other.staff?.issuer === staff.issuer &&
          other.staff.clientId === staff.clientId &&
          [...admitted(other.staff)].some((role) => mine.has(role)),
      )
      .map(({ o }) => `tenants.${o}`);
    if (others.length > 0) {
      problems.push(
        `tenants.${t}.staff: the same staff client as ${others.join(', ')} without tenantClaim, so their employees would be admitted here too (set tenantClaim, or roleMaps that admit different IdP roles)`,
      );
    }
  });
  return problems;
}

/** The secrets the operator chooses themselves, each refused when {@link guessableSecret} finds it guessable. */
function guessableSecrets(config: GatewayConfig): string[] {
  const secrets = [
    { path: 'session.secret', value: config.session.secret },
    { path: 'dataKey', value: config.dataKey },
    ...config.tenants.flatMap((tenant, t) =>
      tenant.handoff.oidcClients.map((client, c) => ({
        path: `tenants.${t}.handoff.oidcClients.${c}.clientSecret`,
        value: client.clientSecret,
      })),
    ),
  ];
  return secrets.flatMap(({ path, value }) => {
    const problem = value === undefined ? undefined : guessableSecret(value);
    return problem
      ? [`${path}: guessable (${problem}); use a random value, e.g. from \`openssl rand -base64 32\``]
      : [];
  });
}

function isHttps(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === 'https:';
}
