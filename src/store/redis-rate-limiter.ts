import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiter, RateLimiterFactory } from '../http/rate-limit.js';
import { limiterOf } from './memory-rate-limiter.js';
import type { RedisClient } from './redis-connection.js';

/**
 * Counts hits in Redis (RateLimiterRedis), shared by every gateway instance. While Redis cannot
 * be reached the counting falls back to this instance's memory (rate-limiter-flexible's
 * insurance limiter), so an outage neither lifts the limits nor refuses every request.
 *
 * What is counted is often a client address, which is personal data and would otherwise name
 * the counter's key in clear: it is counted under `blindIndex` (the store's keyed index), as
 * every key name in Redis holds only random ids and keyed blind indexes.
 */
export function redisRateLimiter(
  client: RedisClient,
  keyPrefix: string,
  blindIndex: (value: string) => string,
): RateLimiterFactory {
  // `keyPrefix` is RedisKeys.rateLimits(), e.g. `gw:rl:`.
  return (name, limit) => {
    const counter = limiterOf(
      new RateLimiterRedis({
        storeClient: client,
        useRedisPackage: true,
        keyPrefix: `${keyPrefix}${name}`,
        points: limit.points,
        duration: limit.windowSeconds,
        insuranceLimiter: new RateLimiterMemory({
          keyPrefix: name,
          points: limit.points,
          duration: limit.windowSeconds,
        }),
      }),
    );
    const keyed = (key: string) => blindIndex(`rate-limit\n${name}\n${key}`);
    const limiter: RateLimiter = {
      consume: (key) => counter.consume(keyed(key)),
      refund: (key) => counter.refund(keyed(key)),
    };
    return limiter;
  };
}
