import type { ChatBootstrap } from './protocol.js';

/** Where the widget runs, as the browser tells it. */
export interface WidgetLocation {
  /** The widget is the top window (not a frame in a host page). */
  top: boolean;
  /** `window.location.href`. */
  href: string;
  /** `document.referrer` (`''` when none). */
  referrer: string;
}

/**
 * The page's address as a referrer carries it: without a user name, password or fragment (a
 * host's OAuth token in `#access_token=…` never leaves the browser; `document.referrer` has
 * none of them already). The gateway strips them again from whatever it is sent.
 * @see https://w3c.github.io/webappsec-referrer-policy/#strip-url
 */
function asReferrer(href: string): string {
  if (!URL.canParse(href)) return href;
  const url = new URL(href);
  if (url.username === '' && url.password === '' && !href.includes('#')) return href;
  url.username = '';
  url.password = '';
  url.hash = '';
  return url.href;
}

/**
 * The page and referrer a `start` frame carries: only the kinds the tenant collects
 * (`tenants[].metadata`, told by the bootstrap), so nothing else leaves the browser. In a frame
 * the page is the host page (the frame's referrer), whose own referrer the frame cannot see.
 */
export function pageMetadata(
  collects: ChatBootstrap['collects'],
  where: WidgetLocation,
): { page?: string; referrer?: string } {
  const page = where.top ? asReferrer(where.href) : where.referrer;
  const referrer = where.top ? where.referrer : '';
  return {
    ...(collects.pages && page ? { page } : {}),
    ...(collects.referrer && referrer ? { referrer } : {}),
  };
}
