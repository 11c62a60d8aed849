import type { Catalog } from '../i18n.js';

/**
 * Texts of the staff page that deletes an offline message (`/staff/offline-messages/delete`).
 * Prefixed `offlineDeletion.` so they stay out of the browser bundles' catalog.
 */
export const OFFLINE_DELETION_MESSAGES: Catalog = {
  'offlineDeletion.title': {
    en: 'Delete an offline message',
    nb: 'Slett en melding',
    fi: 'Poista jätetty viesti',
    sv: 'Radera ett lämnat meddelande',
  },
  'offlineDeletion.intro': {
    en: 'For when a visitor wrote sensitive data unprompted into a message left for the team. The message is deleted completely and at once: name, e-mail address and text. This cannot be undone. Your name, your role, the message id, the time and your reason are kept in the audit trail.',
    nb: 'For når en besøkende uoppfordret har skrevet sensitive opplysninger i en melding til teamet. Meldingen slettes helt og med en gang: navn, e-postadresse og tekst. Dette kan ikke angres. Navnet ditt, rollen din, meldingens id, tidspunktet og begrunnelsen din lagres i revisjonsloggen.',
    fi: 'Kun kävijä on pyytämättä kirjoittanut arkaluonteisia tietoja tiimille jätettyyn viestiin. Viesti poistetaan kokonaan ja heti: nimi, sähköpostiosoite ja teksti. Poistoa ei voi perua. Nimesi, roolisi, viestin tunniste, aika ja perustelusi tallennetaan lokiin.',
    sv: 'För när en besökare utan att bli ombedd har skrivit känsliga uppgifter i ett meddelande till teamet. Meddelandet raderas helt och genast: namn, e-postadress och text. Det går inte att ångra. Ditt namn, din roll, meddelandets id, tidpunkten och din motivering sparas i granskningsloggen.',
  },
  'offlineDeletion.conversation': {
    en: 'Message id',
    nb: 'Meldingens id',
    fi: 'Viestin tunniste',
    sv: 'Meddelandets id',
  },
  'offlineDeletion.reason': {
    en: 'Reason (5–500 characters; do not repeat the sensitive data)',
    nb: 'Begrunnelse (5–500 tegn; ikke gjenta de sensitive opplysningene)',
    fi: 'Perustelu (5–500 merkkiä; älä toista arkaluonteisia tietoja)',
    sv: 'Motivering (5–500 tecken; upprepa inte de känsliga uppgifterna)',
  },
  'offlineDeletion.submit': {
    en: 'Delete permanently',
    nb: 'Slett permanent',
    fi: 'Poista pysyvästi',
    sv: 'Radera permanent',
  },
  'offlineDeletion.doneTitle': {
    en: 'Offline message deleted',
    nb: 'Meldingen er slettet',
    fi: 'Jätetty viesti poistettu',
    sv: 'Det lämnade meddelandet är raderat',
  },
  'offlineDeletion.done': {
    en: 'Message {id} was deleted. Open consoles have dropped it.',
    nb: 'Melding {id} er slettet. Åpne konsoller har fjernet den.',
    fi: 'Viesti {id} on poistettu. Avoimet konsolit ovat poistaneet sen näkyvistä.',
    sv: 'Meddelande {id} är raderat. Öppna konsoler har tagit bort det.',
  },
  'offlineDeletion.another': {
    en: 'Delete another offline message',
    nb: 'Slett en annen melding',
    fi: 'Poista toinen jätetty viesti',
    sv: 'Radera ett annat lämnat meddelande',
  },
  'error.offline_message_id_invalid': {
    en: 'Give the id of the offline message.',
    nb: 'Oppgi id-en til meldingen.',
    fi: 'Anna viestin tunniste.',
    sv: 'Ange meddelandets id.',
  },
  'error.offline_message_not_found': {
    en: 'No such offline message: it does not exist here or was already deleted.',
    nb: 'Ingen slik melding: den finnes ikke her eller er allerede slettet.',
    fi: 'Viestiä ei löydy: sitä ei ole täällä tai se on jo poistettu.',
    sv: 'Inget sådant meddelande: det finns inte här eller är redan raderat.',
  },
};
