import type { SessionData } from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../helpers/raw-http.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';

/**
 * A method a route does not take answers 405 with `Allow` (RFC 9110 §15.5.6): JSON
 * `method_not_allowed` on the APIs, the error page in browser flows; a path no route has stays
 * 404 whatever the method. OPTIONS answers 204 with `Allow` and nothing else (no CORS headers).
 * HEAD runs only the GET routes that change nothing; elsewhere it is 405 and no handler runs.
 */

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    tenants: [
      testTenant(),
      testTenant({ id: 'other', name: { en: 'Other Municipality' }, staff: undefined }),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
});

/** Sends exactly this method and path to the test gateway. */
const raw = (method: string, path: string, headers: Record<string, string> = {}) =>
  rawRequest(gw.url, method, path, headers);

/** Each routed path (under the first tenant's base `/t/demo`) and the methods it takes. */
const ROUTES: [path: string, allow: string][] = [
  ['/', 'GET, OPTIONS'],
  ['/auth/bankid/login', 'GET, OPTIONS'],
  ['/auth/bankid/callback', 'GET, OPTIONS'],
  ['/auth/logout', 'OPTIONS, POST'],
  ['/consent', 'GET, OPTIONS, POST'],
  ['/consent/withdraw', 'OPTIONS, POST'],
  ['/consent/handover', 'GET, OPTIONS'],
  ['/api/session', 'GET, OPTIONS'],
  ['/api/identity/withdraw', 'OPTIONS, POST'],
  ['/api/identity/handover', 'OPTIONS, POST'],
  ['/api/identity/handover/redeem', 'OPTIONS, POST'],
  ['/api/chat/bootstrap', 'GET, OPTIONS'],
  ['/chat', 'GET, OPTIONS'],
  ['/chat/widget', 'GET, OPTIONS'],
  ['/chat/identify/abc', 'GET, OPTIONS'],
  ['/agent', 'GET, OPTIONS'],
  ['/staff/login', 'GET, OPTIONS'],
  ['/staff/logout', 'OPTIONS, POST'],
  ['/staff/conversations/delete', 'GET, OPTIONS, POST'],
  ['/staff/conversations/hold', 'GET, OPTIONS, POST'],
  ['/privacy/my-data', 'GET, OPTIONS'],
  ['/privacy/my-data/erase', 'GET, OPTIONS, POST'],
];

const isApi = (path: string) => path.startsWith('/api/');

describe('a method the route does not take', () => {
  for (const [path, allow] of ROUTES) {
    const wrong = allow.includes('POST') ? (allow.includes('GET') ? 'PUT' : 'GET') : 'POST';
    it(`${wrong} /t/demo${path} answers 405 with Allow: ${allow}`, async () => {
      const answer = await raw(wrong, `/t/demo${path}`, { origin: gw.url });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe(allow);
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(answer.headers['content-security-policy']).toBeDefined();
      expect(answer.headers['cache-control']).toBe('no-store');
      if (isApi(path)) {
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(answer.body)).toEqual({
          error: { code: 'method_not_allowed', message: expect.any(String) },
        });
      } else {
        expect(answer.headers['content-type']).toMatch(/^text\/html/);
        expect(answer.body).toContain('method_not_allowed');
      }
    });
  }

  it('is answered for the routes outside the tenants too', async () => {
    for (const path of ['/healthz', '/readyz', '/.well-known/jwks.json']) {
      const answer = await raw('DELETE', path);
      expect(answer.status, path).toBe(405);
      expect(answer.headers.allow, path).toBe('GET, HEAD, OPTIONS');
    }
  });

  it('is JSON on the probes and the public keys, which load balancers and chat systems read', async () => {
    for (const path of ['/healthz', '/readyz', '/.well-known/jwks.json']) {
      const answer = await raw('POST', path);
      expect(answer.status, path).toBe(405);
      expect(answer.headers['content-type'], path).toMatch(/^application\/json/);
      expect(JSON.parse(answer.body), path).toMatchObject({ error: { code: 'method_not_allowed' } });
    }
  });

  it('is answered under every tenant', async () => {
    const answer = await raw('DELETE', '/t/other/consent');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, OPTIONS, POST');
  });

  it('is answered for a method Node knows but no route uses (TRACE, PROPFIND)', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'PATCH']) {
      const answer = await raw(method, '/t/demo/consent');
      expect(answer.status, method).toBe(405);
      expect(answer.body).not.toContain('TRACE');
    }
  });
});

describe('a path no route has', () => {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD']) {
    it(`answers 404 to ${method}`, async () => {
      for (const path of ['/t/demo/nope', '/t/demo/api/nope', '/nope', '/t/nobody/consent', '/CONSENT']) {
        const answer = await raw(method, path);
        expect(answer.status, path).toBe(404);
        expect(answer.headers.allow, path).toBeUndefined();
        expect(answer.headers['set-cookie'], path).toBeUndefined();
      }
    });
  }

  it('is still 404 when only its letter case differs from a route', async () => {
    const answer = await raw('POST', '/t/demo/Consent');
    expect(answer.status).toBe(404);
  });
});

