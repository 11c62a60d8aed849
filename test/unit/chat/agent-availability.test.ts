import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentAvailability, type AvailabilityWatcher } from '../../../src/chat/agent-availability.js';
import { GatewayError } from '../../../src/http/errors.js';
import { createLogger } from '../../../src/runtime/logger.js';

const INTERVAL_MS = 5_000;

/** A delivery port whose availability per tenant the test sets, counting its reads. */
function fakePort() {
  const online = new Map<string, boolean>();
  const port = {
    reads: 0,
    failing: false,
    set: (tenantId: string, value: boolean) => online.set(tenantId, value),
    available: async (tenantId: string) => {
      port.reads += 1;
      if (port.failing) throw new GatewayError('store_unavailable');
      return online.get(tenantId) ?? false;
    },
  };
  return port;
}

/** A watcher that notes what it reads from `availability` each time it is told. */
function watcher(availability: AgentAvailability, tenantId: string) {
  const told: Array<boolean | undefined> = [];
  const self: AvailabilityWatcher & { told: typeof told } = {
    told,
    agentsChanged: () => told.push(availability.known(tenantId)),
  };
  return self;
}

let port: ReturnType<typeof fakePort>;
let lines: string[];
let availability: AgentAvailability;

beforeEach(() => {
  vi.useFakeTimers();
  port = fakePort();
  lines = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(line) } as never);
  availability = new AgentAvailability({ port, intervalMs: INTERVAL_MS, logger });
});
afterEach(() => {
  availability.stop();
  vi.useRealTimers();
});

describe('AgentAvailability', () => {
  it('reads a tenant once per interval, whatever the number of its visitors, and tells them of a change only', async () => {
    const visitors = [
      watcher(availability, 'oslo'),
      watcher(availability, 'oslo'),
      watcher(availability, 'oslo'),
    ];
    for (const visitor of visitors) availability.watch('oslo', visitor);
    expect(await availability.current('oslo')).toBe(false);
    expect(port.reads).toBe(1);

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(port.reads).toBe(2);
    expect(visitors.map((v) => v.told)).toEqual([[], [], []]);

    port.set('oslo', true);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(visitors.map((v) => v.told)).toEqual([[true], [true], [true]]);

    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    expect(port.reads).toBe(6);
    expect(visitors[0]?.told).toEqual([true]);

    port.set('oslo', false);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(visitors[0]?.told).toEqual([true, false]);
  });

  it('answers the welcome from the last read, without reading again', async () => {
    availability.watch('oslo', watcher(availability, 'oslo'));
    await availability.check('oslo');
    const reads = port.reads;
    availability.watch('oslo', watcher(availability, 'oslo'));
    expect(await availability.current('oslo')).toBe(false);
    expect(port.reads).toBe(reads);
  });

  it('reads at once when asked (a console connected here), and only tenants watched here', async () => {
    const visitor = watcher(availability, 'oslo');
    availability.watch('oslo', visitor);
    await availability.check('oslo');
    port.set('oslo', true);
    await availability.check('oslo');
    expect(visitor.told).toEqual([true]);
    const reads = port.reads;
    await availability.check('bergen');
    expect(port.reads).toBe(reads);
  });

  it('keeps no timer while no visitor is watching', async () => {
    const visitor = watcher(availability, 'oslo');
    availability.watch('oslo', visitor);
    expect(vi.getTimerCount()).toBe(1);
    availability.unwatch('oslo', visitor);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    expect(port.reads).toBe(0);
    expect(availability.known('oslo')).toBeUndefined();
  });

  it('changes nothing when a read fails, and logs the outage once', async () => {
    const visitor = watcher(availability, 'oslo');
    availability.watch('oslo', visitor);
    await availability.check('oslo');
    port.set('oslo', true);
    await availability.check('oslo');
    port.failing = true;
    await vi.advanceTimersByTimeAsync(4 * INTERVAL_MS);
    expect(availability.known('oslo')).toBe(true);
    expect(visitor.told).toEqual([true]);
    expect(lines.filter((line) => line.includes('agent availability not read'))).toHaveLength(1);

    port.failing = false;
    port.set('oslo', false);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(visitor.told).toEqual([true, false]);
    expect(lines.filter((line) => line.includes('agent availability read again'))).toHaveLength(1);
    // A second outage is told again, once.
    port.failing = true;
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect(lines.filter((line) => line.includes('agent availability not read'))).toHaveLength(2);
  });

  it('reads once more, not once per request, when asked during a read', async () => {
    availability.watch('oslo', watcher(availability, 'oslo'));
    await Promise.all([
      availability.check('oslo'),
      availability.check('oslo'),
      availability.check('oslo'),
      availability.check('oslo'),
    ]);
    expect(port.reads).toBe(2);
  });
});
