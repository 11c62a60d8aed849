import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../../helpers/browser-session.js';
import { freePort, startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  type ChatClient,
  connectAs,
  identifiedConversation,
  staffSocket,
  visitorBrowser,
} from './chat-clients.js';

const EMAIL = 'kari.nordmann@example.org';
/** What an `email-transcript` frame is answered with. */
const ANSWERS = ['transcript-emailed', 'error'];

/** A visitor's conversation, answered by `agent`, ended by the visitor when `end`. */
async function answeredConversation(
  base: string,
  agent: ChatClient,
  options: { end: boolean; browser?: BrowserSession },
) {
  const visitor = await connectAs(options.browser ?? (await visitorBrowser(base)), base, 'visitor');
  await visitor.next('welcome');
  const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
  const conversationId = (started.conversation as { id: string }).id;
  await visitor.request(
    { type: 'message', clientId: 'm1', text: 'Where do I renew my parking permit?' },
    'ack',
  );
  await agent.request(
    { type: 'claim', conversationId },
    'conversation',
    (f) => (f.conversation as { id: string }).id === conversationId,
  );
  await agent.request(
    { type: 'message', conversationId, clientId: 'a1', text: 'On the city’s web shop.' },
    'ack',
  );
  await visitor.next('message', (f) => (f.message as { from: string }).from === 'agent');
  if (options.end) {
    visitor.send({ type: 'end' });
    await visitor.next('status', (f) => f.status === 'closed');
  }
  return { visitor, conversationId };
}

/**
 * A gateway whose e-mails go to a fresh development outbox, with Alex's console, for one describe
 * block (started before its tests, closed and its outbox removed after them).
 */
function useOutboxGateway(ready: (gw: TestGateway, alex: ChatClient) => void) {
  const outbox = mkdtempSync(join(tmpdir(), 'gw-outbox-'));
  let gw: TestGateway | undefined;
  let alex: ChatClient | undefined;
  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [testTenant({ transcriptByEmail: true })],
      config: {
        mail: { from: 'Test Municipality <chat@test.invalid>', outboxDir: outbox },
        // Many requests in a row here; people send a few.
        chat: { connectionPerSecond: 100, sessionPerSecond: 100 },
      },
    });
    alex = await staffSocket(gw.url, 'alex-agent');
    ready(gw, alex);
  });
  afterAll(async () => {
    alex?.close();
    await gw?.close();
    rmSync(outbox, { recursive: true, force: true });
  });
  return { mails: () => readdirSync(outbox).map((f) => readFileSync(join(outbox, f), 'utf8')) };
}

