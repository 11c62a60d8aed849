import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../src/chat/close-codes.js';
import { agentFrameSchema, CHAT_ERROR_CODES } from '../../../src/chat/protocol.js';
import { LANGUAGES } from '../../../src/config/schema.js';
import { ERRORS } from '../../../src/http/error-codes.js';
import { CHAT_MESSAGES } from '../../../src/web/messages/chat-messages.js';

const ROOT = join(import.meta.dirname, '../../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's text from `heading` to the next blank-line-separated bold heading or section. */
function section(heading: string): string {
  const start = README.indexOf(heading);
  expect(start, heading).toBeGreaterThan(0);
  const rest = README.slice(start + heading.length);
  const end = rest.search(/\n(?:\*\*[A-Z]|## )/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Every `.ts` file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the chat protocol as the README documents it', () => {
  it('lists every code of an error frame, and nothing else, in "Error codes in { type: error }"', () => {
    const text = section('**Error codes** in `{ "type": "error"');
    const listed = new Set([...text.matchAll(/`([a-z]+(?:_[a-z]+)+)`/g)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...CHAT_ERROR_CODES].sort());
  });

  it('gives each error frame code but invalid_message the status row of the error table', () => {
    expect(CHAT_ERROR_CODES.filter((code) => code !== 'invalid_message' && !(code in ERRORS))).toEqual([]);
  });

  it('shows each error frame code in the widget and console in all four languages (internal_error: the generic text)', () => {
    const missing: string[] = [];
    for (const code of [...CHAT_ERROR_CODES.filter((c) => c !== 'internal_error'), 'generic']) {
      const entry = CHAT_MESSAGES[`chat.error.${code}`];
      for (const lang of LANGUAGES) if (!entry?.[lang]) missing.push(`chat.error.${code} (${lang})`);
    }
    expect(missing).toEqual([]);
  });

  it('documents every close code the chat sends, and only those', () => {
    const rows = [...section('**Close codes**').matchAll(/^\|\s*`(\d{4})`\s*\|/gm)].map((m) => Number(m[1]));
    // Codes named in the table of close-codes.ts, and any literal close code the sources pass.
    const used = new Set<number>(Object.values(CLOSE_CODES));
    for (const file of sources(join(ROOT, 'src')))
      for (const m of readFileSync(file, 'utf8').matchAll(/\.close\(\s*(\d{4})\b/g))
        if (m[1] && Number(m[1]) !== 1000) used.add(Number(m[1]));
    expect(rows.sort()).toEqual([...used].sort());
  });
});

describe('the visitor frames as the README documents them', () => {
  it('names every frame the server sends a visitor in "Server → visitor"', () => {
    const source = readFileSync(join(ROOT, 'src/chat/protocol.ts'), 'utf8');
    const union = /export type ServerToVisitorFrame =([\s\S]*?\};)\n(?:\n|$)/.exec(source)?.[1] ?? '';
    const types = [...union.matchAll(/type: '([a-z-]+)'/g)].map((m) => m[1] ?? '');
    expect(types).toContain('agents');
    const text = section('**Server → visitor:**');
    expect(types.filter((type) => !text.includes(`\`${type}\``))).toEqual([]);
  });
});

describe('the agent console frames as the README documents them', () => {
  it('names every frame an agent may send in "Agent → server"', () => {
    const text = section('**Agent → server:**');
    const types = agentFrameSchema.options.map((option) => option.shape.type.value);
    expect(types.length).toBeGreaterThan(8);
    expect(
      types.filter((type) => !text.includes(`\`${type}\``) && !text.includes(`"type": "${type}"`)),
    ).toEqual([]);
  });

  it('names every frame the server sends an agent in "Server → agent"', () => {
    const source = readFileSync(join(ROOT, 'src/chat/protocol.ts'), 'utf8');
    const union = /export type ServerToAgentFrame =([\s\S]*?\};)\n(?:\n|$)/.exec(source)?.[1] ?? '';
    const types = [...union.matchAll(/type: '([a-z-]+)'/g)].map((m) => m[1] ?? '');
    expect(types.length).toBeGreaterThan(10);
    const text = section('**Server → agent:**');
    expect(types.filter((type) => !text.includes(`\`${type}\``))).toEqual([]);
  });
});

describe('the chat upgrade’s refusals as the README documents them', () => {
  it('lists every HTTP status an upgrade may be refused with, and only those', () => {
    const source = readFileSync(join(ROOT, 'src/chat/upgrade-auth.ts'), 'utf8');
    const table = /const STATUS_TEXT[^{]*\{([^}]*)\}/.exec(source)?.[1] ?? '';
    const sent = [...table.matchAll(/^\s*(\d{3}):/gm)].map((m) => Number(m[1]));
    expect(sent.length).toBeGreaterThan(4);
    const text = section('a plain HTTP status before any handshake:');
    const documented = [...text.matchAll(/^\|\s*`(\d{3})`\s*\|/gm)].map((m) => Number(m[1]));
    expect(documented.sort()).toEqual(sent.sort());
  });
});
