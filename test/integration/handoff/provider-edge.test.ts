import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSystemRp, RP_REDIRECT } from '../../helpers/chat-system-rp.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';

/**
 * Methods at the gateway's OpenID Provider are answered as at the gateway's own routes (405
 * with Allow, OPTIONS without CORS but at its public documents), and what it learns of a request comes from the gateway's own reading of
 * it: its URLs are built on `publicUrl`, never on a Host or X-Forwarded-* header a client sent
 * (with `trustProxy` set, as behind a load balancer), and a HEAD runs none of its endpoints
 * that store something.
 */

const SECRET = 'puzzel-client-secret-0123456789abcdef';
const FORGED = {
  host: 'forged-host.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
  'x-forwarded-for': '203.0.113.9',
};

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    config: { trustProxy: 1 },
    tenants: [
      testTenant({
        handoff: {
          oidcClients: [
            { clientId: 'puzzel', label: 'Puzzel', clientSecret: SECRET, redirectUris: [RP_REDIRECT] },
          ],
        },
      }),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
});

/** Sends exactly this method and path to the test gateway. */
const raw = (method: string, path: string, headers: Record<string, string> = {}) =>
  rawRequest(gw.url, method, path, headers);

async function authorizationPath(): Promise<string> {
  const rp = await ChatSystemRp.discover(`${gw.url}/oidc`, 'puzzel', SECRET);
  const url = await rp.authorizationUrl();
  return `${url.pathname}${url.search}`;
}

describe('the OpenID Provider behind a proxy', () => {
  it('names its endpoints on publicUrl whatever Host and X-Forwarded-Host say', async () => {
    const answer = await raw('GET', '/oidc/.well-known/openid-configuration', FORGED);
    expect(answer.status).toBe(200);
    expect(answer.body).not.toMatch(/evil\.example|forged-host/);
    const discovery = JSON.parse(answer.body) as Record<string, unknown>;
    for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(String(discovery[name]), name).toMatch(new RegExp(`^${gw.url}/oidc/`));
    }
  });

  it('names its endpoints on publicUrl when the request target names another host (absolute form)', async () => {
    // RFC 9112 §3.2.2: a server must accept it, and its authority overrides Host.
    const answer = await raw('GET', 'http://evil.example/oidc/.well-known/openid-configuration', FORGED);
    expect(answer.status).toBe(200);
    expect(answer.body).not.toMatch(/evil\.example|forged-host/);
    const discovery = JSON.parse(answer.body) as Record<string, unknown>;
    expect(discovery.issuer).toBe(`${gw.url}/oidc`);
    for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(String(discovery[name]), name).toMatch(new RegExp(`^${gw.url}/oidc/`));
    }
  });

  it('sets its cookies as publicUrl says (http here), not as X-Forwarded-Proto claims', async () => {
    const answer = await raw('GET', await authorizationPath(), FORGED);
    expect(answer.status).toBe(303);
    const cookies = [answer.headers['set-cookie'] ?? []].flat();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).not.toMatch(/;\s*secure/i);
  });
});

describe('HEAD at the OpenID Provider', () => {
  it('starts no sign-in: 405 with Allow, no cookie, no interaction', async () => {
    const answer = await raw('HEAD', await authorizationPath());
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, OPTIONS, POST');
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers.location).toBeUndefined();
  });

  it('answers its public documents as their GET', async () => {
    for (const path of ['/oidc/.well-known/openid-configuration', '/oidc/jwks']) {
      const answer = await raw('HEAD', path);
      expect(answer.status, path).toBe(200);
      expect(answer.body, path).toBe('');
    }
  });
});

describe('a method an endpoint of the OpenID Provider does not take', () => {
  it('answers 405 with Allow: JSON at the protocol endpoints, the page at the browser ones', async () => {
    const cases: [method: string, path: string, allow: string, json: boolean][] = [
      ['GET', '/oidc/token', 'OPTIONS, POST', true],
      ['POST', '/oidc/jwks', 'GET, HEAD, OPTIONS', true],
      ['PUT', '/oidc/me', 'GET, OPTIONS, POST', true],
      ['DELETE', '/oidc/auth', 'GET, OPTIONS, POST', false],
      ['GET', '/oidc/session/end/confirm', 'OPTIONS, POST', false],
    ];
    for (const [method, path, allow, json] of cases) {
      const answer = await raw(method, path);
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.headers.allow, path).toBe(allow);
      expect(answer.headers['content-type'], path).toMatch(json ? /^application\/json/ : /^text\/html/);
      expect(answer.body, path).toContain('method_not_allowed');
    }
  });

  it('is answered at every endpoint the discovery document names', async () => {
    const discovery = JSON.parse((await raw('GET', '/oidc/.well-known/openid-configuration')).body) as Record<
      string,
      unknown
    >;
    const endpoints = Object.entries(discovery).filter(
      ([name, value]) => (name.endsWith('_endpoint') || name === 'jwks_uri') && typeof value === 'string',
    );
    expect(endpoints.length).toBeGreaterThanOrEqual(5);
    for (const [name, value] of endpoints) {
      const answer = await raw('PATCH', new URL(String(value)).pathname);
      expect(answer.status, name).toBe(405);
    }
  });

  it('answers OPTIONS with Allow and no CORS, but a preflight to its public documents', async () => {
    const preflight = { origin: 'https://evil.example', 'access-control-request-method': 'POST' };
    const token = await raw('OPTIONS', '/oidc/token', preflight);
    expect(token.status).toBe(204);
    expect(token.headers.allow).toBe('OPTIONS, POST');
    expect(Object.keys(token.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const jwks = await raw('OPTIONS', '/oidc/jwks', { ...preflight, 'access-control-request-method': 'GET' });
    expect(jwks.status).toBeLessThan(300);
  });
});
