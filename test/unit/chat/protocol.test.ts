import { describe, expect, it } from 'vitest';
import {
  agentFrameSchema,
  MAX_TEXT_LENGTH,
  parseFrame,
  textTooLong,
  visitorFrameSchema,
} from '../../../src/chat/protocol.js';

describe('parseFrame', () => {
  it('accepts each visitor frame of the contract', () => {
    const frames = [
      {
        type: 'start',
        topic: 'general',
        page: 'https://kommune.example/skatt',
        referrer: 'https://search.example/',
      },
      { type: 'message', clientId: '7f9c1e2a-0b1d-4c3e-9a8b-1234567890ab', text: 'Hei' },
      { type: 'typing', typing: true },
      { type: 'read', seq: 12 },
      { type: 'resume', conversationId: 'c-1', afterSeq: 0 },
      { type: 'offline-message', name: 'Ann', email: 'ann@example.org', text: 'Ring meg' },
      { type: 'end' },
    ];
    for (const frame of frames) expect(parseFrame(JSON.stringify(frame), visitorFrameSchema)).toEqual(frame);
  });

  it('refuses fields that would let a client claim an identity, role or sender', () => {
    for (const extra of [
      { from: 'agent' },
      { role: 'agent' },
      { identity: { verified: true } },
      { visitorId: 'x' },
    ]) {
      const raw = JSON.stringify({ type: 'message', clientId: 'a', text: 'hi', ...extra });
      expect(parseFrame(raw, visitorFrameSchema), JSON.stringify(extra)).toBeUndefined();
    }
  });

  it('refuses __proto__, constructor and prototype keys at any depth', () => {
    expect(parseFrame('{"type":"end","__proto__":{"polluted":true}}', visitorFrameSchema)).toBeUndefined();
    expect(parseFrame('{"type":"end","x":{"constructor":{}}}', visitorFrameSchema)).toBeUndefined();
    expect(parseFrame('{"prototype":1,"type":"end"}', visitorFrameSchema)).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['__proto__ with an escaped underscore', '{"type":"end","\\u005f_proto__":{"polluted":true}}'],
    ['constructor with an escaped c', '{"type":"end","x":{"\\u0063onstructor":{}}}'],
    ['prototype with an escaped e', '{"prototyp\\u0065":1,"type":"end"}'],
  ])('refuses %s, spelt with JSON escapes', (_, raw) => {
    expect(parseFrame(raw, visitorFrameSchema)).toBeUndefined();
  });

  it('accepts ordinary text that merely mentions the names', () => {
    const raw = JSON.stringify({ type: 'message', clientId: 'a', text: 'the constructor of the prototype' });
    expect(parseFrame(raw, visitorFrameSchema)).toEqual({
      type: 'message',
      clientId: 'a',
      text: 'the constructor of the prototype',
    });
  });

  it('refuses malformed JSON, unknown types, blank text, lone surrogates and javascript: URLs', () => {
    for (const raw of [
      '{',
      'null',
      '[]',
      '{"type":"hack"}',
      '{"type":"message","clientId":"a","text":"   "}',
      // Only whitespace of other kinds: ideographic and no-break spaces, BOM, line and paragraph separators.
      '{"type":"message","clientId":"a","text":"\\u3000\\u00a0\\ufeff\\u2028\\u2029\\n\\t"}',
      '{"type":"message","clientId":"a","text":"\\ud800"}',
      '{"type":"start","topic":"general","page":"javascript:alert(1)"}',
      '{"type":"read","seq":-1}',
      '{"type":"message","clientId":"../../etc","text":"x"}',
    ]) {
      expect(parseFrame(raw, visitorFrameSchema), raw).toBeUndefined();
    }
  });

  it('keeps markup in text as it is: text is never interpreted', () => {
    const text = '<img src=x onerror=alert(1)>';
    expect(parseFrame(JSON.stringify({ type: 'message', clientId: 'a', text }), visitorFrameSchema)).toEqual({
      type: 'message',
      clientId: 'a',
      text,
    });
  });

  it('requires the conversation on every agent frame', () => {
    expect(parseFrame('{"type":"claim"}', agentFrameSchema)).toBeUndefined();
    expect(parseFrame('{"type":"claim","conversationId":"c1"}', agentFrameSchema)).toEqual({
      type: 'claim',
      conversationId: 'c1',
    });
    expect(
      parseFrame('{"type":"transfer","conversationId":"c1","topic":"Tax Case"}', agentFrameSchema),
    ).toBeUndefined();
  });
});

describe('textTooLong', () => {
  it('counts characters (code points), not UTF-16 units', () => {
    expect(textTooLong('a'.repeat(MAX_TEXT_LENGTH))).toBe(false);
    expect(textTooLong('a'.repeat(MAX_TEXT_LENGTH + 1))).toBe(true);
    // An emoji is two UTF-16 units and one character.
    expect(textTooLong('😀'.repeat(MAX_TEXT_LENGTH))).toBe(false);
    expect(textTooLong(`${'😀'.repeat(MAX_TEXT_LENGTH)}a`)).toBe(true);
  });
});
