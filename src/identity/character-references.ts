/**
 * HTML character references (`&#49;`, `&#x31;`, `&nbsp;`…) decoded with their original spans,
 * so a number pasted from HTML source or typed as references is read as the digits and
 * separators it stands for.
 * @see https://html.spec.whatwg.org/multipage/syntax.html#character-references
 */

import type { SourcedChar } from './percent-decoding.js';

/** Named references that stand for separators, invisible characters or digits' neighbours. */
const NAMED: Readonly<Record<string, string>> = {
  nbsp: '\u00A0',
  shy: '\u00AD',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  hairsp: '\u200A',
  numsp: '\u2007',
  puncsp: '\u2008',
  zwsp: '\u200B',
  zwnj: '\u200C',
  zwj: '\u200D',
  lrm: '\u200E',
  rlm: '\u200F',
  NoBreak: '\u2060',
  hyphen: '\u2010',
  dash: '\u2010',
  ndash: '\u2013',
  mdash: '\u2014',
  minus: '\u2212',
  middot: '\u00B7',
  centerdot: '\u00B7',
  bull: '\u2022',
  sol: '/',
  period: '.',
  comma: ',',
  lowbar: '_',
  plus: '+',
  amp: '&',
};

/** Longest reference considered: `&#x10FFFF;` and the longest name above. */
const MAX_REFERENCE = 10;
const DECIMAL = /^#([0-9]{1,7})$/;
const HEX = /^#[xX]([0-9A-Fa-f]{1,6})$/;

function referenceValue(body: string): string | undefined {
  const named = NAMED[body];
  if (named !== undefined) return named;
  const decimal = DECIMAL.exec(body)?.[1];
  const hex = HEX.exec(body)?.[1];
  const codePoint =
    decimal !== undefined ? Number(decimal) : hex !== undefined ? Number.parseInt(hex, 16) : -1;
  if (codePoint < 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined;
  return String.fromCodePoint(codePoint);
}

/** One pass over `chars`: every `&…;` reference known above becomes its character. */
export function decodeCharacterReferences(chars: readonly SourcedChar[]): SourcedChar[] {
  const out: SourcedChar[] = [];
  let i = 0;
  while (i < chars.length) {
    const current = chars[i] as SourcedChar;
    if (current.char === '&') {
      let body = '';
      let end = i + 1;
      while (end < chars.length && end - i <= MAX_REFERENCE + 1 && chars[end]?.char !== ';') {
        body += chars[end]?.char ?? '';
        end += 1;
      }
      const value = chars[end]?.char === ';' ? referenceValue(body) : undefined;
      if (value !== undefined) {
        out.push({ char: value, from: current.from, to: (chars[end] as SourcedChar).to });
        i = end + 1;
        continue;
      }
    }
    out.push(current);
    i += 1;
  }
  return out;
}
