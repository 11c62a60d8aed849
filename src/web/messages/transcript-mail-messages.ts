import type { Catalog } from '../i18n.js';

/** Texts of the transcript e-mail (`transcript-mail.ts`); `mail.` keeps them out of the browser bundles. */
export const TRANSCRIPT_MAIL_MESSAGES: Catalog = {
  'mail.transcript.subject': {
    en: 'Your chat with {org} on {date}',
    nb: 'Chatten din med {org} {date}',
    fi: 'Chat-keskustelusi: {org} {date}',
    sv: 'Din chatt med {org} {date}',
  },
  'mail.transcript.heading': {
    en: 'Your chat with {org}: {topic}',
    nb: 'Chatten din med {org}: {topic}',
    fi: 'Chat-keskustelusi ({org}): {topic}',
    sv: 'Din chatt med {org}: {topic}',
  },
  'mail.transcript.times': {
    en: 'Started {start}, ended {end} (UTC).',
    nb: 'Startet {start}, avsluttet {end} (UTC).',
    fi: 'Aloitettu {start}, päättynyt {end} (UTC).',
    sv: 'Startad {start}, avslutad {end} (UTC).',
  },
  'mail.transcript.you': { en: 'You', nb: 'Du', fi: 'Sinä', sv: 'Du' },
  'mail.transcript.agent': { en: 'Agent', nb: 'Saksbehandler', fi: 'Asiakaspalvelija', sv: 'Handläggare' },
  'mail.transcript.footer': {
    en: 'You receive this e-mail because the transcript was ordered to this address in the chat. If that was not you, you can ignore it. Replies to this e-mail are not read by the chat.',
    nb: 'Du får denne e-posten fordi utskriften ble bestilt til denne adressen i chatten. Hvis det ikke var deg, kan du se bort fra den. Svar på denne e-posten leses ikke av chatten.',
    fi: 'Saat tämän viestin, koska keskustelun tallenne tilattiin tähän osoitteeseen chatissa. Jos se et ollut sinä, voit jättää viestin huomiotta. Tähän viestiin vastaamista ei lueta chatissa.',
    sv: 'Du får det här e-postmeddelandet eftersom utskriften beställdes till den här adressen i chatten. Om det inte var du kan du bortse från det. Svar på det här meddelandet läses inte i chatten.',
  },
};
