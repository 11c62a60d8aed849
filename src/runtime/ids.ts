import { randomFillSync } from 'node:crypto';

/** Random bytes for 256 ids, refilled from the CSPRNG when used up (as Node's `randomUUID` pools its own). */
const pool = Buffer.alloc(16 * 256);
let offset = pool.length;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where the id's characters are written before they become one string. */
const characters = Buffer.alloc(36);

/**
 * A random (v4) UUID as one flat string (RFC 9562 §5.4: 122 random bits, version and variant set).
 *
 * Why not `randomUUID()`: Node assembles its result by concatenation, which V8 keeps as a tree
 * of string pieces (about 490 bytes) until something reads its characters, and flattening it
 * costs a copy; ids are made for every message, on the chat's hot path. Writing the 36
 * characters into a buffer and reading them out as Latin-1 makes the flat string (about 60
 * bytes) in one step.
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.4
 */
export function newId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = pool[offset + i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    characters[at++] = HEX[byte >> 4] as number;
    characters[at++] = HEX[byte & 0x0f] as number;
    if (i === 3 || i === 5 || i === 7 || i === 9) characters[at++] = 0x2d;
  }
  offset += 16;
  return characters.toString('latin1', 0, 36);
}
