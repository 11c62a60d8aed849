import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatPageRoutes } from '../../../src/chat/pages/chat-page-routes.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, TEST_SECRET, type TestGateway, testTenant } from '../../helpers/test-gateway.js';

/** The chat's page routes give the staff login its landing page (`/agent`). */
const pages = () => [{ routes: chatPageRoutes }];

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ features: pages });
});
afterAll(async () => {
  await gw?.close();
});

/** Signs in through the mock staff IdP as `persona` (login_hint skips its login page). */
async function staffLogin(browser: BrowserSession, base: string, persona: string, returnTo = '/agent') {
  return browser.get(`${base}/staff/login?login_hint=${persona}&returnTo=${encodeURIComponent(returnTo)}`);
}

async function bootstrap(browser: BrowserSession, base: string) {
  const response = await browser.get(`${base}/api/chat/bootstrap`);
  return JSON.parse(response.text) as { csrfToken: string; staff?: { name: string; roles: string[] } };
}

describe('GET /staff/login', () => {
  it('sends the browser to the staff issuer with PKCE S256, state and nonce', async () => {
    const first = await new BrowserSession().get(`${gw.url}/staff/login`, { follow: false });
    expect(first.status).toBe(303);
    const location = new URL(first.hops[0]?.location ?? '');
    expect(location.href.startsWith(gw.mockIdp.issuer('staff'))).toBe(true);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
    expect(location.searchParams.get('scope')).toBe('openid profile email');
    expect(location.searchParams.get('redirect_uri')).toBe(`${gw.url}/staff/callback`);
  });

  it('refuses a returnTo on another site without redirecting', async () => {
    const page = await new BrowserSession().get(
      `${gw.url}/staff/login?returnTo=${encodeURIComponent('//evil.example/')}`,
      {
        follow: false,
      },
    );
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(page.text).toContain('return_to_invalid');
  });
});

