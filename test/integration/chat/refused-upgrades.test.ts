import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

/**
 * An upgrade the gateway refuses (plain HTTP status, no handshake) leaves nothing open on its
 * side, also when the client never closes its end: the server's connection count comes back.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

function connections(): Promise<number> {
  return new Promise((resolve, reject) =>
    gw.gateway.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Sends an upgrade request on a raw socket and resolves with the status line; never closes. */
function refusedUpgrade(path: string, headers: string): Promise<{ socket: Socket; status: string }> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
      );
    });
    socket.once('data', (data) => resolve({ socket, status: String(data).split('\r\n')[0] ?? '' }));
    socket.once('error', reject);
  });
}

describe('refused chat upgrades', () => {
  it('are closed by the server even when the client keeps its end open', async () => {
    const before = await connections();
    const held = await Promise.all([
      refusedUpgrade('/ws/visitor', ''), // no Origin: 403
      refusedUpgrade('/ws/visitor', `Origin: ${gw.url}\r\n`), // no session: 401
      refusedUpgrade('/ws/agent', `Origin: ${gw.url}\r\nCookie: gw.sid=s%3Aforged.sig\r\n`), // 401
      refusedUpgrade('/ws/nowhere', `Origin: ${gw.url}\r\n`), // 404
    ]);
    expect(held.map((h) => h.status)).toEqual([
      'HTTP/1.1 403 Forbidden',
      'HTTP/1.1 401 Unauthorized',
      'HTTP/1.1 401 Unauthorized',
      'HTTP/1.1 404 Not Found',
    ]);
    // The clients have not closed: only the server can bring the count back.
    await waitFor(async () => (await connections()) <= before);
    for (const { socket } of held) socket.destroy();
  });
});
