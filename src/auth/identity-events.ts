import { EventEmitter } from 'node:events';
import type { SharedIdentity } from './session-state.js';

/**
 * A citizen's sharing changed. The chat listens to attach the shared claims to the visitor's
 * conversations (or the one a step-up link was for) and to drop them on withdrawal, so the
 * agent's view follows at once.
 */
export type IdentityEvent =
  | { type: 'shared'; tenantId: string; visitorId: string; identity: SharedIdentity; conversationId?: string }
  | { type: 'withdrawn'; tenantId: string; visitorId: string };

/** In-process bus of identity events. */
export class IdentityEvents extends EventEmitter<{ identity: [IdentityEvent] }> {
  publish(event: IdentityEvent): void {
    this.emit('identity', event);
  }
}
