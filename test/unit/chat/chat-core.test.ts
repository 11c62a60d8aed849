import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InProcessChatBus } from '../../../src/chat/in-process-chat-bus.js';
import { StoreConversationService } from '../../../src/chat/store-conversation-service.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { createMemoryChatRepositories } from '../../../src/store/memory-store.js';
import {
  describeChatBusContract,
  describeConversationServiceContract,
} from '../../helpers/chat-core-contract.js';

const logger = createLogger('silent');

describeChatBusContract('in-process bus', async () => {
  const bus = new InProcessChatBus(logger);
  return { bus, close: () => bus.close() };
});

describeConversationServiceContract('conversation service on the memory store', async () => {
  const bus = new InProcessChatBus(logger);
  const clock = new ManualClock();
  const service = new StoreConversationService({
    repositories: createMemoryChatRepositories(),
    bus,
    fieldCrypto: new FieldCrypto(randomBytes(32).toString('base64url')),
    clock,
    logger,
  });
  return { service, bus, advance: (ms) => clock.advance(ms), close: () => bus.close() };
});

describe('InProcessChatBus', () => {
  it('forgets a channel once its last follower leaves (no growth with conversations come and gone)', () => {
    const bus = new InProcessChatBus(logger);
    const stops = Array.from({ length: 100 }, (_, i) =>
      bus.subscribe({ kind: 'conversation', tenantId: 'demo', conversationId: `c${i}` }, () => {}),
    );
    expect(bus.channelCount).toBe(100);
    for (const stop of stops) stop();
    expect(bus.channelCount).toBe(0);
  });
});

describe('memory chat repositories', () => {
  it('hand out frozen records: a read is the stored record itself, and changing it is refused', async () => {
    const repos = createMemoryChatRepositories();
    await repos.conversations.create({
      id: 'c1',
      tenantId: 'demo',
      topic: 'general',
      status: 'queued',
      createdAt: 1,
      updatedAt: 1,
      visitorId: 'v1',
      participants: [],
      metadata: {},
      readMarkers: { visitor: 0, agent: 0 },
    });
    const first = await repos.conversations.get('demo', 'c1');
    expect(await repos.conversations.get('demo', 'c1')).toBe(first);
    expect(() => {
      if (first) first.readMarkers.agent = 5;
    }).toThrow(TypeError);
    const updated = await repos.conversations.update('demo', 'c1', (c) => ({ ...c, status: 'closed' }));
    expect(Object.isFrozen(updated)).toBe(true);
    expect(first?.status).toBe('queued');
  });
});
