import type { Catalog } from '../i18n.js';

/**
 * Texts of the step-up page (`GET /chat/identify/:token`). Prefixed `stepup.` rather than
 * `chat.` so they stay out of the browser bundles' catalog (`messagesFor(lang, 'chat.')`).
 */
export const STEP_UP_MESSAGES: Catalog = {
  'stepup.title': {
    en: 'Identify in the chat',
    nb: 'Identifiser deg i chatten',
    fi: 'Tunnistaudu chatissa',
    sv: 'Identifiera dig i chatten',
  },
  'stepup.intro': {
    en: 'The person you are chatting with asked you to identify. Choose how. After the login you decide which details to share; the chat continues in the other window.',
    nb: 'Den du chatter med har bedt deg identifisere deg. Velg hvordan. Etter innloggingen bestemmer du hvilke opplysninger du deler; chatten fortsetter i det andre vinduet.',
    fi: 'Keskustelukumppanisi pyysi sinua tunnistautumaan. Valitse tapa. Kirjautumisen jälkeen päätät, mitä tietoja jaat; keskustelu jatkuu toisessa ikkunassa.',
    sv: 'Den du chattar med har bett dig identifiera dig. Välj hur. Efter inloggningen bestämmer du vilka uppgifter du delar; chatten fortsätter i det andra fönstret.',
  },
  'stepup.providers': {
    en: 'Identify with',
    nb: 'Identifiser deg med',
    fi: 'Tunnistaudu palvelulla',
    sv: 'Identifiera dig med',
  },
  'stepup.invalid': {
    en: 'This identification link is no longer valid: it was already used or has expired. Ask in the chat for a new one.',
    nb: 'Denne identifiseringslenken er ikke lenger gyldig: den er brukt eller utløpt. Be om en ny i chatten.',
    fi: 'Tämä tunnistautumislinkki ei ole enää voimassa: se on jo käytetty tai vanhentunut. Pyydä uusi chatissa.',
    sv: 'Den här identifieringslänken gäller inte längre: den har redan använts eller gått ut. Be om en ny i chatten.',
  },
  'stepup.backToChat': {
    en: 'Back to the chat',
    nb: 'Tilbake til chatten',
    fi: 'Takaisin chattiin',
    sv: 'Tillbaka till chatten',
  },
  'stepup.forbidden': {
    en: 'This identification link belongs to another chat. Open it in the browser where you are chatting.',
    nb: 'Denne identifiseringslenken hører til en annen chat. Åpne den i nettleseren der du chatter.',
    fi: 'Tämä tunnistautumislinkki kuuluu toiseen keskusteluun. Avaa se selaimessa, jossa keskustelet.',
    sv: 'Den här identifieringslänken hör till en annan chatt. Öppna den i webbläsaren där du chattar.',
  },
};
