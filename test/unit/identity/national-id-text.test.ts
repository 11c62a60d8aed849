import { describe, expect, it } from 'vitest';
import {
  findNationalIds,
  redactNationalIds,
  TAIL_CHARACTERS,
} from '../../../src/identity/national-id-text.js';
import {
  FI_INVALID_CHECKSUM,
  FI_TEST_HETU,
  FI_TEST_HETU_2016,
  NO_INVALID_CHECKSUM,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_DNR_1990,
  NO_SYNTHETIC_FNR,
  NO_SYNTHETIC_FNR_2005,
  withFinnishControlCharacter,
  withNorwegianControlDigits,
} from '../../fixtures/national-ids.js';
import {
  DIGIT_ZEROS,
  groupings,
  HETU_SIGNS,
  inScript,
  percentEncodeAll,
  randomHetu,
  randomNorwegianId,
  SEPARATORS,
  seededRandom,
  superscript,
  withCombiningMarks,
} from '../../helpers/national-id-variants.js';

const MARK = '[redacted]';
const redact = (text: string, tail = '') => redactNationalIds(text, MARK, tail);

/** A fødselsnummer and a D-number that are not synthetic, completed by the independent oracle. */
function completed(date: string): string {
  for (let individual = 400; individual < 500; individual++) {
    const id = withNorwegianControlDigits(`${date}${individual}`);
    if (id) return id;
  }
  throw new Error(`no valid number for ${date}`);
}
const NO_FNR = completed('150385');
const NO_DNR = completed('550385');
/** Valid only under the control-digit rule of 2032 (k1 leaves remainder 1–3). */
const NO_2032 = '30108299939';

const NORWEGIAN = [
  NO_SYNTHETIC_FNR,
  NO_SYNTHETIC_FNR_2005,
  NO_SYNTHETIC_DNR,
  NO_SYNTHETIC_DNR_1990,
  NO_FNR,
  NO_DNR,
  NO_2032,
];
/** A hetu with every century sign, the 2023 ones (Y X W V U, B–F) included. */
const HETU_BY_SIGN = HETU_SIGNS.map((sign) => withFinnishControlCharacter('010594', sign, '903'));
const FINNISH = [FI_TEST_HETU, FI_TEST_HETU_2016, '131052-308T', ...HETU_BY_SIGN];

/** Parts of a hetu: date, sign, individual number, control character. */
const hetuParts = (hetu: string) =>
  [hetu.slice(0, 6), hetu.charAt(6), hetu.slice(7, 10), hetu.charAt(10)] as const;

