import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Heartbeat } from '../../../src/chat/heartbeat.js';

let server: WebSocketServer | undefined;
let heartbeat: Heartbeat | undefined;

afterEach(async () => {
  heartbeat?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A loopback server whose sockets the heartbeat watches (50 ms), and one client. */
async function pair(autoPong: boolean): Promise<{ client: WebSocket; beats: () => number }> {
  let beats = 0;
  heartbeat = new Heartbeat(50);
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (ws) => heartbeat?.track(ws, { beat: () => (beats += 1) }));
  await new Promise((resolve) => server?.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { autoPong });
  await new Promise((resolve) => client.once('open', resolve));
  return { client, beats: () => beats };
}

describe('Heartbeat', () => {
  it('keeps a socket that answers pings, running onBeat each tick', async () => {
    const { client, beats } = await pair(true);
    await sleep(300);
    expect(client.readyState).toBe(WebSocket.OPEN);
    expect(beats()).toBeGreaterThanOrEqual(3);
    client.close();
  });

  it('terminates a socket that stops answering', async () => {
    const { client } = await pair(false);
    const code = await new Promise<number>((resolve) => client.once('close', resolve));
    // Terminated without a close frame: the client sees an abnormal closure.
    expect(code).toBe(1006);
  });
});

describe('Heartbeat.untrack', () => {
  it('stops beating for a socket once it is untracked', async () => {
    let beats = 0;
    heartbeat = new Heartbeat(30);
    const tracked = heartbeat;
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const connected = new Promise<import('ws').WebSocket>((resolve) =>
      server?.on('connection', (ws) => {
        tracked.track(ws, { beat: () => (beats += 1) });
        resolve(ws);
      }),
    );
    await new Promise((resolve) => server?.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const ws = await connected;
    await sleep(100);
    expect(beats).toBeGreaterThan(0);
    tracked.untrack(ws);
    const after = beats;
    await sleep(150);
    expect(beats).toBe(after);
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
  });
});
