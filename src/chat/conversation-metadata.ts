import type { TenantConfig } from '../config/schema.js';
import type { ConversationMetadata } from './chat-records.js';
import { guardVisitorText } from './pii-guard.js';

/** The visitor's browser supplies these, so they pass the PII guard like typed text. */
const guarded = (value: string): string => guardVisitorText(value).text;

/**
 * The metadata a tenant collects with a conversation, and nothing else: each field only when
 * its `metadata` switch is on (all off by default). The page URL, referrer, user agent and
 * (through `X-Forwarded-For`, which is not checked to hold an address) the client address come
 * from the visitor's side and may carry a national identity number (a form's query string,
 * percent-encoded or not): the PII guard replaces it before anything is stored, and before the
 * user agent is cut to length, so a cut cannot leave most of a number behind.
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
    ...(settings.pages && start.page ? { pages: [guarded(start.page)] } : {}),
    ...(settings.referrer && start.referrer ? { referrer: guarded(start.referrer) } : {}),
  };
}
