import type { RateLimit, RateLimiter, RateLimiterFactory } from '../http/rate-limit.js';
import { clientNetwork } from '../runtime/client-network.js';

/** A quota of something a visitor stores (conversations, offline messages), per visitor and per client network. */
export interface VisitorQuotaLimit {
  perVisitor: number;
  perAddress: number;
  windowSeconds: number;
}

/** Who asks: the visitor (in its tenant) and the client's address, when known. */
export interface QuotaHolder {
  tenantId: string;
  visitorId: string;
  ip?: string | undefined;
}

/**
 * Counts what anonymous visitors make the gateway store and show to agents (a new conversation
 * in the queue, an offline message), per visitor and per client network (an IPv4 address, an
 * IPv6 /64), on the store's limiter, so every instance counts together. A visitor dropping its
 * cookies gets a new visitor id, not a new network. The visitor is counted first: a request
 * refused for the visitor counts nothing against the network, and one refused for the network
 * gives the visitor's count back.
 */
export class VisitorQuota {
  readonly #perVisitor: RateLimiter;
  readonly #perAddress: RateLimiter;

  constructor(factory: RateLimiterFactory, name: string, limit: VisitorQuotaLimit) {
    const window = (points: number): RateLimit => ({ points, windowSeconds: limit.windowSeconds });
    this.#perVisitor = factory(`${name}-visitor`, window(limit.perVisitor));
    this.#perAddress = factory(`${name}-addr`, window(limit.perAddress));
  }

  /** Counts one; `false` (nothing counted) when the visitor or its network is over the quota. */
  async take(holder: QuotaHolder): Promise<boolean> {
    const visitor = `${holder.tenantId}\n${holder.visitorId}`;
    if (!(await this.#perVisitor.consume(visitor)).allowed) {
      await this.#perVisitor.refund(visitor);
      return false;
    }
    if (holder.ip === undefined) return true;
    const address = clientNetwork(holder.ip);
    if ((await this.#perAddress.consume(address)).allowed) return true;
    await Promise.all([this.#perAddress.refund(address), this.#perVisitor.refund(visitor)]);
    return false;
  }

  /** Gives back one {@link take} whose work failed (nothing was stored). */
  async giveBack(holder: QuotaHolder): Promise<void> {
    await this.#perVisitor.refund(`${holder.tenantId}\n${holder.visitorId}`);
    if (holder.ip !== undefined) await this.#perAddress.refund(clientNetwork(holder.ip));
  }
}
