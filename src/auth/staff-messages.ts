import type { Catalog } from '../web/i18n.js';

/** Error-page texts of the staff login (the page prints the code too, for support). */
export const STAFF_MESSAGES: Catalog = {
  'error.staff_wrong_tenant': {
    en: 'This account belongs to another organisation and cannot sign in to this chat service.',
    nb: 'Denne kontoen tilhører en annen organisasjon og kan ikke logge inn i denne chattetjenesten.',
    fi: 'Tämä tili kuuluu toiselle organisaatiolle, eikä sillä voi kirjautua tähän chat-palveluun.',
    sv: 'Det här kontot tillhör en annan organisation och kan inte logga in i den här chattjänsten.',
  },
  'error.staff_no_role': {
    en: 'Your account has no role in the chat service. Ask your administrator for access.',
    nb: 'Kontoen din har ingen rolle i chattetjenesten. Be administratoren din om tilgang.',
    fi: 'Tililläsi ei ole roolia chat-palvelussa. Pyydä käyttöoikeutta ylläpitäjältäsi.',
    sv: 'Ditt konto har ingen roll i chattjänsten. Be din administratör om åtkomst.',
  },
  'error.staff_forbidden': {
    en: 'Your role does not give access to this page.',
    nb: 'Rollen din gir ikke tilgang til denne siden.',
    fi: 'Roolisi ei oikeuta tälle sivulle.',
    sv: 'Din roll ger inte åtkomst till den här sidan.',
  },
  'error.staff_unavailable': {
    en: 'Staff login is not available for this service.',
    nb: 'Innlogging for ansatte er ikke tilgjengelig for denne tjenesten.',
    fi: 'Henkilökunnan kirjautuminen ei ole käytettävissä tässä palvelussa.',
    sv: 'Inloggning för personal är inte tillgänglig för den här tjänsten.',
  },
};
