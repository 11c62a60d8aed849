import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import { rawUpgrade, staffBrowser, visitorBrowser } from './chat-clients.js';

let gw: TestGateway;
let demo: string;

beforeAll(async () => {
  gw = await startTestGateway({
    tenants: [testTenant(), testTenant({ id: 'other', name: 'Other Municipality' })],
  });
  demo = `${gw.url}/t/demo`;
});
afterAll(async () => {
  await gw?.close();
});

describe('WebSocket upgrade refusals (plain HTTP, before any handshake)', () => {
  it('upgrades a visitor with a session and the gateway Origin (the control case)', async () => {
    const browser = await visitorBrowser(demo);
    const url = `${demo}/ws/visitor`;
    expect(await rawUpgrade(url, { origin: gw.url, cookie: browser.cookieHeader(url) })).toBe(101);
  });

  it('answers 401 without a session cookie', async () => {
    expect(await rawUpgrade(`${demo}/ws/visitor`, { origin: gw.url })).toBe(401);
  });

  it('answers 401 for a session cookie the store does not know', async () => {
    const status = await rawUpgrade(`${demo}/ws/visitor`, {
      origin: gw.url,
      cookie: 'gw.sid=s%3Aforged.signature',
    });
    expect(status).toBe(401);
  });

  it('answers 403 for a foreign Origin even with a valid session (cross-site WebSocket hijacking)', async () => {
    const browser = await visitorBrowser(demo);
    const url = `${demo}/ws/visitor`;
    expect(await rawUpgrade(url, { origin: 'https://evil.example', cookie: browser.cookieHeader(url) })).toBe(
      403,
    );
  });

  it('answers 403 without an Origin header', async () => {
    const browser = await visitorBrowser(demo);
    const url = `${demo}/ws/visitor`;
    expect(await rawUpgrade(url, { cookie: browser.cookieHeader(url) })).toBe(403);
  });

  it('answers 401 on the agent socket for a visitor session without staff login', async () => {
    const browser = await visitorBrowser(demo);
    const url = `${demo}/ws/agent`;
    expect(await rawUpgrade(url, { origin: gw.url, cookie: browser.cookieHeader(url) })).toBe(401);
  });

  it('answers 401 on the agent socket of a tenant the staff member is not signed in to', async () => {
    const otto = await staffBrowser(`${gw.url}/t/other`, 'otto-other-tenant');
    const url = `${demo}/ws/agent`;
    expect(await rawUpgrade(url, { origin: gw.url, cookie: otto.cookieHeader(url) })).toBe(401);
    const own = `${gw.url}/t/other/ws/agent`;
    expect(await rawUpgrade(own, { origin: gw.url, cookie: otto.cookieHeader(own) })).toBe(101);
  });

  it('answers 403 on the agent socket for staff without a console role', async () => {
    const security = await staffBrowser(demo, 'sigurd-security');
    const url = `${demo}/ws/agent`;
    expect(await rawUpgrade(url, { origin: gw.url, cookie: security.cookieHeader(url) })).toBe(403);
  });

  it('answers 404 for an unknown path', async () => {
    const browser = await visitorBrowser(demo);
    for (const path of ['/ws/nope', '/t/demo/ws/visitor/extra', '/t/unknown/ws/visitor', '/ws/visitor']) {
      const url = `${gw.url}${path}`;
      expect(await rawUpgrade(url, { origin: gw.url, cookie: browser.cookieHeader(url) }), path).toBe(404);
    }
  });

  it('answers 429 beyond the sockets one session may hold', async () => {
    const browser = new BrowserSession();
    await browser.get(`${demo}/chat`);
    const url = `${demo}/ws/visitor`;
    const { WebSocket } = await import('ws');
    const sockets = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const ws = new WebSocket(url.replace(/^http/, 'ws'), {
          headers: { origin: gw.url, cookie: browser.cookieHeader(url) },
        });
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        return ws;
      }),
    );
    expect(await rawUpgrade(url, { origin: gw.url, cookie: browser.cookieHeader(url) })).toBe(429);
    for (const ws of sockets) ws.close();
  });

  it('answers a plain GET of a socket address with 426 naming the protocol, making no session', async () => {
    for (const path of ['/ws/visitor', '/ws/agent']) {
      const response = await fetch(`${demo}${path}`, { headers: { origin: gw.url } });
      expect(response.status, path).toBe(426);
      expect(response.headers.get('upgrade'), path).toBe('websocket');
      expect(response.headers.get('set-cookie'), path).toBeNull();
      expect(await response.json(), path).toEqual({
        error: { code: 'upgrade_required', message: 'This address takes WebSocket connections only.' },
      });
    }
  });

  it('takes a socket address spelt with a trailing slash for none, upgraded or not (404 both ways)', async () => {
    const browser = await visitorBrowser(demo);
    for (const path of ['/ws/visitor/', '/ws/agent/']) {
      const url = `${demo}${path}`;
      // The 426 would tell a client to upgrade at an address whose upgrade is refused as unknown.
      expect(await rawUpgrade(url, { origin: gw.url, cookie: browser.cookieHeader(url) }), path).toBe(404);
      const plain = await fetch(url, { headers: { origin: gw.url } });
      expect(plain.status, path).toBe(404);
      expect(plain.headers.get('upgrade'), path).toBeNull();
      expect((await fetch(url, { method: 'POST' })).status, path).toBe(404);
    }
  });

  it('answers other methods on a socket address with 405 and Allow, unknown paths still 404', async () => {
    for (const method of ['POST', 'HEAD', 'DELETE']) {
      const response = await fetch(`${demo}/ws/visitor`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow'), method).toBe('GET, OPTIONS');
    }
    for (const path of ['/t/demo/ws/nope', '/t/demo/WS/visitor', '/t/demo/ws/visitor/extra'])
      expect((await fetch(`${gw.url}${path}`)).status, path).toBe(404);
  });

  it('logs no cookie or session id of refused upgrades', () => {
    expect(gw.logs()).toContain('chat upgrade refused');
    expect(gw.logs()).not.toContain('gw.sid=');
  });
});