describe('the transcript by e-mail (development outbox)', () => {
  let gw: TestGateway;
  let alex: ChatClient;
  const outbox = useOutboxGateway((started, console) => {
    gw = started;
    alex = console;
  });
  const mails = outbox.mails;

  it('sends a closed, answered conversation to the address given, three times at most, keeping the address nowhere', async () => {
    const boot = JSON.parse((await (await visitorBrowser(gw.url)).get(`${gw.url}/api/chat/bootstrap`)).text);
    expect(boot.transcriptByEmail).toBe(true);
    const { visitor, conversationId } = await answeredConversation(gw.url, alex, { end: true });
    const ask = (email: string, id = conversationId) =>
      visitor.request({ type: 'email-transcript', conversationId: id, email }, ANSWERS);
    for (const bad of ['not-an-address', '', 'a@b', `${'x'.repeat(250)}@example.org`])
      expect(await ask(bad)).toMatchObject({ type: 'error', code: 'email_invalid', field: 'email' });
    expect(mails()).toEqual([]);

    expect(await ask(` ${EMAIL} `)).toEqual({ type: 'transcript-emailed', conversationId });
    const [mail] = mails();
    expect(mail).toContain(`To: ${EMAIL}`);
    expect(mail).toContain('From: Test Municipality <chat@test.invalid>');
    expect(mail).toContain('Subject: Your chat with Test Municipality on');
    expect(mail).toContain('You: Where do I renew my parking permit?');
    expect(mail).toContain('Alex Agent: On the city');
    expect(gw.logs()).toContain('transcript e-mailed to the visitor');
    expect(gw.logs()).not.toContain(EMAIL);
    const stored = await gw.gateway.deps.store.chat.conversations.get('demo', conversationId);
    expect(JSON.stringify(stored)).not.toContain(EMAIL);
    expect(stored?.transcriptEmails).toBe(1);

    expect((await ask(EMAIL)).type).toBe('transcript-emailed');
    expect((await ask(EMAIL)).type).toBe('transcript-emailed');
    expect(await ask(EMAIL)).toMatchObject({ type: 'error', code: 'transcript_email_limit' });
    expect(mails()).toHaveLength(3);
    // Another visitor's transcript to the same address the same day: the address has had three.
    const other = await answeredConversation(gw.url, alex, { end: true });
    const askOther = (email: string) =>
      other.visitor.request(
        { type: 'email-transcript', conversationId: other.conversationId, email },
        ANSWERS,
      );
    expect(await askOther(EMAIL.toUpperCase())).toMatchObject({
      type: 'error',
      code: 'transcript_email_limit',
    });
    expect((await askOther('other@example.org')).type).toBe('transcript-emailed');
    expect(mails()).toHaveLength(4);
    visitor.close();
    other.visitor.close();
  });

  it('counts nothing against an address for a request the visitor’s own daily limit refuses', async () => {
    const browser = await visitorBrowser(gw.url);
    const sent: string[] = [];
    for (const addresses of [
      ['a1', 'a2', 'a3'],
      ['a4', 'a5', 'victim'],
    ]) {
      const { visitor, conversationId } = await answeredConversation(gw.url, alex, { end: true, browser });
      for (const name of addresses) {
        const answer = await visitor.request(
          { type: 'email-transcript', conversationId, email: `${name}@example.org` },
          ANSWERS,
        );
        sent.push(`${name}:${answer.type === 'error' ? answer.code : answer.type}`);
      }
      visitor.close();
    }
    // Five a day for one visitor: the sixth, naming the victim, is refused.
    expect(sent.slice(-2)).toEqual(['a5:transcript-emailed', 'victim:transcript_email_limit']);
    // The victim's own transcripts still go out, three times.
    const victim = await answeredConversation(gw.url, alex, { end: true });
    for (let i = 0; i < 3; i++)
      expect(
        (
          await victim.visitor.request(
            { type: 'email-transcript', conversationId: victim.conversationId, email: 'victim@example.org' },
            ANSWERS,
          )
        ).type,
      ).toBe('transcript-emailed');
    victim.visitor.close();
  });

  it('refuses a conversation still open, one no agent answered, and another visitor’s', async () => {
    const open = await answeredConversation(gw.url, alex, { end: false });
    expect(
      await open.visitor.request(
        { type: 'email-transcript', conversationId: open.conversationId, email: EMAIL },
        'error',
      ),
    ).toMatchObject({ code: 'transcript_not_ready' });

    const lonely = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
    await lonely.next('welcome');
    const started = await lonely.request({ type: 'start', topic: 'general' }, 'conversation');
    const lonelyId = (started.conversation as { id: string }).id;
    await lonely.request({ type: 'message', clientId: 'm1', text: 'buy cheap pills at spam.example' }, 'ack');
    lonely.send({ type: 'end' });
    await lonely.next('status', (f) => f.status === 'closed');
    expect(
      await lonely.request({ type: 'email-transcript', conversationId: lonelyId, email: EMAIL }, 'error'),
    ).toMatchObject({ code: 'transcript_not_ready' });
    // Someone else's conversation is not found, whatever its state.
    expect(
      await lonely.request(
        { type: 'email-transcript', conversationId: open.conversationId, email: EMAIL },
        'error',
      ),
    ).toMatchObject({ code: 'conversation_not_found' });
    open.visitor.close();
    lonely.close();
  });
});

/**
 * Just enough of an SMTP server (RFC 5321) to take one mail: no TLS (a development gateway does
 * not require it), every command accepted, the DATA kept.
 */
