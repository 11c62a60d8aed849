import type { TenantConfig } from '../config/schema.js';
import type { ConversationMetadata } from './chat-records.js';
import { guardVisitorText } from './pii-guard.js';
import { asReferrerUrl } from './referrer-url.js';

/** The visitor's browser supplies these, so they pass the PII guard like typed text. */
const guarded = (value: string): string => guardVisitorText(value).text;

/** A page or referrer as kept: in its referrer form ({@link asReferrerUrl}), then through the PII guard. */
const keptUrl = (value: string): string => guarded(asReferrerUrl(value));

/**
 * The metadata a tenant collects with a conversation, and nothing else: each field only when
 * its `metadata` switch is on (all off by default). The page URL, referrer, user agent and
 * (through `X-Forwarded-For`, which is not checked to hold an address) the client address come
 * from the visitor's side and may carry a national identity number (a form's query string,
 * percent-encoded or not): the PII guard replaces it before anything is stored, and before the
 * user agent is cut to length, so a cut cannot leave most of a number behind. A page or referrer
 * loses its user name, password and fragment first ({@link asReferrerUrl}).
 */
export function collectMetadata(
  settings: TenantConfig['metadata'],
  connection: { ip?: string | undefined; userAgent?: string | undefined },
  start: { page?: string | undefined; referrer?: string | undefined },
): ConversationMetadata {
  return {
    ...(settings.ip && connection.ip ? { ip: guarded(connection.ip) } : {}),
    ...(settings.userAgent && connection.userAgent
      ? { userAgent: guarded(connection.userAgent).slice(0, 512) }
      : {}),
    ...(settings.pages && start.page ? { pages: [keptUrl(start.page)] } : {}),
    ...(settings.referrer && start.referrer ? { referrer: keptUrl(start.referrer) } : {}),
  };
}

/** At most this many pages are kept of a visit: the first (where the chat was started) and the latest. */
export const MAX_PAGES = 20;

/**
 * The pages of a visit after the visitor opened `page` with the conversation still open (the
 * widget on another of the host's pages, or the same page reloaded): `undefined` when nothing
 * changes (the tenant does not collect pages, or it is the page last noted). Through the PII
 * guard like the first; past {@link MAX_PAGES} the oldest after the first goes.
 */
export function visitedPages(
  settings: TenantConfig['metadata'],
  pages: readonly string[] | undefined,
  page: string,
): string[] | undefined {
  if (!settings.pages) return undefined;
  const kept = keptUrl(page);
  const before = pages ?? [];
  if (before.at(-1) === kept) return undefined;
  const next = [...before, kept];
  return next.length > MAX_PAGES ? [next[0] as string, ...next.slice(next.length - MAX_PAGES + 1)] : next;
}
