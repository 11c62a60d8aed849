import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatPageRoutes } from '../../src/chat/pages/chat-page-routes.js';
import type { ChatBootstrap } from '../../src/chat/protocol.js';
import { BrowserSession } from '../helpers/browser-session.js';
import { freePort, startTestGateway, type TestGateway, testTenant } from '../helpers/test-gateway.js';
import { launchChromium, SCREENSHOT_DIR } from './chromium.js';

let gw: TestGateway;
let host: Server;
let hostOrigin: string;
let browser: Browser;

/** A tenant's own web site on another origin, embedding the widget with the one script tag. */
function hostPage(gatewayUrl: string): string {
  return `<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>Kunnan sivu</title></head>
<body><main><h1>Demokunta</h1><p>Asioi chatissa.</p></main>
<script src="${gatewayUrl}/static/embed.js" data-tenant-base="${gatewayUrl}/"></script></body></html>`;
}

beforeAll(async () => {
  const hostPort = await freePort();
  hostOrigin = `http://127.0.0.1:${hostPort}`;
  gw = await startTestGateway({
    features: () => [{ routes: chatPageRoutes }],
    tenants: [testTenant({ allowedOrigins: [hostOrigin] })],
  });
  // `?gateway=` picks the gateway whose embed.js the page includes (default: the test's own).
  host = createServer((req, res) => {
    const gateway = new URL(req.url ?? '/', hostOrigin).searchParams.get('gateway') ?? gw.url;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(hostPage(gateway));
  });
  await new Promise<void>((resolve) => host.listen(hostPort, '127.0.0.1', () => resolve()));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (host ? host.close(() => resolve()) : resolve()));
  await gw?.close();
});

describe('GET /chat/widget', () => {
  it("lets only the tenant's allowed origins frame the widget", async () => {
    const widget = await new BrowserSession().get(`${gw.url}/chat/widget`);
    expect(widget.status).toBe(200);
    const csp = widget.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors 'self' ${gw.url} ${hostOrigin}`);
    expect(csp).toContain("script-src 'self'");
    expect(widget.headers.get('x-frame-options')).toBeNull();
  });

  it("keeps frame-ancestors 'none' on every other page", async () => {
    for (const path of ['/chat', '/chat/identified', '/']) {
      const page = await new BrowserSession().get(`${gw.url}${path}`);
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('renders a shell without inline script or style, with the bundle as an external module', async () => {
    const page = await new BrowserSession().get(`${gw.url}/chat/widget?lang=sv`);
    expect(page.text).toContain('<html lang="sv">');
    expect(page.text).toContain('<script type="module" src="/static/widget.js"></script>');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\sstyle=/);
    expect(page.text).toContain('role="log" aria-live="polite"');
    expect(page.text).toContain('Ditt meddelande');
  });

  it('serves embed.js to other origins (Cross-Origin-Resource-Policy: cross-origin)', async () => {
    const script = await fetch(`${gw.url}/static/embed.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const widget = await fetch(`${gw.url}/static/widget.js`);
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});

describe('GET /api/chat/bootstrap', () => {
  it('gives the bundles language, chat texts, a CSRF token and provider links back to /chat/identified', async () => {
    const session = new BrowserSession();
    session.language = 'fi';
    const response = await session.get(`${gw.url}/api/chat/bootstrap`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const boot = JSON.parse(response.text) as ChatBootstrap;
    expect(boot.lang).toBe('fi');
    expect(boot.messages['chat.composer.label']).toBe('Viestisi');
    expect(Object.keys(boot.messages).every((key) => /^(chat|loa)\./.test(key))).toBe(true);
    // The console says the level a visitor identified with in the page's language.
    expect(boot.messages['loa.substantial']).toBe('korotettu');
    expect(boot.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(boot.wsUrl).toEqual({ visitor: '/ws/visitor?lang=fi', agent: '/ws/agent?lang=fi' });
    expect(boot.providers.find((p) => p.id === 'suomifi')?.loginUrl).toBe(
      '/auth/suomifi/login?returnTo=%2Fchat%2Fidentified',
    );
    expect(boot.staff).toBeUndefined();
    expect(session.cookie(gw.url, 'gw.sid')).toBeTruthy();
  });

  it("answers in the language its page names (?lang=), without keeping it as the person's choice", async () => {
    const response = await fetch(`${gw.url}/api/chat/bootstrap?lang=sv`, {
      headers: { Accept: 'application/json', 'Accept-Language': 'fi' },
    });
    const boot = (await response.json()) as ChatBootstrap;
    expect(boot.lang).toBe('sv');
    expect(boot.messages['chat.composer.label']).toBe('Ditt meddelande');
    expect(boot.wsUrl).toEqual({ visitor: '/ws/visitor?lang=sv', agent: '/ws/agent?lang=sv' });
    expect(response.headers.getSetCookie().filter((c) => c.startsWith('lang='))).toEqual([]);
    // A page's ?lang= is the person's choice, kept for their next pages.
    const page = await fetch(`${gw.url}/chat?lang=sv`, { headers: { Accept: 'text/html' } });
    expect(page.headers.getSetCookie().filter((c) => c.startsWith('lang=sv'))).toHaveLength(1);
    expect(await page.text()).toContain('data-bootstrap="/api/chat/bootstrap?lang=sv"');
  });
});

describe('embed.js on a tenant web site', () => {
  it('adds a launcher that opens the widget in a titled iframe, and closes it again', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(8000);
    const page = await context.newPage();
    await page.goto(`${hostOrigin}/`);
    const launcher = page.getByRole('button', { name: 'Chattaa kanssamme' });
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
    await launcher.focus();
    await page.keyboard.press('Enter');
    const frameElement = page.locator('iframe.eidchat-frame');
    expect(await frameElement.getAttribute('title')).toBe('Asiakaschat');
    expect(await frameElement.getAttribute('src')).toBe(`${gw.url}/chat/widget?lang=fi`);
    const frame = page.frameLocator('iframe.eidchat-frame');
    // The widget rendered inside the frame: the CSP allowed this origin to embed it.
    await expect.poll(() => frame.getByRole('heading', { level: 1 }).textContent()).toBe('Chat: Testikunta');
    await expect.poll(() => frame.getByLabel('Viestisi').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'embed-open.png') });
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    await launcher.click();
    expect(await frameElement.isHidden()).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await context.close();
  });

  it('is refused by the browser on a site whose origin is not allowed', async () => {
    const other = await startTestGateway({ features: () => [{ routes: chatPageRoutes }] });
    const context = await browser.newContext();
    context.setDefaultTimeout(8000);
    try {
      const page = await context.newPage();
      await page.goto(`${hostOrigin}/?gateway=${encodeURIComponent(other.url)}`);
      const [widgetResponse] = await Promise.all([
        page.waitForResponse((r) => r.url().startsWith(`${other.url}/chat/widget`)),
        page.locator('.eidchat-launcher').click(),
      ]);
      // The gateway answers, but frame-ancestors makes the browser refuse to show the document.
      expect(widgetResponse.status()).toBe(200);
      expect(await widgetResponse.headerValue('content-security-policy')).toContain(
        `frame-ancestors 'self' ${other.url};`,
      );
      // Chromium replaces a document refused by frame-ancestors with its error page.
      const frame = await (await page.locator('iframe.eidchat-frame').elementHandle())?.contentFrame();
      await expect.poll(() => frame?.url()).toBe('chrome-error://chromewebdata/');
      expect(await frame?.locator('#chat-app').count()).toBe(0);
    } finally {
      await context.close();
      await other.close();
    }
  });
});
