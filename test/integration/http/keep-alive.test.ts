import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

/**
 * `keepAliveSeconds` is how long an idle keep-alive connection waits for its client's next
 * request: behind a load balancer that reuses connections it must outlast the balancer's idle
 * timeout, or the balancer sends on a connection the gateway is closing (a 502 for its client).
 */

/** One request on a fresh connection; resolves with its answer's head and when the gateway closed the idle connection. */
function idleAfterOneRequest(gw: TestGateway): Promise<{ head: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1', () =>
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    );
    let text = '';
    let answeredAt = 0;
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!answeredAt && text.includes('\r\n\r\n')) answeredAt = Date.now();
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ head: text.slice(0, text.indexOf('\r\n\r\n')), closedAfterMs: Date.now() - answeredAt }),
    );
  });
}

describe('keepAliveSeconds', () => {
  let gw: TestGateway;
  let longer: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ config: { keepAliveSeconds: 1 } });
    longer = await startTestGateway({ config: { keepAliveSeconds: 65 } });
  });
  afterAll(async () => {
    await gw?.close();
    await longer?.close();
  });

  it('closes an idle keep-alive connection after that many seconds, and says so in Keep-Alive', async () => {
    const { head, closedAfterMs } = await idleAfterOneRequest(gw);
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toMatch(/\r\nKeep-Alive: timeout=1$/im);
    // Node's own 5 s would keep it open longer.
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  it('tells a client (a load balancer) the longer wait it was given', async () => {
    const response = await fetch(`${longer.url}/healthz`);
    expect(response.headers.get('keep-alive')).toBe('timeout=65');
  });
});
