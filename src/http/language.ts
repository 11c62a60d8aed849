import type { IncomingMessage } from 'node:http';
import accepts from 'accepts';
import type { Request, RequestHandler, Response } from 'express';
import type { Language } from '../config/schema.js';
import { LANGUAGES } from '../config/schema.js';
import { isLanguage, translator } from '../web/i18n.js';
import { readCookie } from './cookie-header.js';

const LANG_COOKIE = 'lang';

/**
 * The language of a request, the same for pages and the chat socket: `requested` (the `?lang=`
 * switch), then the `lang` cookie the switch sets, then the first of `preferred` the gateway
 * speaks (language tags a relying party named, e.g. OpenID Connect's `ui_locales`), then
 * `Accept-Language` (with its q-values, Norwegian `no`/`nn` read as bokmål), then `fallback`.
 */
export function negotiateLanguage(
  req: IncomingMessage,
  requested: unknown,
  fallback: Language,
  preferred: readonly string[] = [],
): Language {
  if (isLanguage(requested)) return requested;
  const fromCookie = readCookie(req.headers.cookie, LANG_COOKIE);
  if (isLanguage(fromCookie)) return fromCookie;
  const named = preferred.map(languageOfTag).find((language) => language !== undefined);
  if (named) return named;
  // Without the header `accepts` would answer with the first candidate, not the fallback.
  if (!req.headers['accept-language']) return fallback;
  // The fallback first: a wildcard (`*`, as Node's fetch sends) picks the first candidate.
  const candidates = [fallback, ...LANGUAGES.filter((l) => l !== fallback), 'no', 'nn'];
  const accepted = accepts(req).languages(candidates);
  return (accepted && languageOfTag(accepted)) || fallback;
}

/**
 * Makes the rest of the request speak the first language of `uiLocales` (a relying party's
 * space-separated language tags, OpenID Connect's `ui_locales`) the gateway has: the chat the
 * person comes from knows their language better than the browser's settings do. Their own choice
 * (the language switch, its cookie) still wins.
 * @see OpenID Connect Core §3.1.2.1 (ui_locales), RP-Initiated Logout §2
 */
export function speakUiLocales(req: Request, res: Response, uiLocales: unknown, fallback: Language): void {
  const locales = typeof uiLocales === 'string' ? uiLocales.split(' ').filter(Boolean) : [];
  if (locales.length === 0) return;
  const lang = negotiateLanguage(req, req.query.lang, fallback, locales);
  res.locals.lang = lang;
  res.locals.t = translator(lang);
}

/** The gateway's language for a BCP 47 tag (`sv-FI` → `sv`; `no`, `nn` → `nb`), if it speaks it. */
function languageOfTag(tag: string): Language | undefined {
  const primary = tag.split('-')[0]?.toLowerCase();
  const language = primary === 'no' || primary === 'nn' ? 'nb' : primary;
  return isLanguage(language) ? language : undefined;
}

/** Sets `res.locals.lang`/`t` per request; a `?lang=` choice is remembered in a cookie. */
export function languageSelection(defaultLanguage: Language, secureCookies: boolean): RequestHandler {
  return (req, res, next) => {
    const lang = negotiateLanguage(req, req.query.lang, defaultLanguage);
    // A page's own requests name its language too (the chat's bootstrap, which cannot count on
    // the cookie inside another site's frame): that is no choice of the person, so not kept.
    if (isLanguage(req.query.lang) && req.accepts(['html', 'json']) !== 'json') {
      res.cookie(LANG_COOKIE, lang, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        maxAge: 365 * 24 * 3600 * 1000,
        path: '/',
      });
    }
    res.locals.lang = lang;
    res.locals.t = translator(lang);
    next();
  };
}
