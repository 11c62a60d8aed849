import type { ServerFeature } from '../server.js';
import { handoffRoutes } from './handoff-routes.js';

/**
 * Identity handed to a tenant's existing chat system, as a server feature: the vendor-token
 * endpoints (`./handoff-routes.ts`).
 */
export function createHandoffFeature(): ServerFeature {
  return { routes: handoffRoutes };
}
