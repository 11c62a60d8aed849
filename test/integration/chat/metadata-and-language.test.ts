import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGES } from '../../../src/chat/conversation-metadata.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import {
  ChatClient,
  type Frame,
  staffSocket,
  startedConversation as startedIn,
  visitorBrowser,
} from './chat-clients.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    // The page frames of the bound's test go out faster than a person browses.
    config: { trustProxy: 1, chat: { connectionPerSecond: 100, sessionPerSecond: 100 } },
    tenants: [
      testTenant({ metadata: { ip: true, userAgent: true, pages: true, referrer: false } }),
      testTenant({ id: 'plain', name: 'Plain Municipality' }),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
});

/** A visitor socket with extra request headers (a proxy's X-Forwarded-For, a browser's). */
async function visitor(tenant: string, headers: Record<string, string>): Promise<ChatClient> {
  const base = `${gw.url}/t/${tenant}`;
  const browser = await visitorBrowser(base);
  const url = new URL(`${base}/ws/visitor`);
  return ChatClient.connect(url.href.replace(/^http/, 'ws'), {
    origin: url.origin,
    cookie: browser.cookieHeader(url.href),
    ...headers,
  });
}

async function startedConversation(client: ChatClient, tenantId: string) {
  await client.next('welcome');
  client.ws.send(
    JSON.stringify({
      type: 'start',
      topic: 'general',
      page: 'https://www.kommune.example/skatt',
      referrer: 'https://search.example/?q=skatt',
    }),
  );
  const frame = await client.next('conversation');
  const stored = await gw.gateway.deps.store.chat.conversations.get(
    tenantId,
    (frame.conversation as { id: string }).id,
  );
  client.ws.close();
  return stored;
}

describe('conversation metadata', () => {
  it('collects exactly what the tenant switched on, with the client address as Express computes it', async () => {
    const client = await visitor('demo', {
      'x-forwarded-for': '198.51.100.7, 203.0.113.9',
      'user-agent': 'MetadataTest/1.0',
    });
    const stored = await startedConversation(client, 'demo');
    // trustProxy 1: the loopback peer is the one trusted hop, so the address is the right-most entry.
    expect(stored?.metadata).toEqual({
      ip: '203.0.113.9',
      userAgent: 'MetadataTest/1.0',
      pages: ['https://www.kommune.example/skatt'],
    });
  });

  it('collects nothing for a tenant that switched nothing on', async () => {
    const client = await visitor('plain', {
      'x-forwarded-for': '203.0.113.9',
      'user-agent': 'MetadataTest/1.0',
    });
    expect((await startedConversation(client, 'plain'))?.metadata).toEqual({});
  });

  it('tells the widget which page metadata the tenant collects, so it sends nothing else', async () => {
    const collects = async (tenant: string) => {
      const base = `${gw.url}/t/${tenant}`;
      const boot = await (await visitorBrowser(base)).get(`${base}/api/chat/bootstrap`);
      return (JSON.parse(boot.text) as { collects: unknown }).collects;
    };
    expect(await collects('demo')).toEqual({ pages: true, referrer: false });
    expect(await collects('plain')).toEqual({ pages: false, referrer: false });
  });
});

