import { request } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

/**
 * A malformed request is the client's fault: it answers 4xx with the error page (browser flows)
 * or the JSON error (APIs), is logged at `warn` without a stack, and never becomes a 500.
 */

let gw: TestGateway;
let csrf: string;
const browser = new BrowserSession();

beforeAll(async () => {
  gw = await startTestGateway();
  csrf = (JSON.parse((await browser.get(`${gw.url}/api/session`)).text) as { csrfToken: string }).csrfToken;
});
afterAll(async () => {
  await gw?.close();
});

interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Writes `bytes` on a connection of its own and reads the whole answer, until the server closes it. */
function rawBytes(bytes: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => {
      text += String(chunk);
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

/** Sends exactly these bytes (fetch would refuse or repair some of them). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(gw.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { cookie: browser.cookieHeader(gw.url), origin: gw.url, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function expectApiError(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(JSON.parse(answer.body)).toEqual({ error: { code, message: expect.any(String) } });
}

function expectPage(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toMatch(/^text\/html/);
  expect(answer.body).toContain(code);
}

describe('invalid percent-encoding in a path parameter', () => {
  const paths = [
    '/auth/%E0%A4%A/login',
    '/auth/%/login',
    '/auth/%zz/login',
    '/auth/%ff/callback',
    '/auth/%C0%AF/callback?code=x&state=y',
    '/chat/identify/%E0%A4%A',
    '/chat/identify/%',
  ];
  for (const path of paths) {
    it(`answers GET ${path} with 400 request_invalid`, async () => {
      expectPage(await raw('GET', path), 400, 'request_invalid');
    });
  }
});

describe('bodies the parsers cannot read', () => {
  const json = (body: Buffer | string, headers: Record<string, string> = {}) =>
    raw(
      'POST',
      '/api/identity/withdraw',
      { 'content-type': 'application/json', 'x-csrf-token': csrf, ...headers },
      body,
    );
  const form = (body: Buffer | string, headers: Record<string, string> = {}) =>
    raw('POST', '/consent', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body);

  it('answers JSON that does not parse with 400 request_invalid', async () => {
    expectApiError(await json('{"withdraw":'), 400, 'request_invalid');
  });
  it('answers a corrupt gzip body with 400 request_invalid', async () => {
    expectApiError(
      await json(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }),
      400,
      'request_invalid',
    );
  });
  it('answers a truncated gzip body with 400 request_invalid', async () => {
    const truncated = gzipSync('{"a":1}').subarray(0, 12);
    expectApiError(await json(truncated, { 'content-encoding': 'gzip' }), 400, 'request_invalid');
  });
  it('answers a corrupt deflate body with 400 request_invalid', async () => {
    expectApiError(
      await json(Buffer.from([1, 2, 3, 4]), { 'content-encoding': 'deflate' }),
      400,
      'request_invalid',
    );
  });
  it('answers an unknown content-encoding with 415 request_unsupported', async () => {
    expectApiError(await json('{}', { 'content-encoding': 'x-rot13' }), 415, 'request_unsupported');
  });
  it('answers an unknown charset with 415 request_unsupported', async () => {
    expectApiError(
      await json('{}', { 'content-type': 'application/json; charset=x-klingon' }),
      415,
      'request_unsupported',
    );
  });
  it('answers a JSON body over the limit with 413 request_too_large', async () => {
    expectApiError(await json(JSON.stringify({ pad: 'x'.repeat(10_000) })), 413, 'request_too_large');
  });
  it('answers a form over the limit with 413 request_too_large (page)', async () => {
    expectPage(await form(`decision=share&pad=${'x'.repeat(10_000)}`), 413, 'request_too_large');
  });
  it('answers a form with too many fields with 413 request_too_large (page)', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `f${i}=1`).join('&');
    expectPage(await form(fields), 413, 'request_too_large');
  });
  it('answers a form in an unknown charset with 415 (page)', async () => {
    expectPage(
      await form('decision=share', {
        'content-type': 'application/x-www-form-urlencoded; charset=x-klingon',
      }),
      415,
      'request_unsupported',
    );
  });
  it('answers a corrupt gzip form with 400 (page)', async () => {
    expectPage(await form(Buffer.from('garbage'), { 'content-encoding': 'gzip' }), 400, 'request_invalid');
  });
});

describe('JSON APIs given something other than a JSON object', () => {
  const paths = [
    '/api/identity/withdraw',
    '/api/identity/handover',
    '/api/identity/handover/redeem',
    '/api/handoff/some-target/token',
  ];
  const post = (path: string, body: string | undefined, contentType?: string) =>
    raw(
      'POST',
      path,
      { 'x-csrf-token': csrf, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    );
  for (const path of paths) {
    it(`answers ${path} with 415 for another content type or none, and 400 for JSON that is not an object`, async () => {
      expectApiError(await post(path, '{}', 'text/plain'), 415, 'request_unsupported');
      expectApiError(
        await post(path, 'a=1', 'application/x-www-form-urlencoded'),
        415,
        'request_unsupported',
      );
      expectApiError(await post(path, undefined), 415, 'request_unsupported');
      expectApiError(await post(path, '[1,2]', 'application/json'), 400, 'request_invalid');
      expectApiError(await post(path, '"withdraw"', 'application/json'), 400, 'request_invalid');
      expectApiError(await post(path, '', 'application/json'), 400, 'request_invalid');
    });
  }

  it('withdraws nothing when the withdrawal is not sent as a JSON object', async () => {
    const citizen = new BrowserSession();
    const consent = await citizen.get(`${gw.url}/auth/bankid/login?login_hint=kari-nordmann&returnTo=%2F`);
    await citizen.post(`${gw.url}/consent`, {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(consent.text)?.[1] ?? '',
      decision: 'share',
      claims: 'name',
    });
    const state = async () =>
      JSON.parse((await citizen.get(`${gw.url}/api/session`)).text) as { state: string; csrfToken: string };
    const before = await state();
    expect(before.state).toBe('verified');
    for (const [body, type] of [
      ['[1,2]', 'application/json'],
      ['{}', 'text/plain'],
      ['', 'application/x-www-form-urlencoded'],
    ] as const) {
      const answer = await fetch(`${gw.url}/api/identity/withdraw`, {
        method: 'POST',
        headers: {
          cookie: citizen.cookieHeader(gw.url),
          origin: gw.url,
          'x-csrf-token': before.csrfToken,
          'content-type': type,
        },
        body,
      });
      expect(answer.status).toBeGreaterThanOrEqual(400);
    }
    expect((await state()).state).toBe('verified');
  });
});

describe('odd headers and query strings', () => {
  it('ignores a malformed session cookie (a new anonymous session, 200)', async () => {
    const answer = await raw('GET', '/api/session', { cookie: 'gw.sid=%E0%A4%A; other=%' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).state).toBe('anonymous');
  });
  it('answers a header block over the limit (a huge callback URL) with 431 and a page naming the code', async () => {
    for (const answer of [
      await raw('GET', '/', { 'x-padding': 'x'.repeat(20_000) }),
      await raw('GET', `/auth/bankid/callback?code=${'c'.repeat(100_000)}&state=s`),
    ]) {
      expect(answer.status).toBe(431);
      expect(answer.contentType).toBe('text/html; charset=utf-8');
      expect(answer.body).toContain('Error code: request_too_large');
    }
  });
  it('answers a request line Node cannot parse with 400 and a page naming the code', async () => {
    const answer = await rawBytes('G@T / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(answer).toContain('Error code: request_invalid');
  });
  it('answers CONNECT (a tunnel, which the gateway is not) with 400 and the page, instead of dropping the connection', async () => {
    const answer = await rawBytes('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/\r\nX-Frame-Options: DENY\r\n/);
    expect(answer).toContain('Error code: request_invalid');
  });
  it('sends those pages, which the app never sees, with the security headers of its own pages', async () => {
    for (const answer of [
      await rawBytes('G@T / HTTP/1.1\r\nHost: x\r\n\r\n'),
      await rawBytes(`GET / HTTP/1.1\r\nHost: x\r\nX-Padding: ${'x'.repeat(20_000)}\r\n\r\n`),
    ]) {
      const head = answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase();
      expect(head).toMatch(/^content-security-policy: default-src 'none';.*frame-ancestors 'none'/m);
      expect(head).toMatch(/^x-frame-options: deny$/m);
      expect(head).toMatch(/^x-content-type-options: nosniff$/m);
      expect(head).toMatch(/^referrer-policy: no-referrer$/m);
      expect(head).toMatch(/^cache-control: no-store$/m);
      // Development: no HSTS (production: security-headers.test.ts).
      expect(head).not.toContain('strict-transport-security');
    }
  });
  const queries = [
    '/?lang=en&lang=fi',
    '/?lang[]=en',
    '/?lang[a]=en',
    '/?lang=%E0%A4%A',
    '/?%=1',
    '/api/session?lang=fi&lang=%zz',
    '/consent?x[y][z]=1',
  ];
  for (const path of queries) {
    it(`answers GET ${path} without an error`, async () => {
      expect((await raw('GET', path)).status).toBe(200);
    });
  }
  const refused: Array<[string, number]> = [
    ['/auth/bankid/login?returnTo=/a&returnTo=/b', 400],
    ['/auth/bankid/login?returnTo[]=/a', 303],
    ['/auth/bankid/login?login_hint=a&login_hint=b', 303],
    ['/staff/login?returnTo=%E0%A4%A', 400],
  ];
  for (const [path, status] of refused) {
    it(`answers GET ${path} with ${status}`, async () => {
      expect((await raw('GET', path)).status).toBe(status);
    });
  }
});

describe('the log of malformed requests', () => {
  it('has warn lines without a stack and no 500', () => {
    const lines = gw
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const malformed = lines.filter((l) => l.msg === 'malformed request');
    expect(malformed.length).toBeGreaterThan(10);
    for (const line of malformed) {
      expect(line.level).toBe(40);
      expect(JSON.stringify(line)).not.toContain('stack');
      expect(JSON.stringify(line)).not.toContain('Failed to decode');
    }
    expect(lines.some((l) => l.status === 500 || l.msg === 'request failed')).toBe(false);
  });
});
