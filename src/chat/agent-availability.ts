import { isGatewayError } from '../http/errors.js';
import type { Logger } from '../runtime/logger.js';
import type { DeliveryPort } from './delivery-port.js';

/** Told when agents come or go for its tenant: a visitor socket. */
export interface AvailabilityWatcher {
  /** What this instance reads of the tenant's availability changed ({@link AgentAvailability.known}). */
  agentsChanged(): void;
}

/** What {@link AgentAvailability} needs. */
export interface AgentAvailabilityOptions {
  /** Whose `available` says whether anyone answers: the built-in desk or an external chat system. */
  port: Pick<DeliveryPort, 'available'>;
  /** How often the tenants watched here are read (`chat.availabilityCheckSeconds`). */
  intervalMs: number;
  logger: Logger;
}

/** A tenant watched on this instance. */
interface Watched {
  watchers: Set<AvailabilityWatcher>;
  /** What the last read said; `undefined` before the first. */
  online: boolean | undefined;
  /** The read under way, and whether another must follow it (something changed meanwhile). */
  reading: Promise<boolean> | undefined;
  again: boolean;
}

/**
 * Whether agents are online, for the tenants this instance has visitor sockets of, kept current
 * so an open visitor page switches between the topics and the offline form live. Presence
 * lives in the store and lapses by its TTL when an agent's instance dies, which no event tells,
 * so each instance reads `port.available` once per watched tenant every `intervalMs` (not once
 * per visitor), and at once when a console connects or leaves here ({@link check}); its
 * watchers are told only when the answer changes. With no visitor socket here there is no timer.
 * A failed read changes nothing, and an outage is logged once, not at every check.
 */
export class AgentAvailability {
  readonly #options: AgentAvailabilityOptions;
  readonly #tenants = new Map<string, Watched>();
  #timer: NodeJS.Timeout | undefined;
  /** A read failed and none succeeded since: the outage has been logged. */
  #failing = false;

  constructor(options: AgentAvailabilityOptions) {
    this.#options = options;
  }

  /** Tells `watcher` of the tenant's changes until {@link unwatch}. */
  watch(tenantId: string, watcher: AvailabilityWatcher): void {
    let tenant = this.#tenants.get(tenantId);
    if (!tenant) {
      tenant = { watchers: new Set(), online: undefined, reading: undefined, again: false };
      this.#tenants.set(tenantId, tenant);
    }
    tenant.watchers.add(watcher);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#checkAll(), this.#options.intervalMs);
      this.#timer.unref();
    }
  }

  unwatch(tenantId: string, watcher: AvailabilityWatcher): void {
    const tenant = this.#tenants.get(tenantId);
    if (!tenant?.watchers.delete(watcher) || tenant.watchers.size > 0) return;
    // Read no more: nobody here would be told. Watched again later, it is read afresh.
    this.#tenants.delete(tenantId);
    if (this.#tenants.size === 0) this.stop();
  }

  /** What the last read said of a watched tenant; `undefined` before the first or when not watched. */
  known(tenantId: string): boolean | undefined {
    return this.#tenants.get(tenantId)?.online;
  }

  /**
   * Whether agents are online for a watched tenant (a visitor's welcome): the last read, or one
   * made now (rejecting when it fails) when there is none yet.
   */
  async current(tenantId: string): Promise<boolean> {
    const known = this.known(tenantId);
    if (known !== undefined) return known;
    const tenant = this.#tenants.get(tenantId);
    return tenant ? this.#read(tenantId, tenant) : this.#options.port.available(tenantId);
  }

  /** Reads the tenant's availability now, if it is watched here: a console connected or left. */
  async check(tenantId: string): Promise<void> {
    const tenant = this.#tenants.get(tenantId);
    if (tenant) await this.#read(tenantId, tenant).catch(this.#failed);
  }

  /** Stops the timer (no tenant watched any more, or the gateway stopping). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #checkAll(): void {
    for (const [tenantId, tenant] of this.#tenants) void this.#read(tenantId, tenant).catch(this.#failed);
  }

  /**
   * One read at a time per tenant: asked again while one is under way, one more follows it, so
   * a console that connected during a read is seen and reads never pile up on a slow store.
   */
  #read(tenantId: string, tenant: Watched): Promise<boolean> {
    if (tenant.reading) {
      tenant.again = true;
      return tenant.reading;
    }
    const reading = (async () => {
      try {
        let online: boolean;
        do {
          tenant.again = false;
          online = await this.#options.port.available(tenantId);
          this.#recovered();
          const before = tenant.online;
          tenant.online = online;
          // The first read is what every watcher's welcome says (`current` waits for it).
          if (before !== undefined && online !== before)
            for (const watcher of tenant.watchers) watcher.agentsChanged();
        } while (tenant.again);
        return online;
      } finally {
        tenant.reading = undefined;
      }
    })();
    tenant.reading = reading;
    return reading;
  }

  /**
   * A read failed: what the visitors were told stands. The store unreachable is an outage the
   * store reports itself: a short warning, once until a read succeeds again.
   */
  readonly #failed = (error: unknown): void => {
    if (this.#failing) return;
    this.#failing = true;
    const message = 'agent availability not read (kept as it was until a read succeeds)';
    if (isGatewayError(error) && error.code === 'store_unavailable')
      this.#options.logger.warn({ code: error.code }, message);
    else this.#options.logger.error({ err: error }, message);
  };

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#options.logger.info('agent availability read again');
  }
}
