import { describe, expect, it } from 'vitest';
import { timeOf } from '../../../../src/web/client/dom.js';

describe('timeOf', () => {
  // 14:05 in the machine's own time zone, whatever it is.
  const afternoon = new Date(2026, 11, 7, 14, 5).toISOString();

  it('writes hours and minutes on a 24-hour clock in every page language, English too', () => {
    for (const lang of ['nb', 'fi', 'sv', 'en']) expect(timeOf(afternoon, lang)).toMatch(/^14[.:]05$/);
  });

  it('writes nothing for a time that is not one', () => {
    expect(timeOf('yesterday', 'en')).toBe('');
  });
});
