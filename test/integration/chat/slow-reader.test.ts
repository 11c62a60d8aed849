import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { connectAs, visitorBrowser } from './chat-clients.js';

/**
 * A client that stops reading must not make the server hold what it sends without bound: past
 * 4 MiB unsent the connection is dropped (README, "Chat: WebSocket protocol"), its slot freed.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    config: { chat: { connectionPerSecond: 1_000, sessionPerSecond: 1_000, socketsPerSession: 1 } },
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('a visitor socket that never reads', () => {
  it('is dropped once too much waits unsent to it, and its session may connect again', async () => {
    const browser = await visitorBrowser(gw.url);
    const client = await connectAs(browser, gw.url, 'visitor');
    await client.next('welcome');
    const started = await client.request({ type: 'start', topic: 'general' }, 'conversation');
    const conversationId = (started.conversation as { id: string }).id;
    const text = 'x'.repeat(4000);
    for (let i = 0; i < 100; i++)
      await client.request(
        { type: 'message', clientId: `m${i}`, text },
        'ack',
        (f) => f.clientId === `m${i}`,
      );
    // Stop reading: the kernel buffers fill, then the server's.
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    // Each resume answers the whole transcript (about 400 kB): 100 of them are 40 MB.
    for (let i = 0; i < 100; i++) client.send({ type: 'resume', conversationId, afterSeq: 0 });
    await waitFor(() => gw.logs().includes('chat client not reading; terminated'));
    (client.ws as unknown as { _socket: Socket })._socket.resume();
    await client.closed;
    // The one slot of the session (socketsPerSession 1) was given back.
    const again = await connectAs(browser, gw.url, 'visitor');
    await again.next('welcome');
    again.close();
    // Far fewer than the 100 answers asked for reached the client.
    expect(client.frames.filter((f) => f.type === 'conversation').length).toBeLessThan(100);
  });
});
