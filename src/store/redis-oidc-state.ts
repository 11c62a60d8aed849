import type {
  OidcStateIndex,
  OidcStateRepository,
  OwnedEntry,
} from '../handoff/oidc/oidc-state-repository.js';
import { type RedisClient, redisCall, transaction } from './redis-connection.js';
import type { StoreCodec } from './redis-store.js';

/**
 * The OpenID Provider's storage on Redis. Every key of one tenant's provider shares the hash tag
 * `{op:<tenant>}` (one Cluster slot, so the grant's members can be deleted together); entries
 * expire with their artefact (`PXAT`); payloads are sealed (sessions and release records hold
 * personal data). Layout under the prefix: `{op:t}:e:<key>` entry, `{op:t}:uid:<uid>` and
 * `{op:t}:uc:<user code>` → entry key, `{op:t}:g:<grant id>` and `{op:t}:o:<owner>` sets of entry
 * keys, `{op:t}:c:<key>` the marker of a consumed entry ({@link RedisOidcState.consume}).
 */
export class RedisOidcState implements OidcStateRepository {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #codec: StoreCodec;

  constructor(options: { client: RedisClient; prefix: string; codec: StoreCodec }) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#codec = options.codec;
  }

  /** The tenant's hash-tagged namespace; entry keys are `{tenant}:{model}:{id}` (`oidc-adapter.ts`). */
  #space(tenant: string): string {
    return `${this.#prefix}{op:${tenant}}`;
  }
  #entry(key: string): string {
    return `${this.#space(key.slice(0, key.indexOf(':')))}:e:${key}`;
  }
  #marker(key: string): string {
    return `${this.#space(key.slice(0, key.indexOf(':')))}:c:${key}`;
  }

  async upsert(
    key: string,
    payload: Record<string, unknown>,
    expiresAt: number | undefined,
    index: OidcStateIndex,
  ): Promise<void> {
    const space = this.#space(index.prefix);
    const expiration = expiresAt === undefined ? undefined : ({ type: 'PXAT', value: expiresAt } as const);
    const options = expiration ? { expiration } : {};
    const multi = this.#client.multi().set(this.#entry(key), this.#codec.seal(payload), options);
    if (index.uid !== undefined) multi.set(`${space}:uid:${index.uid}`, key, options);
    if (index.userCode !== undefined) multi.set(`${space}:uc:${index.userCode}`, key, options);
    const sets = [
      ...(index.grantId === undefined ? [] : [`${space}:g:${index.grantId}`]),
      ...(index.owner === undefined ? [] : [`${space}:o:${index.owner}`]),
    ];
    for (const set of sets) {
      multi.sAdd(set, key);
      // The set lives as long as its longest member.
      if (expiresAt !== undefined) multi.pExpireAt(set, expiresAt, 'NX').pExpireAt(set, expiresAt, 'GT');
      else multi.persist(set);
    }
    await transaction(this.#client, () => multi.exec());
  }

  async find(key: string): Promise<Record<string, unknown> | undefined> {
    const text = await redisCall(() => this.#client.get(this.#entry(key)));
    return text === null ? undefined : this.#codec.open<Record<string, unknown>>(text);
  }

  async insert(
    key: string,
    payload: Record<string, unknown>,
    expiresAt: number | undefined,
  ): Promise<boolean> {
    const stored = await redisCall(() =>
      this.#client.set(this.#entry(key), this.#codec.seal(payload), {
        condition: 'NX',
        ...(expiresAt === undefined ? {} : { expiration: { type: 'PXAT', value: expiresAt } as const }),
      }),
    );
    return stored !== null;
  }

  async findByUid(prefix: string, uid: string): Promise<Record<string, unknown> | undefined> {
    const key = await redisCall(() => this.#client.get(`${this.#space(prefix)}:uid:${uid}`));
    return key === null ? undefined : this.find(key);
  }

  async findByUserCode(prefix: string, userCode: string): Promise<Record<string, unknown> | undefined> {
    const key = await redisCall(() => this.#client.get(`${this.#space(prefix)}:uc:${userCode}`));
    return key === null ? undefined : this.find(key);
  }

  /**
   * First wins by a marker set only if absent (`{op:t}:c:<key>`, as long-lived as the entry): the
   * sealed payload cannot be compared inside Redis, and two token requests may both have read it
   * unconsumed before either writes it back. The winner then marks the payload, keeping its TTL,
   * so a later replay finds it consumed.
   */
  async consume(key: string, at: number): Promise<boolean> {
    const entry = this.#entry(key);
    const ttl = await redisCall(() => this.#client.pTTL(entry));
    // -2: no such entry (expired, revoked).
    if (ttl === -2) return false;
    const first = await redisCall(() =>
      this.#client.set(this.#marker(key), String(at), {
        condition: 'NX',
        ...(ttl > 0 ? { expiration: { type: 'PX', value: ttl } as const } : {}),
      }),
    );
    if (first === null) return false;
    const payload = await this.find(key);
    if (!payload) return false;
    const sealed = this.#codec.seal({ ...payload, consumed: at });
    await redisCall(() => this.#client.set(entry, sealed, { KEEPTTL: true, condition: 'XX' }));
    return true;
  }

  async destroy(key: string): Promise<void> {
    await redisCall(() => this.#client.del([this.#entry(key), this.#marker(key)]));
  }

  async revokeByGrantId(prefix: string, grantId: string): Promise<void> {
    const grant = `${this.#space(prefix)}:g:${grantId}`;
    const members = await redisCall(() => this.#client.sMembers(grant));
    await redisCall(() => this.#client.del([grant, ...members.map((key) => this.#entry(key))]));
  }

  /** The owner's set read, then its entries in one MGET; members whose entry is gone are dropped from the set. */
  async findByOwner(prefix: string, owner: string): Promise<OwnedEntry[]> {
    const set = `${this.#space(prefix)}:o:${owner}`;
    const members = await redisCall(() => this.#client.sMembers(set));
    if (members.length === 0) return [];
    const texts = await redisCall(() => this.#client.mGet(members.map((key) => this.#entry(key))));
    const found: OwnedEntry[] = [];
    const gone: string[] = [];
    members.forEach((key, i) => {
      const text = texts[i];
      if (typeof text === 'string')
        found.push({ key, payload: this.#codec.open<Record<string, unknown>>(text) });
      else gone.push(key);
    });
    if (gone.length > 0) await redisCall(() => this.#client.sRem(set, gone));
    return found;
  }
}
