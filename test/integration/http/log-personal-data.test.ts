import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import { ChatClient, identifiedConversation, staffSocket } from '../chat/chat-clients.js';

/**
 * The log at `debug` of the chat's personal flows, with every metadata kind collected: a
 * verified chat, an offline message, a transcript by e-mail, the citizen's copy and erasure.
 * None of the personal data they carried may be in it.
 */
const PERSONAL = {
  name: 'Kari Nordmann',
  'national id': '12838540056',
  'visitor text': 'my private tax question',
  'agent text': 'your case is handled',
  'offline name': 'Offline Olsen',
  'offline e-mail': 'offline.olsen@example.org',
  'offline text': 'please call me back tomorrow',
  'transcript address': 'kari.transcript@example.org',
  'user agent': 'ProbeBrowser/9.9 (personal-device)',
  page: 'https://kommune.example/soknad/skatt?case=4711',
  referrer: 'https://search.example/?q=kari+tax',
};

let gw: TestGateway;
let alex: ChatClient;
const outbox = mkdtempSync(join(tmpdir(), 'gw-outbox-'));
const secrets = new Map<string, string>();

beforeAll(async () => {
  gw = await startTestGateway({
    logLevel: 'debug',
    tenants: [
      testTenant({
        transcriptByEmail: true,
        metadata: { ip: true, userAgent: true, pages: true, referrer: true },
      }),
    ],
    config: {
      mail: { from: 'Test Municipality <chat@test.invalid>', outboxDir: outbox },
      chat: { connectionPerSecond: 100, sessionPerSecond: 100 },
    },
  });
  alex = await staffSocket(gw.url, 'alex-agent');
  const kari = await identifiedConversation(gw.url, { assignee: alex, firstText: PERSONAL['visitor text'] });
  secrets.set(kari.browser.cookie(gw.url, 'gw.sid') ?? 'no cookie', 'session cookie');
  const sid = decodeURIComponent(kari.browser.cookie(gw.url, 'gw.sid') ?? '');
  secrets.set(sid.slice(2, sid.lastIndexOf('.')), 'session id');
  await alex.request(
    { type: 'message', conversationId: kari.conversationId, clientId: 'a1', text: PERSONAL['agent text'] },
    'ack',
  );
  // A second conversation with every metadata kind, from a browser that says who it is.
  const probe = new BrowserSession();
  await probe.get(`${gw.url}/chat`);
  const socket = await connectAsWith(probe, PERSONAL['user agent']);
  await socket.next('welcome');
  const started = await socket.request(
    { type: 'start', topic: 'general', page: PERSONAL.page, referrer: PERSONAL.referrer },
    'conversation',
  );
  const stored = await gw.gateway.deps.store.chat.conversations.get(
    'demo',
    (started.conversation as { id: string }).id,
  );
  expect(stored?.metadata).toMatchObject({ userAgent: PERSONAL['user agent'], referrer: PERSONAL.referrer });
  await socket.request(
    {
      type: 'offline-message',
      name: PERSONAL['offline name'],
      email: PERSONAL['offline e-mail'],
      text: PERSONAL['offline text'],
    },
    'offline-message-saved',
  );
  socket.close();
  kari.visitor.send({ type: 'end' });
  await kari.visitor.next('status', (f) => f.status === 'closed');
  expect(
    await kari.visitor.request(
      {
        type: 'email-transcript',
        conversationId: kari.conversationId,
        email: PERSONAL['transcript address'],
      },
      'transcript-emailed',
    ),
  ).toBeTruthy();
  kari.visitor.close();
  // Her copy and erasure.
  const own = new BrowserSession();
  const page = await own.get(`${gw.url}/privacy/my-data/login/bankid?login_hint=kari-nordmann`);
  expect((await own.get(`${gw.url}/privacy/my-data/export`)).status).toBe(200);
  const erased = await own.post(`${gw.url}/privacy/my-data/erase`, {
    _csrf: inputValue(page.text, '_csrf'),
    confirm: 'yes',
  });
  expect(erased.status).toBe(200);
});
afterAll(async () => {
  alex?.close();
  await gw?.close();
  rmSync(outbox, { recursive: true, force: true });
});

/** A visitor socket whose upgrade request carries `userAgent`. */
async function connectAsWith(browser: BrowserSession, userAgent: string): Promise<ChatClient> {
  const url = new URL(`${gw.url}/ws/visitor`);
  return ChatClient.connect(url.href.replace(/^http/, 'ws'), {
    origin: url.origin,
    cookie: browser.cookieHeader(url.href),
    'user-agent': userAgent,
  });
}

describe('the log at debug level of the chat’s personal flows', () => {
  it('holds none of the personal data, texts, cookies or session ids they carried', async () => {
    const logs = gw.logs();
    expect(logs).toContain('"level":20');
    expect(logs).toContain('transcript e-mailed to the visitor');
    const found = [...Object.entries(PERSONAL).map(([kind, value]) => [value, kind] as const), ...secrets]
      .filter(([value]) => logs.includes(value))
      .map(([value, kind]) => `${kind}: ${value}`);
    expect(found).toEqual([]);
  });
});