describe('redactNationalIds: the numbers it must find', () => {
  it('has non-synthetic fixtures from the oracle', () => {
    expect([NO_FNR, NO_DNR].every((v) => /^\d{11}$/.test(v))).toBe(true);
  });

  it.each(NORWEGIAN)('redacts the Norwegian number %s written plainly, with its whole span', (id) => {
    expect(redact(`Mitt nummer er ${id}, takk.`)).toMatchObject({
      text: `Mitt nummer er ${MARK}, takk.`,
      redacted: 1,
    });
  });

  it.each(FINNISH)('redacts the hetu %s in upper and lower case', (id) => {
    expect(redact(`Hetu ${id}.`).text).toBe(`Hetu ${MARK}.`);
    expect(redact(`Hetu ${id.toLowerCase()}.`).text).toBe(`Hetu ${MARK}.`);
  });

  it.each(Object.entries(SEPARATORS))(
    'redacts Norwegian numbers grouped with "%s", separators included',
    (_, separator) => {
      for (const id of NORWEGIAN) {
        for (const groups of groupings(id)) {
          const text = `Nummer: ${groups.join(separator)} takk`;
          expect(redact(text), JSON.stringify(text)).toMatchObject({
            text: `Nummer: ${MARK} takk`,
            redacted: 1,
          });
        }
      }
    },
  );

  it.each(Object.entries(SEPARATORS))(
    'redacts hetus written with "%s" between their parts',
    (_, separator) => {
      for (const id of FINNISH) {
        const [date, sign, individual, control] = hetuParts(id);
        const forms = [
          `${date.slice(0, 2)}${separator}${date.slice(2, 4)}${separator}${date.slice(4)}${sign}${individual}${control}`,
          `${date}${sign}${individual}${separator}${control}`,
          `${date}${sign}${individual.slice(0, 1)}${separator}${individual.slice(1)}${control}`,
          // The sign itself surrounded by separators: "010594 Y 9032", "131052 - 308T".
          `${date}${separator}${sign}${separator}${individual}${control}`,
        ];
        for (const form of forms) {
          expect(redact(`hetu ${form}!`), JSON.stringify(form)).toMatchObject({
            text: `hetu ${MARK}!`,
            redacted: 1,
          });
        }
      }
    },
  );

  it.each([
    ['hyphen U+2010', '\u2010'],
    ['non-breaking hyphen U+2011', '\u2011'],
    ['en dash', '\u2013'],
    ['em dash', '\u2014'],
    ['minus sign', '\u2212'],
    ['fullwidth hyphen-minus', '\uFF0D'],
    ['small hyphen-minus', '\uFE63'],
    ['spaced en dash', ' \u2013 '],
  ])('reads a %s as the hetu century sign "-"', (_, dash) => {
    expect(redact(`hetu 131052${dash}308T`).text).toBe(`hetu ${MARK}`);
  });

  it.each(Object.entries(DIGIT_ZEROS))('redacts numbers written in %s digits', (_, zero) => {
    for (const id of [...NORWEGIAN, ...FINNISH]) {
      const text = `nr ${inScript(id, zero)} ok`;
      expect(redact(text), JSON.stringify(text)).toMatchObject({ text: `nr ${MARK} ok`, redacted: 1 });
    }
  });

  it.each([
    ['superscript digits', superscript],
    ['a combining accent on every digit', withCombiningMarks],
    ['keycap emoji digits', (id: string) => id.replace(/[0-9]/g, (d) => `${d}\uFE0F\u20E3`)],
    ['circled digits', (id: string) => id.replace(/[1-9]/g, (d) => String.fromCodePoint(0x245f + Number(d)))],
    [
      'fullwidth digits and letters',
      (id: string) => id.replace(/[0-9A-Z-]/g, (c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0)),
    ],
    [
      'Cyrillic look-alike letters',
      (id: string) => id.replace('Y', 'У').replace('C', 'С').replace('A', 'А').replace('X', 'Х'),
    ],
    [
      'one digit script per digit',
      (id: string) =>
        id.replace(/[0-9]/g, (d, i: number) => inScript(d, Object.values(DIGIT_ZEROS)[i % 21] as number)),
    ],
  ])('redacts numbers written with %s', (_, write) => {
    for (const id of [...NORWEGIAN, ...FINNISH]) {
      const text = `(${write(id)})`;
      expect(redact(text), JSON.stringify(text)).toMatchObject({ text: `(${MARK})`, redacted: 1 });
    }
  });

  it.each([
    ['percent-encoded digits', (id: string) => percentEncodeAll(id)],
    ['percent-encoded separators', (id: string) => `${id.slice(0, 6)}%20%E2%80%93%20${id.slice(6)}`],
    ['percent-encoded twice', (id: string) => percentEncodeAll(id).replace(/%/g, '%25')],
    ['a form-encoded space', (id: string) => `${id.slice(0, 6)}+${id.slice(6)}`],
    ['percent-encoded fullwidth digits', (id: string) => percentEncodeAll(inScript(id, 0xff10))],
  ])('redacts a Norwegian number in a page URL with %s', (_, write) => {
    for (const id of NORWEGIAN) {
      const url = `https://www.kommune.example/skjema?fnr=${write(id)}&step=2`;
      expect(redact(url).text, url).toBe(`https://www.kommune.example/skjema?fnr=${MARK}&step=2`);
    }
  });

  it.each([
    ['decimal references', (id: string) => Array.from(id, (c) => `&#${c.codePointAt(0)};`).join('')],
    [
      'hex references',
      (id: string) => Array.from(id, (c) => `&#x${c.codePointAt(0)?.toString(16)};`).join(''),
    ],
    ['named separators', (id: string) => `${id.slice(0, 6)}&nbsp;${id.slice(6, 8)}&shy;${id.slice(8)}`],
    ['a reference percent-encoded', (id: string) => `${id.slice(0, 6)}%26ndash%3B${id.slice(6)}`],
  ])('redacts numbers written with HTML character references: %s', (_, write) => {
    for (const id of [...NORWEGIAN, ...FINNISH]) {
      const text = `<p>${write(id)}</p>`;
      expect(redact(text).text, text).toBe(`<p>${MARK}</p>`);
    }
  });

  it('redacts a percent-encoded hetu in a referrer', () => {
    const url = `https://search.example/?q=${percentEncodeAll(FI_TEST_HETU.toLowerCase())}`;
    expect(redact(url).text).toBe(`https://search.example/?q=${MARK}`);
  });

  it('finds a number glued to a label, and reports it as a span of the original', () => {
    const text = `fnr:${NO_SYNTHETIC_DNR} nr${NO_SYNTHETIC_FNR}`;
    expect(findNationalIds(text)).toEqual([
      { start: 4, end: 15, country: 'NO' },
      { start: 18, end: 29, country: 'NO' },
    ]);
    expect(findNationalIds(`hetu ${FI_TEST_HETU}`)).toEqual([{ start: 5, end: 16, country: 'FI' }]);
  });

  it('redacts every number of a text and counts them', () => {
    const text = `fnr ${NO_SYNTHETIC_DNR}, hetu 010594y9032 og ${NO_SYNTHETIC_FNR.slice(0, 6)} ${NO_SYNTHETIC_FNR.slice(6)}`;
    expect(redact(text)).toMatchObject({ text: `fnr ${MARK}, hetu ${MARK} og ${MARK}`, redacted: 3 });
  });

  it('redacts a hetu written without any century sign, as a word of its own with a letter as control', () => {
    // 131052-308T (1900s) and 020516C903K (2000s) with the sign left out, in either case.
    for (const text of ['131052308T', 'hetu 131052308t.', `(${FI_TEST_HETU_2016.replace('C', '')})`]) {
      expect(redact(text), text).toMatchObject({ redacted: 1 });
      expect(redact(text).text, text).not.toMatch(/308|903/);
    }
    // Spread out, glued to more, followed by a word, or with a wrong control letter, it is not
    // one (nine digits followed by a word must not lose the word's first letter).
    for (const text of ['131052 308 T', '131052308Tampere', '9131052308T', '131052308 Takk', '131052308U'])
      expect(redact(text), text).toMatchObject({ text, redacted: 0 });
  });

  it('uses the replacement it is given', () => {
    expect(redactNationalIds(`${NO_SYNTHETIC_DNR}!`, '***')).toMatchObject({ text: '***!', redacted: 1 });
  });
});

