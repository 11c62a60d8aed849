import type { IncomingMessage } from 'node:http';
import type { ConversationMetadata } from '../backends/chat-records.js';
import { LANGUAGES, type Language, type TenantConfig } from '../config/schema.js';
import { isLanguage } from '../web/i18n.js';

/**
 * The language of a socket's texts (topic titles, provider labels): `?lang=` on the socket URL,
 * then the `lang` cookie the pages set, then `Accept-Language`, then the default — the order
 * the pages use (`src/http/language.ts`), so the widget and its socket agree.
 */
export function socketLanguage(req: IncomingMessage, fallback: Language): Language {
  const query = new URL(req.url ?? '/', 'http://socket.invalid').searchParams.get('lang');
  if (isLanguage(query)) return query;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, value] = part.trim().split('=');
    if (key === 'lang' && isLanguage(value)) return value;
  }
  for (const entry of (req.headers['accept-language'] ?? '').split(',')) {
    const tag = entry.split(';')[0]?.trim().toLowerCase().split('-')[0];
    if (tag === 'no' || tag === 'nn') return 'nb';
    if (tag && (LANGUAGES as readonly string[]).includes(tag)) return tag as Language;
  }
  return fallback;
}

/**
 * The client address as Express would compute it for `trustProxy`: without a trusted proxy
 * the socket's peer; with a hop count, that many entries from the right of X-Forwarded-For;
 * with `true` (or a subnet list, approximated here) the left-most entry.
 */
export function clientAddress(
  req: IncomingMessage,
  trustProxy: boolean | number | string,
): string | undefined {
  const peer = req.socket.remoteAddress;
  if (trustProxy === false || trustProxy === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (forwarded.length === 0) return peer;
  if (typeof trustProxy === 'number') return forwarded[Math.max(0, forwarded.length - trustProxy)] ?? peer;
  return forwarded[0];
}

/**
 * The metadata a tenant collects with a conversation, and nothing else: each field only when
 * its `metadata` switch is on (all off by default).
 */
export function collectMetadata(
  settings: TenantConfig['metadata'],
  connection: { ip?: string | undefined; userAgent?: string | undefined },
  start: { page?: string | undefined; referrer?: string | undefined },
): ConversationMetadata {
  return {
    ...(settings.ip && connection.ip ? { ip: connection.ip } : {}),
    ...(settings.userAgent && connection.userAgent ? { userAgent: connection.userAgent.slice(0, 512) } : {}),
    ...(settings.pages && start.page ? { pages: [start.page] } : {}),
    ...(settings.referrer && start.referrer ? { referrer: start.referrer } : {}),
  };
}
