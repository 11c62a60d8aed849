import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../../src/chat/chat-records.js';
import { transcriptMail } from '../../../src/chat/transcript-mail.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { buildTenants } from '../../../src/tenants/tenant-context.js';
import { conversationRecord } from '../../helpers/records.js';
import { testTenant } from '../../helpers/test-gateway.js';

const loaded = parseConfig(
  { publicUrl: 'http://localhost:3000', mockIdp: { enabled: true }, tenants: [testTenant()] },
  { env: {}, source: 'test' },
);
const [tenant] = buildTenants(loaded.config);
const at = (minute: number) => Date.UTC(2026, 11, 6, 9, minute);
const message = (seq: number, overrides: Partial<MessageRecord>): MessageRecord => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  from: 'visitor',
  text: '',
  at: at(seq),
  verified: false,
  ...overrides,
});

describe('transcriptMail', () => {
  it('writes the conversation as plain text: topic, times, "You", the agent by name, system lines translated', () => {
    if (!tenant) throw new Error('no tenant');
    const mail = transcriptMail({
      to: 'kari@example.org',
      tenant,
      lang: 'en',
      conversation: conversationRecord({ createdAt: at(0), status: 'closed', closedAt: at(9) }),
      messages: [
        message(1, { text: 'My number is [redacted] <b>hi</b>', redacted: true }),
        message(2, { from: 'agent', authorName: 'Alex', text: 'Thanks, I see it.' }),
        message(3, { from: 'system', text: 'closed', systemCode: 'closed' }),
      ],
    });
    expect(mail.to).toBe('kari@example.org');
    expect(mail.subject).toBe('Your chat with Test Municipality on 2026-12-06');
    const lines = mail.text.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'Your chat with Test Municipality: General questions',
      'Started 2026-12-06 09:00, ended 2026-12-06 09:09 (UTC).',
    ]);
    expect(lines).toContain('2026-12-06 09:01  You: My number is [redacted] <b>hi</b>');
    expect(lines).toContain('2026-12-06 09:02  Alex: Thanks, I see it.');
    expect(lines.find((l) => l.startsWith('2026-12-06 09:03  —: '))).not.toContain(': closed');
    expect(mail.text).toContain('If that was not you, you can ignore it.');
  });

  it('carries no national identity number, whoever wrote it and however it was spaced', () => {
    if (!tenant) throw new Error('no tenant');
    const mail = transcriptMail({
      to: 'kari@example.org',
      tenant,
      lang: 'en',
      conversation: conversationRecord({ createdAt: at(0), status: 'closed', closedAt: at(9) }),
      messages: [
        // A verified visitor's message stored by an earlier version, and an agent quoting the claim.
        message(1, { text: 'It is 128385 40056.', verified: true }),
        message(2, { from: 'agent', authorName: 'Alex', text: 'I see 12838540056 and 131052-308T.' }),
      ],
    });
    expect(mail.text).not.toMatch(/12838540056|128385 40056|131052-308T/);
    expect(mail.text).toContain('You: It is [redacted].');
    expect(mail.text).toContain('Alex: I see [redacted] and [redacted].');
  });

  it('speaks the visitor’s language', () => {
    if (!tenant) throw new Error('no tenant');
    const mail = transcriptMail({
      to: 'a@b.fi',
      tenant,
      lang: 'fi',
      conversation: conversationRecord({ createdAt: at(0), status: 'closed', closedAt: at(1) }),
      messages: [message(1, { text: 'Hei' })],
    });
    expect(mail.subject).toContain('Chat-keskustelusi');
    expect(mail.text).toContain('Sinä: Hei');
  });
});
