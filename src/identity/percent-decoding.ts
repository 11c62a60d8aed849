/**
 * Percent-decoding that remembers where each decoded character came from, so a national
 * identity number written `%31%34…` in a page URL can be found and its *encoded* span redacted.
 */

/** One code point of a text being normalised, with the UTF-16 span of the original it stands for. */
export interface SourcedChar {
  char: string;
  from: number;
  to: number;
}

/** Splits `text` into code points, each standing for itself. */
export function sourcedChars(text: string): SourcedChar[] {
  const chars: SourcedChar[] = [];
  let offset = 0;
  for (const char of text) {
    chars.push({ char, from: offset, to: offset + char.length });
    offset += char.length;
  }
  return chars;
}

const HEX = /^[0-9A-Fa-f]$/;

/** The byte of a `%XY` triplet starting at `i`, or undefined. */
function byteAt(chars: readonly SourcedChar[], i: number): number | undefined {
  const hi = chars[i + 1]?.char;
  const lo = chars[i + 2]?.char;
  if (chars[i]?.char !== '%' || hi === undefined || lo === undefined) return undefined;
  if (!HEX.test(hi) || !HEX.test(lo)) return undefined;
  return Number.parseInt(`${hi}${lo}`, 16);
}

/** Length of the UTF-8 sequence a lead byte starts, or 0 for a byte that cannot lead one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One pass of percent-decoding (RFC 3986 §2.1) over `chars`: every `%XY` triplet, or run of
 * triplets forming one UTF-8 encoded character, becomes that character, spanning all the
 * triplets' original text. Triplets that do not form valid UTF-8 stay as they are.
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-2.1
 */
export function percentDecodeOnce(chars: readonly SourcedChar[]): SourcedChar[] {
  const out: SourcedChar[] = [];
  let i = 0;
  while (i < chars.length) {
    const current = chars[i] as SourcedChar;
    const lead = byteAt(chars, i);
    const length = lead === undefined ? 0 : sequenceLength(lead);
    const bytes: number[] = [];
    for (let k = 0; k < length; k++) {
      const byte = byteAt(chars, i + 3 * k);
      if (byte === undefined) break;
      bytes.push(byte);
    }
    let decoded: string | undefined;
    if (length > 0 && bytes.length === length) {
      try {
        decoded = utf8.decode(Uint8Array.from(bytes));
      } catch {
        decoded = undefined;
      }
    }
    if (decoded === undefined) {
      out.push(current);
      i += 1;
      continue;
    }
    const last = chars[i + 3 * length - 1] as SourcedChar;
    out.push({ char: decoded, from: current.from, to: last.to });
    i += 3 * length;
  }
  return out;
}

/** At most this many decoding passes: enough for double encoding (`%2531`), bounded against abuse. */
const MAX_PASSES = 3;

/** Percent-decodes `chars` repeatedly (double-encoded URLs are common) until nothing changes. */
export function percentDecode(chars: readonly SourcedChar[]): SourcedChar[] {
  let current = chars;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = percentDecodeOnce(current);
    if (next.length === current.length) return next;
    current = next;
  }
  return [...current];
}
