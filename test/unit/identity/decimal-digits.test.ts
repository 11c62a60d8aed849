import { describe, expect, it } from 'vitest';
import { decimalDigitValue } from '../../../src/identity/decimal-digits.js';

/** Every code point Unicode files as a decimal digit. */
function allDecimalDigits(): string[] {
  const digits: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const char = String.fromCodePoint(cp);
    if (/\p{Nd}/u.test(char)) digits.push(char);
  }
  return digits;
}

describe('decimalDigitValue', () => {
  // The oracle is ICU's own digit tables: Intl formats 0–9 in every numbering system it knows.
  const systems = Intl.supportedValuesOf('numberingSystem').filter((system) => {
    const zero = new Intl.NumberFormat('en', { numberingSystem: system, useGrouping: false }).format(0);
    return [...zero].length === 1 && /\p{Nd}/u.test(zero);
  });

  it('covers dozens of scripts through Intl (the oracle is not empty)', () => {
    expect(systems.length).toBeGreaterThan(40);
  });

  it.each(systems)('reads the digits of numbering system %s as 0–9', (system) => {
    const format = new Intl.NumberFormat('en', { numberingSystem: system, useGrouping: false });
    for (let value = 0; value <= 9; value++) {
      expect(decimalDigitValue(format.format(value))).toBe(value);
    }
  });

  it('gives every Unicode decimal digit a value, each value 0–9 once per run of ten', () => {
    const digits = allDecimalDigits();
    expect(digits.length).toBeGreaterThanOrEqual(650);
    const values = digits.map((d) => decimalDigitValue(d));
    expect(values.every((v) => v !== undefined && v >= 0 && v <= 9)).toBe(true);
    const zeros = values.filter((v) => v === 0).length;
    expect(zeros * 10).toBe(digits.length);
  });

  it.each([
    ['Arabic-Indic seven', '\u0667', 7],
    ['Persian four', '\u06F4', 4],
    ['Devanagari nine', '\u096F', 9],
    ['Bengali three', '\u09E9', 3],
    ['Thai five', '\u0E55', 5],
    ['fullwidth two', '\uFF12', 2],
    ['mathematical sans-serif bold eight', '\u{1D7F4}', 8],
    ['Adlam one', '\u{1E951}', 1],
  ])('reads the %s', (_, char, value) => {
    expect(decimalDigitValue(char)).toBe(value);
  });

  it.each([
    ['a Latin letter', 'a'],
    ['superscript two (a number, not a decimal digit)', '²'],
    ['circled one', '①'],
    ['Roman numeral twelve', 'Ⅻ'],
    ['CJK one', '一'],
    ['the empty string', ''],
  ])('answers undefined for %s', (_, char) => {
    expect(decimalDigitValue(char)).toBeUndefined();
  });
});
