import type { Language, LocalizedText } from '../config/schema.js';
import { LANGUAGES } from '../config/schema.js';
import { AUTH_MESSAGES } from './messages/auth-messages.js';
import { COMMON_MESSAGES } from './messages/common-messages.js';
import { ERROR_MESSAGES } from './messages/error-messages.js';

/**
 * A message catalog: key → text in every page language. None may be missing: a page in one
 * language must not show a line in another (WCAG 3.1.2 would need that line marked with its own
 * `lang`); `message-catalogs.test.ts` checks the texts themselves.
 */
export type Catalog = Record<string, Record<Language, string>>;

const CATALOG: Catalog = { ...COMMON_MESSAGES, ...AUTH_MESSAGES, ...ERROR_MESSAGES };

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Adds a feature's messages (e.g. the chat's) to the one catalog; keys must be new. */
export function registerMessages(messages: Catalog): void {
  for (const [key, value] of Object.entries(messages)) {
    if (key in CATALOG && CATALOG[key] !== value) throw new TypeError(`duplicate message key ${key}`);
    CATALOG[key] = value;
  }
}

/** The catalog for the browser bundles, for one language. */
export function messagesFor(lang: Language, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(CATALOG)) if (key.startsWith(prefix)) out[key] = value[lang];
  return out;
}

/** Whether the catalog has `key` (e.g. an error code's own text). */
export function hasMessage(key: string): boolean {
  return key in CATALOG;
}

/** Returns a translator for `lang`; `{name}` placeholders are replaced by `params`. */
export function translator(lang: Language): Translate {
  return (key, params) => {
    const entry = CATALOG[key];
    if (!entry) throw new TypeError(`unknown message key ${key}`);
    const text = entry[lang];
    return params
      ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
      : text;
  };
}

/** A staff role in the page's language; a role the catalog does not know (from a `roleMap`) as it is. */
export function staffRoleName(t: Translate, role: string): string {
  return hasMessage(`staff.role.${role}`) ? t(`staff.role.${role}`) : role;
}

/** Picks the text of a configured `LocalizedText` for `lang`. */
export function localize(text: LocalizedText, lang: Language): string {
  return typeof text === 'string' ? text : (text[lang] ?? text.en);
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Native names for the language switch. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  nb: 'Norsk',
  fi: 'Suomi',
  sv: 'Svenska',
  en: 'English',
};
