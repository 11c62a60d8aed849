import { describe, expect, it } from 'vitest';
import { collectMetadata, MAX_PAGES, visitedPages } from '../../../src/chat/conversation-metadata.js';
import { NO_SYNTHETIC_FNR } from '../../fixtures/national-ids.js';

const ALL = { ip: true, userAgent: true, pages: true, referrer: true };

describe('collectMetadata', () => {
  it('redacts a national id in every field it keeps', () => {
    const id = `${NO_SYNTHETIC_FNR.slice(0, 6)} ${NO_SYNTHETIC_FNR.slice(6)}`;
    expect(
      collectMetadata(
        ALL,
        { ip: NO_SYNTHETIC_FNR, userAgent: `UA (${id})` },
        { page: `https://k.example/?fnr=${encodeURIComponent(id)}`, referrer: `https://s.example/${id}` },
      ),
    ).toEqual({
      ip: '[redacted]',
      userAgent: 'UA ([redacted])',
      pages: ['https://k.example/?fnr=[redacted]'],
      referrer: 'https://s.example/[redacted]',
    });
  });

  it('redacts before cutting the user agent to 512 characters, so no part of a number is left', () => {
    const userAgent = `${'x'.repeat(505)} ${NO_SYNTHETIC_FNR}`;
    const { userAgent: kept } = collectMetadata(ALL, { userAgent }, {});
    expect(kept).toBe(`${'x'.repeat(505)} [redac`);
  });

  it('keeps a page or referrer without its user name, password and fragment, as a Referer carries it', () => {
    expect(
      collectMetadata(
        ALL,
        {},
        {
          page: 'https://kari:Secret1@k.example/skjema?steg=2#access_token=eyJhbGciOi',
          referrer: 'https://s.example/?q=parkering#',
        },
      ),
    ).toEqual({ pages: ['https://k.example/skjema?steg=2'], referrer: 'https://s.example/?q=parkering' });
    expect(visitedPages(ALL, ['https://k.example/a'], 'https://k.example/b#code=xyz')).toEqual([
      'https://k.example/a',
      'https://k.example/b',
    ]);
    // Nothing to strip: kept exactly as sent.
    expect(collectMetadata(ALL, {}, { page: 'https://k.example' }).pages).toEqual(['https://k.example']);
  });

  it('keeps nothing a switch does not allow', () => {
    expect(
      collectMetadata({ ip: false, userAgent: false, pages: false, referrer: false }, { ip: '1.2.3.4' }, {}),
    ).toEqual({});
  });
});

describe('visitedPages', () => {
  const page = (i: number) => `https://k.example/p${i}`;

  it('adds a page the visitor opened, through the PII guard, but not the page noted last', () => {
    expect(visitedPages(ALL, undefined, page(1))).toEqual([page(1)]);
    expect(visitedPages(ALL, [page(1)], page(1))).toBeUndefined();
    expect(visitedPages(ALL, [page(1)], `https://k.example/?fnr=${NO_SYNTHETIC_FNR}`)).toEqual([
      page(1),
      'https://k.example/?fnr=[redacted]',
    ]);
    expect(visitedPages({ ...ALL, pages: false }, [page(1)], page(2))).toBeUndefined();
  });

  it('keeps the first page and the latest ones', () => {
    const full = Array.from({ length: MAX_PAGES }, (_, i) => page(i));
    const next = visitedPages(ALL, full, page(99));
    expect(next).toHaveLength(MAX_PAGES);
    expect(next?.[0]).toBe(page(0));
    expect(next?.[1]).toBe(page(2));
    expect(next?.at(-1)).toBe(page(99));
  });
});
