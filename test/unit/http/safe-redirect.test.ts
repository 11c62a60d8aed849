import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/http/errors.js';
import { MAX_REDIRECT_PATH_LENGTH, sameOriginPath } from '../../../src/http/safe-redirect.js';
import { FOREIGN_RETURN_TO, LOCAL_RETURN_TO } from '../../fixtures/redirect-attacks.js';

describe('sameOriginPath', () => {
  for (const [trick, value] of FOREIGN_RETURN_TO) {
    it(`refuses ${trick}: ${JSON.stringify(value.slice(0, 60))}`, () => {
      let thrown: unknown;
      try {
        sameOriginPath(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GatewayError);
      expect((thrown as GatewayError).code).toBe('return_to_invalid');
      expect((thrown as GatewayError).status).toBe(400);
    });
  }

  for (const value of LOCAL_RETURN_TO) {
    it(`accepts ${JSON.stringify(value)} unchanged`, () => {
      expect(sameOriginPath(value)).toBe(value);
    });
  }

  for (const value of [undefined, null, 42, ['/a', '/b'], { path: '/' }, '']) {
    it(`refuses the non-path ${JSON.stringify(value)}`, () => {
      expect(() => sameOriginPath(value)).toThrow(GatewayError);
    });
  }

  it('accepts a path of exactly the maximum length and refuses one character more', () => {
    const longest = `/${'a'.repeat(MAX_REDIRECT_PATH_LENGTH - 1)}`;
    expect(sameOriginPath(longest)).toBe(longest);
    expect(() => sameOriginPath(`${longest}a`)).toThrow(GatewayError);
  });

  it('accepts only values a browser resolves to themselves on the same origin', () => {
    for (const value of LOCAL_RETURN_TO) {
      const resolved = new URL(value, 'https://gateway.example');
      expect(resolved.origin).toBe('https://gateway.example');
      expect(`${resolved.pathname}${resolved.search}${resolved.hash}`).toBe(value);
    }
  });
});

describe('every redirect in src/', () => {
  it('goes through src/http/safe-redirect.ts (no res.redirect or Location header elsewhere)', () => {
    const root = join(import.meta.dirname, '../../../src');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'client') walk(path);
          continue;
        }
        if (!entry.name.endsWith('.ts') || path.endsWith(join('http', 'safe-redirect.ts'))) continue;
        const text = readFileSync(path, 'utf8');
        if (/\.redirect\(|\.location\(|['"]location['"]/i.test(text)) offenders.push(path);
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
