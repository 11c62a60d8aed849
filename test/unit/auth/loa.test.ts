import { describe, expect, it } from 'vitest';
import { ACR_TO_LOA, acrToLoa, requiredLoa } from '../../../src/auth/loa.js';

describe('acrToLoa', () => {
  it.each([
    ['idporten-loa-substantial', 'substantial'],
    ['idporten-loa-high', 'high'],
    ['urn:grn:authn:no:bankid', 'high'],
    ['urn:grn:authn:no:bankid:high', 'high'],
    ['urn:grn:authn:no:bankid:substantial', 'substantial'],
    ['urn:bankid:bid;LOA=4', 'high'],
    ['urn:bankid:bid;LOA=3', 'substantial'],
    ['http://ftn.ficora.fi/2017/loa2', 'substantial'],
    ['http://ftn.ficora.fi/2017/loa3', 'high'],
    ['http://eidas.europa.eu/LoA/low', 'low'],
    ['http://eidas.europa.eu/LoA/substantial', 'substantial'],
    ['http://eidas.europa.eu/LoA/high', 'high'],
    ['urn:grn:authn:fi:bank-id', 'substantial'],
    ['urn:grn:authn:fi:mobile-id', 'high'],
    ['urn:grn:authn:fi:all', 'substantial'],
  ])('maps %s to %s', (acr, loa) => {
    expect(acrToLoa(acr)).toBe(loa);
  });

  it('documents exactly the values it maps', () => {
    expect(Object.keys(ACR_TO_LOA)).toHaveLength(15);
  });

  it('returns undefined for an unknown acr', () => {
    expect(acrToLoa('urn:grn:authn:se:bankid')).toBeUndefined();
    expect(acrToLoa('')).toBeUndefined();
  });

  it('matches exactly: case and surrounding text matter', () => {
    expect(acrToLoa('IDPORTEN-LOA-HIGH')).toBeUndefined();
    expect(acrToLoa('urn:bankid:bid;loa=4')).toBeUndefined();
    expect(acrToLoa(' idporten-loa-high')).toBeUndefined();
  });

  it('does not resolve names inherited from Object.prototype', () => {
    expect(acrToLoa('constructor')).toBeUndefined();
    expect(acrToLoa('__proto__')).toBeUndefined();
    expect(acrToLoa('toString', {})).toBeUndefined();
  });

  it('lets provider overrides add an acr the table does not know', () => {
    expect(acrToLoa('high', { high: 'high' })).toBe('high');
  });

  it('lets provider overrides win over the built-in table', () => {
    expect(acrToLoa('urn:grn:authn:fi:all', { 'urn:grn:authn:fi:all': 'high' })).toBe('high');
    expect(acrToLoa('idporten-loa-high', { 'idporten-loa-high': 'low' })).toBe('low');
  });

  it('falls back to the table for values the overrides do not mention', () => {
    expect(acrToLoa('idporten-loa-high', { other: 'low' })).toBe('high');
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(ACR_TO_LOA)).toBe(true);
  });
});

describe('requiredLoa', () => {
  it('is minimumLoa when no acr_values are requested', () => {
    expect(requiredLoa({ minimumLoa: 'substantial', acrValues: [] })).toBe('substantial');
  });

  it('is raised to the level of the requested acr_values (a weaker acr in the answer is a downgrade)', () => {
    expect(requiredLoa({ minimumLoa: 'substantial', acrValues: ['urn:grn:authn:no:bankid'] })).toBe('high');
    expect(requiredLoa({ minimumLoa: 'low', acrValues: ['idporten-loa-high'] })).toBe('high');
  });

  it('takes the weakest of several requested values (the broker may answer with any of them)', () => {
    expect(
      requiredLoa({
        minimumLoa: 'low',
        acrValues: ['urn:grn:authn:fi:mobile-id', 'urn:grn:authn:fi:bank-id'],
      }),
    ).toBe('substantial');
  });

  it('never lowers minimumLoa', () => {
    expect(requiredLoa({ minimumLoa: 'high', acrValues: ['idporten-loa-substantial'] })).toBe('high');
  });

  it('reads requested values through acrLoa and ignores values it cannot map', () => {
    expect(
      requiredLoa({
        minimumLoa: 'low',
        acrValues: ['urn:custom:strong'],
        acrLoa: { 'urn:custom:strong': 'high' },
      }),
    ).toBe('high');
    expect(requiredLoa({ minimumLoa: 'substantial', acrValues: ['urn:custom:unknown'] })).toBe('substantial');
  });
});
