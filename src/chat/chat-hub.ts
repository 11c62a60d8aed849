import type { SharedIdentity } from '../auth/session-state.js';
import type { ChatBackend, ChatEvent } from '../backends/chat-backend.js';
import type { TenantContext } from '../tenants/tenant-context.js';

/** What the hub needs from a visitor socket. */
export interface VisitorEndpoint {
  readonly tenantId: string;
  readonly visitorId: string;
  onEvent(event: ChatEvent): void;
  setIdentity(identity: SharedIdentity | undefined): void;
  shutdown(): void;
}

/** What the hub needs from an agent socket. */
export interface AgentEndpoint {
  readonly tenantId: string;
  onEvent(event: ChatEvent): void;
  shutdown(): void;
}

/** Sockets one session may hold open (tabs); more are refused with 429 before the upgrade. */
export const MAX_CONNECTIONS_PER_SESSION = 10;

/**
 * This instance's open chat sockets, and the routing of the back end's events to them: a
 * visitor's events go only to that visitor's sockets, a tenant's to its own agents (each
 * agent socket then decides what its agent may see). Agents of another tenant are never
 * subscribed to this tenant's events at all.
 */
export class ChatHub {
  readonly #visitors = new Map<string, Set<VisitorEndpoint>>();
  readonly #agents = new Map<string, Set<AgentEndpoint>>();
  readonly #perSession = new Map<string, number>();
  readonly #unsubscribe: Array<() => void>;

  constructor(backend: ChatBackend, tenants: readonly TenantContext[]) {
    this.#unsubscribe = tenants.map((tenant) =>
      backend.subscribe(tenant.config.id, (event) => this.#route(tenant.config.id, event)),
    );
  }

  /** Whether a session may open one more socket. */
  hasRoom(sessionId: string): boolean {
    return (this.#perSession.get(sessionId) ?? 0) < MAX_CONNECTIONS_PER_SESSION;
  }

  /** Counts a session's open socket. */
  reserve(sessionId: string): void {
    this.#perSession.set(sessionId, (this.#perSession.get(sessionId) ?? 0) + 1);
  }

  /** Returns a slot taken by {@link reserve}. */
  release(sessionId: string): void {
    const count = (this.#perSession.get(sessionId) ?? 1) - 1;
    if (count <= 0) this.#perSession.delete(sessionId);
    else this.#perSession.set(sessionId, count);
  }

  addVisitor(visitor: VisitorEndpoint): void {
    const key = visitorKey(visitor.tenantId, visitor.visitorId);
    const set = this.#visitors.get(key) ?? new Set();
    set.add(visitor);
    this.#visitors.set(key, set);
  }

  removeVisitor(visitor: VisitorEndpoint): void {
    const key = visitorKey(visitor.tenantId, visitor.visitorId);
    const set = this.#visitors.get(key);
    set?.delete(visitor);
    if (set?.size === 0) this.#visitors.delete(key);
  }

  addAgent(agent: AgentEndpoint): void {
    const set = this.#agents.get(agent.tenantId) ?? new Set();
    set.add(agent);
    this.#agents.set(agent.tenantId, set);
  }

  removeAgent(agent: AgentEndpoint): void {
    this.#agents.get(agent.tenantId)?.delete(agent);
  }

  /** Tells a visitor's open sockets that their shared identity changed (shared or withdrawn). */
  setVisitorIdentity(tenantId: string, visitorId: string, identity: SharedIdentity | undefined): void {
    for (const visitor of this.#visitors.get(visitorKey(tenantId, visitorId)) ?? [])
      visitor.setIdentity(identity);
  }

  /** Closes every socket (1001) and stops listening to the back end. */
  shutdown(): void {
    for (const stop of this.#unsubscribe) stop();
    for (const set of this.#visitors.values()) for (const visitor of set) visitor.shutdown();
    for (const set of this.#agents.values()) for (const agent of set) agent.shutdown();
    this.#visitors.clear();
    this.#agents.clear();
  }

  #route(tenantId: string, event: ChatEvent): void {
    if ('visitorId' in event) {
      for (const visitor of this.#visitors.get(visitorKey(tenantId, event.visitorId)) ?? [])
        visitor.onEvent(event);
    }
    for (const agent of this.#agents.get(tenantId) ?? []) agent.onEvent(event);
  }
}

function visitorKey(tenantId: string, visitorId: string): string {
  return `${tenantId}\n${visitorId}`;
}
