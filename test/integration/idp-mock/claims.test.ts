import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import {
  authorizationParameters,
  clientAt,
  loginAs,
  STAFF_CLIENT,
  STAFF_RP,
  TestBrowser,
  useMockIdp,
  WEB_CLIENT,
} from './mock-idp-harness.js';

const mock = useMockIdp();

describe('bankid-no (Idura Norwegian BankID shape)', () => {
  it('logs in with login_hint and returns the code with iss', async () => {
    const { callbackUrl } = await loginAs(mock.idp, 'bankid-no', 'kari-nordmann', { scope: 'openid' });
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(callbackUrl.searchParams.get('iss')).toBe(mock.idp.issuer('bankid-no'));
  });

  it('sends socialno only when the ssn scope is granted', async () => {
    const withSsn = await loginAs(mock.idp, 'bankid-no', 'kari-nordmann', { scope: 'openid ssn' });
    expect(withSsn.claims).toMatchObject({
      iss: mock.idp.issuer('bankid-no'),
      identityscheme: 'nobankid-oidc',
      socialno: '12838540056',
      given_name: 'Kari',
      family_name: 'Nordmann',
      name: 'Kari Nordmann',
      birthdate: '1985-03-12',
      country: 'NO',
      acr: 'urn:grn:authn:no:bankid',
      amr: ['BID'],
    });
    for (const claim of ['sub', 'uniqueuserid', 'certissuer', 'certsubject', 'auth_time']) {
      expect(withSsn.claims).toHaveProperty(claim);
    }

    const withoutSsn = await loginAs(mock.idp, 'bankid-no', 'kari-nordmann', { scope: 'openid' });
    expect(withoutSsn.claims).not.toHaveProperty('socialno');
    expect(withoutSsn.claims.sub).toBe(withSsn.claims.sub);
  });

  it('returns the first requested acr it supports', async () => {
    const { claims } = await loginAs(mock.idp, 'bankid-no', 'ola-nordmann', {
      scope: 'openid',
      acr_values: 'urn:example:unknown urn:grn:authn:no:bankid:substantial urn:grn:authn:no:bankid:high',
    });
    expect(claims.acr).toBe('urn:grn:authn:no:bankid:substantial');
    expect(claims.amr).toEqual(['BIS']);
  });

  it('returns the same claims from userinfo', async () => {
    const { config, tokens, claims } = await loginAs(mock.idp, 'bankid-no', 'ola-nordmann', {
      scope: 'openid ssn',
    });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
    expect(userinfo).toMatchObject({
      socialno: '47906701517',
      name: 'Ola Nordmann',
      identityscheme: 'nobankid-oidc',
    });
  });
});

describe('ftn-fi (Idura FTN shape)', () => {
  it('sends hetu with the ssn scope, and satu when the persona has one', async () => {
    const { claims } = await loginAs(mock.idp, 'ftn-fi', 'maija-meikalainen', {
      scope: 'openid ssn',
      acr_values: 'urn:grn:authn:fi:mobile-id',
    });
    expect(claims).toMatchObject({
      identityscheme: 'fitupas',
      hetu: '150388-9149',
      satu: '99912345V',
      name: 'Maija Meikäläinen',
      given_name: 'Maija',
      family_name: 'Meikäläinen',
      birthdate: '1988-03-15',
      country: 'FI',
      acr: 'urn:grn:authn:fi:mobile-id',
    });
  });

  it('leaves hetu out without the ssn scope', async () => {
    const { claims } = await loginAs(mock.idp, 'ftn-fi', 'matti-meikalainen', { scope: 'openid' });
    expect(claims).not.toHaveProperty('hetu');
    expect(claims.acr).toBe('urn:grn:authn:fi:bank-id');
  });
});

describe('signicat', () => {
  it('sends nin of type BIRTH for a Norwegian persona', async () => {
    const { claims } = await loginAs(mock.idp, 'signicat', 'kari-nordmann', { scope: 'openid profile nin' });
    expect(claims).toMatchObject({
      name: 'Kari Nordmann',
      given_name: 'Kari',
      family_name: 'Nordmann',
      birthdate: '1985-03-12',
      nin: '12838540056',
      nin_type: 'BIRTH',
      nin_issuing_country: 'NO',
      acr: 'urn:grn:authn:no:bankid',
    });
  });

  it('sends nin of type PERSON for a Finnish persona', async () => {
    const { claims } = await loginAs(mock.idp, 'signicat', 'matti-meikalainen', {
      scope: 'openid profile nin',
    });
    expect(claims).toMatchObject({
      nin: '010594Y9032',
      nin_type: 'PERSON',
      nin_issuing_country: 'FI',
      acr: 'http://ftn.ficora.fi/2017/loa2',
    });
  });

  it('leaves the nin out without the nin scope', async () => {
    const { claims } = await loginAs(mock.idp, 'signicat', 'kari-nordmann', { scope: 'openid profile' });
    expect(claims).not.toHaveProperty('nin');
    expect(claims.name).toBe('Kari Nordmann');
  });
});

describe('idporten', () => {
  it('sends pid, locale and amr, and acr substantial by default', async () => {
    const { claims } = await loginAs(mock.idp, 'idporten', 'kari-nordmann', { scope: 'openid profile' });
    expect(claims).toMatchObject({
      pid: '12838540056',
      locale: 'nb',
      amr: ['BankID'],
      acr: 'idporten-loa-substantial',
    });
    expect(claims).not.toHaveProperty('name');
  });

  it('returns idporten-loa-high when asked for it', async () => {
    const { claims } = await loginAs(mock.idp, 'idporten', 'ola-nordmann', {
      scope: 'openid',
      acr_values: 'idporten-loa-high',
    });
    expect(claims).toMatchObject({ pid: '47906701517', acr: 'idporten-loa-high', amr: ['TestID'] });
  });

  it('does not offer Finnish personas', async () => {
    const config = await clientAt(mock.idp, 'idporten');
    const request = await authorizationParameters(WEB_CLIENT.redirectUri, {
      scope: 'openid',
      login_hint: 'matti-meikalainen',
    });
    const page = await new TestBrowser().open(
      client.buildAuthorizationUrl(config, request.parameters).href,
      WEB_CLIENT.redirectUri,
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('No test identity &quot;matti-meikalainen&quot;');
  });
});

describe('staff', () => {
  it.each([
    ['alex-agent', ['agent'], 'demo'],
    ['siri-supervisor', ['supervisor'], 'demo'],
    ['ada-admin', ['admin'], 'demo'],
    ['sigurd-security', ['security'], 'demo'],
    ['otto-other-tenant', ['agent'], 'other'],
  ])('sends roles and tenant of %s', async (personaId, roles, tenant) => {
    const { claims } = await loginAs(
      mock.idp,
      'staff',
      personaId,
      { scope: 'openid profile email' },
      { rp: STAFF_RP },
    );
    expect(claims.roles).toEqual(roles);
    expect(claims.tenant).toBe(tenant);
    expect(claims.email).toMatch(/@[a-z]+\.example$/);
    expect(claims.preferred_username).toBe(claims.email);
    expect(typeof claims.name).toBe('string');
  });

  it('does not register clients at issuers they are not listed for', async () => {
    const config = await clientAt(mock.idp, 'bankid-no', STAFF_RP);
    const request = await authorizationParameters(STAFF_CLIENT.redirectUri, { scope: 'openid' });
    const page = await new TestBrowser().open(
      client.buildAuthorizationUrl(config, request.parameters).href,
      STAFF_CLIENT.redirectUri,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('invalid_client');
  });
});
