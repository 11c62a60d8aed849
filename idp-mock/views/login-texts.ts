/**
 * The languages of the mock's login page, as a broker's: the relying party names the user's in
 * `ui_locales` (the gateway sends its page's language), so a citizen who started in Finnish
 * picks a test identity in Finnish, as on Idura's or Signicat's real page. The logout
 * confirmation follows the end-session request's `ui_locales` likewise (`logout-texts.ts`); the
 * mock's other pages (errors, the index) are for developers and stay English.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (ui_locales)
 */
export const MOCK_LANGUAGES = ['en', 'nb', 'fi', 'sv'] as const;
export type MockLanguage = (typeof MOCK_LANGUAGES)[number];

/** The texts of the login page in one language. */
export interface LoginTexts {
  title: (issuer: string) => string;
  notice: string;
  signingInTo: string;
  askingFor: string;
  legend: string;
  signIn: string;
  cancel: string;
  noPersonas: string;
  skipHint: string;
  unknownHint: (hint: string) => string;
  choosePersona: string;
  nationalId: (country: string, id: string) => string;
  born: (date: string) => string;
  roles: (roles: string) => string;
  noRoles: string;
  tenant: (tenant: string) => string;
}

export const LOGIN_TEXTS: Readonly<Record<MockLanguage, LoginTexts>> = {
  en: {
    title: (issuer) => `Sign in – ${issuer}`,
    notice: 'Test identity provider with synthetic identities only. Never enter real personal data here.',
    signingInTo: 'Signing in to',
    askingFor: 'asking for',
    legend: 'Choose a test identity',
    signIn: 'Sign in',
    cancel: 'Cancel',
    noPersonas: 'No test identities are configured for this issuer.',
    skipHint: 'Automated tests can skip this page with',
    unknownHint: (hint) => `No test identity "${hint}" here. Choose one below.`,
    choosePersona: 'Choose one of the test identities below.',
    nationalId: (country, id) => `${country} national id ${id}`,
    born: (date) => `born ${date}`,
    roles: (roles) => `roles: ${roles}`,
    noRoles: 'no roles',
    tenant: (tenant) => `tenant: ${tenant}`,
  },
  nb: {
    title: (issuer) => `Logg inn – ${issuer}`,
    notice:
      'Testtjeneste for innlogging med bare oppdiktede identiteter. Skriv aldri inn ekte personopplysninger her.',
    signingInTo: 'Logger inn i',
    askingFor: 'som ber om',
    legend: 'Velg en testidentitet',
    signIn: 'Logg inn',
    cancel: 'Avbryt',
    noPersonas: 'Ingen testidentiteter er satt opp for denne utstederen.',
    skipHint: 'Automatiske tester kan hoppe over denne siden med',
    unknownHint: (hint) => `Ingen testidentitet «${hint}» her. Velg en nedenfor.`,
    choosePersona: 'Velg en av testidentitetene nedenfor.',
    nationalId: (country, id) => `${country} fødselsnummer ${id}`,
    born: (date) => `født ${date}`,
    roles: (roles) => `roller: ${roles}`,
    noRoles: 'ingen roller',
    tenant: (tenant) => `organisasjon: ${tenant}`,
  },
  fi: {
    title: (issuer) => `Kirjaudu – ${issuer}`,
    notice:
      'Testitunnistuspalvelu, jossa on vain keksittyjä henkilöllisyyksiä. Älä koskaan syötä tänne oikeita henkilötietoja.',
    signingInTo: 'Kirjaudutaan palveluun',
    askingFor: 'pyydetty taso',
    legend: 'Valitse testihenkilöllisyys',
    signIn: 'Kirjaudu',
    cancel: 'Peruuta',
    noPersonas: 'Tälle myöntäjälle ei ole määritetty testihenkilöllisyyksiä.',
    skipHint: 'Automaattiset testit voivat ohittaa tämän sivun parametrilla',
    unknownHint: (hint) => `Testihenkilöllisyyttä ”${hint}” ei ole täällä. Valitse jokin alta.`,
    choosePersona: 'Valitse jokin alla olevista testihenkilöllisyyksistä.',
    nationalId: (country, id) => `${country} henkilötunnus ${id}`,
    born: (date) => `syntynyt ${date}`,
    roles: (roles) => `roolit: ${roles}`,
    noRoles: 'ei rooleja',
    tenant: (tenant) => `organisaatio: ${tenant}`,
  },
  sv: {
    title: (issuer) => `Logga in – ${issuer}`,
    notice:
      'Testtjänst för inloggning med enbart påhittade identiteter. Ange aldrig riktiga personuppgifter här.',
    signingInTo: 'Loggar in i',
    askingFor: 'som begär',
    legend: 'Välj en testidentitet',
    signIn: 'Logga in',
    cancel: 'Avbryt',
    noPersonas: 'Inga testidentiteter är inställda för den här utfärdaren.',
    skipHint: 'Automatiska tester kan hoppa över den här sidan med',
    unknownHint: (hint) => `Ingen testidentitet ”${hint}” här. Välj en nedan.`,
    choosePersona: 'Välj en av testidentiteterna nedan.',
    nationalId: (country, id) => `${country} personnummer ${id}`,
    born: (date) => `född ${date}`,
    roles: (roles) => `roller: ${roles}`,
    noRoles: 'inga roller',
    tenant: (tenant) => `organisation: ${tenant}`,
  },
};

/**
 * The page language for a request's `ui_locales` (space-separated BCP 47 tags, most preferred
 * first): the first whose primary language the page has, Norwegian `no` and `nn` read as
 * Bokmål; English when none.
 */
export function loginLanguage(uiLocales: string | undefined): MockLanguage {
  for (const tag of (uiLocales ?? '').split(' ')) {
    const primary = tag.split('-')[0]?.toLowerCase() ?? '';
    const lang = primary === 'no' || primary === 'nn' ? 'nb' : primary;
    if ((MOCK_LANGUAGES as readonly string[]).includes(lang)) return lang as MockLanguage;
  }
  return 'en';
}
