import type {
  OidcStateIndex,
  OidcStateRepository,
  OwnedEntry,
} from '../handoff/oidc/oidc-state-repository.js';
import type { Clock } from '../runtime/clock.js';
import { SweepThreshold } from './sweep-threshold.js';

interface Entry {
  payload: Record<string, unknown>;
  expiresAt: number;
  index: OidcStateIndex;
}

/**
 * Past this many entries expired ones are swept on write (a long-running dev process), and again
 * each time the entries doubled since ({@link SweepThreshold}).
 */
const SWEEP_ABOVE = 10_000;

/**
 * The in-process OpenID Provider storage (single instance). Copies on the way in and out, so a
 * payload handed to oidc-provider cannot change what is stored, as with a real database.
 * Expiry follows the injected clock.
 */
export class MemoryOidcState implements OidcStateRepository {
  readonly #entries = new Map<string, Entry>();
  readonly #byUid = new Map<string, string>();
  readonly #byUserCode = new Map<string, string>();
  readonly #byGrant = new Map<string, Set<string>>();
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #clock: Clock;
  readonly #sweep = new SweepThreshold(SWEEP_ABOVE);

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async upsert(
    key: string,
    payload: Record<string, unknown>,
    expiresAt: number | undefined,
    index: OidcStateIndex,
  ): Promise<void> {
    this.#delete(key);
    this.#entries.set(key, {
      payload: structuredClone(payload),
      expiresAt: expiresAt ?? Number.POSITIVE_INFINITY,
      index: { ...index },
    });
    if (index.uid !== undefined) this.#byUid.set(`${index.prefix}|${index.uid}`, key);
    if (index.userCode !== undefined) this.#byUserCode.set(`${index.prefix}|${index.userCode}`, key);
    if (index.grantId !== undefined) addMember(this.#byGrant, `${index.prefix}|${index.grantId}`, key);
    if (index.owner !== undefined) addMember(this.#byOwner, `${index.prefix}|${index.owner}`, key);
    if (this.#sweep.due(this.#entries.size)) this.#sweepExpired();
  }

  async find(key: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.#live(key);
    return entry ? structuredClone(entry.payload) : undefined;
  }

  async insert(
    key: string,
    payload: Record<string, unknown>,
    expiresAt: number | undefined,
  ): Promise<boolean> {
    if (this.#live(key)) return false;
    await this.upsert(key, payload, expiresAt, { prefix: key.slice(0, key.indexOf(':')) });
    return true;
  }

  async findByUid(prefix: string, uid: string): Promise<Record<string, unknown> | undefined> {
    const key = this.#byUid.get(`${prefix}|${uid}`);
    return key === undefined ? undefined : this.find(key);
  }

  async findByUserCode(prefix: string, userCode: string): Promise<Record<string, unknown> | undefined> {
    const key = this.#byUserCode.get(`${prefix}|${userCode}`);
    return key === undefined ? undefined : this.find(key);
  }

  async consume(key: string, at: number): Promise<boolean> {
    const entry = this.#live(key);
    if (!entry || entry.payload.consumed !== undefined) return false;
    entry.payload.consumed = at;
    return true;
  }

  async destroy(key: string): Promise<void> {
    this.#delete(key);
  }

  async revokeByGrantId(prefix: string, grantId: string): Promise<void> {
    const grantKey = `${prefix}|${grantId}`;
    for (const key of this.#byGrant.get(grantKey) ?? []) this.#delete(key);
    this.#byGrant.delete(grantKey);
  }

  async findByOwner(prefix: string, owner: string): Promise<OwnedEntry[]> {
    const found: OwnedEntry[] = [];
    for (const key of [...(this.#byOwner.get(`${prefix}|${owner}`) ?? [])]) {
      const entry = this.#live(key);
      if (entry) found.push({ key, payload: structuredClone(entry.payload) });
    }
    return found;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#clock.now()) {
      this.#delete(key);
      return undefined;
    }
    return entry;
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const { prefix, uid, userCode, grantId, owner } = entry.index;
    if (uid !== undefined && this.#byUid.get(`${prefix}|${uid}`) === key)
      this.#byUid.delete(`${prefix}|${uid}`);
    if (userCode !== undefined && this.#byUserCode.get(`${prefix}|${userCode}`) === key) {
      this.#byUserCode.delete(`${prefix}|${userCode}`);
    }
    if (grantId !== undefined) removeMember(this.#byGrant, `${prefix}|${grantId}`, key);
    if (owner !== undefined) removeMember(this.#byOwner, `${prefix}|${owner}`, key);
  }

  #sweepExpired(): void {
    const now = this.#clock.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#delete(key);
    this.#sweep.swept(this.#entries.size);
  }

  /** Entries held, expired ones not yet swept included (tests, diagnostics). */
  get size(): number {
    return this.#entries.size;
  }
}

function addMember(sets: Map<string, Set<string>>, setKey: string, key: string): void {
  const members = sets.get(setKey) ?? new Set<string>();
  members.add(key);
  sets.set(setKey, members);
}

/** Removes `key` from its set, and the set once empty (a long-running process forgets them). */
function removeMember(sets: Map<string, Set<string>>, setKey: string, key: string): void {
  const members = sets.get(setKey);
  if (!members) return;
  members.delete(key);
  if (members.size === 0) sets.delete(setKey);
}
