import { beforeEach, describe, expect, it } from 'vitest';
import type { SharedIdentity } from '../../../src/auth/session-state.js';
import { BuiltInBackend } from '../../../src/backends/built-in-backend.js';
import type { ChatEvent } from '../../../src/backends/chat-backend.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/store.js';

const crypto = new FieldCrypto('unit-test-data-key-0123456789abcdef0123');
const identity: SharedIdentity = {
  provider: 'suomifi',
  country: 'FI',
  loa: 'substantial',
  acr: 'urn:grn:authn:fi:all',
  claimNames: ['name', 'nationalId'],
  claims: { name: 'Matti Meikäläinen', nationalId: '010594Y9032', nationalIdType: 'hetu' },
  subjectIndex: crypto.blindIndex('010594Y9032'),
  receiptId: 'r1',
  sharedAt: 0,
};

let store: Store;
let clock: ManualClock;
let backend: BuiltInBackend;
let events: ChatEvent[];

beforeEach(() => {
  store = createMemoryStore();
  clock = new ManualClock();
  backend = new BuiltInBackend({
    repositories: store.chat,
    fieldCrypto: crypto,
    clock,
    logger: createLogger('silent'),
  });
  events = [];
  backend.subscribe('demo', (e) => events.push(e));
});

const start = () =>
  backend.startConversation({ tenantId: 'demo', topic: 'general', visitorId: 'v1', metadata: {} });

describe('BuiltInBackend messages', () => {
  it('numbers messages 1, 2, 3 per conversation and publishes each once', async () => {
    const a = await start();
    const b = await start();
    for (const text of ['x', 'y'])
      await backend.postMessage({ conversationId: a.id, from: 'visitor', authorId: 'v1', text });
    await backend.postMessage({ conversationId: b.id, from: 'visitor', authorId: 'v1', text: 'z' });
    expect((await backend.messages(a.id)).map((m) => m.seq)).toEqual([1, 2]);
    expect((await backend.messages(b.id)).map((m) => m.seq)).toEqual([1]);
    expect((await backend.messages(a.id, 1)).map((m) => m.text)).toEqual(['y']);
    expect(events.filter((e) => e.type === 'message')).toHaveLength(3);
  });

  it('returns the stored message for a repeated clientId of the same author, and stores another author’s', async () => {
    const c = await start();
    const first = await backend.postMessage({
      conversationId: c.id,
      from: 'visitor',
      authorId: 'v1',
      clientId: 'k',
      text: 'a',
    });
    const again = await backend.postMessage({
      conversationId: c.id,
      from: 'visitor',
      authorId: 'v1',
      clientId: 'k',
      text: 'a',
    });
    const agent = await backend.postMessage({
      conversationId: c.id,
      from: 'agent',
      authorId: 's1',
      clientId: 'k',
      text: 'b',
    });
    expect(again).toEqual({ message: first.message, duplicate: true });
    expect(agent.duplicate).toBe(false);
    expect((await backend.messages(c.id)).map((m) => m.text)).toEqual(['a', 'b']);
  });

  it('refuses messages to closed or unknown conversations', async () => {
    const c = await start();
    await backend.closeConversation(c.id);
    await expect(
      backend.postMessage({ conversationId: c.id, from: 'visitor', text: 'x' }),
    ).rejects.toMatchObject({
      code: 'conversation_closed',
    });
    await expect(
      backend.postMessage({ conversationId: 'nope', from: 'visitor', text: 'x' }),
    ).rejects.toMatchObject({
      code: 'conversation_not_found',
    });
  });
});

