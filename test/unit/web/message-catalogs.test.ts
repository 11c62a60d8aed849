import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_SUBJECT_MESSAGES } from '../../../src/chat/pages/data-subject-messages.js';
import { DELETION_MESSAGES } from '../../../src/chat/pages/deletion-messages.js';
import { LEGAL_HOLD_MESSAGES } from '../../../src/chat/pages/legal-hold-messages.js';
import { OFFLINE_DELETION_MESSAGES } from '../../../src/chat/pages/offline-deletion-messages.js';
import { STEP_UP_MESSAGES } from '../../../src/chat/step-up-messages.js';
import { TRANSCRIPT_MAIL_MESSAGES } from '../../../src/chat/transcript-mail-messages.js';
import { LANGUAGES, type Language } from '../../../src/config/schema.js';
import { HANDOFF_MESSAGES } from '../../../src/handoff/handoff-messages.js';
import { PROJECT_ROOT } from '../../../src/web/asset-paths.js';
import type { Catalog } from '../../../src/web/i18n.js';
import { AUTH_MESSAGES } from '../../../src/web/messages/auth-messages.js';
import { CHAT_MESSAGES } from '../../../src/web/messages/chat-messages.js';
import { COMMON_MESSAGES } from '../../../src/web/messages/common-messages.js';
import { ERROR_MESSAGES } from '../../../src/web/messages/error-messages.js';

/** Every message catalog of the gateway, by its exported name. */
const CATALOGS: Record<string, Catalog> = {
  AUTH_MESSAGES,
  CHAT_MESSAGES,
  COMMON_MESSAGES,
  DATA_SUBJECT_MESSAGES,
  DELETION_MESSAGES,
  ERROR_MESSAGES,
  HANDOFF_MESSAGES,
  LEGAL_HOLD_MESSAGES,
  OFFLINE_DELETION_MESSAGES,
  STEP_UP_MESSAGES,
  TRANSCRIPT_MAIL_MESSAGES,
};

const ENTRIES = Object.values(CATALOGS).flatMap((catalog) => Object.entries(catalog));

/** The names of the catalogs declared under src/ (`export const X: Catalog = {`). */
function declaredCatalogs(dir = join(PROJECT_ROOT, 'src')): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) names.push(...declaredCatalogs(path));
    else if (entry.name.endsWith('.ts'))
      for (const match of readFileSync(path, 'utf8').matchAll(/export const (\w+): Catalog = \{/g))
        names.push(`${match[1]} (${relative(PROJECT_ROOT, path)})`);
  }
  return names;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

/** Texts in `lang` that use a word the product's wording in that language does not. */
function uses(lang: Language, word: RegExp): string[] {
  return ENTRIES.filter(([, texts]) => word.test(texts[lang])).map(([key]) => key);
}

describe('the message catalogs', () => {
  it('are all checked here', () => {
    expect(
      declaredCatalogs()
        .map((name) => name.split(' ')[0])
        .sort(),
    ).toEqual(Object.keys(CATALOGS).sort());
  });

  it('have every text in every page language, none empty', () => {
    const missing = ENTRIES.flatMap(([key, texts]) =>
      LANGUAGES.filter((lang) => typeof texts[lang] !== 'string' || texts[lang].trim() === '').map(
        (lang) => `${key} (${lang})`,
      ),
    );
    expect(missing).toEqual([]);
  });

  it('have the same {placeholders} in every language as in English', () => {
    const differing = ENTRIES.flatMap(([key, texts]) =>
      LANGUAGES.filter((lang) => placeholders(texts[lang]).join() !== placeholders(texts.en).join()).map(
        (lang) => `${key} (${lang})`,
      ),
    );
    expect(differing).toEqual([]);
  });

  it('name the agent and the national identity number with one word per language', () => {
    // Norwegian: "saksbehandler" (as the console's title), never "veileder"; "fødselsnummer",
    // as the consent page names the claim. Swedish: "personnummer". Finnish: "henkilötunnus".
    expect(uses('nb', /veileder|identitetsnummer|personnummer/i)).toEqual([]);
    expect(uses('sv', /identitetsnummer/i)).toEqual([]);
    expect(uses('fi', /henkilönumero|henkilötunniste/i)).toEqual([]);
  });

  it('write Norwegian in Bokmål throughout, not Nynorsk', () => {
    expect(uses('nb', /\b(ikkje|eg|kva|korleis|berre|ein|eit|frå|dykk|noko)\b/i)).toEqual([]);
  });
});
