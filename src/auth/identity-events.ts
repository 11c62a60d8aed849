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

/**
 * The end of a citizen's sharing in a browser: a withdrawal, the end of the session (logout), or
 * another person's login there. What was released from that browser to other systems ends with it.
 */
export interface SharingEnd {
  tenantId: string;
  visitorId: string;
  /** `other-person`: someone else identified in the browser (their releases stay, see `keepSubject`). */
  reason: 'withdrawn' | 'session-ended' | 'other-person';
  /**
   * The blind index of a person whose releases stay: another person's login in the browser ends
   * only the sharing of whoever identified there before.
   */
  keepSubject?: string;
}

/**
 * Ends what a browser's identity was released as beyond the gateway's own chat (the OpenID
 * Provider's grants to chat systems, `src/handoff/`). Resolves how many live releases it ended.
 */
export type ReleaseRevoker = (end: SharingEnd) => Promise<number>;

/** The longest wait between two tries of {@link IdentityEvents.applyUntilDone}. */
const MAX_RETRY_MS = 30_000;

/** Applies an identity event to the chat and resolves how many conversations it changed. */
export type IdentityApplier = (event: IdentityEvent) => Promise<number>;

/** Told when an event {@link IdentityEvents.publish} started could not be applied. */
export type IdentityApplyFailed = (error: unknown, event: IdentityEvent) => void;

/** Where the auth routes announce identity events (in process; the chat turns them into bus events). */
export class IdentityEvents {
  readonly #revokers = new Set<ReleaseRevoker>();
  readonly #appliers = new Map<IdentityApplier, IdentityApplyFailed>();
  readonly #retries = new Set<NodeJS.Timeout>();
  #closed = false;

  /**
   * Starts applying `event` without waiting for it (an announcement nobody answers on): a
   * failure goes to the `failed` its applier was registered with.
   */
  publish(event: IdentityEvent): void {
    for (const [applier, failed] of this.#appliers)
      applier(event).catch((error: unknown) => failed(error, event));
  }

  /**
   * Registers what applies an event to the chat, for {@link publish} and {@link apply}, with what
   * is told of a failure of a published event; returns the function that removes it.
   */
  onApply(applier: IdentityApplier, failed: IdentityApplyFailed): () => void {
    this.#appliers.set(applier, failed);
    return () => this.#appliers.delete(applier);
  }

  /**
   * Applies `event` as {@link publish} does, but resolves only once it is applied, and rejects
   * when that failed (the store unavailable): awaited by the withdrawal, so its answer comes
   * after no conversation shows the identity to an agent any more, and a failure is answered
   * (503, to retry) rather than only logged while the agent goes on seeing the name. Resolves
   * how many conversations it changed.
   */
  async apply(event: IdentityEvent): Promise<number> {
    let changed = 0;
    for (const applier of this.#appliers.keys()) changed += await applier(event);
    return changed;
  }

  /**
   * Applies `event` with nobody to answer (a session Redis expired): when that fails (the store
   * restarting) it is tried again after a wait doubling from `firstRetryMs` up to 30 s, until it
   * succeeds or {@link close}. The expiry is heard once, by the instance that takes its owner
   * key, so one failed try would otherwise leave the identity with the agent for good.
   * `failed` is told of each failure and the wait before the next try.
   */
  applyUntilDone(
    event: IdentityEvent,
    failed: (error: unknown, retryInMs: number) => void,
    firstRetryMs = 1_000,
  ): void {
    const attempt = (n: number) => {
      if (this.#closed) return;
      this.apply(event).catch((error: unknown) => {
        if (this.#closed) return;
        const waitMs = Math.min(firstRetryMs * 2 ** n, MAX_RETRY_MS);
        failed(error, waitMs);
        const timer = setTimeout(() => {
          this.#retries.delete(timer);
          attempt(n + 1);
        }, waitMs);
        // Never what keeps the process alive.
        timer.unref();
        this.#retries.add(timer);
      });
    };
    attempt(0);
  }

  /** Stops the retries of {@link applyUntilDone} (the gateway closing). */
  close(): void {
    this.#closed = true;
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
  }

  /** Registers a revoker (the hand-off feature's); returns the function that removes it. */
  onSharingEnd(revoker: ReleaseRevoker): () => void {
    this.#revokers.add(revoker);
    return () => this.#revokers.delete(revoker);
  }

  /**
   * Runs every revoker and resolves once they are done: unlike {@link publish}, awaited by the
   * withdrawal and the logout, so their answer comes after the released tokens stopped working.
   * Resolves how many live releases ended.
   */
  async endSharing(end: SharingEnd): Promise<number> {
    let ended = 0;
    for (const revoker of this.#revokers) ended += await revoker(end);
    return ended;
  }
}
