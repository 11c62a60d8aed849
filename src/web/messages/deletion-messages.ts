import type { Catalog } from '../i18n.js';

/**
 * Texts of the staff page that deletes a conversation (`/staff/conversations/delete`).
 * Prefixed `deletion.` so they stay out of the browser bundles' catalog.
 */
export const DELETION_MESSAGES: Catalog = {
  'deletion.title': {
    en: 'Delete a conversation',
    nb: 'Slett en samtale',
    fi: 'Poista keskustelu',
    sv: 'Radera ett samtal',
  },
  'deletion.intro': {
    en: 'For when a visitor wrote sensitive data unprompted. The conversation is deleted completely and at once: every message, the shared identity and the metadata. This cannot be undone. Your name, your role, the conversation id, the time and your reason are kept in the audit trail.',
    nb: 'For når en besøkende har skrevet sensitive opplysninger uoppfordret. Samtalen slettes helt og med en gang: alle meldinger, den delte identiteten og metadataene. Dette kan ikke angres. Navnet ditt, rollen din, samtalens id, tidspunktet og begrunnelsen din lagres i revisjonsloggen.',
    fi: 'Kun kävijä on kirjoittanut arkaluonteisia tietoja pyytämättä. Keskustelu poistetaan kokonaan ja heti: kaikki viestit, jaettu henkilöllisyys ja metatiedot. Poistoa ei voi perua. Nimesi, roolisi, keskustelun tunniste, aika ja perustelusi tallennetaan lokiin.',
    sv: 'För när en besökare har skrivit känsliga uppgifter utan att bli ombedd. Samtalet raderas helt och genast: alla meddelanden, den delade identiteten och metadata. Det går inte att ångra. Ditt namn, din roll, samtalets id, tidpunkten och din motivering sparas i granskningsloggen.',
  },
  'deletion.conversation': {
    en: 'Conversation id',
    nb: 'Samtalens id',
    fi: 'Keskustelun tunniste',
    sv: 'Samtalets id',
  },
  'deletion.reason': {
    en: 'Reason (5–500 characters; do not repeat the sensitive data)',
    nb: 'Begrunnelse (5–500 tegn; ikke gjenta de sensitive opplysningene)',
    fi: 'Perustelu (5–500 merkkiä; älä toista arkaluonteisia tietoja)',
    sv: 'Motivering (5–500 tecken; upprepa inte de känsliga uppgifterna)',
  },
  'deletion.submit': {
    en: 'Delete permanently',
    nb: 'Slett permanent',
    fi: 'Poista pysyvästi',
    sv: 'Radera permanent',
  },
  'deletion.doneTitle': {
    en: 'Conversation deleted',
    nb: 'Samtalen er slettet',
    fi: 'Keskustelu poistettu',
    sv: 'Samtalet är raderat',
  },
  'deletion.done': {
    en: 'Conversation {id} was deleted. Open chat windows and consoles have dropped it.',
    nb: 'Samtale {id} er slettet. Åpne chatvinduer og konsoller har fjernet den.',
    fi: 'Keskustelu {id} on poistettu. Avoimet chat-ikkunat ja konsolit ovat poistaneet sen näkyvistä.',
    sv: 'Samtal {id} är raderat. Öppna chattfönster och konsoler har tagit bort det.',
  },
  'deletion.another': {
    en: 'Delete another conversation',
    nb: 'Slett en annen samtale',
    fi: 'Poista toinen keskustelu',
    sv: 'Radera ett annat samtal',
  },
  'deletion.console': {
    en: 'Back to the console',
    nb: 'Tilbake til konsollen',
    fi: 'Takaisin konsoliin',
    sv: 'Tillbaka till konsolen',
  },
  'error.conversation_id_invalid': {
    en: 'Give the id of the conversation.',
    nb: 'Oppgi id-en til samtalen.',
    fi: 'Anna keskustelun tunniste.',
    sv: 'Ange samtalets id.',
  },
  'error.conversation_on_hold': {
    en: 'The conversation is under legal hold: it is kept as it is until the hold is released. Nothing was deleted.',
    nb: 'Samtalen er under rettslig tilbakehold (legal hold): den beholdes som den er til tilbakeholdet oppheves. Ingenting ble slettet.',
    fi: 'Keskustelu on oikeudellisessa säilytyksessä (legal hold): se säilytetään sellaisenaan, kunnes säilytys puretaan. Mitään ei poistettu.',
    sv: 'Samtalet omfattas av rättsligt bevarande (legal hold): det behålls som det är tills bevarandet hävs. Inget raderades.',
  },
  'error.deletion_reason_invalid': {
    en: 'Give the reason for deleting in 5 to 500 characters.',
    nb: 'Oppgi begrunnelsen for slettingen med 5 til 500 tegn.',
    fi: 'Anna poiston perustelu 5–500 merkillä.',
    sv: 'Ange motiveringen för raderingen med 5 till 500 tecken.',
  },
  'error.conversation_not_found': {
    en: 'No such conversation: it does not exist here or was already deleted.',
    nb: 'Ingen slik samtale: den finnes ikke her eller er allerede slettet.',
    fi: 'Keskustelua ei löydy: sitä ei ole täällä tai se on jo poistettu.',
    sv: 'Inget sådant samtal: det finns inte här eller är redan raderat.',
  },
};
