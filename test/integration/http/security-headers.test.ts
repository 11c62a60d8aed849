import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { createGateway, type Gateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { DATA_KEY, SESSION_SECRET } from '../../helpers/secrets.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';

describe('security headers and cookies (development)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('sends a strict CSP with frame-ancestors none and no inline script', async () => {
    const res = await request(gw.gateway.app).get('/');
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('renders pages without inline script or style attributes', async () => {
    const res = await request(gw.gateway.app).get('/');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle=/);
    expect(res.text).not.toMatch(/\son[a-z]+=/);
  });

  it('refuses a form POST whose Origin is null (the browser hid it) as csrf_invalid', async () => {
    const session = await request(gw.gateway.app).get('/api/session');
    const cookie = ([] as string[]).concat(session.headers['set-cookie'] ?? []);
    const res = await request(gw.gateway.app)
      .post('/consent/withdraw')
      .set('Cookie', cookie)
      .set('origin', 'null')
      .type('form')
      .send({ _csrf: session.body.csrfToken });
    expect(res.status).toBe(403);
    expect(res.text).toContain('csrf_invalid');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const res = await request(gw.gateway.app).get('/api/session');
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('gw.sid='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
  });

  it('answers API errors in JSON with a stable code and browser errors with a page', async () => {
    const api = await request(gw.gateway.app)
      .post('/api/identity/withdraw')
      .set('content-type', 'application/json')
      .send('{');
    expect(api.status).toBe(400);
    expect(api.body).toEqual({
      error: { code: 'request_invalid', message: 'The request could not be read.' },
    });
    const page = await request(gw.gateway.app).get('/no/such/page');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('not_found');
  });

  it('answers a path in other letter case as not found (paths match exactly as spelt)', async () => {
    for (const path of ['/API/session', '/Api/handoff/nope/jwks.json', '/Privacy/my-data', '/STAFF/login']) {
      const answer = await request(gw.gateway.app).get(path);
      expect(answer.status).toBe(404);
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
    }
  });

  it('chooses the language from Accept-Language and lets the switch override it', async () => {
    const fi = await request(gw.gateway.app).get('/').set('accept-language', 'fi-FI,fi;q=0.9');
    expect(fi.text).toContain('<html lang="fi">');
    expect(fi.text).toContain('Tunnistaudu');
    const nb = await request(gw.gateway.app).get('/').set('accept-language', 'no');
    expect(nb.text).toContain('<html lang="nb">');
    const sv = await request(gw.gateway.app).get('/?lang=sv').set('accept-language', 'fi');
    expect(sv.text).toContain('<html lang="sv">');
    expect(sv.text).toContain('Identifiera dig');
  });

  it('reports readiness per broker and publishes the JWKS without private parts', async () => {
    const ready = await request(gw.gateway.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.brokers.every((b: { ready: boolean }) => b.ready)).toBe(true);
    const jwks = await request(gw.gateway.app).get('/.well-known/jwks.json');
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
  });
});

/** A production gateway behind a load balancer that `trustProxy` describes. */
function productionGateway(trustProxy: number | string, logLines?: string[]): Promise<Gateway> {
  const loaded = parseConfig(
    {
      publicUrl: 'https://chat.example',
      trustProxy,
      tenants: [
        {
          id: 'demo',
          name: 'Demo',
          // Nothing listens on port 1: discovery fails at once and is retried in the background.
          providers: [
            {
              id: 'bankid',
              label: 'BankID',
              issuer: 'https://127.0.0.1:1/broker',
              clientId: 'c',
              clientSecret: 'secret',
              claimProfile: 'idura',
            },
          ],
        },
      ],
    },
    {
      env: {
        NODE_ENV: 'production',
        SESSION_SECRET,
        DATA_KEY,
        SIGNING_KEY: JSON.stringify({
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
        }),
      },
    },
  );
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines?.push(String(chunk));
      done();
    },
  });
  return createGateway(loaded, { logger: logLines ? createLogger('warn', sink) : createLogger('silent') });
}