describe('OPTIONS', () => {
  it('answers 204 with the Allow of the route and nothing else', async () => {
    for (const [path, allow] of ROUTES) {
      const answer = await raw('OPTIONS', `/t/demo${path}`, {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-csrf-token',
      });
      expect(answer.status, path).toBe(204);
      expect(answer.headers.allow, path).toBe(allow);
      expect(answer.body, path).toBe('');
      expect(answer.headers['set-cookie'], path).toBeUndefined();
      const cors = Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));
      expect(cors, path).toEqual([]);
    }
  });

  it('answers the server-wide `OPTIONS *` with 404 like any unknown path', async () => {
    expect((await raw('OPTIONS', '*')).status).toBe(404);
  });
});

describe('HEAD', () => {
  it('runs no GET route that changes something: 405 with Allow, no session, no handler', async () => {
    for (const [path, allow] of ROUTES.filter(([, allow]) => allow.includes('GET'))) {
      const answer = await raw('HEAD', `/t/demo${path}?returnTo=/t/demo/`);
      expect(answer.status, path).toBe(405);
      expect(answer.headers.allow, path).toBe(allow);
      expect(answer.headers['set-cookie'], path).toBeUndefined();
      expect(answer.headers.location, path).toBeUndefined();
      expect(answer.body, path).toBe('');
    }
  });

  it('starts no login: the session has no login in flight afterwards', async () => {
    const session = await fetch(`${gw.url}/t/demo/api/session`);
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await raw('HEAD', '/t/demo/auth/bankid/login', { cookie })).status).toBe(405);
    // express-session's cookie value: `s:<id>.<signature>`, percent-encoded.
    const sid = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.split('=')[1] ?? ''))?.[1] ?? '';
    const stored = await new Promise<SessionData | null | undefined>((resolve, reject) =>
      gw.gateway.deps.sessionStore.get(sid, (error, data) => (error ? reject(error) : resolve(data))),
    );
    expect(stored?.csrfToken).toEqual(expect.any(String));
    expect(stored?.logins).toBeUndefined();
  });

  it('answers the read-only endpoints as their GET, without a body', async () => {
    for (const path of ['/healthz', '/readyz', '/.well-known/jwks.json', '/static/embed.js']) {
      const answer = await raw('HEAD', path);
      expect(answer.status, path).toBe(200);
      expect(answer.body, path).toBe('');
      expect(answer.headers['set-cookie'], path).toBeUndefined();
    }
  });
});

describe('a request target in absolute form (RFC 9112 §3.2.2)', () => {
  it('is served as its path, whatever host it names', async () => {
    const session = await raw('GET', 'http://evil.example/t/demo/api/session');
    expect(session.status).toBe(200);
    expect(JSON.parse(session.body)).toMatchObject({ tenant: 'demo', state: 'anonymous' });
    const root = await raw('GET', 'http://evil.example?lang=fi', { accept: 'text/html' });
    expect(root.status).toBe(200);
    expect(root.body).not.toContain('evil.example');
  });

  it('reaches the chat socket’s checks when it asks for an upgrade, as its path does', async () => {
    const upgrade = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    for (const target of ['/t/demo/ws/visitor', 'http://evil.example/t/demo/ws/visitor']) {
      // No Origin: refused by the socket's own check (403), not as an unknown path (404).
      expect((await raw('GET', target, upgrade)).status, target).toBe(403);
    }
  });
});

describe('an Upgrade to another protocol than WebSocket (h2c, as curl --http2 asks)', () => {
  const h2c = {
    connection: 'Upgrade, HTTP2-Settings',
    upgrade: 'h2c',
    'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA',
  };

  it('is ignored: the request is answered in HTTP/1.1 as without it, and the connection closes', async () => {
    const page = await raw('GET', '/', h2c);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers.connection).toBe('close');
    expect(page.body).toContain('</html>');
    const health = await raw('GET', '/healthz', h2c);
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: 'ok' }]);
    // The app's own answers stand too: a method the route does not take, an unknown path.
    expect((await raw('DELETE', '/healthz', h2c)).status).toBe(405);
    expect((await raw('GET', '/no-such-page', h2c)).status).toBe(404);
  });

  it('with a body, and a WebSocket upgrade of another path, is still refused before any handler', async () => {
    const withBody = await raw('POST', '/api/identity/withdraw', {
      ...h2c,
      'transfer-encoding': 'chunked',
    });
    expect(withBody.status).toBe(404);
    const socket = await raw('GET', '/', {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    });
    expect(socket.status).toBe(404);
  });
});
