import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedFetch } from '../../../src/auth/bounded-fetch.js';
import { GatewayError } from '../../../src/http/errors.js';

/** `/ok`: a small JSON answer with a challenge header; `/big?declared=1`: 64 KiB, with or without its length. */
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ok') {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="x"' });
      res.end('{"error":"invalid_token"}');
      return;
    }
    if (url.pathname === '/drip') {
      // Headers at once, then a byte now and then, never the end: a broker stalling mid-answer.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const chunk = 'y'.repeat(1024);
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(url.searchParams.has('declared') ? { 'content-length': String(64 * chunk.length) } : {}),
    });
    for (let i = 0; i < 64; i++) res.write(chunk);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('boundedFetch', () => {
  it('passes an answer within the bound on with its status, headers and body', async () => {
    const response = await boundedFetch(1024)(`${origin}/ok`, { method: 'GET', headers: {} } as never);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="x"');
    expect(await response.json()).toEqual({ error: 'invalid_token' });
  });

  it('reads a body exactly at the bound', async () => {
    const response = await boundedFetch(64 * 1024)(`${origin}/big`, { method: 'GET', headers: {} } as never);
    expect((await response.text()).length).toBe(64 * 1024);
  });

  for (const [what, query] of [
    ['sent chunked', ''],
    ['declared by its Content-Length', '?declared=1'],
  ] as const) {
    it(`refuses a body over the bound ${what} as login_failed`, async () => {
      const request = boundedFetch(16 * 1024)(`${origin}/big${query}`, {
        method: 'GET',
        headers: {},
      } as never);
      const error = await request.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe('login_failed');
      expect(String((error as GatewayError).cause)).toContain('over 16384 bytes');
    });
  }

  it('gives up on a body still dripping when the request’s signal ends (openid-client’s timeout)', async () => {
    const signal = AbortSignal.timeout(200);
    const error = await boundedFetch()(`${origin}/drip`, {
      method: 'GET',
      headers: {},
      signal,
      redirect: 'manual',
    } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error | undefined)?.name).toBe('TimeoutError');
  });
});
