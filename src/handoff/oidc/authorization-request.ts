import { errors } from 'oidc-provider';
import { acrToLoa, requiredLoa } from '../../auth/loa.js';
import type { ProviderConfig } from '../../config/schema.js';
import { LOA_ORDER, type Loa, loaAtLeast } from '../../identity/verified-identity.js';
import type { TenantContext } from '../../tenants/tenant-context.js';

/**
 * What a chat system's authorization request asks of the citizen's eID login: a level of assurance held to as a minimum,
 * as ID-porten holds to its own `acr_values`, or (for essential `acr` values the gateway knows no
 * level for) the exact values, one of which the broker's `acr` must be.
 */
export interface RequestedAssurance {
  /** The minimum level; `undefined` when nothing the gateway knows was asked for. */
  level?: Loa;
  /** Essential `acr` values without a known level: the login's `acr` must be one of them. */
  exactAcr?: string[];
}

/**
 * The assurance a chat system's authorization request asks for:
 * - an essential `acr` in the `claims` parameter (`{"id_token":{"acr":{"essential":true,
 *   "values":[…]}}}`, or `value`, in `id_token` or `userinfo`) must be met: its values the gateway
 *   knows set the weakest of their levels as a minimum, and when it knows none of them the
 *   login's `acr` must be one of them;
 * - otherwise `acr_values` (voluntary): the weakest level among the values the gateway knows;
 *   values it does not know set nothing.
 * Levels come from the tenant's providers' `acrLoa` and the built-in table.
 * @see OpenID Connect Core §3.1.2.1 (acr_values), §5.5.1.1 (requesting the acr claim)
 */
export function requestedAssurance(
  tenant: TenantContext,
  params: Record<string, unknown>,
): RequestedAssurance {
  const overrides = Object.assign({}, ...tenant.config.providers.map((p) => p.acrLoa ?? {})) as Record<
    string,
    Loa
  >;
  const weakest = (values: readonly string[]): Loa | undefined => {
    const levels = values
      .map((acr) => acrToLoa(acr, overrides))
      .filter((loa): loa is Loa => loa !== undefined)
      .map((loa) => LOA_ORDER.indexOf(loa));
    return levels.length === 0 ? undefined : LOA_ORDER[Math.min(...levels)];
  };
  const essential = essentialAcrValues(params.claims);
  if (essential) {
    const level = weakest(essential);
    return level ? { level } : { exactAcr: essential };
  }
  const level = weakest(
    String(params.acr_values ?? '')
      .split(' ')
      .filter(Boolean),
  );
  return level ? { level } : {};
}

/** The tenant's providers that can meet the request (all of them when it asks for nothing). */
export function providersFor(tenant: TenantContext, assurance: RequestedAssurance): ProviderConfig[] {
  const { level, exactAcr } = assurance;
  return tenant.config.providers.filter(
    (p) =>
      (!level || loaAtLeast(requiredLoa(p), level)) &&
      (!exactAcr || p.acrValues.some((acr) => exactAcr.includes(acr))),
  );
}

/** Whether a login meets the request. */
export function meetsAssurance(login: { loa: Loa; acr: string }, assurance: RequestedAssurance): boolean {
  return (
    (!assurance.level || loaAtLeast(login.loa, assurance.level)) &&
    (!assurance.exactAcr || assurance.exactAcr.includes(login.acr))
  );
}

/** What the request asked for, for the chat system's error description and the log. */
export function describeAssurance(assurance: RequestedAssurance): string {
  return assurance.level ?? assurance.exactAcr?.join(' ') ?? 'none';
}

/**
 * The essential `acr` values of a `claims` parameter (raw JSON, as oidc-provider keeps it, checked
 * by {@link assertClaimsParameter}), from `id_token` and `userinfo` together; `undefined` when
 * none is essential.
 */
function essentialAcrValues(claims: unknown): string[] | undefined {
  const parsed = parseClaims(claims);
  const values = (['id_token', 'userinfo'] as const).flatMap((container) => {
    const acr = member(member(parsed, container), 'acr') as
      | { essential?: unknown; value?: unknown; values?: unknown }
      | undefined;
    if (acr?.essential !== true) return [];
    return [...(typeof acr.value === 'string' ? [acr.value] : []), ...stringsOf(acr.values)];
  });
  return values.length > 0 ? values : undefined;
}

/**
 * oidc-provider's `claimsParameter.assertClaimsParameter`: its own check (every member `null` or an
 * object) and, for the members the gateway reads itself (`acr`, `sub`), the types OpenID Connect
 * gives them, so a malformed request is `invalid_request` at once instead of being read as
 * asking nothing.
 * @see OpenID Connect Core §5.5.1 (individual claims requests)
 */
export async function assertClaimsParameter(_ctx: unknown, claims: Record<string, unknown>): Promise<void> {
  for (const container of ['userinfo', 'id_token'] as const) {
    const requested = claims[container];
    if (requested === undefined) continue;
    for (const [name, request] of Object.entries(requested as Record<string, unknown>)) {
      if (request === null) continue;
      if (typeof request !== 'object' || Array.isArray(request)) {
        throw new errors.InvalidRequest(`claims.${container} members must be null or objects`);
      }
      const { essential, value, values } = request as Record<string, unknown>;
      if (essential !== undefined && typeof essential !== 'boolean') {
        throw new errors.InvalidRequest(`claims.${container}.${name}.essential must be a boolean`);
      }
      if (name !== 'acr' && name !== 'sub') continue;
      if (value !== undefined && typeof value !== 'string') {
        throw new errors.InvalidRequest(`claims.${container}.${name}.value must be a string`);
      }
      const strings =
        Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string');
      if (values !== undefined && !strings) {
        throw new errors.InvalidRequest(`claims.${container}.${name}.values must be an array of strings`);
      }
    }
  }
}

/**
 * The subjects the request names for the citizen besides `id_token_hint`: `sub` with a `value`
 * in the `claims` parameter.
 * @see OpenID Connect Core §5.5.1 (requesting a specific sub)
 */
export function requestedSubjects(claims: unknown): string[] {
  const parsed = parseClaims(claims);
  return (['id_token', 'userinfo'] as const).flatMap((container) => {
    const sub = member(member(parsed, container), 'sub') as { value?: unknown } | undefined;
    return typeof sub?.value === 'string' ? [sub.value] : [];
  });
}

/**
 * The claim names a `claims` parameter asks for (`id_token` and `userinfo` together). The grant
 * must name each as given or refused, or oidc-provider would ask for consent again after the
 * consent page (`op_claims_missing`) and send the citizen round once more.
 */
export function claimsParameterNames(claims: unknown): string[] {
  const parsed = parseClaims(claims);
  return [
    ...new Set(
      (['id_token', 'userinfo'] as const).flatMap((container) => {
        const requested = member(parsed, container);
        return typeof requested === 'object' && requested !== null ? Object.keys(requested) : [];
      }),
    ),
  ];
}

/** The `claims` parameter as oidc-provider keeps it (JSON text it has checked), parsed. */
function parseClaims(claims: unknown): unknown {
  if (typeof claims !== 'string') return undefined;
  try {
    return JSON.parse(claims);
  } catch {
    return undefined;
  }
}

function member(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, name)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
