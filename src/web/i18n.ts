import type { Language, LocalizedText } from '../config/schema.js';
import { LANGUAGES } from '../config/schema.js';
import { AUTH_MESSAGES } from './messages/auth-messages.js';
import { CHAT_MESSAGES } from './messages/chat-messages.js';
import { COMMON_MESSAGES } from './messages/common-messages.js';
import { DATA_SUBJECT_MESSAGES } from './messages/data-subject-messages.js';
import { DELETION_MESSAGES } from './messages/deletion-messages.js';
import { ERROR_MESSAGES } from './messages/error-messages.js';
import { HANDOFF_MESSAGES } from './messages/handoff-messages.js';
import { LEGAL_HOLD_MESSAGES } from './messages/legal-hold-messages.js';
import { OFFLINE_DELETION_MESSAGES } from './messages/offline-deletion-messages.js';
import { STEP_UP_MESSAGES } from './messages/step-up-messages.js';
import { TRANSCRIPT_MAIL_MESSAGES } from './messages/transcript-mail-messages.js';

/**
 * A message catalog: key → text in every page language. None may be missing: a page in one
 * language must not show a line in another (WCAG 3.1.2 would need that line marked with its own
 * `lang`); `message-catalogs.test.ts` checks the texts themselves.
 */
export type Catalog = Record<string, Record<Language, string>>;

/**
 * The catalogs of the gateway's pages and features made one: each key belongs to one catalog,
 * so a feature cannot change another's text by reusing its key.
 */
export function mergeCatalogs(...catalogs: readonly Catalog[]): Readonly<Catalog> {
  const merged: Catalog = {};
  for (const catalog of catalogs)
    for (const [key, value] of Object.entries(catalog)) {
      if (Object.hasOwn(merged, key)) throw new TypeError(`duplicate message key ${key}`);
      merged[key] = value;
    }
  return Object.freeze(merged);
}

/** Every text of the gateway, built once from the catalogs under `./messages/`. */
const CATALOG = mergeCatalogs(
  COMMON_MESSAGES,
  AUTH_MESSAGES,
  ERROR_MESSAGES,
  CHAT_MESSAGES,
  STEP_UP_MESSAGES,
  TRANSCRIPT_MAIL_MESSAGES,
  DATA_SUBJECT_MESSAGES,
  DELETION_MESSAGES,
  LEGAL_HOLD_MESSAGES,
  OFFLINE_DELETION_MESSAGES,
  HANDOFF_MESSAGES,
);

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** The catalog for the browser bundles, for one language. */
export function messagesFor(lang: Language, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(CATALOG)) if (key.startsWith(prefix)) out[key] = value[lang];
  return out;
}

/** Whether the catalog has `key` (e.g. an error code's own text). */
export function hasMessage(key: string): boolean {
  return Object.hasOwn(CATALOG, key);
}

/** Returns a translator for `lang`; `{name}` placeholders are replaced by `params`. */
export function translator(lang: Language): Translate {
  return (key, params) => {
    const entry = Object.hasOwn(CATALOG, key) ? CATALOG[key] : undefined;
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
