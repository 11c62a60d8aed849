import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import {
  type AuthorizationChecks,
  authorizationParameters,
  clientAt,
  formAction,
  type Page,
  TestBrowser,
  useMockIdp,
  WEB_CLIENT,
} from './mock-idp-harness.js';

const mock = useMockIdp();

interface LoginPage {
  browser: TestBrowser;
  page: Page;
  config: client.Configuration;
  checks: AuthorizationChecks;
}

/** Starts an authorization request at `issuerId` and stops on the login page. */
async function openLoginPage(
  issuerId: string,
  parameters: Record<string, string> = {},
  browser = new TestBrowser(),
): Promise<LoginPage> {
  const config = await clientAt(mock.idp, issuerId);
  const request = await authorizationParameters(WEB_CLIENT.redirectUri, { scope: 'openid', ...parameters });
  const page = await browser.open(
    client.buildAuthorizationUrl(config, request.parameters).href,
    WEB_CLIENT.redirectUri,
  );
  return { browser, page, config, checks: request.checks };
}

function expectNoInlineScriptOrStyle(html: string): void {
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
  expect(html).not.toMatch(/\sstyle=/);
  expect(html).not.toMatch(/<style/);
}

describe('GET /:issuer/interaction/:uid', () => {
  it('shows an accessible persona picker for the issuer’s country', async () => {
    const { page } = await openLoginPage('bankid-no');
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`^${mock.idp.issuer('bankid-no')}/interaction/`));
    expect(page.text).toMatch(/<html lang="en">/);
    expect(page.text).toMatch(/<h1>Norwegian BankID \(mock of Idura Verify\)<\/h1>/);

    const radios = [
      ...page.text.matchAll(/<input type="radio" name="persona" id="([^"]+)" value="([^"]+)"/g),
    ];
    expect(radios.map((match) => match[2])).toEqual(['kari-nordmann', 'ola-nordmann', 'invalid-id-no']);
    for (const [, id] of radios) expect(page.text).toContain(`<label for="${id}">`);
    expect(page.text).toContain('Nora Feilnummer — invalid id (test)');
    expect(page.text).not.toContain('matti-meikalainen');
    expect(page.text).not.toContain('alex-agent');

    expect(page.text).toMatch(/<button type="submit" class="primary">Sign in<\/button>/);
    expect(page.text).toMatch(/<button type="submit" class="secondary">Cancel<\/button>/);
    expect(page.text).toContain('<link rel="stylesheet" href="/assets/idp-mock.css">');
    expectNoInlineScriptOrStyle(page.text);
  });

  it('is served under a CSP that forbids inline script and style', async () => {
    const { page } = await openLoginPage('staff');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('serves its stylesheet from the mock itself', async () => {
    const response = await fetch(`${mock.idp.baseUrl}/assets/idp-mock.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await response.text()).toContain(':focus-visible');
  });

  it('shows the page with a message for an unknown login_hint, escaped', async () => {
    const { page } = await openLoginPage('ftn-fi', { login_hint: '<b>nobody</b>' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('role="alert"');
    expect(page.text).toContain('No test identity &quot;&lt;b&gt;nobody&lt;/b&gt;&quot;');
    expect(page.text).not.toContain('<b>nobody</b>');
    expect(page.text).toContain('value="matti-meikalainen"');
  });

  it('is in the language ui_locales names first among those it has, the configured texts marked English', async () => {
    const { page } = await openLoginPage('ftn-fi', { ui_locales: 'de fi-FI en' });
    expect(page.text).toMatch(/<html lang="fi">/);
    expect(page.text).toContain('<title>Kirjaudu – Finnish Trust Network (mock of Idura Verify)</title>');
    expect(page.text).toContain(
      '<h1><span lang="en">Finnish Trust Network (mock of Idura Verify)</span></h1>',
    );
    expect(page.text).toContain('<legend>Valitse testihenkilöllisyys</legend>');
    expect(page.text).toContain('FI henkilötunnus 010594Y9032 · syntynyt 1994-05-01');
    expect(page.text).toMatch(/<button type="submit" class="primary">Kirjaudu<\/button>/);
    expect(page.text).toMatch(/<button type="submit" class="secondary">Peruuta<\/button>/);
    expect(page.text).not.toContain('Sign in');
  });

  it('reads Norwegian ui_locales (no, nn) as Bokmål, and shows English for none it has', async () => {
    for (const [uiLocales, lang, signIn] of [
      ['no', 'nb', 'Logg inn'],
      ['nn-NO', 'nb', 'Logg inn'],
      ['sv', 'sv', 'Logga in'],
      ['de', 'en', 'Sign in'],
    ] as const) {
      const { page } = await openLoginPage('bankid-no', { ui_locales: uiLocales });
      expect(page.text).toMatch(new RegExp(`<html lang="${lang}">`));
      expect(page.text).toContain(`class="primary">${signIn}</button>`);
    }
  });

  it('says an unknown login_hint in the page’s language', async () => {
    const { page } = await openLoginPage('bankid-no', { login_hint: 'nobody', ui_locales: 'nb' });
    expect(page.text).toContain('Ingen testidentitet «nobody» her. Velg en nedenfor.');
  });

  it('says which acr_values were asked for', async () => {
    const { page } = await openLoginPage('idporten', { acr_values: 'idporten-loa-high' });
    expect(page.text).toContain('asking for <code>idporten-loa-high</code>');
  });
});

describe('POST /:issuer/interaction/:uid/login', () => {
  it('logs in as the chosen persona and returns to the client with code and iss', async () => {
    const { browser, page, config, checks } = await openLoginPage('signicat', {
      scope: 'openid profile nin',
    });
    const action = formAction(page.text, '/login');
    expect(action).toBeDefined();

    const done = await browser.submit(
      new URL(action ?? '', page.url).href,
      { persona: 'maija-meikalainen' },
      WEB_CLIENT.redirectUri,
    );
    const callbackUrl = new URL(done.location ?? '');
    expect(callbackUrl.searchParams.get('iss')).toBe(mock.idp.issuer('signicat'));
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);
    expect(tokens.claims()).toMatchObject({ nin: '150388-9149', nin_type: 'PERSON' });
  });

  it('shows the page again for a persona of another issuer', async () => {
    const { browser, page } = await openLoginPage('bankid-no');
    const action = new URL(formAction(page.text, '/login') ?? '', page.url).href;
    const again = await browser.submit(action, { persona: 'alex-agent' }, WEB_CLIENT.redirectUri);
    expect(again.status).toBe(400);
    expect(again.text).toContain('Choose one of the test identities below.');
  });

  it('refuses a post without the interaction cookie', async () => {
    const { page } = await openLoginPage('bankid-no');
    const action = new URL(formAction(page.text, '/login') ?? '', page.url).href;
    const stranger = await new TestBrowser().submit(
      action,
      { persona: 'kari-nordmann' },
      WEB_CLIENT.redirectUri,
    );
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('This sign-in has expired');
    expectNoInlineScriptOrStyle(stranger.text);
  });

  it('asks again on the next authorization, so the same browser can switch persona', async () => {
    const browser = new TestBrowser();
    const first = await openLoginPage('idporten', {}, browser);
    await browser.submit(
      new URL(formAction(first.page.text, '/login') ?? '', first.page.url).href,
      { persona: 'kari-nordmann' },
      WEB_CLIENT.redirectUri,
    );

    const second = await openLoginPage('idporten', {}, browser);
    expect(second.page.status).toBe(200);
    expect(second.page.text).toContain('Choose a test identity');
    const done = await browser.submit(
      new URL(formAction(second.page.text, '/login') ?? '', second.page.url).href,
      { persona: 'ola-nordmann' },
      WEB_CLIENT.redirectUri,
    );
    const tokens = await client.authorizationCodeGrant(
      second.config,
      new URL(done.location ?? ''),
      second.checks,
    );
    expect(tokens.claims()?.pid).toBe('47906701517');
  });
});

describe('POST /:issuer/interaction/:uid/abort', () => {
  it('returns access_denied with state and iss to the client', async () => {
    const { browser, page, checks } = await openLoginPage('ftn-fi');
    const action = new URL(formAction(page.text, '/abort') ?? '', page.url).href;
    const done = await browser.submit(action, {}, WEB_CLIENT.redirectUri);
    const callbackUrl = new URL(done.location ?? '');
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(callbackUrl.searchParams.get('state')).toBe(checks.expectedState);
    expect(callbackUrl.searchParams.get('iss')).toBe(mock.idp.issuer('ftn-fi'));
    expect(callbackUrl.searchParams.has('code')).toBe(false);
  });
});
