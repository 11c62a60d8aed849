import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/test-gateway.js';

describe('freePort', () => {
  it('never hands out the same port twice in one process, even before any is bound', async () => {
    // One after the other, none of them bound meanwhile (as the bench starts its instances): the
    // kernel offers a closed probe's port again, which among 500 draws happens almost surely.
    const ports: number[] = [];
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('hands out a port that can be bound on loopback', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
