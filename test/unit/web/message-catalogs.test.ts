import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, type Language } from '../../../src/config/schema.js';
import { PROJECT_ROOT } from '../../../src/web/asset-paths.js';
import { type Catalog, hasMessage, mergeCatalogs, translator } from '../../../src/web/i18n.js';
import { AUTH_MESSAGES } from '../../../src/web/messages/auth-messages.js';
import { CHAT_MESSAGES } from '../../../src/web/messages/chat-messages.js';
import { COMMON_MESSAGES } from '../../../src/web/messages/common-messages.js';
import { DATA_SUBJECT_MESSAGES } from '../../../src/web/messages/data-subject-messages.js';
import { DELETION_MESSAGES } from '../../../src/web/messages/deletion-messages.js';
import { ERROR_MESSAGES } from '../../../src/web/messages/error-messages.js';
import { HANDOFF_MESSAGES } from '../../../src/web/messages/handoff-messages.js';
import { LEGAL_HOLD_MESSAGES } from '../../../src/web/messages/legal-hold-messages.js';
import { OFFLINE_DELETION_MESSAGES } from '../../../src/web/messages/offline-deletion-messages.js';
import { STEP_UP_MESSAGES } from '../../../src/web/messages/step-up-messages.js';
import { TRANSCRIPT_MAIL_MESSAGES } from '../../../src/web/messages/transcript-mail-messages.js';

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

  it('are all in the one catalog the pages translate with, each key in one catalog only', () => {
    const keys = ENTRIES.map(([key]) => key);
    expect(keys.filter((key) => !hasMessage(key))).toEqual([]);
    expect(keys.length).toBe(new Set(keys).size);
    const t = translator('fi');
    expect(t('stepup.title')).toBe(STEP_UP_MESSAGES['stepup.title']?.fi);
  });

  it('are merged without one catalog overwriting another', () => {
    const first: Catalog = { 'x.title': { nb: 'a', fi: 'a', sv: 'a', en: 'a' } };
    const second: Catalog = { 'x.title': { nb: 'b', fi: 'b', sv: 'b', en: 'b' } };
    expect(() => mergeCatalogs(first, second)).toThrow('duplicate message key x.title');
    const merged = mergeCatalogs(first);
    expect(Object.isFrozen(merged)).toBe(true);
    expect(hasMessage('constructor')).toBe(false);
    expect(() => translator('en')('toString')).toThrow('unknown message key toString');
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
