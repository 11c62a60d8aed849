import type { Catalog } from '../i18n.js';

/**
 * Texts of the citizen's own-data pages (`/privacy/my-data`). Prefixed `mydata.` so they stay
 * out of the browser bundles' catalog.
 */
export const DATA_SUBJECT_MESSAGES: Catalog = {
  'mydata.title': {
    en: 'Your data in the chat',
    nb: 'Dine opplysninger i chatten',
    fi: 'Tietosi chatissa',
    sv: 'Dina uppgifter i chatten',
  },
  'mydata.intro': {
    en: 'Here you can see the conversations with {org} in which you shared your identity, take a copy of them and erase them.',
    nb: 'Her kan du se samtalene med {org} der du delte identiteten din, ta en kopi av dem og slette dem.',
    fi: 'Täällä näet keskustelut, joissa jaoit henkilöllisyytesi organisaatiolle {org}, voit ottaa niistä kopion ja poistaa ne.',
    sv: 'Här kan du se samtalen med {org} där du delade din identitet, ta en kopia av dem och radera dem.',
  },
  'mydata.identifyWhy': {
    en: 'Identify first, so that only you see them. Nothing is shared with anyone by this identification, and it opens your data for {minutes} minutes.',
    nb: 'Identifiser deg først, slik at bare du ser dem. Ingenting deles med noen ved denne identifiseringen, og den gir tilgang til opplysningene dine i {minutes} minutter.',
    fi: 'Tunnistaudu ensin, jotta vain sinä näet ne. Tämä tunnistautuminen ei jaa mitään kenellekään, ja se avaa tietosi {minutes} minuutiksi.',
    sv: 'Identifiera dig först, så att bara du ser dem. Ingenting delas med någon genom den här identifieringen, och den öppnar dina uppgifter i {minutes} minuter.',
  },
  'mydata.identify': {
    en: 'Identify',
    nb: 'Identifiser deg',
    fi: 'Tunnistaudu',
    sv: 'Identifiera dig',
  },
  'mydata.anonymousNote': {
    en: 'Conversations in which you did not identify cannot be told apart from anyone else’s, so they are not shown here. They are deleted as the retention policy says.',
    nb: 'Samtaler der du ikke identifiserte deg kan ikke skilles fra andres, så de vises ikke her. De slettes slik lagringsreglene sier.',
    fi: 'Keskusteluja, joissa et tunnistautunut, ei voi erottaa muiden keskusteluista, joten niitä ei näytetä täällä. Ne poistetaan säilytysaikojen mukaisesti.',
    sv: 'Samtal där du inte identifierade dig går inte att skilja från andras, så de visas inte här. De raderas enligt reglerna för lagringstid.',
  },
  'mydata.greeting': {
    en: 'You are identified as {name}.',
    nb: 'Du er identifisert som {name}.',
    fi: 'Olet tunnistautunut nimellä {name}.',
    sv: 'Du är identifierad som {name}.',
  },
  'mydata.greetingNoName': {
    en: 'You are identified.',
    nb: 'Du er identifisert.',
    fi: 'Olet tunnistautunut.',
    sv: 'Du är identifierad.',
  },
  'mydata.none': {
    en: 'There is no conversation in which you shared your identity.',
    nb: 'Det finnes ingen samtale der du delte identiteten din.',
    fi: 'Yhtään keskustelua, jossa olisit jakanut henkilöllisyytesi, ei ole.',
    sv: 'Det finns inget samtal där du delade din identitet.',
  },
  'mydata.listCaption': {
    en: 'Conversations in which you shared your identity ({count})',
    nb: 'Samtaler der du delte identiteten din ({count})',
    fi: 'Keskustelut, joissa jaoit henkilöllisyytesi ({count})',
    sv: 'Samtal där du delade din identitet ({count})',
  },
  'mydata.started': { en: 'Started (UTC)', nb: 'Startet (UTC)', fi: 'Aloitettu (UTC)', sv: 'Startat (UTC)' },
  'mydata.topic': { en: 'Topic', nb: 'Emne', fi: 'Aihe', sv: 'Ämne' },
  'mydata.state': { en: 'State', nb: 'Status', fi: 'Tila', sv: 'Status' },
  'mydata.status.queued': { en: 'Waiting', nb: 'Venter', fi: 'Odottaa', sv: 'Väntar' },
  'mydata.status.assigned': { en: 'Ongoing', nb: 'Pågår', fi: 'Käynnissä', sv: 'Pågår' },
  'mydata.status.closed': { en: 'Ended', nb: 'Avsluttet', fi: 'Päättynyt', sv: 'Avslutat' },
  'mydata.copyTitle': {
    en: 'Copy of your data',
    nb: 'Kopi av opplysningene dine',
    fi: 'Kopio tiedoistasi',
    sv: 'Kopia av dina uppgifter',
  },
  'mydata.copyText': {
    en: 'A file (JSON) with these conversations and every message in them, what was recorded about them, your consent receipts, and when staff read or deleted them.',
    nb: 'En fil (JSON) med disse samtalene og alle meldingene i dem, hva som ble registrert om dem, samtykkekvitteringene dine, og når ansatte leste eller slettet dem.',
    fi: 'Tiedosto (JSON), jossa ovat nämä keskustelut ja kaikki niiden viestit, niistä tallennetut tiedot, suostumuskuittisi sekä milloin henkilöstö luki tai poisti ne.',
    sv: 'En fil (JSON) med de här samtalen och alla meddelanden i dem, vad som registrerades om dem, dina samtyckeskvitton och när personal läste eller raderade dem.',
  },
  'mydata.copy': {
    en: 'Download a copy',
    nb: 'Last ned en kopi',
    fi: 'Lataa kopio',
    sv: 'Ladda ned en kopia',
  },
  'mydata.eraseTitle': {
    en: 'Erase these conversations',
    nb: 'Slett disse samtalene',
    fi: 'Poista nämä keskustelut',
    sv: 'Radera de här samtalen',
  },
  'mydata.eraseText': {
    en: 'Every message, the identity you shared and what was recorded about the conversations are deleted at once and for good; an ongoing conversation ends. This cannot be undone.',
    nb: 'Alle meldinger, identiteten du delte og det som ble registrert om samtalene slettes med en gang og for godt; en pågående samtale avsluttes. Dette kan ikke angres.',
    fi: 'Kaikki viestit, jakamasi henkilöllisyys ja keskusteluista tallennetut tiedot poistetaan heti ja pysyvästi; käynnissä oleva keskustelu päättyy. Poistoa ei voi perua.',
    sv: 'Alla meddelanden, identiteten du delade och det som registrerades om samtalen raderas genast och för gott; ett pågående samtal avslutas. Det går inte att ångra.',
  },
  'mydata.eraseConfirm': {
    en: 'Yes, erase these conversations ({count})',
    nb: 'Ja, slett disse samtalene ({count})',
    fi: 'Kyllä, poista nämä keskustelut ({count})',
    sv: 'Ja, radera de här samtalen ({count})',
  },
  'mydata.erase': { en: 'Erase', nb: 'Slett', fi: 'Poista', sv: 'Radera' },
  'mydata.done': {
    en: 'Done: log out',
    nb: 'Ferdig: logg ut',
    fi: 'Valmis: kirjaudu ulos',
    sv: 'Klar: logga ut',
  },
  'mydata.erasedTitle': {
    en: 'Conversations erased',
    nb: 'Samtalene er slettet',
    fi: 'Keskustelut poistettu',
    sv: 'Samtalen är raderade',
  },
  'mydata.offline': {
    en: 'Messages you left in the chat while identified, to be answered by e-mail: {count}. They are in your copy and go with the erasure.',
    nb: 'Meldinger du la igjen i chatten mens du var identifisert, til svar på e-post: {count}. De er med i kopien og slettes med resten.',
    fi: 'Viestit, jotka jätit chatissa tunnistautuneena sähköpostilla vastattaviksi: {count}. Ne ovat kopiossasi ja poistuvat poiston mukana.',
    sv: 'Meddelanden du lämnade i chatten som identifierad, att besvaras via e-post: {count}. De finns i din kopia och raderas med resten.',
  },
  'mydata.offlineErased': {
    en: 'Messages left to be answered by e-mail erased: {count}.',
    nb: 'Slettede meldinger lagt igjen til svar på e-post: {count}.',
    fi: 'Poistettuja sähköpostilla vastattaviksi jätettyjä viestejä: {count}.',
    sv: 'Raderade meddelanden lämnade för svar via e-post: {count}.',
  },
  'mydata.erased': {
    en: 'Conversations erased: {count}.',
    nb: 'Slettede samtaler: {count}.',
    fi: 'Poistettuja keskusteluja: {count}.',
    sv: 'Raderade samtal: {count}.',
  },
  'mydata.receiptsKept': {
    en: 'Your consent receipts are kept: they show what you agreed to share, name no detail itself, and are the organisation’s proof of your choices. The audit trail keeps that the conversations were erased at your request, and when.',
    nb: 'Samtykkekvitteringene dine beholdes: de viser hva du samtykket til å dele, inneholder ingen av opplysningene selv, og er organisasjonens bevis på valgene dine. Revisjonsloggen beholder at samtalene ble slettet etter ønske fra deg, og når.',
    fi: 'Suostumuskuittisi säilytetään: ne kertovat, mitä suostuit jakamaan, eivät sisällä itse tietoja ja ovat organisaation todiste valinnoistasi. Lokiin jää, että keskustelut poistettiin pyynnöstäsi, ja milloin.',
    sv: 'Dina samtyckeskvitton sparas: de visar vad du samtyckte till att dela, innehåller inga av uppgifterna själva och är organisationens bevis på dina val. Granskningsloggen behåller att samtalen raderades på din begäran, och när.',
  },
  'mydata.onHold': {
    en: 'kept under legal hold',
    nb: 'holdes tilbake av rettslige grunner',
    fi: 'säilytetään oikeudellisista syistä',
    sv: 'bevaras av rättsliga skäl',
  },
  'mydata.keptOnHold': {
    en: 'Kept under legal hold, not erased yet: {count}. The organisation must keep these for a legal case; your request is noted on them, and they are erased when the hold ends.',
    nb: 'Holdt tilbake av rettslige grunner, ikke slettet ennå: {count}. Organisasjonen må beholde disse for en rettslig sak; forespørselen din er notert på dem, og de slettes når tilbakeholdet opphører.',
    fi: 'Säilytetään oikeudellisista syistä, ei vielä poistettu: {count}. Organisaation on säilytettävä nämä oikeudellista asiaa varten; pyyntösi on kirjattu niihin, ja ne poistetaan, kun säilytys päättyy.',
    sv: 'Bevaras av rättsliga skäl, inte raderade ännu: {count}. Organisationen måste behålla dessa för ett rättsligt ärende; din begäran är noterad på dem, och de raderas när bevarandet upphör.',
  },
  'mydata.onHoldErasing': {
    en: 'kept under legal hold; erased when it ends, as you asked',
    nb: 'holdes tilbake av rettslige grunner; slettes når det opphører, slik du ba om',
    fi: 'säilytetään oikeudellisista syistä; poistetaan pyyntösi mukaan, kun säilytys päättyy',
    sv: 'bevaras av rättsliga skäl; raderas när bevarandet upphör, som du begärde',
  },
  'mydata.withAnother': {
    en: 'another person also identified in it',
    nb: 'en annen person identifiserte seg også i den',
    fi: 'myös toinen henkilö tunnistautui siinä',
    sv: 'en annan person identifierade sig också i det',
  },
  'mydata.keptWithAnother': {
    en: 'Not in the copy and not erased: {count}, because another person identified in the same conversation and it holds their data too. Ask {org} for these.',
    nb: 'Ikke med i kopien og ikke slettet: {count}, fordi en annen person identifiserte seg i samme samtale, og den inneholder også deres opplysninger. Spør {org} om disse.',
    fi: 'Ei mukana kopiossa eikä poistettu: {count}, koska toinen henkilö tunnistautui samassa keskustelussa ja se sisältää myös hänen tietojaan. Kysy näistä organisaatiolta {org}.',
    sv: 'Inte med i kopian och inte raderade: {count}, eftersom en annan person identifierade sig i samma samtal och det också innehåller deras uppgifter. Fråga {org} om dessa.',
  },
  'mydata.back': {
    en: 'Back to your data',
    nb: 'Tilbake til opplysningene dine',
    fi: 'Takaisin tietoihisi',
    sv: 'Tillbaka till dina uppgifter',
  },
  'error.data_subject_required': {
    en: 'Identify again to see your data: one identification opens it for 15 minutes.',
    nb: 'Identifiser deg på nytt for å se opplysningene dine: én identifisering gir tilgang i 15 minutter.',
    fi: 'Tunnistaudu uudelleen nähdäksesi tietosi: yksi tunnistautuminen avaa ne 15 minuutiksi.',
    sv: 'Identifiera dig igen för att se dina uppgifter: en identifiering öppnar dem i 15 minuter.',
  },
  'error.erasure_not_confirmed': {
    en: 'Tick the box to confirm the erasure. Nothing was erased.',
    nb: 'Kryss av i boksen for å bekrefte slettingen. Ingenting ble slettet.',
    fi: 'Vahvista poisto rastittamalla ruutu. Mitään ei poistettu.',
    sv: 'Kryssa i rutan för att bekräfta raderingen. Inget raderades.',
  },
};
