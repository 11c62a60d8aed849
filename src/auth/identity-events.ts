import { EventEmitter } from 'node:events';
import type { SharedIdentity } from '../identity/shared-identity.js';

/**
 * A citizen's sharing or session changed. The auth routes announce it here; the chat's one
 * listener (`src/chat/identity-changes.ts`) applies it through the conversation service, and
 * every socket learns of it on the chat bus, the same route as messages:
 * - `shared` attaches the claims to the visitor's conversations (or the step-up's one);
 * - `withdrawn` and `session-ended` (logout, idle expiry, destruction) detach them;
 * - `session-renewed` (a login rotated the session id) moves the visitor's sockets to the new id;
 * - `staff-signed-out` closes the agent sockets of that staff login at once (not at the next
 *   heartbeat).
 */
export type IdentityEvent =
  | { type: 'shared'; tenantId: string; visitorId: string; identity: SharedIdentity; conversationId?: string }
  | { type: 'withdrawn'; tenantId: string; visitorId: string }
  | {
      type: 'session-ended';
      tenantId: string;
      visitorId: string;
      /** The session that ended: only its sockets close. */
      sessionId: string;
    }
  | {
      type: 'session-renewed';
      tenantId: string;
      visitorId: string;
      previousSessionId: string;
      sessionId: string;
    }
  /** A staff member signed out of this tenant in this session: its agent sockets close. */
  | { type: 'staff-signed-out'; tenantId: string; staffSubject: string; sessionId: string };

/** Where the auth routes announce identity events (in process; the chat turns them into bus events). */
export class IdentityEvents extends EventEmitter<{ identity: [IdentityEvent] }> {
  publish(event: IdentityEvent): void {
    this.emit('identity', event);
  }
}
