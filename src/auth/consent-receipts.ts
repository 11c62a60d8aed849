import { SignJWT } from 'jose';
import type { Loa, ShareableClaim } from '../identity/verified-identity.js';
import type { Clock } from '../runtime/clock.js';
import { newId } from '../runtime/ids.js';
import type { SigningKeys } from '../runtime/signing-keys.js';

/**
 * Proof of a citizen's decision on the consent page, signed with the gateway's key so the
 * organisation can show what was agreed, when and through which provider. It names the
 * claims, never their values; the citizen is identified only by the keyed blind index.
 */
export interface ConsentReceipt {
  id: string;
  tenantId: string;
  /** `released`: the shared claims were handed to another chat system (`recipient`). */
  decision: 'shared' | 'declined' | 'withdrawn' | 'released';
  provider: string;
  loa: Loa;
  acr: string;
  claims: ShareableClaim[];
  subjectIndex: string;
  /** Who received the claims besides the organisation's own desk (hand-off, `src/handoff/`). */
  recipient?: ReceiptRecipient;
  /** Milliseconds since the epoch. */
  issuedAt: number;
  /** Compact JWS (`typ: consent-receipt+jwt`) over the fields above. */
  jws: string;
}

/** A chat system that received claims: a vendor-token target or an OIDC relying party. */
export interface ReceiptRecipient {
  kind: 'vendor-token' | 'oidc-client';
  /** Target id or client id from the tenant's configuration. */
  id: string;
  /** Its name as shown to the citizen. */
  name: string;
}

export const RECEIPT_JWT_TYPE = 'consent-receipt+jwt';

/** Signs and stores a receipt. */
export async function issueReceipt(
  deps: { store: { receipts: ReceiptRepository }; signingKeys: SigningKeys; clock: Clock; issuer: string },
  fields: Omit<ConsentReceipt, 'id' | 'issuedAt' | 'jws'>,
): Promise<ConsentReceipt> {
  const id = newId();
  const issuedAt = deps.clock.now();
  const jws = await new SignJWT({
    tenant: fields.tenantId,
    decision: fields.decision,
    provider: fields.provider,
    loa: fields.loa,
    acr: fields.acr,
    claims: fields.claims,
    ...(fields.recipient ? { recipient: fields.recipient } : {}),
  })
    .setProtectedHeader({ alg: deps.signingKeys.alg, kid: deps.signingKeys.kid, typ: RECEIPT_JWT_TYPE })
    .setIssuer(deps.issuer)
    .setSubject(fields.subjectIndex)
    .setJti(id)
    .setIssuedAt(Math.floor(issuedAt / 1000))
    .sign(deps.signingKeys.privateKey);
  const receipt: ConsentReceipt = { ...fields, id, issuedAt, jws };
  await deps.store.receipts.save(receipt);
  return receipt;
}

/** Consent receipts: kept as proof of each decision; found again by the citizen's blind index. */
export interface ReceiptRepository {
  save(receipt: ConsentReceipt): Promise<void>;
  /** One receipt of the tenant (under another tenant it is not there). */
  get(tenantId: string, id: string): Promise<ConsentReceipt | undefined>;
  listBySubject(tenantId: string, subjectIndex: string): Promise<ConsentReceipt[]>;
}
