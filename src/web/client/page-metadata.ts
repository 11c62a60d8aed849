import { asReferrerUrl } from '../../chat/referrer-url.js';
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
 * The page and referrer a `start` frame carries: only the kinds the tenant collects
 * (`tenants[].metadata`, told by the bootstrap), so nothing else leaves the browser. In a frame
 * the page is the host page (the frame's referrer), whose own referrer the frame cannot see.
 */
export function pageMetadata(
  collects: ChatBootstrap['collects'],
  where: WidgetLocation,
): { page?: string; referrer?: string } {
  // The page's address as a referrer carries it (`document.referrer` has that form already); the
  // gateway strips it again from whatever it is sent.
  const page = where.top ? asReferrerUrl(where.href) : where.referrer;
  const referrer = where.top ? where.referrer : '';
  return {
    ...(collects.pages && page ? { page } : {}),
    ...(collects.referrer && referrer ? { referrer } : {}),
  };
}
