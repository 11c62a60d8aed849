import { describe, expect, it } from 'vitest';
import { anonymisedMessage, type MessageRecord } from '../../../src/chat/chat-records.js';
import { agentConversationView, messageView, visitorConversationView } from '../../../src/chat/views.js';
import { conversationRecord } from '../../helpers/records.js';

const message: MessageRecord = {
  id: 'm1',
  conversationId: 'c1',
  seq: 1,
  from: 'visitor',
  authorId: 'visitor-1',
  clientId: 'k1',
  text: 'My tax case',
  at: Date.UTC(2026, 0, 15, 9, 0, 0),
  verified: true,
};

describe('messageView', () => {
  it('tells that retention removed a text, and says nothing of it otherwise', () => {
    expect(messageView(message)).not.toHaveProperty('anonymised');
    expect(messageView(anonymisedMessage(message))).toEqual({
      id: 'm1',
      seq: 1,
      conversationId: 'c1',
      from: 'visitor',
      text: '',
      at: '2026-01-15T09:00:00.000Z',
      verified: true,
      anonymised: true,
    });
  });
});

describe('agentConversationView', () => {
  it('shows the agents the page, referrer and browser the tenant collects, never the address, and the visitor none of it', () => {
    const conversation = conversationRecord({
      metadata: {
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        pages: ['https://www.espoo.fi/fi/verot?case=[redacted]'],
        referrer: 'https://www.google.com/',
      },
    });
    const view = agentConversationView(conversation, [], false, undefined);
    expect(view.visit).toEqual({
      pages: ['https://www.espoo.fi/fi/verot?case=[redacted]'],
      referrer: 'https://www.google.com/',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    });
    expect(JSON.stringify(view)).not.toContain('203.0.113.7');
    expect(visitorConversationView(conversation, [], undefined)).not.toHaveProperty('visit');
  });

  it('has no visit when nothing was collected (or retention anonymised it)', () => {
    expect(
      agentConversationView(conversationRecord({ metadata: {} }), [], true, undefined),
    ).not.toHaveProperty('visit');
    expect(
      agentConversationView(conversationRecord({ metadata: { ip: '203.0.113.7' } }), [], true, undefined),
    ).not.toHaveProperty('visit');
  });
});
