import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/http/errors.js';
import { FieldCrypto } from '../../../src/privacy/field-crypto.js';

const crypto = new FieldCrypto('field-crypto-test-key-0123456789abcdef');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isGatewayError(error) ? error.code : 'not a GatewayError';
  }
  return undefined;
}

describe('FieldCrypto', () => {
  it('opens what it sealed, and another key cannot', () => {
    const value = { name: 'Kari Nordmann', claims: ['name'], n: 3 };
    const sealed = crypto.seal(value);
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(sealed).not.toContain('Kari');
    expect(crypto.open(sealed)).toEqual(value);
    const other = new FieldCrypto('another-field-crypto-key-0123456789abcdef');
    expect(codeOf(() => other.open(sealed))).toBe('sealed_data_invalid');
  });

  it('never repeats an IV, also across refills of its random pool', () => {
    const ivs = new Set<string>();
    const count = 2_000;
    for (let i = 0; i < count; i++) ivs.add(crypto.seal(i).split('.')[1] as string);
    expect(ivs.size).toBe(count);
  });

  it('refuses a tampered body, IV or version', () => {
    const [version, iv, body] = crypto.seal({ text: 'hello' }).split('.') as [string, string, string];
    const flip = (text: string) => `${text.slice(0, -2)}${text.at(-2) === 'A' ? 'B' : 'A'}${text.at(-1)}`;
    expect(codeOf(() => crypto.open(`${version}.${iv}.${flip(body)}`))).toBe('sealed_data_invalid');
    expect(codeOf(() => crypto.open(`${version}.${flip(iv)}.${body}`))).toBe('sealed_data_invalid');
    expect(codeOf(() => crypto.open(`v2.${iv}.${body}`))).toBe('sealed_data_invalid');
  });
});
