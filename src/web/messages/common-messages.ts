import type { Catalog } from '../i18n.js';

export const COMMON_MESSAGES: Catalog = {
  'common.language': { en: 'Language', nb: 'Språk', fi: 'Kieli', sv: 'Språk' },
  'common.skip': {
    en: 'Skip to content',
    nb: 'Gå til innhold',
    fi: 'Siirry sisältöön',
    sv: 'Gå till innehållet',
  },
  'common.errorTitle': {
    en: 'Error: {title}',
    nb: 'Feil: {title}',
    fi: 'Virhe: {title}',
    sv: 'Fel: {title}',
  },
  'common.back': {
    en: 'Back to the start page',
    nb: 'Tilbake til startsiden',
    fi: 'Takaisin etusivulle',
    sv: 'Tillbaka till startsidan',
  },
  'common.backToMyData': {
    en: 'Back to your data in the chat',
    nb: 'Tilbake til opplysningene dine i chatten',
    fi: 'Takaisin tietoihisi chatissa',
    sv: 'Tillbaka till dina uppgifter i chatten',
  },
  'common.privacy': {
    en: 'Privacy notice',
    nb: 'Personvernerklæring',
    fi: 'Tietosuojaseloste',
    sv: 'Dataskyddsbeskrivning',
  },
  'common.reference': {
    en: 'Reference: {id}',
    nb: 'Referanse: {id}',
    fi: 'Viite: {id}',
    sv: 'Referens: {id}',
  },
};