function sessionCookieOf(res: request.Response): string | undefined {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-gw.sid='));
}

describe('the session cookie behind a TLS-terminating proxy (production)', () => {
  it('believes X-Forwarded-Proto only from an address trustProxy trusts, and says so once', async () => {
    // The load balancer is on 10.0.0.0/8; this client (loopback) reaches the gateway past it.
    const lines: string[] = [];
    const gateway = await productionGateway('10.0.0.0/8', lines);
    try {
      for (let i = 0; i < 3; i++) {
        const forged = await request(gateway.app).get('/api/session').set('x-forwarded-proto', 'https');
        expect(forged.status).toBe(200);
        // express-session sets no Secure cookie on a request it does not take for https.
        expect(sessionCookieOf(forged)).toBeUndefined();
      }
      const warnings = lines.filter((line) => line.includes('X-Forwarded-Proto came from an address'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).not.toContain('127.0.0.1');
    } finally {
      await gateway.close();
    }
  });

  it('sets it when the proxy in front is trusted, by subnet as by hops', async () => {
    for (const trustProxy of ['loopback', 1]) {
      const lines: string[] = [];
      const gateway = await productionGateway(trustProxy, lines);
      try {
        const res = await request(gateway.app).get('/api/session').set('x-forwarded-proto', 'https');
        expect(sessionCookieOf(res)).toMatch(/; Secure/);
        // Without the proxy's header the request was plain http: no Secure cookie over it.
        const plain = await request(gateway.app).get('/api/session');
        expect(sessionCookieOf(plain)).toBeUndefined();
        expect(lines.filter((line) => line.includes('X-Forwarded-Proto'))).toEqual([]);
      } finally {
        await gateway.close();
      }
    }
  });
});

describe('security headers and cookies (production)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await productionGateway(1);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('uses a __Host- cookie with Secure, HttpOnly and SameSite=Lax', async () => {
    const res = await request(gateway.app).get('/api/session').set('x-forwarded-proto', 'https');
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('__Host-gw.sid='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
  });

  it('clears the __Host- cookie on logout with the attributes it was set with (else browsers keep it)', async () => {
    const view = await request(gateway.app).get('/api/session').set('x-forwarded-proto', 'https');
    // The cookie is Secure: supertest's own jar would not send it over the test's plain http.
    const cookie = ([] as string[])
      .concat(view.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0] ?? '');
    const out = await request(gateway.app)
      .post('/auth/logout')
      .set('Cookie', cookie)
      .set('x-forwarded-proto', 'https')
      .set('origin', 'https://chat.example')
      .type('form')
      .send({ _csrf: view.body.csrfToken });
    expect(out.status).toBe(303);
    const cleared = ([] as string[])
      .concat(out.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('__Host-gw.sid='));
    expect(cleared).toMatch(/^__Host-gw\.sid=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(cleared).toMatch(/; Secure/);
    expect(cleared).toMatch(/Path=\//);
  });

  it('sends HSTS and reports the unreachable broker as not ready, without taking the instance out', async () => {
    const res = await request(gateway.app).get('/readyz').set('x-forwarded-proto', 'https');
    // Anonymous chat still works: only that broker's logins are unavailable.
    expect(res.status).toBe(200);
    expect(res.body.store).toEqual({ type: 'memory', ready: true });
    expect(res.body.brokers[0]).toMatchObject({ provider: 'bankid', ready: false });
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
  });

  it('sends HSTS on the page for a request Node refuses before the app (431)', async () => {
    await gateway.listen(0);
    const { port } = gateway.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Padding: ${'x'.repeat(20_000)}\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/\r\nStrict-Transport-Security: max-age=31536000; includeSubDomains\r\n/);
  });

  it('answers a login through the unreachable broker with provider_unavailable (503)', async () => {
    const res = await request(gateway.app).get('/auth/bankid/login').set('x-forwarded-proto', 'https');
    expect(res.status).toBe(503);
    expect(res.text).toContain('provider_unavailable');
  });
});
