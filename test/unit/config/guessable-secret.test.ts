import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { guessableSecret } from '../../../src/config/guessable-secret.js';

describe('guessableSecret', () => {
  it.each([
    ['one character repeated', 'a'.repeat(32), 'the same 1 character repeated'],
    ['a word repeated', 'changeme-changeme-changeme-changeme', 'the same 9 characters repeated'],
    ['digits counted round', '01234567890123456789012345678901', 'the same 10 characters repeated'],
    ['a few characters', 'abababababcabababababababababcab', 'only 3 different characters'],
    ['a placeholder', 'my-Session-Secret-for-prod-2026!', 'it holds the word "secret"'],
    ['the demo’s words', 'demo-key-NOT-for-production-2026', 'it holds the word "production"'],
    ['a password', 'Pass_Word!Kommune#2026-chat-gate', 'it holds the word "password"'],
  ])('finds %s', (_what, secret, problem) => {
    expect(guessableSecret(secret)).toBe(problem);
  });

  it('passes what openssl rand gives, in base64 and in hex', () => {
    for (let i = 0; i < 200; i += 1) {
      expect(guessableSecret(randomBytes(32).toString('base64'))).toBeUndefined();
      expect(guessableSecret(randomBytes(16).toString('hex'))).toBeUndefined();
    }
  });
});
