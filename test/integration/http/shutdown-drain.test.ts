import { describe, expect, it } from 'vitest';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { readiness, waitFor } from '../../helpers/redis-gateways.js';
import { connectAs, visitorBrowser } from '../chat/chat-clients.js';

/**
 * A SIGTERM with `shutdownDrainSeconds` first takes the instance out of the load balancer
 * (readiness red) while it still serves pages and chats, then closes as without it: the
 * balancer stops sending new connections before the listener closes and would refuse them.
 */
describe('a SIGTERM with shutdownDrainSeconds', () => {
  it('answers readiness 503 draining while pages and chat sockets still work, then closes the sockets with 1001', async () => {
    const gateway = await startGatewayProcess({ shutdownDrainSeconds: 2 });
    const visitor = await connectAs(await visitorBrowser(gateway.url), gateway.url, 'visitor');
    await visitor.next('welcome');
    expect(await readiness(gateway.url)).toBe(200);

    const stopped = gateway.stop();
    await waitFor(async () => (await readiness(gateway.url)) === 503);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(((await ready.json()) as { status: string }).status).toBe('draining');
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/chat`)).status).toBe(200);
    // A chat still goes on meanwhile.
    const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
    expect(started.type).toBe('conversation');

    await stopped;
    expect(await visitor.closed).toMatchObject({ code: 1001 });
  });

  it('closes at once without it (the default)', async () => {
    const gateway = await startGatewayProcess({});
    const visitor = await connectAs(await visitorBrowser(gateway.url), gateway.url, 'visitor');
    await visitor.next('welcome');
    await gateway.stop();
    expect(await visitor.closed).toMatchObject({ code: 1001 });
    await expect(fetch(`${gateway.url}/readyz`)).rejects.toThrow();
  });
});
