import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../src/chat/chat-feature.js';
import { freePort, startTestGateway, type TestGateway, testTenant } from '../helpers/test-gateway.js';
import { axeViolations, launchChromium, SCREENSHOT_DIR } from './chromium.js';

/**
 * The municipality's own site on another *site* than the gateway embeds the widget: the host
 * page is served from http://localhost:<port>, the gateway from http://127.0.0.1:<port> (two
 * sites for the browser, as www.kommune.no and chat.vendor.example are). The widget's session
 * must survive a reload and a new page of the host site (its cookie is partitioned per host
 * site, SameSite=None; Secure, which browsers accept on loopback in development).
 */

let gw: TestGateway;
let host: Server;
let hostOrigin: string;
let browser: Browser;
let context: BrowserContext;
/** The agent's console, signed in once for the file. */
let agent: Page;

beforeAll(async () => {
  const hostPort = await freePort();
  hostOrigin = `http://localhost:${hostPort}`;
  gw = await startTestGateway({
    features: (deps) => [createChatFeature(deps)],
    tenants: [testTenant({ allowedOrigins: [hostOrigin] })],
  });
  host = createServer((req, res) => {
    // The host site's page in the language `?lang=` names (English by default).
    const lang = new URL(req.url ?? '/', hostOrigin).searchParams.get('lang') ?? 'en';
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="${lang === 'nb' ? 'nb' : 'en'}"><head><meta charset="utf-8"><title>Municipality</title></head>
<body><main><h1>Demo municipality</h1><p>Ask us in the chat.</p></main>
<script src="${gw.url}/static/embed.js" data-tenant-base="${gw.url}/"></script></body></html>`);
  });
  await new Promise<void>((resolve) => host.listen(hostPort, '127.0.0.1', () => resolve()));
  browser = await launchChromium();
  // An agent on duty, so the widget offers topics rather than only the offline form.
  const staff = await browser.newContext({ locale: 'en-GB' });
  staff.setDefaultTimeout(10_000);
  agent = await staff.newPage();
  await agent.goto(`${gw.url}/agent`);
  await agent.getByLabel(/Alex Agent/).check();
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.locator('#console-status', { hasText: 'Connected.' }).waitFor();
  context = await browser.newContext({ locale: 'en-GB' });
  context.setDefaultTimeout(10_000);
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (host ? host.close(() => resolve()) : resolve()));
  await gw?.close();
});

/**
 * In the login tab of a hand-over: the mock BankID login page (persona Kari Nordmann, sign in),
 * then the gateway's consent page (share the name); done once the widget redeemed and answered.
 */
async function shareNameInTab(tab: Page): Promise<void> {
  await tab.waitForURL(/\/interaction\//);
  await tab.getByLabel(/Kari Nordmann/).check();
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.waitForURL(`${gw.url}/consent`);
  await tab.getByLabel('Name').check();
  await tab.getByRole('button', { name: 'Share the selected details' }).click();
  await tab.waitForURL(`${gw.url}/consent/handover`);
  await expect.poll(() => tab.locator('.handover-done').isVisible()).toBe(true);
}

async function openWidget(page: Page): Promise<FrameLocator> {
  await page.goto(`${hostOrigin}/`);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const frame = page.frameLocator('iframe.eidchat-frame');
  await expect.poll(() => frame.locator('#chat-status').textContent()).not.toBe('Loading the chat…');
  return frame;
}

describe('the widget embedded on another site', () => {
  it('sets its cookies partitioned, SameSite=None and Secure', async () => {
    const page = await context.newPage();
    await openWidget(page);
    const cookies = await context.cookies(gw.url);
    const session = cookies.find((c) => c.name === 'gw.sid');
    expect(session).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true });
    expect(cookies.find((c) => c.name === 'gw.vid')).toMatchObject({ sameSite: 'None', secure: true });
    // As sent on the wire: partitioned (CHIPS), so browsers blocking third-party cookies keep it.
    const bootstrap = await fetch(`${gw.url}/api/chat/bootstrap`);
    const setCookie = bootstrap.headers.getSetCookie().find((c) => c.startsWith('gw.sid='));
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; Partitioned/);
    expect(setCookie).toMatch(/; SameSite=None/);
    expect(setCookie).toMatch(/; HttpOnly/);
    await page.close();
  });

  it('keeps SameSite=Lax, unpartitioned, where no other origin embeds the widget', async () => {
    const plain = await startTestGateway({ features: (deps) => [createChatFeature(deps)] });
    try {
      const response = await fetch(`${plain.url}/api/chat/bootstrap`);
      const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('gw.sid='));
      expect(setCookie).toMatch(/; SameSite=Lax/);
      expect(setCookie).not.toMatch(/Partitioned|Secure/);
    } finally {
      await plain.close();
    }
  });

  it('keeps the conversation over a reload and in a new page of the host site', async () => {
    const page = await context.newPage();
    let frame = await openWidget(page);
    await frame.getByRole('button', { name: /General questions/ }).click();
    const box = frame.getByLabel('Your message');
    await box.fill('Is the library open on Sunday?');
    await box.press('Enter');
    const sent = frame.locator('#chat-messages li.msg-visitor:not(.msg-pending) .msg-text');
    await expect.poll(() => sent.count()).toBe(1);

    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    frame = page.frameLocator('iframe.eidchat-frame');
    await expect
      .poll(() => frame.locator('#chat-messages .msg-visitor .msg-text').allTextContents())
      .toEqual(['Is the library open on Sunday?']);

    // A new page has no sessionStorage of the old one: only the cookie can bring it back.
    const fresh = await context.newPage();
    const again = await openWidget(fresh);
    await expect
      .poll(() => again.locator('#chat-messages .msg-visitor .msg-text').allTextContents())
      .toEqual(['Is the library open on Sunday?']);
    await fresh.screenshot({ path: join(SCREENSHOT_DIR, 'cross-site-embed.png') });
    await page.close();
    await fresh.close();
  });

  it("speaks the host page's language throughout, whatever the browser's (Norwegian page, English browser)", async () => {
    // A visitor of its own: no language cookie of an earlier page, and the frame's cookies are
    // another site's, so only the page's own requests can carry its language.
    const visitor = await browser.newContext({ locale: 'en-GB' });
    visitor.setDefaultTimeout(10_000);
    const page = await visitor.newPage();
    await page.goto(`${hostOrigin}/?lang=nb`);
    await page.getByRole('button', { name: 'Chat med oss' }).click();
    const frame = page.frameLocator('iframe.eidchat-frame');
    expect(await frame.locator('html').getAttribute('lang')).toBe('nb');
    // The status line and the topic hints come from the bootstrap, the topic titles from the socket.
    await expect.poll(() => frame.locator('#chat-status').textContent()).toBe('Tilkoblet.');
    const topic = frame.getByRole('button', { name: /Generelle spørsmål/ });
    await expect.poll(() => topic.count()).toBe(1);
    expect(await frame.locator('#topic-hint-general').textContent()).toBe('Anonym chat');
    await topic.click();
    await expect.poll(() => frame.getByLabel('Din melding').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'cross-site-embed-nb.png') });
    await visitor.close();
  });

  it('closes with Escape from inside the chat and from the launcher, giving focus back to the launcher', async () => {
    const page = await context.newPage();
    const frame = await openWidget(page);
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    const focusedClass = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { className: string } } }).document
            .activeElement.className,
      );
    // The focus on the chat's next control after its close button, whatever the chat offers now.
    await frame.getByRole('button', { name: 'Close the chat' }).focus();
    await page.keyboard.press('Tab');
    expect(await frame.locator(':focus').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('iframe.eidchat-frame').isHidden()).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await focusedClass()).toBe('eidchat-launcher');

    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('iframe.eidchat-frame').isVisible()).toBe(true);
    await launcher.focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('iframe.eidchat-frame').isHidden()).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await focusedClass()).toBe('eidchat-launcher');
    await page.close();
  });

  it('closes from inside: the close button hides the frame and gives focus back to the launcher', async () => {
    const page = await context.newPage();
    const frame = await openWidget(page);
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    await frame.getByRole('button', { name: 'Close the chat' }).click();
    await expect.poll(() => page.locator('iframe.eidchat-frame').isHidden()).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { className: string } } }).document
            .activeElement.className,
      ),
    ).toBe('eidchat-launcher');
    await page.close();
  });

  it('brings the identity from the login tab into the widget by the one-time hand-over', async () => {
    // A visitor of its own: the earlier tests left a conversation in the shared context.
    const visitor = await browser.newContext({ locale: 'en-GB' });
    visitor.setDefaultTimeout(10_000);
    const page = await visitor.newPage();
    const frame = await openWidget(page);
    await frame.getByRole('button', { name: /My tax case/ }).click();
    const link = frame.getByRole('link', { name: 'Identify with BankID (opens in a new tab)' });
    await expect.poll(() => link.count()).toBe(1);
    const [tab] = await Promise.all([visitor.waitForEvent('page'), link.click()]);
    await shareNameInTab(tab);
    expect(await tab.getByRole('heading', { level: 1 }).textContent()).toBe('Back to the chat');
    expect(await axeViolations(tab)).toEqual([]);
    await tab.screenshot({ path: join(SCREENSHOT_DIR, 'cross-site-handover.png') });

    // The widget (partitioned session) now shares the name, as after a same-site consent.
    const sharing = frame.locator('#sharing-text');
    await expect.poll(() => sharing.isVisible()).toBe(true);
    expect(await sharing.textContent()).toContain('Name Kari Nordmann');
    // The top-level (unpartitioned) session shares nothing.
    const topLevel = await visitor.newPage();
    await topLevel.goto(`${gw.url}/api/session`);
    expect(JSON.parse((await topLevel.locator('body').textContent()) ?? '{}').state).toBe('anonymous');
    await topLevel.close();
    await tab.close();
    await visitor.close();
  });

  it('says a failed hand-over below the link it concerns, which it describes', async () => {
    const visitor = await browser.newContext({ locale: 'en-GB' });
    visitor.setDefaultTimeout(10_000);
    // The gateway cannot create the hand-over (its store is down, say).
    await visitor.route(`${gw.url}/api/identity/handover`, (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{}' }),
    );
    const page = await visitor.newPage();
    const frame = await openWidget(page);
    await frame.getByRole('button', { name: /My tax case/ }).click();
    const link = frame.getByRole('link', { name: 'Identify with BankID (opens in a new tab)' });
    await expect.poll(() => link.count()).toBe(1);
    await link.click();
    const error = frame.getByRole('alert').filter({ hasText: 'Your identity could not be brought' });
    await expect.poll(() => error.count()).toBe(1);
    const id = await error.getAttribute('id');
    expect(await link.getAttribute('aria-describedby')).toBe(id);
    expect(await frame.locator('#chat-error').textContent()).toBe('');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'cross-site-handover-failed.png') });
    await visitor.close();
  });

  it("takes the agent's identification link through the hand-over too: the widget and the agent get the identity", async () => {
    const visitor = await browser.newContext({ locale: 'en-GB' });
    visitor.setDefaultTimeout(10_000);
    const page = await visitor.newPage();
    const frame = await openWidget(page);
    await frame.getByRole('button', { name: /General questions/ }).click();
    const preview = 'About my building permit, step-up from another site';
    await frame.getByLabel('Your message').fill(preview);
    await frame.getByLabel('Your message').press('Enter');
    const entry = agent.locator('li').filter({ hasText: preview });
    await entry.getByRole('button', { name: /^Take the conversation about General questions/ }).click();
    await expect
      .poll(() => agent.locator('#conversation-heading').textContent())
      .toBe('Conversation: General questions');
    await agent.getByRole('button', { name: 'Request identification' }).click();

    const link = frame.getByRole('log').getByRole('link', { name: 'Identify yourself (opens in a new tab)' });
    await expect.poll(() => link.count()).toBe(1);
    const [tab] = await Promise.all([visitor.waitForEvent('page'), link.click()]);
    // The step-up page, opened for the widget's hand-over (the spent token left the address):
    // its provider links carry the hand-over on.
    await tab.waitForURL(/\/chat\/identify\?handover=[A-Za-z0-9_-]+$/);
    const bankId = tab.getByRole('link', { name: 'BankID' });
    expect(await bankId.getAttribute('href')).toMatch(/[?&]handover=/);
    await bankId.click();
    await shareNameInTab(tab);

    // The widget shares the name, and the conversation the agent asked in is verified.
    const sharing = frame.locator('#sharing-text');
    await expect.poll(() => sharing.isVisible()).toBe(true);
    expect(await sharing.textContent()).toContain('Name Kari Nordmann');
    const panel = agent.getByRole('complementary', { name: 'Identity of the visitor' });
    await expect.poll(() => panel.locator('dd').allTextContents()).toContain('Kari Nordmann');
    await tab.close();
    await visitor.close();
  });

  it('delivers nothing to a tab opened from a link (no opener): the page says so', async () => {
    // A visitor of its own: the earlier tests left a conversation in the shared context.
    const visitor = await browser.newContext({ locale: 'en-GB' });
    visitor.setDefaultTimeout(10_000);
    const page = await visitor.newPage();
    const frame = await openWidget(page);
    const handover = await frame.locator('body').evaluate(async () => {
      const boot = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const created = await fetch('/api/identity/handover', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': boot.csrfToken },
        body: '{}',
      });
      return ((await created.json()) as { handover: string }).handover;
    });
    // As a victim would open a link an attacker sent: a new tab without opener.
    const tab = await visitor.newPage();
    await tab.goto(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann&handover=${handover}`);
    await tab.waitForURL(`${gw.url}/consent`);
    await tab.getByLabel('Name').check();
    await tab.getByRole('button', { name: 'Share the selected details' }).click();
    await tab.waitForURL(`${gw.url}/consent/handover`);
    await expect.poll(() => tab.locator('.handover-failed').isVisible()).toBe(true);
    expect(await frame.locator('#sharing').isHidden()).toBe(true);
    await tab.close();
    await visitor.close();
  });

  it('has no axe-core violations inside the frame', async () => {
    const page = await context.newPage();
    await openWidget(page);
    const inner = page.frames().find((f) => f.url().startsWith(`${gw.url}/chat/widget`));
    expect(inner).toBeDefined();
    const widget = await context.newPage();
    await widget.goto(inner?.url() ?? '');
    expect(await axeViolations(widget)).toEqual([]);
    await page.close();
    await widget.close();
  });
});
