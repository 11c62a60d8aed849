import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import {
  authorizationParameters,
  formAction,
  formValue,
  loginAs,
  type Page,
  TestBrowser,
  useMockIdp,
  WEB_CLIENT,
} from './mock-idp-harness.js';

const mock = useMockIdp();

function expectPlainHtml(page: Page): void {
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.text).not.toMatch(/<script/);
  expect(page.text).not.toMatch(/\sstyle=|<style/);
}

/** Submits the logout form as its "sign out" (`logout=yes`) or "stay signed in" button would. */
async function confirm(browser: TestBrowser, page: Page, signOut: boolean): Promise<Page> {
  const action = formAction(page.text, '/session/end/confirm');
  const xsrf = formValue(page.text, 'xsrf');
  expect(action).toBeDefined();
  expect(xsrf).toBeDefined();
  return browser.submit(
    new URL(action ?? '', page.url).href,
    { xsrf: xsrf ?? '', ...(signOut ? { logout: 'yes' } : {}) },
    WEB_CLIENT.postLogoutRedirectUri,
  );
}

describe('GET /:issuer/session/end (RP-initiated logout)', () => {
  it('asks for confirmation on a plain page, then returns to the registered URI with state', async () => {
    const browser = new TestBrowser();
    const { config, tokens } = await loginAs(
      mock.idp,
      'bankid-no',
      'kari-nordmann',
      { scope: 'openid' },
      { browser },
    );
    const endSessionUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: WEB_CLIENT.postLogoutRedirectUri,
      state: 'logout-state',
    });

    const page = await browser.open(endSessionUrl.href, WEB_CLIENT.postLogoutRedirectUri);
    expectPlainHtml(page);
    expect(page.text).toContain('Sign out of Norwegian BankID (mock of Idura Verify)?');
    expect(page.text).toContain(
      '<button type="submit" name="logout" value="yes" class="primary">Yes, sign me out</button>',
    );

    const done = await confirm(browser, page, true);
    expect(done.status).toBe(303);
    const back = new URL(done.location ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(WEB_CLIENT.postLogoutRedirectUri);
    expect(back.searchParams.get('state')).toBe('logout-state');
  });

  it('ends the mock session, so prompt=none afterwards needs a login', async () => {
    const browser = new TestBrowser();
    const { config, tokens } = await loginAs(
      mock.idp,
      'idporten',
      'kari-nordmann',
      { scope: 'openid' },
      { browser },
    );

    const silent = async () => {
      const request = await authorizationParameters(WEB_CLIENT.redirectUri, {
        scope: 'openid',
        prompt: 'none',
      });
      const page = await browser.open(
        client.buildAuthorizationUrl(config, request.parameters).href,
        WEB_CLIENT.redirectUri,
      );
      return new URL(page.location ?? '');
    };
    expect((await silent()).searchParams.has('code')).toBe(true);

    const endSessionUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: WEB_CLIENT.postLogoutRedirectUri,
    });
    await confirm(browser, await browser.open(endSessionUrl.href, WEB_CLIENT.postLogoutRedirectUri), true);

    expect((await silent()).searchParams.get('error')).toBe('login_required');
  });

  it('shows a plain page with a Continue button when nobody is signed in', async () => {
    const { config, tokens } = await loginAs(mock.idp, 'ftn-fi', 'matti-meikalainen', { scope: 'openid' });
    const browser = new TestBrowser();
    const endSessionUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: WEB_CLIENT.postLogoutRedirectUri,
      state: 's1',
    });

    const page = await browser.open(endSessionUrl.href, WEB_CLIENT.postLogoutRedirectUri);
    expectPlainHtml(page);
    expect(page.text).toContain('You are not signed in');
    expect(page.headers.get('content-security-policy')).not.toContain('sha256-');

    const done = await confirm(browser, page, false);
    expect(new URL(done.location ?? '').searchParams.get('state')).toBe('s1');
  });

  it('shows a plain success page when there is no post_logout_redirect_uri', async () => {
    const browser = new TestBrowser();
    const page = await browser.open(
      `${mock.idp.issuer('signicat')}/session/end`,
      WEB_CLIENT.postLogoutRedirectUri,
    );
    expectPlainHtml(page);

    const done = await confirm(browser, page, true);
    expect(done.status).toBe(200);
    expect(done.url).toBe(`${mock.idp.issuer('signicat')}/session/end/success`);
    expectPlainHtml(done);
    expect(done.text).toContain('Signed out');
  });

  it('refuses a post_logout_redirect_uri the client did not register', async () => {
    const { config, tokens } = await loginAs(mock.idp, 'bankid-no', 'ola-nordmann', { scope: 'openid' });
    const endSessionUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://evil.example/',
    });
    const page = await new TestBrowser().open(endSessionUrl.href, 'http://evil.example/');
    expect(page.status).toBe(400);
    expect(page.text).toContain('post_logout_redirect_uri not registered');
    expect(page.text).not.toMatch(/<script/);
  });
});
