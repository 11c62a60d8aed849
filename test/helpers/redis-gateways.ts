import type { TestRedis } from './redis-server.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/**
 * Configuration shared by every gateway instance on one test Redis, as in a deployment: the
 * same data key (sessions and records are sealed with it), the Redis store with short
 * timeouts, and chat limits raised for tests that send bursts no person types.
 */
export function redisGatewayConfig(redis: TestRedis): Record<string, unknown> {
  return {
    dataKey: 'redis-gateways-test-data-key-0123456789abcdef',
    store: { type: 'redis', redisUrl: redis.url, connectTimeoutMs: 300, commandTimeoutMs: 500 },
    chat: { connectionPerSecond: 1_000, sessionPerSecond: 1_000 },
  };
}

/** Polls `probe` (errors count as false) until it holds; fails after 15 s. */
export async function waitFor(probe: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (await Promise.resolve(probe()).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

/** The status `GET /readyz` answers on the gateway at `url`. */
export async function readiness(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

/**
 * Two in-process gateway instances on one Redis, both ready. `config` is merged into
 * {@link redisGatewayConfig} one level deep (`{ chat: { heartbeatSeconds } }` keeps the chat limits).
 */
export async function startRedisPair(
  redis: TestRedis,
  config: Record<string, unknown> = {},
): Promise<[TestGateway, TestGateway]> {
  const merged = mergeOneLevel(redisGatewayConfig(redis), config);
  const pair = await Promise.all([
    startTestGateway({ config: merged }),
    startTestGateway({ config: merged }),
  ]);
  await waitFor(async () => (await readiness(pair[0].url)) === 200 && (await readiness(pair[1].url)) === 200);
  return pair;
}

function mergeOneLevel(
  base: Record<string, unknown>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const under = base[key];
    merged[key] = isObject(under) && isObject(value) ? { ...under, ...value } : value;
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The conversation id of a `conversation` or `welcome` frame. */
export const conversationIdOf = (frame: Record<string, unknown>) => (frame.conversation as { id: string }).id;
/** The text of a `message` or `ack` frame. */
export const messageTextOf = (frame: Record<string, unknown>) => (frame.message as { text: string }).text;
