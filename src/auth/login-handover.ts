import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../http/errors.js';

/**
 * A login hand-over from a top-level tab to the widget embedded on another site. The widget's
 * partitioned session cannot see the top-level tab's cookies, so the identity crosses over as a
 * one-time record: created by the widget (bound to a hash of its session id), completed by the
 * consent page of the tab (sealed shared identity and the hash of a fresh secret R), redeemed by
 * the widget with H and R. Only hashes of H and R are stored, as for step-up links.
 */
export interface HandoverRecord {
  tenantId: string;
  /** SHA-256 of the widget's session id: only that session can redeem. */
  sessionHash: string;
  /** Epoch ms (injected clock) after which the record is void. */
  expiresAt: number;
  status: 'open' | 'complete';
  /** The visitor of the widget's session that opened it (a step-up link is checked against it). */
  visitorId?: string;
  /** SHA-256 of the secret R handed to the widget's window (complete only). */
  secretHash?: string;
  /** Sealed `SharedIdentity` without receipt (complete only). */
  shared?: string;
  conversationId?: string;
}

/**
 * Where hand-overs live (memory or Redis), keyed by their tenant and the hash of H: a hand-over
 * is used under its tenant's prefix only, and under another it is not there.
 */
export interface HandoverRepository {
  /**
   * Stores or replaces a record under `record.tenantId`; it may be dropped once `expiresAt`
   * passed (`now` from the clock).
   */
  save(idHash: string, record: HandoverRecord, now: number): Promise<void>;
  /** Reads the tenant's hand-over without consuming it. */
  peek(tenantId: string, idHash: string): Promise<HandoverRecord | undefined>;
  /** Reads and deletes the tenant's hand-over in one step; a second call gets `undefined`. */
  take(tenantId: string, idHash: string): Promise<HandoverRecord | undefined>;
}

/** H and R are 32 random bytes, base64url: exactly 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newHandoverToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isHandoverToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

export function hashHandover(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** What a hand-over stores of the session it is bound to. */
export function handoverSessionHash(sessionId: string): string {
  return hashHandover(`session:${sessionId}`);
}

/** Constant-time comparison of R against the stored hash. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const left = Buffer.from(hashHandover(secret));
  const right = Buffer.from(secretHash);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function handoverInvalid(): GatewayError {
  return new GatewayError('handover_invalid');
}

/**
 * The hand-over `value` names, when it is open and unexpired in this tenant; `handover_invalid`
 * otherwise. An open hand-over carries no authority by itself: only the widget's own session can
 * redeem it, with the secret the login tab hands to its opener after consent.
 */
export async function openHandover(
  handovers: HandoverRepository,
  tenantId: string,
  now: number,
  value: unknown,
): Promise<{ handover: string; record: HandoverRecord }> {
  if (!isHandoverToken(value)) throw handoverInvalid();
  const record = await handovers.peek(tenantId, hashHandover(value));
  if (!record || record.tenantId !== tenantId || record.status !== 'open' || now >= record.expiresAt)
    throw handoverInvalid();
  return { handover: value, record };
}
