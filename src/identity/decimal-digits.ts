/**
 * The value of any Unicode decimal digit (`\p{Nd}`): ASCII, Arabic-Indic, Devanagari, Bengali,
 * Thai, fullwidth, mathematical, Adlam… not only a listed few.
 *
 * Unicode's stability policy guarantees that characters with Numeric_Type=Decimal are encoded
 * in contiguous runs of ten, ascending from zero to nine. So the value of a decimal digit is its
 * distance, modulo ten, from the first code point of the contiguous `\p{Nd}` stretch it lies in
 * (adjacent runs, like the fifty mathematical digits U+1D7CE–U+1D7FF, stay aligned on ten).
 * @see https://www.unicode.org/policies/stability_policy.html#Property_Value (Numeric_Type=Decimal)
 */

const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** Values already worked out, by code point (a chat sees few distinct scripts). */
const values = new Map<number, number>();

function isDecimal(codePoint: number): boolean {
  return DECIMAL_DIGIT.test(String.fromCodePoint(codePoint));
}

/**
 * The numeric value 0–9 of `char` (one code point) when it is a Unicode decimal digit,
 * otherwise `undefined`.
 */
export function decimalDigitValue(char: string): number | undefined {
  const codePoint = char.codePointAt(0);
  if (codePoint === undefined || !DECIMAL_DIGIT.test(char)) return undefined;
  const known = values.get(codePoint);
  if (known !== undefined) return known;
  let zero = codePoint;
  while (zero > 0 && isDecimal(zero - 1)) zero -= 1;
  const value = (codePoint - zero) % 10;
  values.set(codePoint, value);
  return value;
}
