import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { conversationIdOf, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, identifyAndShare, staffSocket, visitorBrowser } from '../chat/chat-clients.js';

let redis: TestRedis;
let gw: TestGateway;

beforeAll(async () => {
  redis = await startTestRedis();
  gw = await startTestGateway({ config: redisGatewayConfig(redis) });
});
afterAll(async () => {
  await gw?.close();
  await redis?.close();
});

describe('a citizen’s erasure on Redis, seen key by key', () => {
  it('leaves no key whose name or opened value names the erased conversation', async () => {
    const browser = await visitorBrowser(gw.url);
    const visitor = await connectAs(browser, gw.url, 'visitor');
    await visitor.next('welcome');
    const conversationId = conversationIdOf(
      await visitor.request({ type: 'start', topic: 'general' }, 'conversation'),
    );
    await visitor.request({ type: 'message', clientId: 'm1', text: 'about my case' }, 'ack');
    const alex = await staffSocket(gw.url, 'alex-agent');
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    // The agent asks for identification: a step-up link for this conversation is stored.
    alex.send({ type: 'request-identification', conversationId });
    await visitor.next('identification-request');
    await identifyAndShare(browser, gw.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
      'name',
    ]);
    await visitor.next('identity', (f) => f.verified === true);
    // A second link, never used.
    alex.send({ type: 'request-identification', conversationId });
    await visitor.next('identification-request', undefined, visitor.frames.length);

    const citizen = new BrowserSession();
    const mine = await citizen.get(`${gw.url}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
    const erased = await citizen.post(`${gw.url}/privacy/my-data/erase`, {
      _csrf: inputValue(mine.text, '_csrf'),
      confirm: 'yes',
    });
    expect(erased.text).toContain('Conversations erased: 1.');
    await waitFor(() => visitor.frames.some((f) => f.type === 'deleted'));

    const raw = createClient({ url: redis.url });
    await raw.connect();
    const crypto = gw.gateway.deps.fieldCrypto;
    const naming: string[] = [];
    for await (const keys of raw.scanIterator({ MATCH: '*', COUNT: 100 })) {
      for (const key of keys) {
        if (key.includes(conversationId)) naming.push(key);
        if ((await raw.type(key)) !== 'string') continue;
        const value = (await raw.get(key)) ?? '';
        let opened = value;
        try {
          opened = JSON.stringify(crypto.open(value));
        } catch {}
        if (opened.includes(conversationId)) naming.push(`${key} (value)`);
      }
    }
    raw.destroy();
    visitor.close();
    alex.close();
    expect(naming).toEqual([]);
  });
});
