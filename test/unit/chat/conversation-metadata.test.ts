import { describe, expect, it } from 'vitest';
import { collectMetadata } from '../../../src/chat/conversation-metadata.js';
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

  it('keeps nothing a switch does not allow', () => {
    expect(
      collectMetadata({ ip: false, userAgent: false, pages: false, referrer: false }, { ip: '1.2.3.4' }, {}),
    ).toEqual({});
  });
});