describe('pages visited with a conversation open', () => {
  const stored = (tenant: string, id: string) => gw.gateway.deps.store.chat.conversations.get(tenant, id);

  it('are noted as the visitor opens them, told to the agent following the conversation, once each', async () => {
    const base = `${gw.url}/t/demo`;
    const agent = await staffSocket(base, 'alex-agent');
    const { visitor, conversationId } = await startedIn(base);
    const claimed = await agent.request({ type: 'claim', conversationId }, 'conversation');
    expect((claimed.conversation as { visit?: unknown }).visit).toBeUndefined();

    const forThis = (f: Frame) => f.conversationId === conversationId;
    visitor.send({ type: 'page', page: 'https://www.kommune.example/skatt' });
    const first = await agent.next('visit', forThis);
    expect(first.visit).toEqual({ pages: ['https://www.kommune.example/skatt'] });
    // A reload of that page is not a new page; the next one is.
    const seen = agent.frames.length;
    visitor.send({ type: 'page', page: 'https://www.kommune.example/skatt' });
    visitor.send({ type: 'page', page: 'https://www.kommune.example/kontakt' });
    const second = await agent.next('visit', forThis, seen);
    expect(second.visit).toEqual({
      pages: ['https://www.kommune.example/skatt', 'https://www.kommune.example/kontakt'],
    });
    expect(agent.frames.slice(seen).filter((f) => f.type === 'visit')).toHaveLength(1);

    // Bounded: the first page and the latest ones.
    for (let i = 0; i < MAX_PAGES + 5; i++)
      visitor.send({ type: 'page', page: `https://www.kommune.example/p${i}` });
    await visitor.request({ type: 'resume', conversationId, afterSeq: 0 }, 'conversation');
    const pages = (await stored('demo', conversationId))?.metadata.pages ?? [];
    expect(pages).toHaveLength(MAX_PAGES);
    expect(pages[0]).toBe('https://www.kommune.example/skatt');
    expect(pages.at(-1)).toBe(`https://www.kommune.example/p${MAX_PAGES + 4}`);
    expect(JSON.stringify(await stored('demo', conversationId))).not.toContain('/kontakt');

    // Over: nothing is noted any more, and the visitor is told why.
    await visitor.request({ type: 'end' }, 'status');
    visitor.send({ type: 'page', page: 'https://www.kommune.example/after' });
    expect((await visitor.next('error')).code).toBe('conversation_closed');
    expect((await stored('demo', conversationId))?.metadata.pages).toEqual(pages);
    visitor.close();
    agent.close();
  });

  it('are not kept for a tenant that does not collect pages', async () => {
    const { visitor, conversationId } = await startedIn(`${gw.url}/t/plain`);
    visitor.send({ type: 'page', page: 'https://www.kommune.example/skatt' });
    await visitor.request({ type: 'resume', conversationId, afterSeq: 0 }, 'conversation');
    expect((await stored('plain', conversationId))?.metadata).toEqual({});
    expect(visitor.frames.filter((f) => f.type === 'error')).toEqual([]);
    visitor.close();
  });

  it('refuses a page that is not an http(s) URL, storing nothing', async () => {
    const { visitor, conversationId } = await startedIn(`${gw.url}/t/demo`);
    visitor.send({ type: 'page', page: 'javascript:alert(1)' });
    expect((await visitor.next('error')).code).toBe('invalid_message');
    expect((await stored('demo', conversationId))?.metadata.pages).toBeUndefined();
    visitor.close();
  });
});

describe('socket language', () => {
  const generalTitle = (welcome: Frame) =>
    (welcome.topics as Array<{ id: string; title: string }>).find((t) => t.id === 'general')?.title;

  it('weighs Accept-Language q-values like the pages do (not the first listed)', async () => {
    const client = await visitor('demo', { 'accept-language': 'en;q=0.2, nb;q=0.8' });
    expect(generalTitle(await client.next('welcome'))).toBe('Generelle spørsmål');
    client.ws.close();
  });

  it('answers a wildcard Accept-Language ("*", as Node\'s fetch sends) in the default language', async () => {
    const client = await visitor('demo', { 'accept-language': '*' });
    expect(generalTitle(await client.next('welcome'))).toBe('General questions');
    client.ws.close();
  });

  it('reads Norwegian "no" as bokmål and lets ?lang= override the header', async () => {
    const no = await visitor('demo', { 'accept-language': 'no' });
    expect(generalTitle(await no.next('welcome'))).toBe('Generelle spørsmål');
    no.ws.close();
    const base = `${gw.url}/t/demo`;
    const browser = await visitorBrowser(base);
    const url = new URL(`${base}/ws/visitor?lang=en`);
    const en = await ChatClient.connect(url.href.replace(/^http/, 'ws'), {
      origin: url.origin,
      cookie: browser.cookieHeader(url.href),
      'accept-language': 'nb',
    });
    expect(generalTitle(await en.next('welcome'))).toBe('General questions');
    en.ws.close();
  });
});
