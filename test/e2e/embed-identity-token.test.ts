import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../helpers/browser-session.js';
import { freePort, startTestGateway, type TestGateway, testTenant } from '../helpers/test-gateway.js';
import { verifyZendesk } from '../helpers/vendor-verifiers.js';
import { launchChromium } from './chromium.js';

/**
 * `window.eidChat.identityToken(target)` of embed.js on a host page of another site
 * (http://localhost:<port>, the gateway on http://127.0.0.1:<port>): the host page gets the
 * hand-off credential through the widget frame's `postMessage` bridge, without CORS and without
 * ever seeing the CSRF token. A third origin (http://localhost:<other port>) is not allowed.
 */

const ZENDESK_SECRET = 'zendesk-shared-secret-0123456789';

let gw: TestGateway;
let hostServer: Server;
let rogueServer: Server;
let hostOrigin: string;
let rogueOrigin: string;
let browser: Browser;
let context: BrowserContext;

/** The host page's view of one `identityToken` call. */
type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; code: string; name: string };

function serve(port: number, html: (path: string) => string): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(html(req.url ?? '/'));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  const hostPort = await freePort();
  const roguePort = await freePort();
  hostOrigin = `http://localhost:${hostPort}`;
  rogueOrigin = `http://localhost:${roguePort}`;
  // The default features: the chat and the hand-off.
  gw = await startTestGateway({
    tenants: [
      testTenant({
        allowedOrigins: [hostOrigin],
        handoff: {
          targets: [
            { id: 'zendesk', vendor: 'zendesk', label: 'Zendesk', keyId: 'app_1', secret: ZENDESK_SECRET },
          ],
        },
      }),
    ],
  });
  hostServer = await serve(
    hostPort,
    () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Municipality</title></head>
<body><main><h1>Demo municipality</h1></main>
<script src="${gw.url}/static/embed.js" data-tenant-base="${gw.url}/"></script></body></html>`,
  );
  // A page of a site the tenant does not allow: framed by the host page, or opening the
  // widget itself in a window, it asks every window it can reach for a token.
  rogueServer = await serve(
    roguePort,
    () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other site</title></head>
<body><p>Other site</p></body></html>`,
  );
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'en-GB' });
  context.setDefaultTimeout(10_000);
});
afterAll(async () => {
  await browser?.close();
  for (const server of [hostServer, rogueServer])
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await gw?.close();
});

/** Calls the API in the host page and reports how the promise settled. */
function identityToken(page: Page, target: string): Promise<Outcome> {
  return page.evaluate(async (t) => {
    const api = (globalThis as unknown as { eidChat: { identityToken(t: string): Promise<unknown> } })
      .eidChat;
    try {
      return { ok: true as const, value: (await api.identityToken(t)) as Record<string, unknown> };
    } catch (error) {
      const e = error as { code: string; name: string };
      return { ok: false as const, code: e.code, name: e.name };
    }
  }, target);
}

async function openHost(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${hostOrigin}/`);
  return page;
}

async function openWidget(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const frame = page.frameLocator('iframe.eidchat-frame');
  await expect.poll(() => frame.locator('#chat-status').textContent()).not.toBe('Loading the chat…');
}

/**
 * Identifies as Kari Nordmann and shares `claims` in the widget's own (partitioned) session.
 * The broker login cannot run inside the frame and a new tab of the gateway has another cookie
 * partition (README, "Known limit"), so the login runs beside the browser with the frame's
 * session cookie, and the rotated cookie goes back into the frame's partition.
 */
async function shareInWidgetSession(claims: string[]): Promise<void> {
  const cookies = await context.cookies(gw.url);
  const sid = cookies.find((c) => c.name === 'gw.sid');
  expect(sid?.partitionKey).toBeDefined();
  const session = new BrowserSession();
  for (const cookie of cookies) session.setCookie(gw.url, cookie.name, cookie.value);
  const consent = await session.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann`);
  await session.post(`${gw.url}/consent`, {
    _csrf: inputValue(consent.text, '_csrf'),
    claims,
    decision: 'share',
  });
  const rotated = session.cookie(gw.url, 'gw.sid');
  expect(rotated).toBeDefined();
  expect(rotated).not.toBe(sid?.value);
  await context.addCookies([{ ...(sid as NonNullable<typeof sid>), value: rotated ?? '' }]);
}

