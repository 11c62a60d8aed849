import type { Catalog } from '../i18n.js';

/**
 * Texts of the staff page that puts a conversation under legal hold or releases it
 * (`/staff/conversations/hold`). Prefixed `hold.` so they stay out of the browser bundles' catalog.
 */
export const LEGAL_HOLD_MESSAGES: Catalog = {
  'hold.title': {
    en: 'Legal hold',
    nb: 'Rettslig tilbakehold (legal hold)',
    fi: 'Oikeudellinen säilytys (legal hold)',
    sv: 'Rättsligt bevarande (legal hold)',
  },
  'hold.intro': {
    en: 'A conversation under legal hold is kept as it is for a case: retention neither anonymises nor deletes it, nobody can delete it, and the citizen’s erasure passes it by. Releasing it gives it back to retention (one past its time goes at the next sweep). Your name, your role, the time and the case or reason are kept in the audit trail.',
    nb: 'En samtale under rettslig tilbakehold beholdes som den er for en sak: lagringsreglene verken anonymiserer eller sletter den, ingen kan slette den, og innbyggerens sletting hopper over den. Når tilbakeholdet oppheves, gjelder lagringsreglene igjen (en samtale som er over tiden, slettes ved neste gjennomgang). Navnet ditt, rollen din, tidspunktet og saken eller begrunnelsen lagres i revisjonsloggen.',
    fi: 'Oikeudellisessa säilytyksessä oleva keskustelu säilytetään sellaisenaan asiaa varten: säilytysajat eivät anonymisoi eivätkä poista sitä, kukaan ei voi poistaa sitä, ja kansalaisen poistopyyntö ohittaa sen. Kun säilytys puretaan, säilytysajat koskevat sitä taas (määräajan ylittänyt poistetaan seuraavalla kierroksella). Nimesi, roolisi, aika sekä asia tai perustelu tallennetaan lokiin.',
    sv: 'Ett samtal under rättsligt bevarande behålls som det är för ett ärende: lagringsreglerna varken anonymiserar eller raderar det, ingen kan radera det, och medborgarens radering hoppar över det. När bevarandet hävs gäller lagringsreglerna igen (ett samtal som passerat sin tid raderas vid nästa genomgång). Ditt namn, din roll, tidpunkten och ärendet eller motiveringen sparas i granskningsloggen.',
  },
  'hold.conversation': {
    en: 'Conversation id',
    nb: 'Samtalens id',
    fi: 'Keskustelun tunniste',
    sv: 'Samtalets id',
  },
  'hold.reason': {
    en: 'Case or reason (5–500 characters)',
    nb: 'Sak eller begrunnelse (5–500 tegn)',
    fi: 'Asia tai perustelu (5–500 merkkiä)',
    sv: 'Ärende eller motivering (5–500 tecken)',
  },
  'hold.held': {
    en: 'Under legal hold since {since} (UTC), set by {name} ({role}): {reason}',
    nb: 'Under rettslig tilbakehold siden {since} (UTC), satt av {name} ({role}): {reason}',
    fi: 'Oikeudellisessa säilytyksessä {since} (UTC) alkaen, asettanut {name} ({role}): {reason}',
    sv: 'Under rättsligt bevarande sedan {since} (UTC), satt av {name} ({role}): {reason}',
  },
  'hold.notHeld': {
    en: 'Not under legal hold.',
    nb: 'Ikke under rettslig tilbakehold.',
    fi: 'Ei oikeudellisessa säilytyksessä.',
    sv: 'Inte under rättsligt bevarande.',
  },
  'hold.anonymised': {
    en: 'It was anonymised by retention before: its texts and the visitor’s details are gone; a hold keeps what is left.',
    nb: 'Den ble anonymisert av lagringsreglene tidligere: tekstene og den besøkendes opplysninger er borte; et tilbakehold beholder det som er igjen.',
    fi: 'Säilytysajat ovat jo anonymisoineet sen: sen tekstit ja kävijän tiedot on poistettu; säilytys pitää jäljelle jääneen.',
    sv: 'Den har redan anonymiserats av lagringsreglerna: dess texter och besökarens uppgifter är borta; ett bevarande behåller det som finns kvar.',
  },
  'hold.erasureRequested': {
    en: 'The citizen asked for its erasure on {at} (UTC): it is erased when the hold is released.',
    nb: 'Innbyggeren ba om sletting {at} (UTC): samtalen slettes når tilbakeholdet oppheves.',
    fi: 'Kansalainen pyysi sen poistamista {at} (UTC): se poistetaan, kun säilytys puretaan.',
    sv: 'Invånaren begärde radering {at} (UTC): samtalet raderas när bevarandet hävs.',
  },
  'hold.hold': {
    en: 'Put under legal hold',
    nb: 'Sett under rettslig tilbakehold',
    fi: 'Aseta oikeudelliseen säilytykseen',
    sv: 'Sätt under rättsligt bevarande',
  },
  'hold.release': {
    en: 'Release the hold',
    nb: 'Opphev tilbakeholdet',
    fi: 'Pura säilytys',
    sv: 'Häv bevarandet',
  },
  'hold.doneTitle.hold': {
    en: 'Conversation under legal hold',
    nb: 'Samtalen er under rettslig tilbakehold',
    fi: 'Keskustelu on oikeudellisessa säilytyksessä',
    sv: 'Samtalet är under rättsligt bevarande',
  },
  'hold.doneTitle.release': {
    en: 'Legal hold released',
    nb: 'Tilbakeholdet er opphevet',
    fi: 'Säilytys purettu',
    sv: 'Bevarandet är hävt',
  },
  'hold.done.hold': {
    en: 'Conversation {id} is kept as it is until the hold is released.',
    nb: 'Samtale {id} beholdes som den er til tilbakeholdet oppheves.',
    fi: 'Keskustelu {id} säilytetään sellaisenaan, kunnes säilytys puretaan.',
    sv: 'Samtal {id} behålls som det är tills bevarandet hävs.',
  },
  'hold.done.release': {
    en: 'Conversation {id} is no longer held; retention applies to it again.',
    nb: 'Samtale {id} er ikke lenger holdt tilbake; lagringsreglene gjelder igjen.',
    fi: 'Keskustelua {id} ei enää säilytetä; säilytysajat koskevat sitä taas.',
    sv: 'Samtal {id} bevaras inte längre; lagringsreglerna gäller igen.',
  },
  'hold.done.releaseErased': {
    en: 'Conversation {id} is no longer held, and it has been erased, as the citizen asked while it was held.',
    nb: 'Samtale {id} er ikke lenger holdt tilbake, og den er slettet, slik innbyggeren ba om mens den var holdt tilbake.',
    fi: 'Keskustelua {id} ei enää säilytetä, ja se on poistettu, kuten kansalainen pyysi säilytyksen aikana.',
    sv: 'Samtal {id} bevaras inte längre, och det har raderats, som invånaren begärde medan det bevarades.',
  },
  'hold.unchanged.hold': {
    en: 'Conversation {id} already was under legal hold; nothing changed.',
    nb: 'Samtale {id} var allerede under rettslig tilbakehold; ingenting ble endret.',
    fi: 'Keskustelu {id} oli jo oikeudellisessa säilytyksessä; mitään ei muutettu.',
    sv: 'Samtal {id} var redan under rättsligt bevarande; inget ändrades.',
  },
  'hold.unchanged.release': {
    en: 'Conversation {id} was not under legal hold; nothing changed.',
    nb: 'Samtale {id} var ikke under rettslig tilbakehold; ingenting ble endret.',
    fi: 'Keskustelu {id} ei ollut oikeudellisessa säilytyksessä; mitään ei muutettu.',
    sv: 'Samtal {id} var inte under rättsligt bevarande; inget ändrades.',
  },
  'hold.another': {
    en: 'Another conversation',
    nb: 'En annen samtale',
    fi: 'Toinen keskustelu',
    sv: 'Ett annat samtal',
  },
  'error.hold_reason_invalid': {
    en: 'Give the case or reason in 5 to 500 characters.',
    nb: 'Oppgi saken eller begrunnelsen med 5 til 500 tegn.',
    fi: 'Anna asia tai perustelu 5–500 merkillä.',
    sv: 'Ange ärendet eller motiveringen med 5 till 500 tecken.',
  },
};
