import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InProcessChatBus } from '../../../src/chat/in-process-chat-bus.js';
import { StoreConversationService } from '../../../src/chat/store-conversation-service.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { SHARED } from '../../helpers/chat-core-contract.js';

/**
 * A conversation retention anonymised while it was still open (abandoned that long): nothing
 * written into it afterwards may keep what the anonymisation took away, under a policy
 * (`{ anonymiseAfterDays: 180 }`) that never deletes it.
 */
async function anonymisedOpen() {
  const clock = new ManualClock();
  const store = createMemoryStore(clock);
  const logger = createLogger('silent');
  const service = new StoreConversationService({
    repositories: store.chat,
    bus: new InProcessChatBus(logger),
    fieldCrypto: new FieldCrypto(randomBytes(32).toString('base64url')),
    clock,
    logger,
  });
  const c = await service.start({ tenantId: 'demo', topic: 'general', visitorId: 'v-1', metadata: {} });
  await service.append({ tenantId: c.tenantId, conversationId: c.id, from: 'visitor', text: 'before' });
  await store.retention.anonymiseConversation('demo', c.id, clock.now());
  return { service, id: c.id };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

describe('a conversation anonymised while still open', () => {
  it('takes no more messages, no agent and no identity, and stores nothing of them', async () => {
    const { service, id } = await anonymisedOpen();
    const before = await service.messages('demo', id);
    expect(
      await codeOf(
        service.append({ tenantId: 'demo', conversationId: id, from: 'visitor', text: 'my number' }),
      ),
    ).toBe('conversation_closed');
    expect(
      await codeOf(
        service.append({
          tenantId: 'demo',
          conversationId: id,
          from: 'agent',
          authorId: 'alex',
          text: 'hello Kari',
        }),
      ),
    ).toBe('conversation_closed');
    expect(await codeOf(service.assign('demo', id, { subject: 'alex', name: 'Alex' }))).toBe(
      'conversation_closed',
    );
    expect(await service.attachIdentity('demo', id, SHARED)).toBeUndefined();
    expect(await service.messages('demo', id)).toEqual(before);
    const record = await service.get('demo', id);
    expect(record?.identity).toBeUndefined();
    expect(record?.subjects).toBeUndefined();
  });

  it('can still be closed (the gateway’s closing line holds nothing of anyone)', async () => {
    const { service, id } = await anonymisedOpen();
    expect((await service.close('demo', id)).status).toBe('closed');
  });
});
