import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/runtime/clock.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import { connectAs, visitorBrowser } from './chat-clients.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(Date.now());
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ clock, tenants: [testTenant({ retention: { deleteAfterDays: 30 } })] });
});
afterAll(async () => {
  await gw?.close();
});

describe('retention (tenants[].retention.deleteAfterDays)', () => {
  it('deletes a transcript the configured days after the chat ended, and a resume then finds nothing', async () => {
    const browser = await visitorBrowser(gw.url);
    const visitor = await connectAs(browser, gw.url, 'visitor');
    await visitor.next('welcome');
    visitor.send({ type: 'start', topic: 'general' });
    const id = ((await visitor.next('conversation')).conversation as { id: string }).id;
    visitor.send({ type: 'message', clientId: 'm1', text: 'My case is about parking' });
    await visitor.next('ack');
    visitor.send({ type: 'end' });
    await visitor.next('status', (f) => f.status === 'closed');
    const store = gw.gateway.deps.store;

    clock.advance(29 * DAY);
    expect(await gw.gateway.retention.sweep()).toEqual({ conversations: 0, offlineMessages: 0 });
    expect(await store.chat.messages.list(id)).toHaveLength(2);

    clock.advance(2 * DAY);
    expect(await gw.gateway.retention.sweep()).toEqual({ conversations: 1, offlineMessages: 0 });
    expect(await store.chat.conversations.get(id)).toBeUndefined();
    expect(await store.chat.messages.list(id)).toEqual([]);
    visitor.send({ type: 'resume', conversationId: id, afterSeq: 0 });
    expect(await visitor.next('error')).toMatchObject({ code: 'conversation_not_found' });
    expect(gw.logs()).toContain('retention: deleted what is older than the tenant keeps');
    visitor.close();
  });
});
