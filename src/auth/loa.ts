/**
 * Normalises the `acr` values of the supported brokers to an eIDAS-style level of assurance,
 * so that policy (`loaAtLeast`) never has to know broker-specific strings.
 */

import { LOA_ORDER, type Loa } from '../identity/verified-identity.js';

/**
 * Known `acr` values and the level each one asserts. Where a value covers several methods of
 * different strength (`urn:grn:authn:fi:all`), it maps to the weakest of them.
 *
 * | acr | Loa | Source |
 * | --- | --- | --- |
 * | `idporten-loa-substantial` | substantial | ID-porten |
 * | `idporten-loa-high` | high | ID-porten |
 * | `urn:grn:authn:no:bankid` | high | Idura, Norwegian BankID |
 * | `urn:grn:authn:no:bankid:high` | high | Idura, Norwegian BankID |
 * | `urn:grn:authn:no:bankid:substantial` | substantial | Idura, BankID app biometrics |
 * | `urn:bankid:bid;LOA=4` | high | BankID Norge OIDC |
 * | `urn:bankid:bid;LOA=3` | substantial | BankID Norge OIDC |
 * | `http://ftn.ficora.fi/2017/loa2` | substantial | Finnish Trust Network |
 * | `http://ftn.ficora.fi/2017/loa3` | high | Finnish Trust Network |
 * | `http://eidas.europa.eu/LoA/low` | low | eIDAS |
 * | `http://eidas.europa.eu/LoA/substantial` | substantial | eIDAS |
 * | `http://eidas.europa.eu/LoA/high` | high | eIDAS |
 * | `urn:grn:authn:fi:bank-id` | substantial | Idura, FTN bank ids |
 * | `urn:grn:authn:fi:mobile-id` | high | Idura, FTN Mobiilivarmenne |
 * | `urn:grn:authn:fi:all` | substantial | Idura, any FTN method |
 *
 * @see https://docs.digdir.no/docs/idporten/oidc/oidc_protocol_id_token (ID-porten acr)
 * @see https://docs.idura.app/verify/e-ids/finnish-trust-network (Idura acr_values)
 * @see Regulation (EU) 2015/1502 (eIDAS levels of assurance)
 */
export const ACR_TO_LOA: Readonly<Record<string, Loa>> = Object.freeze({
  'idporten-loa-substantial': 'substantial',
  'idporten-loa-high': 'high',
  'urn:grn:authn:no:bankid': 'high',
  'urn:grn:authn:no:bankid:high': 'high',
  'urn:grn:authn:no:bankid:substantial': 'substantial',
  'urn:bankid:bid;LOA=4': 'high',
  'urn:bankid:bid;LOA=3': 'substantial',
  'http://ftn.ficora.fi/2017/loa2': 'substantial',
  'http://ftn.ficora.fi/2017/loa3': 'high',
  'http://eidas.europa.eu/LoA/low': 'low',
  'http://eidas.europa.eu/LoA/substantial': 'substantial',
  'http://eidas.europa.eu/LoA/high': 'high',
  'urn:grn:authn:fi:bank-id': 'substantial',
  'urn:grn:authn:fi:mobile-id': 'high',
  'urn:grn:authn:fi:all': 'substantial',
});

/**
 * Level of assurance for an `acr` value, or undefined when it is unknown. `overrides` (from the
 * provider's configuration) win over the built-in {@link ACR_TO_LOA} table. Matching is exact:
 * `acr` values are case-sensitive strings.
 *
 * @see OpenID Connect Core 1.0 §2 (`acr` claim)
 */
export function acrToLoa(acr: string, overrides?: Record<string, Loa>): Loa | undefined {
  // Object.hasOwn, not `in` or plain indexing: an acr such as `constructor` or `__proto__`
  // must not resolve to something inherited from Object.prototype.
  if (overrides !== undefined && Object.hasOwn(overrides, acr)) return overrides[acr];
  if (Object.hasOwn(ACR_TO_LOA, acr)) return ACR_TO_LOA[acr];
  return undefined;
}

/**
 * The lowest level of assurance a provider's login may come back with: its `minimumLoa`, raised to
 * the weakest of the `acr_values` it asks for (each known one, through `acrLoa` and the table).
 * `acr_values` travel through the browser in the authorization URL, where anyone can replace them
 * with a weaker value; a broker that then honours the request returns the weaker `acr`, which a
 * check against `minimumLoa` alone would let through although the gateway asked for more.
 * @see OpenID Connect Core 1.0 §3.1.2.1 (`acr_values`), §5.5.1.1 (requesting `acr`)
 */
export function requiredLoa(provider: {
  minimumLoa: Loa;
  acrValues: readonly string[];
  acrLoa?: Record<string, Loa> | undefined;
}): Loa {
  const requested = provider.acrValues
    .map((acr) => acrToLoa(acr, provider.acrLoa))
    .filter((loa): loa is Loa => loa !== undefined);
  if (requested.length === 0) return provider.minimumLoa;
  const weakestRequested = Math.min(...requested.map((loa) => LOA_ORDER.indexOf(loa)));
  return LOA_ORDER[Math.max(LOA_ORDER.indexOf(provider.minimumLoa), weakestRequested)] ?? provider.minimumLoa;
}
