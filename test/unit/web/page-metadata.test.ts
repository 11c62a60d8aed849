import { describe, expect, it } from 'vitest';
import { pageMetadata } from '../../../src/web/client/page-metadata.js';

const top = {
  top: true,
  href: 'https://kommune.example/chat?case=1',
  referrer: 'https://search.example/?q=x',
};
const framed = { top: false, href: 'https://gw.example/chat', referrer: 'https://kommune.example/skatt' };

describe('pageMetadata (what a widget start sends)', () => {
  it('sends nothing the tenant does not collect', () => {
    expect(pageMetadata({ pages: false, referrer: false }, top)).toEqual({});
    expect(pageMetadata({ pages: false, referrer: false }, framed)).toEqual({});
  });

  it('sends the page and the referrer each only when collected', () => {
    expect(pageMetadata({ pages: true, referrer: false }, top)).toEqual({ page: top.href });
    expect(pageMetadata({ pages: false, referrer: true }, top)).toEqual({ referrer: top.referrer });
    expect(pageMetadata({ pages: true, referrer: true }, top)).toEqual({
      page: top.href,
      referrer: top.referrer,
    });
  });

  it('sends the page without its user name, password and fragment, as a referrer carries it', () => {
    const page = 'https://kari:pw@kommune.example/chat?case=1#access_token=eyJ';
    expect(pageMetadata({ pages: true, referrer: false }, { ...top, href: page })).toEqual({
      page: 'https://kommune.example/chat?case=1',
    });
  });

  it('in a frame, sends the host page as the page and no referrer (the frame cannot see the host’s)', () => {
    expect(pageMetadata({ pages: true, referrer: true }, framed)).toEqual({ page: framed.referrer });
    expect(pageMetadata({ pages: true, referrer: true }, { ...top, referrer: '' })).toEqual({
      page: top.href,
    });
  });
});