describe('GET /staff/callback', () => {
  it('signs an agent in with the roles of the role claim and lands on the console', async () => {
    const browser = new BrowserSession();
    const page = await staffLogin(browser, gw.url, 'alex-agent');
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${gw.url}/agent`);
    expect(page.text).toContain('Alex Agent');
    expect(page.text).toContain('/static/console.js');
    expect((await bootstrap(browser, gw.url)).staff).toEqual({ name: 'Alex Agent', roles: ['agent'] });
  });

  it('issues a new session id at login (fixation defence)', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/chat`);
    const before = browser.cookie(gw.url, 'gw.sid');
    expect(before).toBeTruthy();
    await staffLogin(browser, gw.url, 'siri-supervisor');
    const after = browser.cookie(gw.url, 'gw.sid');
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    // The planted (old) id carries no staff login.
    const attacker = new BrowserSession();
    attacker.setCookie(gw.url, 'gw.sid', before as string);
    expect((await bootstrap(attacker, gw.url)).staff).toBeUndefined();
  });

  it('refuses an employee of another tenant with staff_wrong_tenant (403) and no staff session', async () => {
    const browser = new BrowserSession();
    const page = await staffLogin(browser, gw.url, 'otto-other-tenant');
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('staff_wrong_tenant');
    expect(page.text).toContain('<h1>Sign-in failed</h1>');
    expect((await bootstrap(browser, gw.url)).staff).toBeUndefined();
    // Logged as a sign-in is: who, as their IdP names them, and why.
    const refused = gw.logEntries('staff sign-in refused');
    expect(refused).toMatchObject([
      { audit: true, tenant: 'demo', code: 'staff_wrong_tenant', staff: expect.any(String) },
    ]);
  });

  it('rejects a forged state with login_expired', async () => {
    const browser = new BrowserSession();
    const page = await browser.get(
      `${gw.url}/staff/callback?code=abc&state=forged&iss=${encodeURIComponent(gw.mockIdp.issuer('staff'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('login_expired');
    // A staff sign-in page, not the citizen's ("Nothing was shared. You are still anonymous.").
    expect(page.text).toContain('<h1>Sign-in failed</h1>');
    expect(page.text).not.toContain('anonymous');
    expect((await bootstrap(browser, gw.url)).staff).toBeUndefined();
  });

  it('does not accept a citizen login transaction on the staff callback (mix-up)', async () => {
    const browser = new BrowserSession();
    const started = await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`, {
      follow: false,
    });
    const authorize = new URL(started.hops[0]?.location ?? '');
    const state = authorize.searchParams.get('state') ?? '';
    const page = await browser.get(
      `${gw.url}/staff/callback?code=abc&state=${state}&iss=${encodeURIComponent(gw.mockIdp.issuer('staff'))}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('state_mismatch');
    expect((await bootstrap(browser, gw.url)).staff).toBeUndefined();
  });

  it('never writes codes or tokens to the log', async () => {
    const browser = new BrowserSession();
    const page = await staffLogin(browser, gw.url, 'alex-agent');
    const code = new URL(
      page.hops.find((hop) => hop.url.includes('/staff/callback'))?.url ?? '',
    ).searchParams.get('code');
    expect(code).toBeTruthy();
    expect(gw.logs()).not.toContain(code as string);
    expect(gw.logs()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(gw.logs()).toContain('staff signed in');
  });
});

describe('GET /agent', () => {
  it('sends a browser without a staff login to /staff/login and back', async () => {
    const page = await new BrowserSession().get(`${gw.url}/agent`, { follow: false });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/staff/login?returnTo=%2Fagent');
  });

  it('shows a security officer (no console role) the staff tools of their role, not the console', async () => {
    const browser = new BrowserSession();
    const page = await staffLogin(browser, gw.url, 'sigurd-security');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Staff tools</h1>');
    expect(page.text).toContain('Sigurd Security (security officer)');
    for (const path of [
      '/staff/conversations/hold',
      '/staff/conversations/delete',
      '/staff/offline-messages/delete',
    ])
      expect(page.text).toContain(`href="${path}"`);
    expect(page.text).not.toContain('console.js');
    expect(page.text).toContain('action="/staff/logout"');
    expect((await bootstrap(browser, gw.url)).staff?.roles).toEqual(['security']);
  });

  it('answers 403 staff_forbidden to a role with neither the console nor a staff tool', async () => {
    const bare = await startTestGateway({
      features: pages,
      tenants: [testTenant({ conversationDeleters: ['admin'], legalHolders: ['admin'] })],
    });
    try {
      const page = await staffLogin(new BrowserSession(), bare.url, 'sigurd-security');
      expect(page.status).toBe(403);
      expect(page.text).toContain('staff_forbidden');
    } finally {
      await bare.close();
    }
  });

  it('does not let a citizen identity stand in for a staff login', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
    const page = await browser.get(`${gw.url}/agent`, { follow: false });
    expect(page.status).toBe(303);
  });
});

describe('POST /staff/logout', () => {
  it('refuses a logout without the CSRF token and keeps the login', async () => {
    const browser = new BrowserSession();
    await staffLogin(browser, gw.url, 'alex-agent');
    const out = await browser.post(`${gw.url}/staff/logout`, {}, { follow: false });
    expect(out.status).toBe(403);
    expect(out.text).toContain('csrf_invalid');
    expect((await bootstrap(browser, gw.url)).staff?.name).toBe('Alex Agent');
  });

  it('ends the staff login and the staff IdP session (id_token_hint)', async () => {
    const browser = new BrowserSession();
    const consolePage = await staffLogin(browser, gw.url, 'alex-agent');
    const out = await browser.post(
      `${gw.url}/staff/logout`,
      { _csrf: inputValue(consolePage.text, '_csrf') },
      { follow: false },
    );
    expect(out.status).toBe(303);
    const target = new URL(out.headers.get('location') ?? '');
    expect(target.href.startsWith(gw.mockIdp.issuer('staff'))).toBe(true);
    expect(target.searchParams.get('id_token_hint')).toBeTruthy();
    expect(target.searchParams.get('post_logout_redirect_uri')).toBe(`${gw.url}/`);
    expect((await bootstrap(browser, gw.url)).staff).toBeUndefined();
    expect((await browser.get(`${gw.url}/agent`, { follow: false })).status).toBe(303);
  });

  it("asks the staff IdP to confirm in the console's language (ui_locales)", async () => {
    const browser = new BrowserSession();
    await staffLogin(browser, gw.url, 'alex-agent');
    const consolePage = await browser.get(`${gw.url}/agent?lang=fi`);
    const out = await browser.post(
      `${gw.url}/staff/logout`,
      { _csrf: inputValue(consolePage.text, '_csrf') },
      { follow: false },
    );
    const target = new URL(out.headers.get('location') ?? '');
    expect(target.searchParams.get('ui_locales')).toBe('fi');
    const question = await browser.get(target.href);
    expect(question.text).toContain('<html lang="fi">');
    expect(question.text).toContain('>Kyllä, kirjaa minut ulos</button>');
  });

  it('logs who signed in and out (the staff subject) and in which roles, not their name or e-mail', async () => {
    const browser = new BrowserSession();
    const consolePage = await staffLogin(browser, gw.url, 'ada-admin');
    await browser.post(
      `${gw.url}/staff/logout`,
      { _csrf: inputValue(consolePage.text, '_csrf') },
      { follow: false },
    );
    const lines = gw.logEntries('"msg":"staff signed');
    const signedIn = lines.filter(
      (line) => line.msg === 'staff signed in' && line.roles?.toString() === 'admin',
    );
    const signedOut = lines.filter((line) => line.msg === 'staff signed out');
    expect(signedIn.at(-1)).toMatchObject({ audit: true, tenant: 'demo', staff: expect.any(String) });
    expect(signedOut.at(-1)).toMatchObject({ audit: true, tenant: 'demo', staff: signedIn.at(-1)?.staff });
    expect(JSON.stringify(lines)).not.toMatch(/Ada|ada\.admin@/);
  });

  it('issues a new session id and CSRF token at logout (fixation defence); the old id names no session', async () => {
    const browser = new BrowserSession();
    const consolePage = await staffLogin(browser, gw.url, 'alex-agent');
    const before = browser.cookie(gw.url, 'gw.sid');
    expect(before).toBeTruthy();
    const out = await browser.post(
      `${gw.url}/staff/logout`,
      { _csrf: inputValue(consolePage.text, '_csrf') },
      { follow: false },
    );
    expect(out.status).toBe(303);
    const after = browser.cookie(gw.url, 'gw.sid');
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    // The id known before the logout names no session any more.
    const raw = decodeURIComponent(before ?? '');
    const oldId = raw.slice(2, raw.lastIndexOf('.'));
    const stored = await new Promise((resolve) =>
      gw.gateway.deps.sessionStore.get(oldId, (_error, session) => resolve(session)),
    );
    expect(stored).toBeFalsy();
    // The browser keeps its (new) session: no staff login, a fresh CSRF token that works.
    const after2 = await bootstrap(browser, gw.url);
    expect(after2.staff).toBeUndefined();
    expect(after2.csrfToken).not.toBe(inputValue(consolePage.text, '_csrf'));
  });

  it('still signs out when the stored ID token cannot be unsealed (data key rotated): no hint, no 500', async () => {
    const browser = new BrowserSession();
    const consolePage = await staffLogin(browser, gw.url, 'alex-agent');
    const cookie = decodeURIComponent(browser.cookie(gw.url, 'gw.sid') ?? '');
    const sid = cookie.slice(2, cookie.lastIndexOf('.'));
    const store = gw.gateway.deps.sessionStore;
    type Stored = { staff: Record<string, { idToken: string }> };
    const data = await new Promise<Stored>((resolve, reject) =>
      store.get(sid, (error, session) => (error ? reject(error) : resolve(session as unknown as Stored))),
    );
    const record = data.staff.demo;
    if (!record) throw new Error('no staff record in the session');
    record.idToken = 'sealed-under-another-key';
    await new Promise<void>((resolve, reject) =>
      store.set(sid, data as never, (error) => (error ? reject(error) : resolve())),
    );
    const out = await browser.post(
      `${gw.url}/staff/logout`,
      { _csrf: inputValue(consolePage.text, '_csrf') },
      { follow: false },
    );
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/');
    expect((await bootstrap(browser, gw.url)).staff).toBeUndefined();
  });
});

describe('role mapping and tenants', () => {
  let multi: TestGateway;
  const staff = (roleMap?: Record<string, string>) => ({
    issuer: 'mock:staff',
    clientId: 'gateway-test',
    clientSecret: TEST_SECRET,
    roleClaim: 'roles',
    tenantClaim: 'tenant',
    ...(roleMap ? { roleMap } : {}),
  });

  beforeAll(async () => {
    multi = await startTestGateway({
      features: pages,
      tenants: [
        testTenant({ staff: staff({ agent: 'supervisor' }) }),
        testTenant({ id: 'other', name: 'Other Municipality', staff: staff() }),
      ],
    });
  });
  afterAll(async () => {
    await multi?.close();
  });

  it('maps IdP roles through roleMap (agent → supervisor)', async () => {
    const browser = new BrowserSession();
    const page = await staffLogin(browser, `${multi.url}/t/demo`, 'alex-agent', '/t/demo/agent');
    expect(page.status).toBe(200);
    expect((await bootstrap(browser, `${multi.url}/t/demo`)).staff?.roles).toEqual(['supervisor']);
  });

  it('answers staff_no_role when no role of the claim is mapped', async () => {
    const browser = new BrowserSession();
    const page = await staffLogin(browser, `${multi.url}/t/demo`, 'sigurd-security', '/t/demo/agent');
    expect(page.status).toBe(403);
    expect(page.text).toContain('staff_no_role');
    expect(multi.logs()).toMatch(/"code":"staff_no_role".*"msg":"staff sign-in refused"/);
    expect(page.text).toContain('<h1>Sign-in failed</h1>');
    expect(page.text).not.toContain('anonymous');
    expect((await bootstrap(browser, `${multi.url}/t/demo`)).staff).toBeUndefined();
  });

  it('keeps a staff login to its own tenant', async () => {
    const browser = new BrowserSession();
    const page = await staffLogin(browser, `${multi.url}/t/other`, 'otto-other-tenant', '/t/other/agent');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Otto Other');
    const elsewhere = await browser.get(`${multi.url}/t/demo/agent`, { follow: false });
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.get('location')).toBe('/t/demo/staff/login?returnTo=%2Ft%2Fdemo%2Fagent');
    expect((await bootstrap(browser, `${multi.url}/t/demo`)).staff).toBeUndefined();
  });
});
