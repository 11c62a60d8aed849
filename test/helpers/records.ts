import { randomUUID } from 'node:crypto';
import type { ConsentReceipt } from '../../src/auth/consent-receipts.js';
import type { ConversationRecord, MessageRecord } from '../../src/chat/chat-records.js';

/** A queued conversation of visitor-1 in the demo tenant's `general` topic, with `overrides`. */
export function conversationRecord(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    id: randomUUID(),
    tenantId: 'demo',
    topic: 'general',
    status: 'queued',
    createdAt: 1_000,
    updatedAt: 1_000,
    visitorId: 'visitor-1',
    participants: [{ kind: 'visitor', id: 'visitor-1', joinedAt: 1_000 }],
    metadata: {},
    readMarkers: { visitor: 0, agent: 0 },
    ...overrides,
  };
}

/** A BankID consent receipt of data subject `index-a` in the demo tenant, sharing the name, with `overrides`. */
export function consentReceipt(overrides: Partial<ConsentReceipt> = {}): ConsentReceipt {
  return {
    id: randomUUID(),
    tenantId: 'demo',
    decision: 'shared',
    provider: 'bankid',
    loa: 'substantial',
    acr: 'urn:grn:authn:no:bankid',
    claims: ['name'],
    subjectIndex: 'index-a',
    issuedAt: 1_000,
    jws: 'header.payload.signature',
    ...overrides,
  };
}

/** visitor-1's unverified message `text` in `conversationId`, not yet stored (no `seq`), with `clientId` when given. */
export function visitorMessageDraft(
  conversationId: string,
  text: string,
  clientId?: string,
): Omit<MessageRecord, 'seq'> {
  return {
    id: randomUUID(),
    conversationId,
    from: 'visitor',
    authorId: 'visitor-1',
    text,
    at: 2_000,
    verified: false,
    ...(clientId === undefined ? {} : { clientId }),
  };
}