describe('window.eidChat.identityToken on a host page of another site', () => {
  it('rejects with chat_not_open while the visitor has not opened the chat', async () => {
    const page = await openHost();
    expect(await identityToken(page, 'zendesk')).toEqual({
      ok: false,
      code: 'chat_not_open',
      name: 'EidChatError',
    });
    expect(await page.locator('iframe').count()).toBe(0);
    await page.close();
  });

  it('rejects with handoff_not_shared before the citizen has opted in, and with handoff_target_unknown for another target', async () => {
    const page = await openHost();
    await openWidget(page);
    expect(await identityToken(page, 'zendesk')).toMatchObject({ ok: false, code: 'handoff_not_shared' });
    expect(await identityToken(page, 'salesforce')).toMatchObject({
      ok: false,
      code: 'handoff_target_unknown',
    });
    await page.close();
  });

  it('answers no request from another frame of the host page, of its own site or another', async () => {
    const page = await openHost();
    await openWidget(page);
    // Everything the widget posts to the host page, recorded by the host page.
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        seen: unknown[];
        addEventListener(type: string, listener: (event: { data: unknown }) => void): void;
      };
      g.seen = [];
      g.addEventListener('message', (event) => g.seen.push(event.data));
    });
    // Frames inside the host page, one of the host's own site and one of another site, ask the
    // widget frame (their sibling). Neither is the widget's parent; answers would go back to them.
    const askers: Frame[] = [];
    for (const origin of [hostOrigin, rogueOrigin]) {
      const src = `${origin}/other-frame`;
      await page.evaluate(
        (url) =>
          new Promise<void>((resolve) => {
            const d = (
              globalThis as unknown as {
                document: {
                  createElement(t: string): { src: string; onload: () => void };
                  body: { append(e: unknown): void };
                };
              }
            ).document;
            const frame = d.createElement('iframe');
            frame.onload = () => resolve();
            frame.src = url;
            d.body.append(frame);
          }),
        src,
      );
      const asker = page.frames().find((f) => f.url() === src);
      expect(asker).toBeDefined();
      if (asker) askers.push(asker);
    }
    for (const asker of askers) {
      await asker.evaluate(() => {
        const w = globalThis as unknown as {
          parent: { frames: { length: number; [i: number]: { postMessage(m: unknown, o: string): void } } };
          received: unknown[];
          addEventListener(t: string, l: (e: { data: unknown }) => void): void;
        };
        w.received = [];
        // Only answers count (the frame also reaches itself among its parent's frames).
        w.addEventListener('message', (e) => {
          if ((e.data as { type?: string }).type === 'eidchat:identity-token-result') w.received.push(e.data);
        });
        for (let i = 0; i < w.parent.frames.length; i++)
          w.parent.frames[i]?.postMessage(
            { type: 'eidchat:identity-token', id: 'sibling', target: 'zendesk' },
            '*',
          );
      });
    }

    // The host page's own request, sent after the others, is answered; theirs never are.
    expect(await identityToken(page, 'zendesk')).toMatchObject({ ok: false, code: 'handoff_not_shared' });
    expect(await identityToken(page, 'zendesk')).toMatchObject({ ok: false, code: 'handoff_not_shared' });
    const seenIds = await page.evaluate(() =>
      (globalThis as unknown as { seen: Array<{ type?: string; id?: string }> }).seen
        .filter((m) => m.type === 'eidchat:identity-token-result')
        .map((m) => m.id),
    );
    expect(seenIds).toHaveLength(2);
    expect(seenIds).not.toContain('sibling');
    for (const asker of askers)
      expect(await asker.evaluate(() => (globalThis as unknown as { received: unknown[] }).received)).toEqual(
        [],
      );
    await page.close();
  });

  it('answers a Zendesk token the documented verifier accepts, with only the ticked claims, after the citizen shares', async () => {
    const page = await openHost();
    await openWidget(page);
    await shareInWidgetSession(['name']);
    const outcome = await identityToken(page, 'zendesk');
    expect(outcome.ok).toBe(true);
    const value = outcome.ok ? outcome.value : {};
    expect(value).toMatchObject({ target: 'zendesk', vendor: 'zendesk', expiresAt: expect.any(Number) });
    expect(value).not.toHaveProperty('csrfToken');
    const payload = await verifyZendesk(String(value.token), {
      secret: ZENDESK_SECRET,
      keyId: 'app_1',
      now: new Date(),
    });
    expect(payload.name).toBe('Kari Nordmann');
    expect(Object.keys(payload).sort()).toEqual(['exp', 'external_id', 'iat', 'name', 'scope']);

    // Closing the widget hides the frame; the host page can still ask.
    await page.getByRole('button', { name: 'Chat with us' }).click();
    expect(await page.locator('iframe.eidchat-frame').isHidden()).toBe(true);
    expect(await identityToken(page, 'zendesk')).toMatchObject({ ok: true });
    await page.close();
  });
});
