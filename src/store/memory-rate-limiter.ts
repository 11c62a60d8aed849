import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateDecision, RateLimit, RateLimiter, RateLimiterFactory } from '../http/rate-limit.js';

/** Counts hits in this process (rate-limiter-flexible's RateLimiterMemory). */
export const memoryRateLimiter: RateLimiterFactory = (name, limit) =>
  limiterOf(new RateLimiterMemory({ keyPrefix: name, points: limit.points, duration: limit.windowSeconds }));

/** Adapts a rate-limiter-flexible limiter (memory or Redis) to {@link RateLimiter}. */
export function limiterOf(flexible: {
  consume(key: string): Promise<RateLimiterRes>;
  reward(key: string, points: number): Promise<RateLimiterRes>;
}): RateLimiter {
  return {
    async consume(key: string): Promise<RateDecision> {
      try {
        await flexible.consume(key);
        return { allowed: true };
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      }
    },
    async refund(key: string): Promise<void> {
      await flexible.reward(key, 1);
    },
  };
}

export type { RateLimit };
