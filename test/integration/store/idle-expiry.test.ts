import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../../src/store/redis-connection.js';
import { storeUnavailable } from '../../../src/store/redis-connection.js';
import { RedisKeys } from '../../../src/store/redis-keys.js';
import type { BrowserSession } from '../../helpers/browser-session.js';
import { conversationIdOf, startRedisPair, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import type { TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  type Frame,
  identifyAndShare,
  staffBrowser,
  visitorBrowser,
} from '../chat/chat-clients.js';

/**
 * A visitor session that Redis expires (idle timeout) ends the identified chat at once on every
 * instance, as a logout does: the agent on the other instance sees the identity detached and a
 * `withdrawn` line, the visitor's sockets close with 4401, also when the visitor has none open.
 * The sockets' heartbeat is set far beyond the idle timeout, so only Redis's expiry
 * notification can have done it. The idle timeout is the shortest the settings allow (1 minute).
 */

const IDLE_MINUTES = 1;
/** The idle timeout, plus a generous bound for the notification on a loaded machine. */
const EXPIRY_BOUND_MS = IDLE_MINUTES * 60_000 + 15_000;

let redis: TestRedis;
let raw: RedisClient;
let a: TestGateway;
let b: TestGateway;
const keys = new RedisKeys('gw:');

beforeAll(async () => {
  redis = await startTestRedis();
  [a, b] = await startRedisPair(redis, {
    session: { secret: 'test-session-secret-0123456789abcdef0123', idleMinutes: IDLE_MINUTES },
    chat: { heartbeatSeconds: 3_600 },
  });
  raw = createClient({ url: redis.url }) as RedisClient;
  raw.on('error', () => {});
  await raw.connect();
});
afterAll(async () => {
  raw?.destroy();
  await a?.close();
  await b?.close();
  await redis?.close();
});

async function agentOn(gw: TestGateway): Promise<ChatClient> {
  const client = await connectAs(await staffBrowser(gw.url, 'alex-agent'), gw.url, 'agent');
  await client.next('welcome');
  return client;
}

/** The session id behind the browser's signed `gw.sid` cookie (`s:<id>.<signature>`). */
function sessionIdOf(browser: BrowserSession, url: string): string {
  const cookie = decodeURIComponent(browser.cookie(url, 'gw.sid') ?? '');
  return cookie.slice(2, cookie.lastIndexOf('.'));
}

/** The visitor id behind the browser's signed `gw.vid` cookie (`<id>.<signature>`). */
function visitorIdOf(browser: BrowserSession, url: string): string {
  return decodeURIComponent(browser.cookie(url, 'gw.vid') ?? '').split('.')[0] ?? '';
}

/** A visitor on `gw` who shared their name and started a chat; the agent claimed it. */
async function identifiedChat(gw: TestGateway, agent: ChatClient) {
  const browser = await visitorBrowser(gw.url);
  const socket = await connectAs(browser, gw.url, 'visitor');
  await socket.next('welcome');
  await identifyAndShare(browser, gw.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
    'name',
  ]);
  await socket.next('identity', (f) => f.verified === true);
  const conversationId = conversationIdOf(
    await socket.request({ type: 'start', topic: 'general' }, 'conversation'),
  );
  const claimed = await agent.request(
    { type: 'claim', conversationId },
    'conversation',
    (f) => conversationIdOf(f) === conversationId,
  );
  expect((claimed.conversation as { identity: { verified: boolean } }).identity.verified).toBe(true);
  return { browser, socket, conversationId };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)),
  ]);
}

