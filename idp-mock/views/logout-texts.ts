import { html, type SafeHtml } from './html.js';
import type { MockLanguage } from './login-texts.js';

/**
 * The logout confirmation's texts, in the languages of the login page: the gateway names the
 * citizen's page language in the end-session request's `ui_locales`, as in the login request,
 * so a citizen who logged out in Swedish is asked in Swedish, as at a real broker.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout (ui_locales)
 */
export interface LogoutTexts {
  /** The document title, after which comes the issuer's. */
  title: string;
  /** The heading, naming the issuer (marked up by the caller). */
  question: (issuer: SafeHtml) => SafeHtml;
  signedIn: string;
  notSignedIn: string;
  /** Who asked, after the sentence that says whether one is signed in. */
  askedBy: (client: string) => SafeHtml;
  signOut: string;
  staySignedIn: string;
  continue: string;
}

export const LOGOUT_TEXTS: Readonly<Record<MockLanguage, LogoutTexts>> = {
  en: {
    title: 'Sign out',
    question: (issuer) => html`Sign out of ${issuer}?`,
    signedIn: 'You are signed in at this test identity provider',
    notSignedIn: 'You are not signed in at this test identity provider',
    askedBy: (client) => html` (asked by <strong>${client}</strong>)`,
    signOut: 'Yes, sign me out',
    staySignedIn: 'No, stay signed in',
    continue: 'Continue',
  },
  nb: {
    title: 'Logg ut',
    question: (issuer) => html`Logge ut av ${issuer}?`,
    signedIn: 'Du er logget inn hos denne testtjenesten for innlogging',
    notSignedIn: 'Du er ikke logget inn hos denne testtjenesten for innlogging',
    askedBy: (client) => html` (bedt om av <strong>${client}</strong>)`,
    signOut: 'Ja, logg meg ut',
    staySignedIn: 'Nei, forbli innlogget',
    continue: 'Fortsett',
  },
  fi: {
    title: 'Kirjaudu ulos',
    question: (issuer) => html`Kirjaudutaanko ulos palvelusta ${issuer}?`,
    signedIn: 'Olet kirjautuneena tähän testitunnistuspalveluun',
    notSignedIn: 'Et ole kirjautuneena tähän testitunnistuspalveluun',
    askedBy: (client) => html` (pyytäjä: <strong>${client}</strong>)`,
    signOut: 'Kyllä, kirjaa minut ulos',
    staySignedIn: 'Ei, pysy kirjautuneena',
    continue: 'Jatka',
  },
  sv: {
    title: 'Logga ut',
    question: (issuer) => html`Logga ut från ${issuer}?`,
    signedIn: 'Du är inloggad hos den här testtjänsten för inloggning',
    notSignedIn: 'Du är inte inloggad hos den här testtjänsten för inloggning',
    askedBy: (client) => html` (begärt av <strong>${client}</strong>)`,
    signOut: 'Ja, logga ut mig',
    staySignedIn: 'Nej, förbli inloggad',
    continue: 'Fortsätt',
  },
};
