import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * Upper bound on stored artefacts per issuer. A mock left running for days during development
 * would otherwise keep every expired interaction and session; past this size expired entries
 * are swept and, if still too many, the oldest are dropped.
 */
const MAX_ENTRIES = 10_000;

/** Models whose artefacts die with their grant (revocation, replayed authorization code). */
const GRANT_BOUND_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds after which the entry no longer exists; `Infinity` for no expiry. */
  expiresAt: number;
}

/**
 * The artefact store of one mock issuer: sessions, interactions, codes, tokens and grants.
 *
 * Its own store (rather than oidc-provider's bundled one) keeps issuers and mock instances
 * apart, drops everything on `close()`, and stores copies so a handed-out payload cannot
 * change what is stored (as a real database would behave).
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  readonly #sessionUids = new Map<string, string>();
  readonly #userCodes = new Map<string, string>();
  readonly #grants = new Map<string, Set<string>>();

  /** Builds the adapter factory oidc-provider calls once per model name. */
  adapterFactory(): (model: string) => Adapter {
    return (model) => new MemoryAdapter(model, this);
  }

  /** Forgets everything; used when the mock closes. */
  clear(): void {
    this.#entries.clear();
    this.#sessionUids.clear();
    this.#userCodes.clear();
    this.#grants.clear();
  }

  get(key: string): AdapterPayload | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return structuredClone(entry.payload);
  }

  set(model: string, key: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    this.delete(key);
    const expiresAt =
      typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    this.#entries.set(key, { payload: structuredClone(payload), expiresAt });
    if (model === 'Session' && payload.uid !== undefined) this.#sessionUids.set(payload.uid, key);
    if (payload.userCode !== undefined) this.#userCodes.set(payload.userCode, key);
    if (GRANT_BOUND_MODELS.has(model) && payload.grantId !== undefined) {
      const members = this.#grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.#grants.set(payload.grantId, members);
    }
    if (this.#entries.size > MAX_ENTRIES) this.#evict();
  }

  markConsumed(key: string): void {
    const entry = this.#entries.get(key);
    // Consumption must stick even when the code is read again: that is how a replayed
    // authorization code is detected (and its grant revoked).
    if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    const { uid, userCode, grantId } = entry.payload;
    if (uid !== undefined && this.#sessionUids.get(uid) === key) this.#sessionUids.delete(uid);
    if (userCode !== undefined && this.#userCodes.get(userCode) === key) this.#userCodes.delete(userCode);
    if (grantId !== undefined) this.#grants.get(grantId)?.delete(key);
  }

  keyForSessionUid(uid: string): string | undefined {
    return this.#sessionUids.get(uid);
  }

  keyForUserCode(userCode: string): string | undefined {
    return this.#userCodes.get(userCode);
  }

  revokeGrant(grantId: string): void {
    for (const key of this.#grants.get(grantId) ?? []) this.delete(key);
    this.#grants.delete(grantId);
  }

  #evict(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.delete(key);
    }
    // Map iteration follows insertion order, so the first keys are the oldest.
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= MAX_ENTRIES) break;
      this.delete(key);
    }
  }
}

class MemoryAdapter implements Adapter {
  readonly #model: string;
  readonly #store: MemoryStore;

  constructor(model: string, store: MemoryStore) {
    this.#model = model;
    this.#store = store;
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    this.#store.set(this.#model, this.#key(id), payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#store.get(this.#key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const key = this.#store.keyForSessionUid(uid);
    return key === undefined ? undefined : this.#store.get(key);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const key = this.#store.keyForUserCode(userCode);
    return key === undefined ? undefined : this.#store.get(key);
  }

  async consume(id: string): Promise<void> {
    this.#store.markConsumed(this.#key(id));
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#store.revokeGrant(grantId);
  }
}
