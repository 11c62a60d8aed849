import { describe, expect, it } from 'vitest';
import { anonymisedMessage, type MessageRecord } from '../../../src/chat/chat-records.js';
import { messageView } from '../../../src/chat/views.js';

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
