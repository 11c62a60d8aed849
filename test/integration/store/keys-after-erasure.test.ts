import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { conversationIdOf, redisGatewayConfig, waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  identifyAndShare,
  staffBrowser,
  staffSocket,
  startedConversation,
  submitStaffForm,
  visitorBrowser,
} from '../chat/chat-clients.js';

let redis: TestRedis;
let gw: TestGateway;

/**
 * A plain client of the test's redis-server, closed when the test ends, also when an assertion
 * fails: left open, it outlives the server and its "Socket closed" is an unhandled error.
 */
async function rawClient() {
  const raw = createClient({ url: redis.url });
  await raw.connect();
  onTestFinished(() => raw.destroy());
  return raw;
}

/** A stored value as `gw` opens it (its sealed JSON), or as it is when it is not sealed. */
function openedBy(gw: TestGateway): (value: string) => string {
  const crypto = gw.gateway.deps.fieldCrypto;
  return (value) => {
    try {
      return JSON.stringify(crypto.open(value));
    } catch {
      return value;
    }
  };
}

/** Starts a conversation in `general` from a page and a search (both kept as metadata) that name the matter. */
async function startFromSearch(visitor: ChatClient): Promise<string> {
  const started = await visitor.request(
    {
      type: 'start',
      topic: 'general',
      page: 'https://kommune.example/skatt',
      referrer: 'https://search.example/?q=kari',
    },
    'conversation',
  );
  return conversationIdOf(started);
}

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

    const raw = await rawClient();
    const opened = openedBy(gw);
    const naming: string[] = [];
    for await (const keys of raw.scanIterator({ MATCH: '*', COUNT: 100 })) {
      for (const key of keys) {
        if (key.includes(conversationId)) naming.push(key);
        if ((await raw.type(key)) !== 'string') continue;
        if (opened((await raw.get(key)) ?? '').includes(conversationId)) naming.push(`${key} (value)`);
      }
    }
    visitor.close();
    alex.close();
    expect(naming).toEqual([]);
  });
});

describe('anonymisation on Redis, seen key by key', () => {
  let gw2: TestGateway;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    gw2 = await startTestGateway({
      clock,
      config: redisGatewayConfig(redis),
      tenants: [
        testTenant({
          retention: { anonymiseAfterDays: 10 },
          metadata: { ip: true, userAgent: true, pages: true, referrer: true },
        }),
      ],
    });
  });
  afterAll(async () => {
    await gw2?.close();
  });

  it('leaves nothing that names the conversation beside anything that names its visitor', async () => {
    const alex = await staffSocket(gw2.url, 'alex-agent');
    const browser = await visitorBrowser(gw2.url);
    const visitor = await connectAs(browser, gw2.url, 'visitor');
    await visitor.next('welcome');
    const conversationId = await startFromSearch(visitor);
    await visitor.request({ type: 'message', clientId: 'm1', text: 'about my case 4711' }, 'ack');
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    await identifyAndShare(
      browser,
      gw2.url,
      '/auth/bankid/login?returnTo=/chat/identified',
      'kari-nordmann',
      ['name', 'nationalId'],
    );
    await visitor.next('identity', (f) => f.verified === true);
    await visitor.request({ type: 'message', clientId: 'm2', text: 'verified now' }, 'ack');
    const record = await gw2.gateway.deps.store.chat.conversations.get('demo', conversationId);
    const identifying = [
      record?.visitorId ?? 'missing',
      ...(record?.subjects ?? ['missing']),
      'Kari',
      'Nordmann',
      '4711',
      'kommune.example',
      'search.example',
      '127.0.0.1',
    ];
    visitor.send({ type: 'end' });
    await visitor.next('status', (f) => f.status === 'closed');
    visitor.close();
    alex.close();
    clock.advance(11 * 24 * 60 * 60 * 1000);
    expect(await gw2.gateway.retention.sweep()).toMatchObject({ anonymised: 1 });

    const raw = await rawClient();
    const opened = openedBy(gw2);
    const found: string[] = [];
    for await (const keys of raw.scanIterator({ MATCH: '*', COUNT: 100 })) {
      for (const key of keys) {
        // The citizen's own browser session is theirs, not the transcript's.
        if (key.includes(':sess:') || key.includes('sess-owner')) continue;
        const type = await raw.type(key);
        const parts: string[] = [key];
        if (type === 'string') parts.push(opened((await raw.get(key)) ?? ''));
        if (type === 'set') parts.push(...(await raw.sMembers(key)).map(opened));
        if (type === 'zset') parts.push(...(await raw.zRange(key, 0, -1)).map(opened));
        if (type === 'list') parts.push(...(await raw.lRange(key, 0, -1)).map(opened));
        if (type === 'hash')
          for (const [field, value] of Object.entries(await raw.hGetAll(key)))
            parts.push(field, opened(value));
        if (type === 'stream')
          for (const entry of await raw.xRange(key, '-', '+'))
            parts.push(...Object.values(entry.message).map(opened));
        const text = parts.join('\n');
        if (!text.includes(conversationId)) continue;
        for (const token of identifying) if (text.includes(token)) found.push(`${key}: ${token}`);
      }
    }
    expect(found).toEqual([]);
  });
  it('takes a conversation anonymised while it waited out of its queue and its places', async () => {
    const { visitor, conversationId } = await startedConversation(gw2.url);
    await visitor.request({ type: 'message', clientId: 'm1', text: 'still waiting' }, 'ack');
    clock.advance(11 * 24 * 60 * 60 * 1000);
    expect(await gw2.gateway.retention.sweep()).toMatchObject({ anonymised: 1 });
    await visitor.next('deleted', (f) => f.conversationId === conversationId);
    visitor.close();
    const raw = await rawClient();
    expect(await raw.zScore('gw:{t:demo}:queue:general', conversationId)).toBeNull();
    expect(Number(await raw.hExists('gw:{t:demo}:queue-places', conversationId))).toBe(0);
    expect(await gw2.gateway.deps.store.chat.conversations.listQueued('demo', 'general')).toEqual([]);
  });
});