function smtpServer(received: string[]): Server {
  return createServer((socket: Socket) => {
    let data: string[] | undefined;
    let buffered = '';
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (data) {
          if (line === '.') {
            received.push(data.join('\n'));
            data = undefined;
            socket.write('250 OK queued\r\n');
          } else data.push(line);
        } else if (/^EHLO/i.test(line)) socket.write('250-test\r\n250 8BITMIME\r\n');
        else if (/^DATA/i.test(line)) {
          data = [];
          socket.write('354 go ahead\r\n');
        } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
}

describe('the transcript of an identified conversation by e-mail', () => {
  let gw: TestGateway;
  let alex: ChatClient;
  const outbox = useOutboxGateway((started, console) => {
    gw = started;
    alex = console;
  });
  const mails = outbox.mails;

  it('goes only to a session that shared the identity (also after withdrawing it), never to the next session of that browser', async () => {
    const kari = await identifiedConversation(gw.url, { assignee: alex });
    await kari.visitor.request({ type: 'message', clientId: 'v2', text: 'my verified question' }, 'ack');
    await alex.request(
      { type: 'message', conversationId: kari.conversationId, clientId: 'a1', text: 'Answered.' },
      'ack',
    );
    // Kari withdraws, then ends the chat: still her own session.
    const csrf = (JSON.parse((await kari.browser.get(`${gw.url}/api/session`)).text) as { csrfToken: string })
      .csrfToken;
    await kari.browser.post(`${gw.url}/consent/withdraw`, { _csrf: csrf, returnTo: '/chat' });
    await kari.visitor.next('identity', (f) => f.verified === false);
    kari.visitor.send({ type: 'end' });
    await kari.visitor.next('status', (f) => f.status === 'closed');
    const ask = (client: ChatClient, email: string) =>
      client.request({ type: 'email-transcript', conversationId: kari.conversationId, email }, ANSWERS);

    // Another session with the same visitor cookie (hers expired; someone else sits down).
    const next = new BrowserSession();
    next.setCookie(gw.url, 'gw.vid', kari.browser.cookie(gw.url, 'gw.vid') ?? '');
    await next.get(`${gw.url}/chat`);
    const stranger = await connectAs(next, gw.url, 'visitor');
    await stranger.next('welcome');
    expect(await ask(stranger, 'stranger@example.org')).toMatchObject({
      type: 'error',
      code: 'conversation_not_found',
    });
    expect(mails()).toEqual([]);

    expect(await ask(kari.visitor, EMAIL)).toEqual({
      type: 'transcript-emailed',
      conversationId: kari.conversationId,
    });
    expect(mails()).toHaveLength(1);
    expect(mails()[0]).toContain('my verified question');
    stranger.close();
    kari.visitor.close();
  });
});

describe('the transcript by e-mail over SMTP', () => {
  let gw: TestGateway;
  let alex: ChatClient;
  let smtp: Server;
  const received: string[] = [];
  let smtpPort: number;
  beforeAll(async () => {
    smtpPort = await freePort();
    smtp = smtpServer(received);
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', () => resolve()));
    gw = await startTestGateway({
      tenants: [testTenant({ transcriptByEmail: true })],
      config: {
        mail: { from: 'chat@test.invalid', smtpUrl: `smtp://127.0.0.1:${smtpPort}`, timeoutMs: 2_000 },
      },
    });
    alex = await staffSocket(gw.url, 'alex-agent');
  });
  afterAll(async () => {
    alex?.close();
    await gw?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('delivers to the SMTP server; with the server gone it answers mail_failed and the try is not counted', async () => {
    const { visitor, conversationId } = await answeredConversation(gw.url, alex, { end: true });
    const ask = () => visitor.request({ type: 'email-transcript', conversationId, email: EMAIL }, ANSWERS);
    expect((await ask()).type).toBe('transcript-emailed');
    expect(received).toHaveLength(1);
    expect(received[0]).toContain('You: Where do I renew my parking permit?');

    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    for (let i = 0; i < 3; i++) expect(await ask()).toMatchObject({ type: 'error', code: 'mail_failed' });
    expect(
      (await gw.gateway.deps.store.chat.conversations.get('demo', conversationId))?.transcriptEmails,
    ).toBe(1);
    expect(gw.logs()).toContain('transcript e-mail could not be sent');
    // The failed tries counted nothing: with the server back, the address gets its other two.
    smtp = smtpServer(received);
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', () => resolve()));
    expect((await ask()).type).toBe('transcript-emailed');
    expect((await ask()).type).toBe('transcript-emailed');
    expect(received).toHaveLength(3);
    expect(gw.logs()).not.toContain(EMAIL);
    visitor.close();
  });
});

describe('the transcript by e-mail, off', () => {
  it('is refused where the tenant does not offer it, and the widget is told so', async () => {
    const gw = await startTestGateway({});
    try {
      const boot = JSON.parse(
        (await (await visitorBrowser(gw.url)).get(`${gw.url}/api/chat/bootstrap`)).text,
      );
      expect(boot.transcriptByEmail).toBe(false);
      const visitor = await connectAs(await visitorBrowser(gw.url), gw.url, 'visitor');
      await visitor.next('welcome');
      expect(
        await visitor.request({ type: 'email-transcript', conversationId: 'c1', email: EMAIL }, 'error'),
      ).toMatchObject({ code: 'transcript_email_unavailable' });
      visitor.close();
    } finally {
      await gw.close();
    }
  });

  it('cannot be switched on without mail, and an outbox is refused in production', async () => {
    const { parseConfig } = await import('../../../src/config/load-config.js');
    expect(() =>
      parseConfig(
        { mockIdp: { enabled: true }, tenants: [testTenant({ transcriptByEmail: true })] },
        { env: {}, source: 'test' },
      ),
    ).toThrow(/transcriptByEmail: needs mail/);
    const loaded = parseConfig(
      {
        mockIdp: { enabled: true },
        mail: { from: 'chat@test.invalid', outboxDir: '/tmp/x' },
        tenants: [testTenant()],
      },
      { env: {}, source: 'test' },
    );
    expect(loaded.warnings.some((w) => String(w).includes('mail.outboxDir'))).toBe(true);
  });
});
