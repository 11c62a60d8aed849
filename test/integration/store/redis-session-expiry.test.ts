import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { SessionData } from 'express-session';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { type RedisClient, RedisConnection } from '../../../src/store/redis-connection.js';
import { RedisKeys } from '../../../src/store/redis-keys.js';
import { RedisSessionExpiry } from '../../../src/store/redis-session-expiry.js';
import { OWNER_MARGIN_SECONDS, RedisSessionStore } from '../../../src/store/redis-session-store.js';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis-server.js';

/**
 * Sessions expired by Redis end the visitor's identified chat through keyevent notifications.
 * Sessions here carry a cookie expiring in a second or two (the store's TTL follows the cookie,
 * as with `rolling` sessions), so real Redis expiry is seen without waiting an idle timeout.
 */

const codec = new FieldCrypto('redis-session-expiry-test-data-key-0123456789');
let redis: TestRedis;
let raw: RedisClient;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  redis = await startTestRedis();
  raw = await connectRaw();
});
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});
afterAll(async () => {
  raw?.destroy();
  await redis?.close();
});

async function connectRaw(url = redis.url): Promise<RedisClient> {
  const client = createClient({ url }) as RedisClient;
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function keyeventFlags(): Promise<string> {
  return (await raw.configGet('notify-keyspace-events'))['notify-keyspace-events'] ?? '';
}

interface Instance {
  store: RedisSessionStore;
  expiry: RedisSessionExpiry;
  ended: string[];
  logs(): string;
}

/** One gateway's session store and expiry listener, on its own connection, under `prefix`. */
async function instance(prefix: string, url = redis.url): Promise<Instance> {
  const stream = new PassThrough();
  let logText = '';
  stream.on('data', (chunk: Buffer) => {
    logText += chunk.toString('utf8');
  });
  const logger = createLogger('info', stream);
  const connection = new RedisConnection({
    url,
    connectTimeoutMs: 500,
    commandTimeoutMs: 1_000,
    maxReconnectDelayMs: 100,
    logger,
  });
  const keys = new RedisKeys(prefix);
  const ended: string[] = [];
  const expiry = new RedisSessionExpiry({
    connection,
    keys,
    onExpired: ({ visitorId }) => ended.push(visitorId),
    logger,
  });
  expiry.start();
  await connection.start();
  opened.push(connection);
  opened.push(expiry);
  await waitFor(() => expiry.listening);
  const store = new RedisSessionStore({
    client: connection.client,
    prefix: keys.sessions(),
    ownerKey: (sid) => keys.sessionOwner(sid),
    ttlSeconds: 60,
    crypto: codec,
    logger,
  });
  return { store, expiry, ended, logs: () => logText };
}

/** A session whose cookie (hence its key in Redis) expires in `ms`. */
function session(ms: number, visitorId?: string): SessionData {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms) },
    ...(visitorId ? { visitorId } : {}),
  } as SessionData;
}