describe('staff deletion on Redis, the whole keyspace before and after', () => {
  let gw3: TestGateway;
  beforeAll(async () => {
    gw3 = await startTestGateway({
      config: redisGatewayConfig(redis),
      tenants: [testTenant({ metadata: { ip: true, userAgent: true, pages: true, referrer: true } })],
    });
  });
  afterAll(async () => {
    await gw3?.close();
  });

  /**
   * What a deleted conversation and offline message may leave behind, each for its own reason:
   * the browser sessions and their owner entries (the citizen's own live login, the staff
   * logins), rate-limit counters (keyed by blind index, expiring), consoles' presence, the
   * visitor's socket entry (expiring), the consent receipt (kept as proof of the choice), the
   * mark that the consent was decided once (empty, named by a digest of the sealed identity,
   * expiring with the login timeout) and the audit trail (who read and deleted what, and why).
   */
  const KEPT = [
    'gw:sess:',
    'gw:sess-owner:',
    'gw:rl:',
    'gw:{t:demo}:presence',
    'gw:{t:demo}:visitor-sockets:',
    'gw:t:demo:receipt:',
    'gw:{t:demo}:receipts:',
    'gw:oidc:{op:demo}:e:demo:ConsentDecision:consent-',
    'gw:{t:demo}:transcript-reads',
    'gw:{t:demo}:deletions:',
  ];

  it('leaves only sessions, counters, presence, the receipt and the audit trail, none holding what was written or shared', async () => {
    const raw = await rawClient();
    const keys = async () => {
      const all: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: '*', COUNT: 100 })) all.push(...batch);
      return all;
    };
    const before = new Set(await keys());

    const alex = await staffSocket(gw3.url, 'alex-agent');
    const siri = await staffSocket(gw3.url, 'siri-supervisor');
    const browser = await visitorBrowser(gw3.url);
    const visitor = await connectAs(browser, gw3.url, 'visitor');
    await visitor.next('welcome');
    await identifyAndShare(
      browser,
      gw3.url,
      '/auth/bankid/login?returnTo=/chat/identified',
      'kari-nordmann',
      ['name', 'nationalId'],
    );
    await visitor.next('identity', (f) => f.verified === true);
    const conversationId = await startFromSearch(visitor);
    await visitor.request(
      { type: 'message', clientId: 'm1', text: 'write to kari@example.org or call 91234567' },
      'ack',
    );
    await alex.request({ type: 'claim', conversationId }, 'conversation');
    await alex.request({ type: 'message', conversationId, clientId: 'a1', text: 'Thanks, Kari' }, 'ack');
    alex.send({ type: 'request-identification', conversationId });
    await visitor.next('identification-request');
    await siri.request(
      { type: 'open', conversationId },
      'conversation',
      (f) => conversationIdOf(f) === conversationId,
    );
    const offline = await visitor.request(
      { type: 'offline-message', name: 'Kari Nordmann', email: 'kari@example.org', text: 'call 91234567' },
      'offline-message-saved',
    );

    const ada = await staffBrowser(gw3.url, 'ada-admin');
    const reason = 'Visitor wrote contact details unprompted';
    const deleted = await submitStaffForm(ada, gw3.url, '/staff/conversations/delete', {
      conversationId,
      reason,
    });
    expect(deleted.status).toBe(200);
    await visitor.next('deleted', (f) => f.conversationId === conversationId);
    const offlineDeleted = await submitStaffForm(ada, gw3.url, '/staff/offline-messages/delete', {
      messageId: String(offline.id),
      reason,
    });
    expect(offlineDeleted.status).toBe(200);

    const left = (await keys()).filter((key) => !before.has(key));
    expect(left.filter((key) => !KEPT.some((prefix) => key.startsWith(prefix)))).toEqual([]);
    // What is kept holds nothing the visitor wrote, shared or was collected about them; the
    // sessions aside (the citizen's own login holds what they share, until it ends).
    const opened = openedBy(gw3);
    const found: string[] = [];
    for (const key of left) {
      if (key.startsWith('gw:sess')) continue;
      const type = await raw.type(key);
      const values: string[] = [key];
      if (type === 'string') values.push(opened((await raw.get(key)) ?? ''));
      if (type === 'set') values.push(...(await raw.sMembers(key)).map(opened));
      if (type === 'zset') values.push(...(await raw.zRange(key, 0, -1)).map(opened));
      if (type === 'list') values.push(...(await raw.lRange(key, 0, -1)).map(opened));
      const text = values.join('\n');
      for (const token of [
        'Kari',
        'Nordmann',
        '12838540056',
        'kari@example.org',
        '91234567',
        'kommune.example',
        'search.example',
        '127.0.0.1',
      ])
        if (text.includes(token)) found.push(`${key}: ${token}`);
    }
    for (const client of [visitor, alex, siri]) client.close();
    expect(found).toEqual([]);
  });
});
