import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/http/errors.js';
import {
  MAX_REDIRECT_PATH_LENGTH,
  redirectToProvider,
  sameOriginPath,
} from '../../../src/http/safe-redirect.js';
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

describe('redirectToProvider', () => {
  /** The Location and status a redirect would send, or the error it throws. */
  function outcome(href: string): { status: number; location: string } | { code: string } {
    let sent: { status: number; location: string } | undefined;
    const res = {
      redirect(status: number, location: string) {
        sent = { status, location };
      },
    } as unknown as Response;
    try {
      redirectToProvider(res, new URL(href));
    } catch (error) {
      return { code: (error as { code: string }).code };
    }
    return sent ?? { code: 'none' };
  }

  it.each([
    'https://broker.example/authorize?state=s',
    'http://127.0.0.1:3001/bankid-no/auth?state=s',
    'http://localhost:3001/staff/session/end',
    'http://[::1]:3001/auth',
  ])('sends the browser to %s (https, or http on loopback)', (href) => {
    expect(outcome(href)).toEqual({ status: 303, location: href });
  });

  it.each([
    'http://broker.example/authorize?state=s',
    'http://10.0.0.5/authorize',
    'http://127.0.0.1.nip.io/authorize',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'ftp://broker.example/authorize',
  ])('refuses %s with provider_unavailable (a broker endpoint in clear or not on the web)', (href) => {
    expect(outcome(href)).toEqual({ code: 'provider_unavailable' });
  });
});
