import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { rawUpgrade } from '../chat/chat-clients.js';

/**
 * The gateway with `store.type: "redis"` against its own `redis-server`: sessions survive the
 * gateway's restart, and while Redis is down requests fail fast with a clear 503 and
 * readiness is red, turning green again by itself.
 */

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.close();
});

const redisConfig = () => redisGatewayConfig(redis);
const readyStatus = (gw: TestGateway) => readiness(gw.url);

describe('sessions on Redis', () => {
  it('keep a visitor’s session across a gateway restart (another instance reads it)', async () => {
    const first = await startTestGateway({ config: redisConfig() });
    const browser = new BrowserSession();
    await browser.get(`${first.url}/chat`);
    const before = await browser.get(`${first.url}/api/chat/bootstrap`);
    expect(before.status).toBe(200);
    const sid = browser.cookie(first.url, 'gw.sid');
    expect(sid).toBeDefined();
    await first.close();

    const second = await startTestGateway({ config: redisConfig() });
    // Same host, another port: the browser keeps its cookie (cookies are per host).
    const after = await browser.get(`${second.url}/api/chat/bootstrap`);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text).csrfToken).toBe(JSON.parse(before.text).csrfToken);
    expect(browser.cookie(second.url, 'gw.sid')).toBe(sid);
    await second.close();
  });
});

describe('consent on two instances', () => {
  // Kari Nordmann, the mock BankID persona.
  const KARI = '12838540056';
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestGateway({ config: redisConfig() }),
      startTestGateway({ config: redisConfig() }),
    ]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const receipts = () =>
    a.gateway.deps.store.receipts.listBySubject('demo', a.gateway.deps.fieldCrypto.blindIndex(KARI));

  it.each([
    ['share', { claims: ['name'], decision: 'share' }],
    ['share nothing', { decision: 'decline' }],
  ])('takes one decision (%s) when the consent is posted on both at once', async (_name, answer) => {
    const before = (await receipts()).length;
    const browser = new BrowserSession();
    const consent = await browser.get(`${a.url}/auth/bankid/login?login_hint=kari-nordmann`);
    expect(consent.url).toBe(`${a.url}/consent`);
    const form = { _csrf: inputValue(consent.text, '_csrf'), ...answer };
    // A double click whose two posts a load balancer sends to both instances.
    const answers = await Promise.all(
      [a, b].map((gw) =>
        browser.post(`${gw.url}/consent`, form, { follow: false, headers: { origin: gw.url } }),
      ),
    );
    expect(answers.map((posted) => posted.status).sort()).toEqual([303, 409]);
    expect(answers.find((posted) => posted.status === 409)?.text).toContain('consent_not_pending');
    expect((await receipts()).length - before).toBe(1);
  });
});

describe('Redis unreachable', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ config: redisConfig() });
    await waitFor(async () => (await readyStatus(gw)) === 200);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('answers 503 store_unavailable fast (page and JSON), turns readiness red, and recovers by itself', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gw.url}/`);
    await redis.stop();
    await waitFor(async () => (await readyStatus(gw)) === 503);
    const ready = await (await fetch(`${gw.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'unavailable', store: { type: 'redis', ready: false } });
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);

    const page = await browser.get(`${gw.url}/`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('store_unavailable');
    expect(page.headers.get('retry-after')).toBe('5');
    const api = await browser.get(`${gw.url}/api/session`);
    expect(api.status).toBe(503);
    expect(JSON.parse(api.text)).toEqual({
      error: {
        code: 'store_unavailable',
        message: 'The service is temporarily unavailable. Try again shortly.',
      },
    });
    // A new visitor (whose session would be created) is refused too, not held until Redis returns.
    expect((await new BrowserSession().get(`${gw.url}/`)).status).toBe(503);
    // The chat socket of a known session: 503 (retry), not 401 (which means "log in again").
    const ws = new URL('/ws/visitor', gw.url);
    const upgrade = await rawUpgrade(ws.href, { origin: ws.origin, cookie: browser.cookieHeader(ws.href) });
    expect(upgrade).toBe(503);

    await redis.start();
    await waitFor(async () => (await readyStatus(gw)) === 200);
    expect((await browser.get(`${gw.url}/api/session`)).status).toBe(200);
  });
});

describe('start-up while Redis is down', () => {
  it('listens with readiness red, says so in one log line, and turns ready when Redis comes', async () => {
    await redis.stop();
    const gw = await startTestGateway({ config: redisConfig() });
    try {
      expect(await readyStatus(gw)).toBe(503);
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${gw.url}/`)).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const lines = gw
        .logs()
        .split('\n')
        .filter((line) => line.includes('redis unreachable'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain(redis.url);
      await redis.start();
      await waitFor(async () => (await readyStatus(gw)) === 200);
      expect(gw.logs()).toContain('redis reachable again');
    } finally {
      await gw.close();
    }
  });
});
