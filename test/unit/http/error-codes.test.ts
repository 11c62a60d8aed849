import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAT_ERROR_CODES } from '../../../src/chat/protocol.js';
import { LANGUAGES } from '../../../src/config/schema.js';
import { ERRORS, isErrorCode } from '../../../src/http/error-codes.js';
import { GatewayError } from '../../../src/http/errors.js';
import { DATA_SUBJECT_MESSAGES } from '../../../src/web/messages/data-subject-messages.js';
import { DELETION_MESSAGES } from '../../../src/web/messages/deletion-messages.js';
import { ERROR_MESSAGES } from '../../../src/web/messages/error-messages.js';
import { LEGAL_HOLD_MESSAGES } from '../../../src/web/messages/legal-hold-messages.js';
import { OFFLINE_DELETION_MESSAGES } from '../../../src/web/messages/offline-deletion-messages.js';

const ROOT = join(import.meta.dirname, '../../..');

/** The rows of the README's error table: code → status and meaning. */
function readmeErrorRows(): Map<string, { status: number; meaning: string }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('**Error codes** (stable');
  expect(start).toBeGreaterThan(0);
  const rows = new Map<string, { status: number; meaning: string }>();
  for (const line of readme.slice(start).split('\n').slice(1)) {
    if (rows.size > 0 && !line.startsWith('|')) break;
    const match = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*(.*?)\s*\|$/.exec(line);
    if (match?.[1] && match[2]) rows.set(match[1], { status: Number(match[2]), meaning: match[3] ?? '' });
  }
  return rows;
}

/** The rows of the README's error table: code → status. */
function readmeErrorTable(): Map<string, number> {
  return new Map([...readmeErrorRows()].map(([code, row]) => [code, row.status]));
}

/**
 * Codes the HTML error page shows without a text of their own, and why. Every other code is
 * one a browser flow may end on: its page explains it in the visitor's language.
 */
const WITHOUT_PAGE_TEXT: Record<string, string> = {
  // Answered in chat frames; the widget and console have `chat.error.*` (test/unit/chat/protocol-docs.test.ts).
  ...Object.fromEntries(CHAT_ERROR_CODES.map((code) => [code, 'chat frame'])),
  // The login page's own text ("identification failed"): nothing the citizen can do differently.
  ...Object.fromEntries(
    [
      'provider_error',
      'state_mismatch',
      'iss_mismatch',
      'id_token_invalid',
      'token_exchange_failed',
      'acr_unknown',
      'test_identity_refused',
      'claims_missing',
      'claims_invalid',
      'claims_inconsistent',
    ].map((code) => [code, 'login text']),
  ),
  internal_error: 'generic text',
  sealed_data_invalid: 'generic text',
  provider_misconfigured: 'generic text',
  // The OAuth error of the chat system's request is shown beside the generic text.
  handoff_protocol_error: 'generic text with detail',
  // JSON APIs only.
  handover_pending: 'JSON',
  handoff_not_shared: 'JSON',
  handoff_target_unknown: 'JSON',
  handoff_no_keys: 'JSON',
  upgrade_required: 'JSON',
  // The step-up page's own texts (`stepup.*`).
  step_up_invalid: 'step-up page',
  step_up_expired: 'step-up page',
  step_up_forbidden: 'step-up page',
};

describe('the error code table', () => {
  it('gives every code a page may show its own text in nb, fi, sv and en', () => {
    const catalog = {
      ...ERROR_MESSAGES,
      ...DELETION_MESSAGES,
      ...OFFLINE_DELETION_MESSAGES,
      ...LEGAL_HOLD_MESSAGES,
      ...DATA_SUBJECT_MESSAGES,
    };
    const missing: string[] = [];
    for (const code of Object.keys(ERRORS)) {
      if (code in WITHOUT_PAGE_TEXT) continue;
      for (const lang of LANGUAGES)
        if (!catalog[`error.${code}`]?.[lang]) missing.push(`error.${code} (${lang})`);
    }
    expect(missing).toEqual([]);
  });

  it('is the README’s error table, code for code and status for status', () => {
    const documented = readmeErrorTable();
    const table = new Map(Object.entries(ERRORS).map(([code, e]) => [code, e.status as number]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(table));
  });

  it('is the README’s error table message for message (each row’s meaning starts with the message sent)', () => {
    const rows = readmeErrorRows();
    const wrong = Object.entries(ERRORS)
      .filter(([code, { message }]) => !rows.get(code)?.meaning.startsWith(message))
      .map(([code, { message }]) => `${code}: README "${rows.get(code)?.meaning}", sent "${message}"`);
    expect(wrong).toEqual([]);
  });

  it('holds only 4xx and 5xx statuses, with a message for each', () => {
    for (const [code, { status, message }] of Object.entries(ERRORS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(message.length, code).toBeGreaterThan(5);
    }
  });

  it('covers every code thrown in src/ (the type checks call sites; this checks the text too)', () => {
    const used = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts'))
          for (const m of readFileSync(path, 'utf8').matchAll(/new GatewayError\(\s*'([a-z_]+)'/g))
            if (m[1]) used.add(m[1]);
      }
    };
    walk(join(ROOT, 'src'));
    expect(used.size).toBeGreaterThan(30);
    expect([...used].filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('gives GatewayError its status and message by default, and keeps the explicit call shape', () => {
    const plain = new GatewayError('consent_not_pending');
    expect(plain.status).toBe(409);
    expect(plain.message).toBe(ERRORS.consent_not_pending.message);
    expect(plain.expose).toBe(true);
    const explicit = new GatewayError('login_expired', 'The identification took too long.', { status: 400 });
    expect(explicit.message).toBe('The identification took too long.');
    expect(new GatewayError('internal_error').expose).toBe(false);
  });
});