describe('idle expiry of a Redis session', () => {
  it('keeps the visitor id beside the session and removes it when the visitor logs out', async () => {
    const browser = await visitorBrowser(a.url);
    await identifyAndShare(browser, a.url, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
      'name',
    ]);
    const sid = sessionIdOf(browser, a.url);
    const owner = keys.sessionOwner(sid);
    expect(await raw.get(owner)).toBe(visitorIdOf(browser, a.url));
    expect(await raw.ttl(owner)).toBeGreaterThan(await raw.ttl(`${keys.sessions()}${sid}`));

    const session = JSON.parse((await browser.get(`${b.url}/api/session`)).text) as { csrfToken: string };
    await browser.post(`${b.url}/auth/logout`, { _csrf: session.csrfToken }, { follow: false });
    expect(await raw.exists([`${keys.sessions()}${sid}`, owner])).toBe(0);
  });

  it(
    'detaches the identity for the agent on the other instance and closes the visitor’s socket with 4401',
    async () => {
      const agent = await agentOn(b);
      // One visitor with a socket open on A, one who closed theirs (on B) and is only seen by the agent.
      const withSocket = await identifiedChat(a, agent);
      const withoutSocket = await identifiedChat(b, agent);
      withoutSocket.socket.close();
      await withoutSocket.socket.closed;
      const since = agent.frames.length;

      const isWithdrawn = (conversationId: string) => (f: Frame) =>
        f.conversationId === conversationId &&
        (f.message as { systemCode?: string }).systemCode === 'withdrawn';
      for (const chat of [withSocket, withoutSocket]) {
        const detached = await agent.next(
          'identity',
          (f) => f.conversationId === chat.conversationId,
          since,
          EXPIRY_BOUND_MS,
        );
        expect(detached.identity).toBeNull();
        await agent.next('message', isWithdrawn(chat.conversationId), since, 10_000);
        const stored = await a.gateway.deps.store.chat.conversations.get('demo', chat.conversationId);
        expect(stored?.identity).toBeUndefined();
      }
      expect((await within(withSocket.socket.closed, 10_000, 'visitor socket close')).code).toBe(4401);
      // The session is gone from Redis, and its owner key was taken by the instance that ended it.
      const sid = sessionIdOf(withSocket.browser, a.url);
      expect(await raw.exists([`${keys.sessions()}${sid}`, keys.sessionOwner(sid)])).toBe(0);
      agent.close();
    },
    EXPIRY_BOUND_MS + 60_000,
  );

  it('tries the detach again when the store fails it, so the agent does not keep the identity', async () => {
    const agent = await agentOn(b);
    const chat = await identifiedChat(a, agent);
    chat.socket.close();
    await chat.socket.closed;
    await waitFor(
      async () =>
        (await a.gateway.deps.store.chat.conversations.get('demo', chat.conversationId))?.visitorLeftAt !==
        undefined,
    );
    // The next conversation write fails on whichever instance takes the expiry (Redis restarting).
    let failures = 1;
    const restore: Array<() => void> = [];
    for (const gw of [a, b]) {
      const conversations = gw.gateway.deps.store.chat.conversations;
      const update = conversations.update;
      restore.push(() => {
        conversations.update = update;
      });
      conversations.update = (...args) => {
        failures -= 1;
        return failures >= 0 ? Promise.reject(storeUnavailable()) : update.apply(conversations, args);
      };
    }
    try {
      const since = agent.frames.length;
      // Redis expires the session now rather than after the idle minute.
      await raw.pExpire(`${keys.sessions()}${sessionIdOf(chat.browser, a.url)}`, 1);
      const detached = await agent.next(
        'identity',
        (f) => f.conversationId === chat.conversationId,
        since,
        15_000,
      );
      expect(detached.identity).toBeNull();
      expect(failures).toBeLessThan(0);
      expect(
        (await a.gateway.deps.store.chat.conversations.get('demo', chat.conversationId))?.identity,
      ).toBeUndefined();
      const tries = [
        ...a.logEntries('expired session not yet applied'),
        ...b.logEntries('expired session not yet applied'),
      ];
      expect(tries).toEqual([
        expect.objectContaining({ level: 40, code: 'store_unavailable', retryInMs: 1_000 }),
      ]);
    } finally {
      for (const undo of restore) undo();
      agent.close();
    }
  });
});