describe('redactNationalIds: numbers inside longer runs (conservative toward redaction)', () => {
  it.each([
    ['digits glued before and after', `12${NO_SYNTHETIC_DNR}34`, `12${MARK}34`],
    ['a 20-digit run holding a valid window', `123${NO_SYNTHETIC_FNR}456789`, `123${MARK}456789`],
    ['another number before it, space-separated', `sak 2024 ${NO_SYNTHETIC_FNR}`, `sak 2024 ${MARK}`],
    ['two numbers back to back', `${NO_SYNTHETIC_FNR}${NO_SYNTHETIC_DNR}`, `${MARK}${MARK}`],
    ['a hetu followed by letters', `${FI_TEST_HETU}abc`, `${MARK}abc`],
    ['a hetu followed by digits', `${FI_TEST_HETU}7`, `${MARK}7`],
    ['a hetu after digits', `99${FI_TEST_HETU}`, `99${MARK}`],
  ])('redacts only the number when %s', (_, text, expected) => {
    expect(redact(text).text).toBe(expected);
  });
});

describe('redactNationalIds: what it must leave alone', () => {
  it.each([
    'Ring meg på +47 912 34 567 eller 91234567.',
    'Numrene 22 33 44 55, 91 23 45 67.',
    'Soita 040 123 4567 tai +358 40 123 4567.',
    'Født 14.03.1985 kl 10:30.',
    'Beløp kr 1 234 567,89.',
    'Org.nr 974 760 673.',
    'Konto NO93 8601 1117 947.',
    'Kort 4111 1111 1111 1111.',
    'Saksnr 2024/123456 og 2024/654321.',
    'IBAN FI21 1234 5600 0007 85.',
    '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20',
    `Ordrenummer ${NO_INVALID_CHECKSUM}, ${FI_INVALID_CHECKSUM}, 12345678901, 31029900054.`,
    // Nine digits and a digit as control character, without any century sign: a phone number
    // as often as a hetu (see national-id-scan.ts).
    '0105949032',
    'Hei, jeg trenger hjelp med søknaden.',
    '',
  ])('leaves %j unchanged', (text) => {
    expect(redact(text)).toMatchObject({ text, redacted: 0 });
  });

  it('does not join digits across more than six separators or across a word', () => {
    expect(redact(`${NO_SYNTHETIC_FNR.slice(0, 6)}       ${NO_SYNTHETIC_FNR.slice(6)}`).redacted).toBe(0);
    expect(redact(`${NO_SYNTHETIC_FNR.slice(0, 6)} og ${NO_SYNTHETIC_FNR.slice(6)}`).redacted).toBe(0);
  });
});

