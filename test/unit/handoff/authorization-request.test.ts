import { describe, expect, it } from 'vitest';
import {
  assertClaimsParameter,
  claimsParameterNames,
  meetsAssurance,
  providersFor,
  requestedAssurance,
  requestedSubjects,
} from '../../../src/handoff/oidc/authorization-request.js';
import type { TenantContext } from '../../../src/tenants/tenant-context.js';

/** A tenant with a BankID provider (high) and one whose acr the gateway knows no level for. */
const tenant = {
  config: {
    providers: [
      { id: 'bankid', acrValues: ['urn:grn:authn:no:bankid'], minimumLoa: 'substantial' },
      { id: 'local', acrValues: ['urn:example:local-eid'], minimumLoa: 'substantial' },
    ],
  },
} as unknown as TenantContext;

const essential = (acr: Record<string, unknown>) =>
  JSON.stringify({ id_token: { acr: { essential: true, ...acr } } });
const ids = (params: Record<string, unknown>) =>
  providersFor(tenant, requestedAssurance(tenant, params)).map((p) => p.id);

describe('requestedAssurance', () => {
  it('holds known essential values to the weakest of their levels, ahead of acr_values', () => {
    const assurance = requestedAssurance(tenant, {
      acr_values: 'http://eidas.europa.eu/LoA/low',
      claims: essential({ values: ['http://eidas.europa.eu/LoA/high', 'idporten-loa-high'] }),
    });
    expect(assurance).toEqual({ level: 'high' });
    expect(meetsAssurance({ loa: 'high', acr: 'urn:grn:authn:no:bankid' }, assurance)).toBe(true);
    expect(meetsAssurance({ loa: 'substantial', acr: 'idporten-loa-high' }, assurance)).toBe(false);
  });

  it('matches essential values it knows no level for exactly against what a provider asks for', () => {
    expect(ids({ claims: essential({ value: 'urn:example:local-eid' }) })).toEqual(['local']);
    const assurance = requestedAssurance(tenant, { claims: essential({ value: 'urn:example:local-eid' }) });
    expect(meetsAssurance({ loa: 'substantial', acr: 'urn:example:local-eid' }, assurance)).toBe(true);
    expect(meetsAssurance({ loa: 'high', acr: 'urn:grn:authn:no:bankid' }, assurance)).toBe(false);
    expect(ids({ claims: essential({ values: ['urn:example:nobody'] }) })).toEqual([]);
  });

  it('reads a voluntary acr in the claims parameter as nothing, and unknown acr_values as nothing', () => {
    expect(
      ids({ claims: JSON.stringify({ id_token: { acr: { values: ['urn:example:nobody'] } } }) }),
    ).toEqual(['bankid', 'local']);
    expect(ids({ acr_values: 'urn:example:nobody' })).toEqual(['bankid', 'local']);
  });
});

describe('the claims parameter', () => {
  it('names the subjects and claims it asks for', () => {
    const claims = JSON.stringify({
      id_token: { sub: { value: 'abc' }, name: null },
      userinfo: { email: null },
    });
    expect(requestedSubjects(claims)).toEqual(['abc']);
    expect(claimsParameterNames(claims)).toEqual(['sub', 'name', 'email']);
  });

  it('refuses malformed acr and sub requests with invalid_request', async () => {
    for (const claims of [
      { id_token: { acr: { values: 'x' } } },
      { id_token: { acr: { values: ['x', 1] } } },
      { userinfo: { acr: { value: ['x'] } } },
      { id_token: { name: { essential: 1 } } },
      { id_token: { name: 'x' } },
    ]) {
      await expect(assertClaimsParameter(undefined, claims)).rejects.toMatchObject({
        error: 'invalid_request',
      });
    }
    await expect(
      assertClaimsParameter(undefined, { id_token: { acr: { essential: true, values: ['x'] }, name: null } }),
    ).resolves.toBeUndefined();
  });
});
