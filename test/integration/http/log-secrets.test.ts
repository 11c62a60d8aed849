import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue, type PageResult } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  claimedConversation,
  connectAs,
  staffBrowser,
  visitorBrowser,
} from '../chat/chat-clients.js';

/**
 * A log capture over full flows (staff login, chat, step-up link, citizen login, consent, a
 * replayed callback, withdrawal, logout) searched for every secret the flows used: step-up
 * tokens, authorization codes, states, nonces, PKCE challenges, CSRF tokens, session cookies and
 * national identity numbers. Access log lines name route patterns, not raw paths.
 */

let gw: TestGateway;
let alex: ChatClient;
const secrets = new Map<string, string>();

function remember(kind: string, value: string | null | undefined): void {
  if (value && value.length >= 6) secrets.set(value, kind);
}

/** Every query parameter of every hop that could carry a secret. */
function rememberHops(page: PageResult): void {
  for (const hop of page.hops) {
    for (const target of [hop.url, hop.location]) {
      if (!target || !URL.canParse(target, gw.url)) continue;
      const url = new URL(target, gw.url);
      for (const name of ['code', 'state', 'nonce', 'code_challenge', 'id_token_hint', 'login_hint'])
        remember(name, url.searchParams.get(name));
      const token = /\/chat\/identify\/([^/?#]+)/.exec(url.pathname)?.[1];
      remember('step-up token', token);
    }
  }
}

beforeAll(async () => {
  gw = await startTestGateway();
  const staff = await staffBrowser(gw.url, 'alex-agent');
  remember('cookie', staff.cookie(gw.url, 'gw.sid'));
  alex = await connectAs(staff, gw.url, 'agent');
  await alex.next('welcome');

  // Step-up in a chat, then identification, consent, withdrawal and logout.
  const { browser: visitor, visitor: socket, conversationId } = await claimedConversation(gw.url, alex);
  alex.send({ type: 'request-identification', conversationId });
  const request = await socket.next('identification-request');
  const link = String(request.url);
  remember('step-up token', link.split('/').pop());

  const choice = await visitor.get(`${gw.url}${link}`);
  expect(choice.status).toBe(200);
  const login = /href="([^"]*\/auth\/bankid\/login[^"]*)"/.exec(choice.text)?.[1]?.replaceAll('&amp;', '&');
  const consent = await visitor.get(`${gw.url}${login}&login_hint=kari-nordmann`);
  expect(consent.url).toBe(`${gw.url}/consent`);
  rememberHops(consent);
  remember('national id', '12838540056');
  remember('cookie', visitor.cookie(gw.url, 'gw.sid'));
  const csrf = inputValue(consent.text, '_csrf');
  remember('csrf', csrf);
  const shared = await visitor.post(`${gw.url}/consent`, {
    _csrf: csrf,
    claims: ['name', 'nationalId'],
    decision: 'share',
  });
  expect(shared.status).toBe(200);
  await socket.next('identity');

  // A replayed callback (its code and state are already spent).
  const callback = consent.hops.find((h) => h.url.includes('/auth/bankid/callback?'));
  expect(callback).toBeDefined();
  const replay = await visitor.get(callback?.url ?? '');
  expect(replay.status).toBe(400);

  // A link of someone else, tried in a stranger's browser; a made-up link.
  alex.send({ type: 'request-identification', conversationId });
  const second = String((await socket.next('identification-request', (f) => f.url !== link)).url);
  remember('step-up token', second.split('/').pop());
  expect((await (await visitorBrowser(gw.url)).get(`${gw.url}${second}`)).status).toBe(403);
  const madeUp = 'Zm9yZ2VkLXN0ZXAtdXAtdG9rZW4tZm9yLWEtdGVzdA';
  remember('made-up token', madeUp);
  expect((await visitor.get(`${gw.url}/chat/identify/${madeUp}`)).status).toBe(410);

  // A Finnish citizen in another browser, declining.
  const matti = new BrowserSession();
  const fiConsent = await matti.get(`${gw.url}/auth/suomifi/login?login_hint=matti-meikalainen`);
  rememberHops(fiConsent);
  remember('national id', '010594Y9032');
  await matti.post(`${gw.url}/consent`, {
    _csrf: inputValue(fiConsent.text, '_csrf'),
    decision: 'decline',
    claims: [],
  });

  const session = JSON.parse((await visitor.get(`${gw.url}/api/session`)).text) as { csrfToken: string };
  remember('csrf', session.csrfToken);
  await visitor.post(`${gw.url}/consent/withdraw`, { _csrf: session.csrfToken });
  const logout = await visitor.post(`${gw.url}/auth/logout`, { _csrf: session.csrfToken }, { follow: false });
  rememberHops(logout);
  socket.close();
});
afterAll(async () => {
  alex?.close();
  await gw?.close();
});

describe('the log of full flows', () => {
  it('used enough secrets for the search to mean something', () => {
    const kinds = new Set(secrets.values());
    for (const kind of ['step-up token', 'code', 'state', 'nonce', 'csrf', 'cookie', 'national id'])
      expect(kinds).toContain(kind);
  });

  it('contains none of them', () => {
    const logs = gw.logs();
    expect(logs.length).toBeGreaterThan(1000);
    const found = [...secrets]
      .filter(([value]) => logs.includes(value))
      .map(([value, kind]) => `${kind}: ${value}`);
    expect(found).toEqual([]);
  });

  it('names route patterns in access lines, not raw paths', () => {
    const lines = gw
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');
    const routes = new Set(lines.map((line) => line.route));
    expect(routes).toContain('/chat/identify/:token');
    expect(routes).toContain('/auth/:provider/callback');
    expect(routes).toContain('/auth/:provider/login');
    for (const line of lines) {
      expect(line.path).toBeUndefined();
      expect(String(line.route)).not.toMatch(/\?|identify\/[A-Za-z0-9_-]{20,}/);
    }
  });
});
