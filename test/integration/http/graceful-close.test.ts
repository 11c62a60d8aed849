import { connect, type Socket } from 'node:net';
import { Router } from 'express';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/redis-gateways.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { visitorBrowser } from '../chat/chat-clients.js';

/**
 * Closing the gateway finishes whatever its clients do with their connections: a graceful stop
 * (SIGTERM) must end, so no connection may hold it open. Node's `server.close()` alone waits
 * for every connection, keeps answering on a keep-alive connection its client keeps busy, and
 * stops the headers/request timeouts of connections still sending their request; a browser
 * holds such connections (an unused one it opened ahead, its connection pool) for as long as
 * the page is open. Each test asserts the close resolves and the client's connection is gone.
 */

function connections(gw: TestGateway): Promise<number> {
  return new Promise((resolve, reject) =>
    gw.gateway.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/**
 * A raw connection to the gateway that never closes its own end (allowHalfOpen), recording
 * what it received; `ended` resolves when the gateway ended its side.
 */
async function rawConnection(
  gw: TestGateway,
): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  const before = await connections(gw);
  const { port } = new URL(gw.url);
  const socket = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // Accepted by the server, so the close has it to deal with.
  await waitFor(async () => (await connections(gw)) > before);
  return { socket, received: () => text, ended };
}

describe('closing the gateway', () => {
  it('ends a connection on which no request was sent yet', async () => {
    const gw = await startTestGateway();
    const idle = await rawConnection(gw);
    await gw.close();
    await idle.ended;
    expect(await connections(gw)).toBe(0);
    idle.socket.destroy();
  });

  it('ends a connection whose request never finishes arriving', async () => {
    const gw = await startTestGateway();
    const partial = await rawConnection(gw);
    partial.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await gw.close();
    await partial.ended;
    expect(await connections(gw)).toBe(0);
    expect(partial.received()).toBe('');
    partial.socket.destroy();
  });

  it('ends a keep-alive connection its client keeps using, saying so on the answer in flight', async () => {
    // A page whose answer the test releases once the close has begun.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived = () => {};
    const asked = new Promise<void>((resolve) => (arrived = resolve));
    const gw = await startTestGateway({
      features: () => [
        {
          routes: () =>
            Router().get('/held', async (_req, res) => {
              arrived();
              await held;
              res.type('text/plain').send('released');
            }),
        },
      ],
    });
    const busy = await rawConnection(gw);
    const ask = (path: string) => {
      if (!busy.socket.destroyed) busy.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    };
    const answers = () => busy.received().split('HTTP/1.1 ').slice(1);
    ask('/held');
    await asked;
    const closed = gw.close();
    await waitFor(() => !gw.gateway.server.listening);
    release();
    await waitFor(() => answers().length === 1);
    // A client that asks again well within the keep-alive timeout, for as long as it may.
    const again = setInterval(() => ask('/healthz'), 100);
    try {
      await closed;
      await busy.ended;
    } finally {
      clearInterval(again);
    }
    expect(await connections(gw)).toBe(0);
    expect(answers()[0]).toMatch(/\r\nConnection: close\r\n/i);
    busy.socket.destroy();
  });

  it('ends a refused upgrade whose client keeps its end open', async () => {
    const gw = await startTestGateway();
    const refused = await rawConnection(gw);
    refused.socket.write(
      'GET /ws/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await waitFor(async () => refused.received().startsWith('HTTP/1.1 404 '));
    // The gateway ended its side with the answer; the connection stays until the client's ends.
    await refused.ended;
    await gw.close();
    expect(await connections(gw)).toBe(0);
    refused.socket.destroy();
  });

  it('cuts a chat socket upgraded after the close began whose client does not answer the 1001', async () => {
    const gw = await startTestGateway();
    const browser = await visitorBrowser(gw.url);
    const upgrade = async () => {
      const raw = await rawConnection(gw);
      const { host, origin } = new URL(gw.url);
      raw.socket.write(
        `GET /ws/visitor HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${origin}\r\n` +
          `Cookie: ${browser.cookieHeader(`${gw.url}/ws/visitor`)}\r\nConnection: Upgrade\r\n` +
          'Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      return raw;
    };
    const upgraded = (raw: { received: () => string }) => raw.received().startsWith('HTTP/1.1 101 ');
    // A close frame (0x88, a short length, then 1001) after the handshake.
    const toldGoingAway = (raw: { received: () => string }) => {
      const text = raw.received();
      const frame = text.indexOf(String.fromCharCode(0x88), text.indexOf('\r\n\r\n'));
      return frame > 0 && text.slice(frame + 2, frame + 4) === String.fromCharCode(0x03, 0xe9);
    };
    // One socket open before the close, whose client answers nothing: the close waits for it.
    const early = await upgrade();
    await waitFor(() => upgraded(early));
    // The next upgrade's session read is held until the close has begun.
    const store = gw.gateway.deps.sessionStore;
    const get = store.get.bind(store);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reading = () => {};
    const read = new Promise<void>((resolve) => (reading = resolve));
    store.get = (sid, callback) => {
      reading();
      void held.then(() => get(sid, callback));
    };
    const late = await upgrade();
    await read;
    const closed = gw.close();
    await waitFor(() => toldGoingAway(early));
    release();
    await waitFor(() => upgraded(late) && toldGoingAway(late));
    // Neither client answers; both are cut after the grace, well before ws's own 30 s.
    await closed;
    await Promise.all([early.ended, late.ended]);
    expect(await connections(gw)).toBe(0);
    early.socket.destroy();
    late.socket.destroy();
  }, 20_000);
});