describe('BuiltInBackend assignment', () => {
  it('moves a conversation from the queue to one agent, refuses a second agent, and transfers it back', async () => {
    const c = await start();
    expect((await backend.queue('demo', 'general')).map((q) => q.id)).toEqual([c.id]);
    const claimed = await backend.claim(c.id, { subject: 's1', name: 'Alex' });
    expect(claimed).toMatchObject({ status: 'assigned', assignedTo: { subject: 's1', name: 'Alex' } });
    expect(await backend.queue('demo', 'general')).toEqual([]);
    await expect(backend.claim(c.id, { subject: 's2', name: 'Siri' })).rejects.toMatchObject({
      code: 'conversation_taken',
    });
    expect((await backend.claim(c.id, { subject: 's1', name: 'Alex' })).status).toBe('assigned');
    expect((await backend.assignedTo('demo', 's1')).map((x) => x.id)).toEqual([c.id]);

    const back = await backend.transfer(c.id, 'tax-case');
    expect(back).toMatchObject({ status: 'queued', topic: 'tax-case' });
    expect(back.assignedTo).toBeUndefined();
    expect((await backend.queue('demo', 'tax-case')).map((q) => q.id)).toEqual([c.id]);
    const changed = events.filter((e) => e.type === 'conversation');
    expect(changed.at(-1)).toMatchObject({ previousAssignee: 's1' });
  });

  it('moves read markers forward only', async () => {
    const c = await start();
    await backend.markRead(c.id, 'agent', 3);
    await backend.markRead(c.id, 'agent', 2);
    expect((await backend.getConversation(c.id))?.readMarkers).toEqual({ visitor: 0, agent: 3 });
    expect(events.filter((e) => e.type === 'read')).toHaveLength(1);
  });
});

describe('BuiltInBackend identity', () => {
  it('stores the identity sealed with its blind index, and marks later visitor messages verified', async () => {
    const c = await start();
    await backend.postMessage({ conversationId: c.id, from: 'visitor', text: 'before' });
    clock.advance(1000);
    const attached = await backend.attachIdentity(c.id, identity);
    expect(attached?.identity).toMatchObject({ subjectIndex: identity.subjectIndex, since: clock.now() });
    expect(JSON.stringify(await store.chat.conversations.get(c.id))).not.toContain('010594Y9032');
    expect(JSON.stringify(await store.chat.conversations.get(c.id))).not.toContain('Matti');
    expect(backend.readIdentity(attached ?? c)).toEqual(identity);
    await backend.postMessage({ conversationId: c.id, from: 'visitor', text: 'after' });
    expect((await backend.messages(c.id)).map((m) => m.verified)).toEqual([false, true]);

    await backend.detachIdentity(c.id);
    expect((await backend.getConversation(c.id))?.identity).toBeUndefined();
    expect(events.filter((e) => e.type === 'identity')).toHaveLength(2);
  });

  it('attaches nothing to a closed conversation', async () => {
    const c = await start();
    await backend.closeConversation(c.id);
    expect(await backend.attachIdentity(c.id, identity)).toBeUndefined();
    expect((await backend.getConversation(c.id))?.identity).toBeUndefined();
  });
});

describe('BuiltInBackend presence and offline messages', () => {
  it('counts an agent online until its presence expires', async () => {
    expect(await backend.agentsOnline('demo')).toBe(false);
    await backend.agentPresence('demo', 'conn-1', true);
    expect(await backend.agentsOnline('demo')).toBe(true);
    expect(await backend.agentsOnline('other')).toBe(false);
    clock.advance(91_000);
    expect(await backend.agentsOnline('demo')).toBe(false);
  });

  it('lists offline messages of the tenant only, newest first', async () => {
    const base = { visitorId: 'v', name: 'N', email: 'n@example.org', redacted: false };
    await backend.saveOfflineMessage({ ...base, tenantId: 'demo', text: 'first' });
    clock.advance(1);
    await backend.saveOfflineMessage({ ...base, tenantId: 'demo', text: 'second' });
    await backend.saveOfflineMessage({ ...base, tenantId: 'other', text: 'elsewhere' });
    expect((await backend.offlineMessages('demo')).map((m) => m.text)).toEqual(['second', 'first']);
  });
});
