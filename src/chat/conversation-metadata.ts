import type { ConversationMetadata } from '../backends/chat-records.js';
import type { TenantConfig } from '../config/schema.js';

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
