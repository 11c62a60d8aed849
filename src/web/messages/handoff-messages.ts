import type { Catalog } from '../i18n.js';

/** Texts of the hand-off pages (broker choice and logout of the gateway's OpenID Provider). */
export const HANDOFF_MESSAGES: Catalog = {
  'handoff.broker.title': {
    en: 'Identify yourself',
    nb: 'Identifiser deg',
    fi: 'Tunnistaudu',
    sv: 'Identifiera dig',
  },
  'handoff.broker.intro': {
    en: '{system}, the chat service of {org}, asks you to identify yourself. After identifying you choose which details it may receive.',
    nb: '{system}, chattetjenesten til {org}, ber deg identifisere deg. Etterpå velger du hvilke opplysninger den kan få.',
    fi: '{system}, organisaation {org} chat-palvelu, pyytää sinua tunnistautumaan. Sen jälkeen valitset, mitkä tiedot se saa.',
    sv: '{system}, chattjänsten hos {org}, ber dig identifiera dig. Därefter väljer du vilka uppgifter den får.',
  },
  'handoff.broker.choose': {
    en: 'Identify with',
    nb: 'Identifiser deg med',
    fi: 'Tunnistaudu palvelulla',
    sv: 'Identifiera dig med',
  },
  'handoff.broker.cancel': {
    en: 'Cancel and return',
    nb: 'Avbryt og gå tilbake',
    fi: 'Peruuta ja palaa',
    sv: 'Avbryt och gå tillbaka',
  },
  'handoff.logout.title': { en: 'Log out', nb: 'Logg ut', fi: 'Kirjaudu ulos', sv: 'Logga ut' },
  'handoff.logout.confirm': {
    en: '{system} asks to end your identification at {org}.',
    nb: '{system} ber om å avslutte identifiseringen din hos {org}.',
    fi: '{system} pyytää päättämään tunnistautumisesi palvelussa {org}.',
    sv: '{system} ber om att avsluta din identifiering hos {org}.',
  },
  'handoff.logout.button': { en: 'Log out', nb: 'Logg ut', fi: 'Kirjaudu ulos', sv: 'Logga ut' },
  'handoff.logout.done': {
    en: 'You are logged out.',
    nb: 'Du er logget ut.',
    fi: 'Olet kirjautunut ulos.',
    sv: 'Du är utloggad.',
  },
};
