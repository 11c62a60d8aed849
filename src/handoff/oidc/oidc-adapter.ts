import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { Clock } from '../../runtime/clock.js';
import { type OidcStateRepository, revokeGrant } from './oidc-state-repository.js';

/**
 * Models whose artefacts die with their grant (revocation, a replayed authorization code). The
 * mock IdP keeps the same list; the gateway must not depend on the mock, hence the copy.
 */
const GRANT_BOUND_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/**
 * oidc-provider's adapter contract on the gateway's {@link OidcStateRepository}, one instance per
 * model name, keys scoped by tenant so tenants' providers never see each other's artefacts.
 * @see https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js
 */
export function oidcAdapterFactory(
  repository: OidcStateRepository,
  tenantId: string,
  clock: Clock,
): (model: string) => Adapter {
  return (model) => new RepositoryAdapter(repository, tenantId, model, clock);
}

class RepositoryAdapter implements Adapter {
  readonly #repository: OidcStateRepository;
  readonly #prefix: string;
  readonly #model: string;
  readonly #clock: Clock;

  constructor(repository: OidcStateRepository, prefix: string, model: string, clock: Clock) {
    this.#repository = repository;
    this.#prefix = prefix;
    this.#model = model;
    this.#clock = clock;
  }

  #key(id: string): string {
    return `${this.#prefix}:${this.#model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    if (this.#model === 'ReplayDetection') return this.#recordFirstUse(id, payload, expiresIn);
    const grantBound = GRANT_BOUND_MODELS.has(this.#model);
    await this.#repository.upsert(
      this.#key(id),
      payload,
      typeof expiresIn === 'number' ? this.#clock.now() + expiresIn * 1000 : undefined,
      {
        prefix: this.#prefix,
        ...(this.#model === 'Session' && payload.uid !== undefined ? { uid: payload.uid } : {}),
        ...(payload.userCode !== undefined ? { userCode: payload.userCode } : {}),
        ...(grantBound && payload.grantId !== undefined ? { grantId: payload.grantId } : {}),
      },
    );
  }

  /**
   * oidc-provider's replay detection (a `private_key_jwt` client assertion's or a DPoP proof's
   * `jti`) finds, then saves: two requests with one assertion could both find nothing and both
   * pass. The `jti` is stored only where there is none; the later request is refused. Which of
   * the two it carried is not known here, hence `invalid_request` rather than `invalid_client`.
   * @see RFC 7523 §3 (jti), RFC 9449 §11.1 (DPoP proof replay)
   */
  async #recordFirstUse(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const expiresAt = typeof expiresIn === 'number' ? this.#clock.now() + expiresIn * 1000 : undefined;
    if (await this.#repository.insert(this.#key(id), payload, expiresAt)) return;
    throw new errors.InvalidRequest('client assertion or DPoP proof already used');
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#repository.find(this.#key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#repository.findByUid(this.#prefix, uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#repository.findByUserCode(this.#prefix, userCode);
  }

  /**
   * oidc-provider reads a code, checks it is unconsumed, then consumes it, with store round trips
   * between: two token requests with one code (a replay racing the chat system, or its own retry)
   * could both pass the check and both get tokens. The repository lets one call consume it; the
   * other is refused as the replay it is, and what the code gave is revoked (its grant and the
   * artefacts bound to it), as oidc-provider does on a replay that comes later.
   * @see RFC 6749 §4.1.2 (a code used more than once), oidc-provider `consumeGrantSource`
   */
  async consume(id: string): Promise<void> {
    if (await this.#repository.consume(this.#key(id), Math.floor(this.#clock.now() / 1000))) return;
    const grantId = (await this.find(id))?.grantId;
    if (typeof grantId === 'string') {
      await revokeGrant(this.#repository, this.#prefix, grantId);
    }
    throw new errors.InvalidGrant(`${this.#model} already consumed`);
  }

  async destroy(id: string): Promise<void> {
    await this.#repository.destroy(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#repository.revokeByGrantId(this.#prefix, grantId);
  }
}
