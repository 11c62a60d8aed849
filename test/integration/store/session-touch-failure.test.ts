import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import type session from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../../helpers/browser-session.js';
import { readiness, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

/**
 * Redis going away while a request is being answered: express-session touches the session
 * (`rolling`) as the answer ends, after reading it at the start. The failed touch must leave the
 * answer and its keep-alive connection alone, so the next request on it gets a 503, not a reset
 * (the fault drill saw `ECONNRESET` and "other side closed" under load at each Redis stop).
 */

let redis: TestRedis;
let gateway: TestGateway;
beforeAll(async () => {
  redis = await startTestRedis();
  gateway = await startTestGateway({ config: redisGatewayConfig(redis) });
});
afterAll(async () => {
  await gateway?.close();
  await redis?.close();
});

interface Answer {
  status: number;
  body: string;
  socket: Socket;
}

/** A GET on `agent` (one keep-alive socket), with the socket it went over. */
function get(agent: Agent, url: string, cookie: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { cookie } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket as Socket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a session touch that fails after the answer was written', () => {
  it('keeps the answer whole and the connection usable; the next request gets 503 store_unavailable', async () => {
    const browser = new BrowserSession();
    await browser.get(`${gateway.url}/chat`);
    const cookie = browser.cookieHeader(`${gateway.url}/api/session`);
    expect(cookie).toContain('gw.sid=');

    // Redis dies between reading the session and touching it as the answer ends.
    const store = gateway.gateway.deps.sessionStore as session.Store & {
      touch: (sid: string, sess: session.SessionData, callback: (err?: unknown) => void) => void;
    };
    const touch = store.touch.bind(store);
    store.touch = (sid, sess, callback) => {
      store.touch = touch;
      void redis.kill().then(() => touch(sid, sess, callback));
    };

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, `${gateway.url}/api/session`, cookie);
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body).state).toBe('anonymous');
      await new Promise((resolve) => setTimeout(resolve, 50));

      const second = await get(agent, `${gateway.url}/api/session`, cookie);
      expect(second.socket).toBe(first.socket);
      expect(second.status).toBe(503);
      expect(JSON.parse(second.body).error.code).toBe('store_unavailable');
      expect(gateway.logs()).toContain('session not saved after the answer');
    } finally {
      agent.destroy();
      await redis.start();
      await waitFor(async () => (await readiness(gateway.url)) === 200);
    }
  });
});
