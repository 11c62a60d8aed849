import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import { ChatClient, type Frame, visitorBrowser } from './chat-clients.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    config: { trustProxy: 1 },
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
