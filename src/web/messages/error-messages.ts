import type { Catalog } from '../i18n.js';

/**
 * Text for each error code shown on the error page. A code without its own entry is shown
 * with `error.generic`; the code itself is always printed for support.
 */
export const ERROR_MESSAGES: Catalog = {
  'error.title': {
    en: 'Something went wrong',
    nb: 'Noe gikk galt',
    fi: 'Jokin meni vikaan',
    sv: 'Något gick fel',
  },
  'error.loginTitle': {
    en: 'Identification failed',
    nb: 'Identifiseringen mislyktes',
    fi: 'Tunnistautuminen epäonnistui',
    sv: 'Identifieringen misslyckades',
  },
  'error.staffLoginTitle': {
    en: 'Sign-in failed',
    nb: 'Innloggingen mislyktes',
    fi: 'Kirjautuminen epäonnistui',
    sv: 'Inloggningen misslyckades',
  },
  'error.anonymous': {
    en: 'Nothing was shared. You are still anonymous.',
    nb: 'Ingenting ble delt. Du er fortsatt anonym.',
    fi: 'Mitään ei jaettu. Olet edelleen nimetön.',
    sv: 'Inget delades. Du är fortfarande anonym.',
  },
  'error.stillSharing': {
    en: 'Nothing new was shared. The details you shared earlier are still shared.',
    nb: 'Ingenting nytt ble delt. Opplysningene du delte tidligere, deles fortsatt.',
    fi: 'Mitään uutta ei jaettu. Aiemmin jakamasi tiedot ovat edelleen jaettuina.',
    sv: 'Inget nytt delades. Uppgifterna du delade tidigare delas fortfarande.',
  },
  'error.code': {
    en: 'Error code: {code}',
    nb: 'Feilkode: {code}',
    fi: 'Virhekoodi: {code}',
    sv: 'Felkod: {code}',
  },
  'error.detail': {
    en: 'Technical detail for the service’s administrator: {detail}',
    nb: 'Teknisk detalj for tjenestens administrator: {detail}',
    fi: 'Tekninen tieto palvelun ylläpitäjälle: {detail}',
    sv: 'Teknisk detalj för tjänstens administratör: {detail}',
  },
  'error.generic': {
    en: 'The request could not be completed. Please try again.',
    nb: 'Forespørselen kunne ikke fullføres. Prøv igjen.',
    fi: 'Pyyntöä ei voitu suorittaa. Yritä uudelleen.',
    sv: 'Begäran kunde inte slutföras. Försök igen.',
  },
  'error.backToHandoff': {
    en: 'Back to identifying for the chat service',
    nb: 'Tilbake til identifisering for chattetjenesten',
    fi: 'Takaisin chat-palvelun tunnistautumiseen',
    sv: 'Tillbaka till identifieringen för chattjänsten',
  },
  'error.login_cancelled': {
    en: 'The identification was cancelled.',
    nb: 'Identifiseringen ble avbrutt.',
    fi: 'Tunnistautuminen peruttiin.',
    sv: 'Identifieringen avbröts.',
  },
  'error.login_expired': {
    en: 'The identification took too long or was already used. Please start again.',
    nb: 'Identifiseringen tok for lang tid eller er allerede brukt. Start på nytt.',
    fi: 'Tunnistautuminen kesti liian kauan tai se on jo käytetty. Aloita alusta.',
    sv: 'Identifieringen tog för lång tid eller har redan använts. Börja om.',
  },
  'error.acr_too_low': {
    en: 'The identification method is not strong enough for this service. Please use a method with a higher level of assurance.',
    nb: 'Identifiseringsmetoden er ikke sterk nok for denne tjenesten. Bruk en metode med høyere sikkerhetsnivå.',
    fi: 'Tunnistustapa ei ole riittävän vahva tähän palveluun. Käytä vahvempaa tunnistustapaa.',
    sv: 'Identifieringsmetoden är inte tillräckligt stark för den här tjänsten. Använd en metod med högre tillitsnivå.',
  },
  'error.national_id_invalid': {
    en: 'The identity provider returned a national identity number that is not valid.',
    nb: 'Identitetsleverandøren returnerte et ugyldig fødselsnummer.',
    fi: 'Tunnistuspalvelu palautti virheellisen henkilötunnuksen.',
    sv: 'Identitetsleverantören returnerade ett ogiltigt personnummer.',
  },
  'error.provider_unavailable': {
    en: 'The identification service is not available right now. Please try again later.',
    nb: 'Identifiseringstjenesten er ikke tilgjengelig akkurat nå. Prøv igjen senere.',
    fi: 'Tunnistuspalvelu ei ole juuri nyt käytettävissä. Yritä myöhemmin uudelleen.',
    sv: 'Identifieringstjänsten är inte tillgänglig just nu. Försök igen senare.',
  },
  'error.store_unavailable': {
    en: 'The service is briefly unavailable. Please try again in a moment.',
    nb: 'Tjenesten er kortvarig utilgjengelig. Prøv igjen om et øyeblikk.',
    fi: 'Palvelu on hetken poissa käytöstä. Yritä hetken kuluttua uudelleen.',
    sv: 'Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.',
  },
  'error.login_failed': {
    en: 'The answer from the identification service could not be verified.',
    nb: 'Svaret fra identifiseringstjenesten kunne ikke bekreftes.',
    fi: 'Tunnistuspalvelun vastausta ei voitu vahvistaa.',
    sv: 'Svaret från identifieringstjänsten kunde inte verifieras.',
  },
  'error.csrf_invalid': {
    en: 'The form has expired. Please go back and try again.',
    nb: 'Skjemaet er utløpt. Gå tilbake og prøv igjen.',
    fi: 'Lomake on vanhentunut. Palaa takaisin ja yritä uudelleen.',
    sv: 'Formuläret har gått ut. Gå tillbaka och försök igen.',
  },
  'error.return_to_invalid': {
    en: 'The address to return to must be a page of this service. Start again from the service’s own page.',
    nb: 'Adressen det skal returneres til må være en side i denne tjenesten. Start på nytt fra tjenestens egen side.',
    fi: 'Paluuosoitteen on oltava tämän palvelun sivu. Aloita uudelleen palvelun omalta sivulta.',
    sv: 'Adressen att återvända till måste vara en sida i den här tjänsten. Börja om från tjänstens egen sida.',
  },
  'error.provider_unknown': {
    en: 'This service offers no such way to identify. Choose one of those on the start page.',
    nb: 'Tjenesten tilbyr ingen slik måte å identifisere seg på. Velg en av dem på startsiden.',
    fi: 'Palvelussa ei ole tällaista tunnistautumistapaa. Valitse jokin aloitussivun vaihtoehdoista.',
    sv: 'Tjänsten erbjuder inget sådant sätt att identifiera sig. Välj ett av dem på startsidan.',
  },
  'error.consent_invalid': {
    en: 'Choose to share the details you ticked, or to share nothing.',
    nb: 'Velg å dele opplysningene du har krysset av for, eller å ikke dele noe.',
    fi: 'Valitse, jaatko valitsemasi tiedot vai et mitään.',
    sv: 'Välj att dela de uppgifter du har kryssat för, eller att inte dela något.',
  },
  'error.consent_not_pending': {
    en: 'There is no identification waiting for your choice: it was already answered or has expired. Identify again if you want to share details.',
    nb: 'Ingen identifisering venter på valget ditt: den er allerede besvart eller utløpt. Identifiser deg på nytt hvis du vil dele opplysninger.',
    fi: 'Mikään tunnistautuminen ei odota valintaasi: siihen on jo vastattu tai se on vanhentunut. Tunnistaudu uudelleen, jos haluat jakaa tietoja.',
    sv: 'Ingen identifiering väntar på ditt val: den är redan besvarad eller har gått ut. Identifiera dig igen om du vill dela uppgifter.',
  },
  'error.handover_invalid': {
    en: 'This identification link is no longer valid: it was already used, has expired or belongs to another chat window. Start again from the chat.',
    nb: 'Denne identifiseringslenken er ikke lenger gyldig: den er brukt, utløpt eller hører til et annet chatvindu. Start på nytt fra chatten.',
    fi: 'Tämä tunnistautumislinkki ei ole enää voimassa: se on käytetty, vanhentunut tai kuuluu toiseen chat-ikkunaan. Aloita uudelleen chatista.',
    sv: 'Den här identifieringslänken gäller inte längre: den har använts, gått ut eller hör till ett annat chattfönster. Börja om från chatten.',
  },
  'error.handoff_interaction_expired': {
    en: 'This sign-in for the chat has expired or belongs to another browser. Start again from the chat.',
    nb: 'Denne innloggingen til chatten er utløpt eller hører til en annen nettleser. Start på nytt fra chatten.',
    fi: 'Tämä chatin kirjautuminen on vanhentunut tai kuuluu toiseen selaimeen. Aloita uudelleen chatista.',
    sv: 'Den här inloggningen till chatten har gått ut eller hör till en annan webbläsare. Börja om från chatten.',
  },
  'error.request_invalid': {
    en: 'The request could not be read. Go back and send the form again.',
    nb: 'Forespørselen kunne ikke leses. Gå tilbake og send skjemaet på nytt.',
    fi: 'Pyyntöä ei voitu lukea. Palaa takaisin ja lähetä lomake uudelleen.',
    sv: 'Begäran kunde inte läsas. Gå tillbaka och skicka formuläret igen.',
  },
  'error.request_too_large': {
    en: 'The request is too large. Shorten what you entered and send it again.',
    nb: 'Forespørselen er for stor. Kort ned det du skrev og send på nytt.',
    fi: 'Pyyntö on liian suuri. Lyhennä syöttämääsi tekstiä ja lähetä uudelleen.',
    sv: 'Begäran är för stor. Korta ner det du skrev och skicka igen.',
  },
  'error.request_unsupported': {
    en: 'The request uses an encoding or character set this service does not accept.',
    nb: 'Forespørselen bruker en koding eller et tegnsett som tjenesten ikke godtar.',
    fi: 'Pyyntö käyttää koodausta tai merkistöä, jota palvelu ei hyväksy.',
    sv: 'Begäran använder en kodning eller teckenuppsättning som tjänsten inte godtar.',
  },
  'error.staff_assurance_too_low': {
    en: 'Your sign-in did not use the authentication this service requires (for example a second factor). Sign in again with it.',
    nb: 'Innloggingen din brukte ikke autentiseringen tjenesten krever (for eksempel en annen faktor). Logg inn på nytt med den.',
    fi: 'Kirjautumisessasi ei käytetty palvelun vaatimaa tunnistusta (esimerkiksi toista tekijää). Kirjaudu uudelleen sitä käyttäen.',
    sv: 'Din inloggning använde inte den autentisering tjänsten kräver (till exempel en andra faktor). Logga in igen med den.',
  },
  'error.not_found': {
    en: 'The page was not found.',
    nb: 'Siden ble ikke funnet.',
    fi: 'Sivua ei löytynyt.',
    sv: 'Sidan hittades inte.',
  },
  'error.method_not_allowed': {
    en: 'This page cannot be used this way. Go back and use the page’s own buttons and links.',
    nb: 'Denne siden kan ikke brukes på denne måten. Gå tilbake og bruk sidens egne knapper og lenker.',
    fi: 'Tätä sivua ei voi käyttää näin. Palaa takaisin ja käytä sivun omia painikkeita ja linkkejä.',
    sv: 'Den här sidan kan inte användas på det här sättet. Gå tillbaka och använd sidans egna knappar och länkar.',
  },
  'error.rate_limited': {
    en: 'Too many attempts. Please wait a moment and try again.',
    nb: 'For mange forsøk. Vent litt og prøv igjen.',
    fi: 'Liian monta yritystä. Odota hetki ja yritä uudelleen.',
    sv: 'För många försök. Vänta en stund och försök igen.',
  },

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
