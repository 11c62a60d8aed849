import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiterFactory } from '../http/rate-limit.js';
import { limiterOf } from './memory-rate-limiter.js';
import type { RedisClient } from './redis-connection.js';

/**
 * Counts hits in Redis (RateLimiterRedis), shared by every gateway instance. While Redis cannot
 * be reached the counting falls back to this instance's memory (rate-limiter-flexible's
 * insurance limiter), so an outage neither lifts the limits nor refuses every request.
 */
export function redisRateLimiter(client: RedisClient, keyPrefix: string): RateLimiterFactory {
  // `keyPrefix` is RedisKeys.rateLimits(), e.g. `gw:rl:`.
  return (name, limit) =>
    limiterOf(
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
}
