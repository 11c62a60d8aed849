import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { GENEROUS_RATE_LIMITS, startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { rawUpgrade, visitorBrowser } from './chat-clients.js';

/**
 * How many chat sockets one client may hold on an instance: per session
 * (`chat.socketsPerSession`) and per client address over all its sessions
 * (`chat.socketsPerAddress`); beyond either the upgrade is refused with 429 before any handshake.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ config: { chat: { socketsPerSession: 2, socketsPerAddress: 3 } } });
});
afterAll(async () => {
  await gw?.close();
});

async function open(url: string, cookie: string): Promise<WebSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers: { origin: gw.url, cookie } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve();
    else ws.once('close', () => resolve());
  });
}

describe('chat sockets per client address', () => {
  it('refuses with 429 the socket over the address limit, whichever new session asks, and has room again once one closes', async () => {
    const url = `${gw.url}/ws/visitor`;
    const cookies = await Promise.all(
      [0, 1, 2].map(async () => (await visitorBrowser(gw.url)).cookieHeader(url)),
    );
    const [first = '', second = '', third = ''] = cookies;
    const held = [await open(url, first), await open(url, first), await open(url, second)];
    // The second session has room of its own (1 of 2), the address has none (3 of 3).
    expect(await rawUpgrade(url, { origin: gw.url, cookie: second })).toBe(429);
    expect(await rawUpgrade(url, { origin: gw.url, cookie: third })).toBe(429);
    expect(gw.logs()).toContain('too many sockets');
    // The line names the setting to raise (a load test from one address meets this one first).
    expect(gw.logs()).toContain('"limit":"chat.socketsPerAddress"');
    const leaving = held.pop();
    leaving?.close();
    if (leaving) await closed(leaving);
    const again = await open(url, third);
    expect(again.readyState).toBe(WebSocket.OPEN);
    for (const ws of [...held, again]) ws.close();
    await Promise.all([...held, again].map(closed));
  });

  it('holds the session limit when many upgrades of one session arrive at once', async () => {
    const url = `${gw.url}/ws/visitor`;
    const cookie = (await visitorBrowser(gw.url)).cookieHeader(url);
    const tries = await Promise.allSettled(Array.from({ length: 8 }, () => open(url, cookie)));
    const opened = tries.flatMap((t) => (t.status === 'fulfilled' ? [t.value] : []));
    expect(opened).toHaveLength(2);
    for (const t of tries) if (t.status === 'rejected') expect(String(t.reason)).toContain('429');
    for (const ws of opened) ws.close();
    await Promise.all(opened.map(closed));
  });
});

describe('chat upgrades per address and per session (rateLimits.sockets)', () => {
  let limited: TestGateway;
  beforeAll(async () => {
    limited = await startTestGateway({
      config: {
        rateLimits: { ...GENEROUS_RATE_LIMITS, sockets: { perAddress: 5, perSession: 3, windowSeconds: 60 } },
      },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('refuses with 429 a client reconnecting in a loop, first per session, then per address', async () => {
    const url = `${limited.url}/ws/visitor`;
    const upgrade = async (cookie: string) => rawUpgrade(url, { origin: limited.url, cookie });
    const first = (await visitorBrowser(limited.url)).cookieHeader(url);
    const second = (await visitorBrowser(limited.url)).cookieHeader(url);
    // Each upgraded socket is dropped at once: the socket limits never bind, only the rate.
    for (let i = 0; i < 3; i++) expect(await upgrade(first)).toBe(101);
    expect(await upgrade(first)).toBe(429);
    // The address has counted 4 of 5.
    expect(await upgrade(second)).toBe(101);
    expect(await upgrade(second)).toBe(429);
    expect(await rawUpgrade(url, { origin: limited.url })).toBe(429);
    expect(limited.logs()).toContain('upgrade rate');
    expect(limited.logs()).toContain('"limit":"rateLimits.sockets.perSession"');
    expect(limited.logs()).toContain('"limit":"rateLimits.sockets.perAddress"');
  });
});
