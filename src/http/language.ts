import type { RequestHandler } from 'express';
import type { Language } from '../config/schema.js';
import { LANGUAGES } from '../config/schema.js';
import { isLanguage, translator } from '../web/i18n.js';

const LANG_COOKIE = 'lang';

/**
 * Chooses the page language: `?lang=` (the switch on every page, remembered in a cookie),
 * then that cookie, then `Accept-Language`, then the configured default.
 */
export function languageSelection(defaultLanguage: Language, secureCookies: boolean): RequestHandler {
  return (req, res, next) => {
    const fromQuery = req.query.lang;
    let lang: Language | undefined;
    if (isLanguage(fromQuery)) {
      lang = fromQuery;
      res.cookie(LANG_COOKIE, lang, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        maxAge: 365 * 24 * 3600 * 1000,
        path: '/',
      });
    } else {
      const fromCookie = readCookie(req.get('cookie'), LANG_COOKIE);
      if (isLanguage(fromCookie)) lang = fromCookie;
    }
    if (!lang) {
      // Without the header `accepts` would answer with the first candidate, not the default.
      const accepted = req.get('accept-language') ? req.acceptsLanguages(...LANGUAGES, 'no', 'nn') : false;
      lang =
        accepted === 'no' || accepted === 'nn' ? 'nb' : isLanguage(accepted) ? accepted : defaultLanguage;
    }
    res.locals.lang = lang;
    res.locals.t = translator(lang);
    next();
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}