describe('redactNationalIds: generated variants', () => {
  const random = seededRandom(20261123);
  const separators = Object.values(SEPARATORS);
  const zeros = Object.values(DIGIT_ZEROS);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  /** Writes `id` with a random separator after some characters and each digit in a random script. */
  function disguise(id: string): string {
    let out = '';
    for (const [i, char] of Array.from(id).entries()) {
      out += /[0-9]/.test(char) ? inScript(char, pick(zeros)) : random() < 0.5 ? char.toLowerCase() : char;
      if (i < id.length - 1 && random() < 0.3) out += pick(separators);
    }
    return out;
  }

  const cases = Array.from({ length: 400 }, (_, i) =>
    i % 2 === 0 ? randomNorwegianId(random) : randomHetu(random, pick(HETU_SIGNS)),
  ).map((id) => [id, disguise(id)] as const);

  it('redacts 400 valid numbers, each with random separators and digit scripts, exactly', () => {
    for (const [id, written] of cases) {
      const text = `Hei! Nummeret er ${written}. Takk`;
      expect(redact(text), `${id} as ${JSON.stringify(written)}`).toMatchObject({
        text: `Hei! Nummeret er ${MARK}. Takk`,
        redacted: 1,
      });
    }
  });
});

describe('redactNationalIds: a number split over two messages', () => {
  const boundaries = [
    ['', ''],
    ['-', ''],
    ['', ' '],
    [' ', '\n'],
    ['\u2013', ''],
    ['\u200B', '\u00A0'],
  ] as const;

  it.each([...NORWEGIAN, FI_TEST_HETU, FI_TEST_HETU_2016, '131052-308T'])(
    'redacts the second part of %s at every split point and with separators at the split',
    (id) => {
      for (let at = 1; at < id.length; at++) {
        for (const [end, start] of boundaries) {
          const first = redact(`Nummeret mitt er ${id.slice(0, at)}${end}`);
          expect(first.redacted).toBe(0);
          const second = redact(`${start}${id.slice(at)} takk`, first.tail);
          expect(second, `${id.slice(0, at)}${end} | ${start}${id.slice(at)}`).toMatchObject({
            text: `${MARK} takk`,
            redacted: 1,
          });
        }
      }
    },
  );

  it('catches a number split over three messages', () => {
    const one = redact(`fnr ${NO_SYNTHETIC_FNR.slice(0, 4)}`);
    const two = redact(NO_SYNTHETIC_FNR.slice(4, 8), one.tail);
    expect(two.redacted).toBe(0);
    expect(redact(`${NO_SYNTHETIC_FNR.slice(8)}.`, two.tail).text).toBe(`${MARK}.`);
  });

  it('does not carry a number that was already redacted into the next message', () => {
    const first = redact(`fnr ${NO_SYNTHETIC_FNR}`);
    expect(redact(NO_SYNTHETIC_FNR.slice(6)), first.tail).toMatchObject({ redacted: 0 });
  });

  it('ends the tail at a word, and keeps at most ten digits and letters: never a whole number', () => {
    expect(redact('Hei').tail).toBe('');
    expect(redact('fnr er 148385').tail).toBe(' 148385');
    expect(redact('hetu 010594Y').tail).toBe(' 010594Y');
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: 40 }, () =>
        '0123456789 -.AYx'.charAt(Math.floor(random() * 16)),
      ).join('');
      const { tail } = redact(text);
      expect(tail.replace(/[ +-]/g, '').length).toBeLessThanOrEqual(TAIL_CHARACTERS);
      expect(findNationalIds(tail)).toEqual([]);
    }
  });
});
