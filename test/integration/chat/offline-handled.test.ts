import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatFeature } from '../../../src/chat/chat-feature.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { startTestGateway, type TestGateway, testTenant } from '../../helpers/test-gateway.js';
import { type ChatClient, connectAs, type Frame, staffSocket, visitorBrowser } from './chat-clients.js';

// Starts at the real time: the mock IdP's ID tokens carry real `iat`s, checked against this clock.
const clock = new ManualClock(Date.now());

describe('an offline message marked handled', () => {
  let gw: TestGateway;
  let alex: ChatClient;
  let siri: ChatClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      clock,
      tenants: [testTenant(), testTenant({ id: 'other', name: 'Other Municipality' })],
      features: (deps) => [
        createChatFeature(deps, { rateLimits: { connectionPerSecond: 100, sessionPerSecond: 100 } }),
      ],
    });
    alex = await staffSocket(`${gw.url}/t/demo`, 'alex-agent');
    siri = await staffSocket(`${gw.url}/t/demo`, 'siri-supervisor');
  });
  afterAll(async () => {
    alex?.close();
    siri?.close();
    await gw?.close();
  });

  /** A visitor leaves an offline message; resolves with its id once both consoles listed it. */
  async function leave(): Promise<string> {
    const base = `${gw.url}/t/demo`;
    const visitor = await connectAs(await visitorBrowser(base), base, 'visitor');
    await visitor.next('welcome');
    const saved = await visitor.request(
      { type: 'offline-message', name: 'Kari Visitor', email: 'kari@example.org', text: 'Call me back' },
      'offline-message-saved',
    );
    const id = saved.id as string;
    for (const console of [alex, siri])
      await console.next('offline-message', (f) => (f.message as { id: string }).id === id);
    visitor.close();
    return id;
  }
  const ofId = (id: string) => (f: Frame) => f.id === id;
  const audit = async (id: string) =>
    (await gw.gateway.deps.store.chat.transcriptReads.list('demo', id)).map(
      ({ reader, role, action, target, conversationId, at }) => ({
        reader: reader.name,
        role,
        action,
        target,
        conversationId,
        at,
      }),
    );

  it('tells every console of the tenant who marked it and when; marking again keeps the first marker', async () => {
    const id = await leave();
    const at = clock.now();
    const handled = { by: 'Alex Agent', at: new Date(at).toISOString() };
    const since = siri.frames.length;
    const mine = await alex.request(
      { type: 'mark-offline-message', id, handled: true },
      'offline-message-handled',
      ofId(id),
    );
    expect(mine).toEqual({ type: 'offline-message-handled', id, handled });
    expect(await siri.next('offline-message-handled', ofId(id), since)).toEqual(mine);
    expect((await gw.gateway.deps.store.chat.offlineMessages.get('demo', id))?.handled).toEqual({
      by: 'Alex Agent',
      at,
    });

    // Siri marks it too (she had not seen it yet, say): the first marker stays, told to her alone.
    clock.advance(60_000);
    const alexSince = alex.frames.length;
    const again = await siri.request(
      { type: 'mark-offline-message', id, handled: true },
      'offline-message-handled',
      ofId(id),
    );
    expect(again.handled).toEqual(handled);
    // A console that opens now lists it as handled.
    const later = await staffSocket(`${gw.url}/t/demo`, 'ada-admin');
    const listed = (later.frames.find((f) => f.type === 'welcome')?.offlineMessages ?? []) as Frame[];
    expect(listed.find((m) => m.id === id)).toEqual({
      id,
      redacted: false,
      createdAt: expect.any(String),
      handled,
    });
    later.close();
    // The audit trail holds the one change: who, in which role, which message, when.
    expect(await audit(id)).toEqual([
      {
        reader: 'Alex Agent',
        role: 'agent',
        action: 'handled',
        target: 'offline-message',
        conversationId: id,
        at,
      },
    ]);
    expect(alex.frames.slice(alexSince).filter((f) => f.type === 'offline-message-handled')).toEqual([]);
    expect(gw.logs()).toContain('offline message handled');
    expect(gw.logs()).not.toContain('Call me back');
  });

  it('reopens it for every console, audited as `reopened` in the role of who did it', async () => {
    const id = await leave();
    await alex.request(
      { type: 'mark-offline-message', id, handled: true },
      'offline-message-handled',
      ofId(id),
    );
    const since = alex.frames.length;
    const reopened = await siri.request(
      { type: 'mark-offline-message', id, handled: false },
      'offline-message-handled',
      (f) => f.id === id && f.handled === null,
    );
    expect(reopened).toEqual({ type: 'offline-message-handled', id, handled: null });
    expect(
      await alex.next('offline-message-handled', (f) => f.id === id && f.handled === null, since),
    ).toEqual(reopened);
    expect((await gw.gateway.deps.store.chat.offlineMessages.get('demo', id))?.handled).toBeUndefined();
    expect((await audit(id)).map(({ reader, role, action }) => ({ reader, role, action }))).toEqual([
      { reader: 'Alex Agent', role: 'agent', action: 'handled' },
      { reader: 'Siri Supervisor', role: 'supervisor', action: 'reopened' },
    ]);
  });

  it('answers offline_message_not_found for an unknown id, another tenant’s message, or one deleted meanwhile, writing nothing', async () => {
    const id = await leave();
    const otto = await staffSocket(`${gw.url}/t/other`, 'otto-other-tenant');
    for (const [client, target] of [
      [otto, id],
      [alex, 'no-such-message'],
    ] as const)
      expect(
        (await client.request({ type: 'mark-offline-message', id: target, handled: true }, 'error')).code,
      ).toBe('offline_message_not_found');
    otto.close();
    expect(await gw.gateway.deps.store.chat.offlineMessages.get('demo', id)).not.toHaveProperty('handled');
    await gw.gateway.deps.store.chat.offlineMessages.delete('demo', id);
    expect((await alex.request({ type: 'mark-offline-message', id, handled: true }, 'error')).code).toBe(
      'offline_message_not_found',
    );
    expect(await gw.gateway.deps.store.chat.offlineMessages.get('demo', id)).toBeUndefined();
    expect(await audit(id)).toEqual([]);
    expect(await gw.gateway.deps.store.chat.transcriptReads.list('other', id)).toEqual([]);
  });

  it('refuses a frame with anything more than the id and a boolean', async () => {
    const id = await leave();
    for (const frame of [
      { type: 'mark-offline-message', id, handled: 'yes' },
      { type: 'mark-offline-message', id, handled: true, by: 'Someone Else' },
      { type: 'mark-offline-message', id },
    ])
      expect((await alex.request(frame, 'error')).code).toBe('invalid_message');
    expect(await audit(id)).toEqual([]);
  });
});