function save(store: RedisSessionStore, sid: string, data: SessionData): Promise<void> {
  return new Promise((resolve, reject) => {
    void store.set(sid, data, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

const prefixed = () => `x${randomUUID().slice(0, 8)}:`;

describe('Redis session expiry', () => {
  it('keeps the visitor id beside the session, outliving it, and drops it with the session', async () => {
    const prefix = prefixed();
    const keys = new RedisKeys(prefix);
    const { store } = await instance(prefix);
    const sid = randomUUID();
    await save(store, sid, session(60_000, 'visitor-a'));
    expect(await raw.get(keys.sessionOwner(sid))).toBe('visitor-a');
    const sessionTtl = await raw.ttl(`${keys.sessions()}${sid}`);
    const ownerTtl = await raw.ttl(keys.sessionOwner(sid));
    expect(sessionTtl).toBeGreaterThan(50);
    expect(ownerTtl).toBeGreaterThanOrEqual(sessionTtl + OWNER_MARGIN_SECONDS - 2);

    await new Promise<void>((resolve) => void store.destroy(sid, () => resolve()));
    expect(await raw.exists([`${keys.sessions()}${sid}`, keys.sessionOwner(sid)])).toBe(0);
  });

  it('ends the chat of an expired session once, however many instances hear of it', async () => {
    const prefix = prefixed();
    const [first, second] = await Promise.all([instance(prefix), instance(prefix)]);
    if (!first || !second) throw new Error('no instances');
    await save(first.store, randomUUID(), session(1_000, 'visitor-b'));
    await waitFor(() => first.ended.length + second.ended.length > 0);
    // Both instances hear the event; give the slower one time to try its GETDEL too.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([...first.ended, ...second.ended]).toEqual(['visitor-b']);
  });

  it('does nothing when a session without a visitor id expires', async () => {
    const prefix = prefixed();
    const keys = new RedisKeys(prefix);
    const one = await instance(prefix);
    const anonymous = randomUUID();
    await save(one.store, anonymous, session(1_000));
    expect(await raw.exists(keys.sessionOwner(anonymous))).toBe(0);
    // A later session with a visitor id: once its expiry is handled, the earlier one was too.
    await save(one.store, randomUUID(), session(2_500, 'visitor-c'));
    await waitFor(() => one.ended.length > 0);
    expect(await raw.exists(`${keys.sessions()}${anonymous}`)).toBe(0);
    expect(one.ended).toEqual(['visitor-c']);
  });

  it('adds the expiry flags to notify-keyspace-events, keeping the flags set before', async () => {
    await raw.configSet('notify-keyspace-events', 'Kl');
    const prefix = prefixed();
    const one = await instance(prefix);
    await waitFor(async () => (await keyeventFlags()).includes('x'));
    const flags = await keyeventFlags();
    for (const flag of ['K', 'l', 'E', 'x']) expect(flags).toContain(flag);
    await save(one.store, randomUUID(), session(1_000, 'visitor-d'));
    await waitFor(() => one.ended.length > 0);
    expect(one.ended).toEqual(['visitor-d']);
  });

  it('hears expiries again after Redis restarts (re-subscribed, expiry events enabled again)', async () => {
    const prefix = prefixed();
    const one = await instance(prefix);
    await redis.stop();
    await redis.start();
    // The restarted server runs without the CONFIG SET of before.
    raw.destroy();
    raw = await connectRaw();
    await waitFor(async () => (await keyeventFlags()).includes('x'));
    await waitFor(() => one.expiry.listening);
    await waitFor(async () => {
      await save(one.store, randomUUID(), session(1_000, 'visitor-e'));
      return true;
    });
    await waitFor(() => one.ended.length > 0);
    expect(one.ended).toEqual(['visitor-e']);
  });

  it('hears expiries again after Redis stopped answering for a while (connections dropped by the watchdog)', async () => {
    const prefix = prefixed();
    const one = await instance(prefix);
    redis.pause();
    // Longer than the stall bound (about 1.5 × the 1 s command timeout) of both connections.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    redis.resume();
    expect(one.logs()).toContain('redis not answering');
    await waitFor(async () => {
      await save(one.store, randomUUID(), session(1_000, 'visitor-g'));
      return true;
    });
    await waitFor(() => one.ended.length > 0);
    expect(one.ended).toEqual(['visitor-g']);
  });

  it('listens on the database the connection selected', async () => {
    const one = await instance(prefixed(), `${redis.url}/3`);
    await save(one.store, randomUUID(), session(1_000, 'visitor-h'));
    await waitFor(() => one.ended.length > 0);
    expect(one.ended).toEqual(['visitor-h']);
  });

  it('warns once and goes on when Redis refuses CONFIG', async () => {
    await raw.configSet('notify-keyspace-events', '');
    await raw.sendCommand([
      'ACL',
      'SETUSER',
      'noconfig',
      'on',
      '>noconfig-pw',
      '~*',
      '&*',
      '+@all',
      '-config',
    ]);
    const url = redis.url.replace('redis://', 'redis://noconfig:noconfig-pw@');
    const prefix = prefixed();
    const keys = new RedisKeys(prefix);
    const one = await instance(prefix, url);
    await waitFor(() => one.logs().includes('Redis refused CONFIG'));
    expect(one.logs().split('Redis refused CONFIG')).toHaveLength(2);
    expect(one.logs()).toContain('notify-keyspace-events Ex');
    expect(one.logs()).not.toContain('noconfig-pw');
    expect(await keyeventFlags()).toBe('');
    // Sessions still work; only the notification is missing.
    const sid = randomUUID();
    await save(one.store, sid, session(60_000, 'visitor-f'));
    expect(await raw.get(keys.sessionOwner(sid))).toBe('visitor-f');
  });
});
