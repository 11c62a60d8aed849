/**
 * Type declarations for the parts of `oidc-provider` v9 the mock and the gateway's own provider
 * (`src/handoff/oidc/`) use. The package ships no types and the project may not add
 * `@types/oidc-provider`, so this covers exactly the surface they touch; anything else stays
 * `unknown` on purpose.
 *
 * @see https://github.com/panva/node-oidc-provider/blob/main/docs/README.md
 */
declare module 'oidc-provider' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type JsonObject = Record<string, unknown>;

  /** The adapter contract: one instance per model name. */
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface AdapterPayload extends JsonObject {
    jti?: string;
    uid?: string;
    grantId?: string;
    userCode?: string;
    consumed?: number;
  }

  export interface ClientMetadata extends JsonObject {
    client_id: string;
  }

  export interface Client {
    clientId: string;
    clientName?: string;
  }

  /** The artefact a claims lookup is for (authorization code, access token). */
  export interface TokenLike {
    grantId?: string;
  }

  export interface Session {
    uid: string;
    accountId?: string;
    state?: { secret?: string } & JsonObject;
    grantIdFor(clientId: string): string | undefined;
    destroy(): Promise<void>;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: JsonObject, rejected: string[]): Promise<JsonObject>;
  }

  export interface Grant {
    jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    rejectOIDCClaims(claims: string[]): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface InteractionResult extends JsonObject {
    /** `ts`: authentication time (seconds), becomes `auth_time`. */
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
  }

  export interface Interaction {
    uid: string;
    exp: number;
    returnTo: string;
    params: JsonObject;
    prompt: { name: string; reasons: string[]; details: JsonObject };
    session: { accountId: string; uid?: string; cookie?: string } | undefined;
    grantId?: string;
    save(ttl: number): Promise<string>;
  }

  export interface OIDCContext {
    route?: string;
    provider: Provider;
    session: Session;
    client?: Client;
    account?: Account;
    result?: InteractionResult;
    readonly prompts: Set<string>;
    readonly requestParamOIDCScopes: Set<string>;
    readonly requestParamClaims: Set<string>;
    /** The request's recognised parameters (on `end_session`: `ui_locales` among them). */
    readonly params?: JsonObject;
    urlFor(name: string, options?: JsonObject): string;
  }

  /** The Koa context oidc-provider hands to helpers, narrowed to what the mock reads and writes. */
  export interface KoaContextWithOIDC {
    oidc: OIDCContext;
    /** Node's request and response (under Express: Express's own objects). */
    req: IncomingMessage;
    res: ServerResponse;
    method: string;
    status: number;
    body: unknown;
    type: string;
    host: string;
    set(field: string, value: string): void;
    remove(field: string): void;
  }

  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export type CheckFunction = (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>;

  export class Check {
    constructor(reason: string, description: string, error: string, check: CheckFunction);
    static readonly REQUEST_PROMPT: true;
    static readonly NO_NEED_TO_PROMPT: false;
  }

  export interface Prompt {
    name: string;
    checks: Check[] & { add(check: Check, index?: number): void; remove(reason: string): void };
  }

  export type InteractionPolicy = Prompt[] & { get(name: string): Prompt | undefined };

  export const interactionPolicy: {
    base(): InteractionPolicy;
    Check: typeof Check;
  };

  export interface ErrorOut {
    error: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface Configuration {
    adapter?: (name: string) => Adapter;
    acrValues?: string[];
    claims?: Record<string, string[] | null>;
    clients?: ClientMetadata[];
    clientAuthMethods?: string[];
    /** Further checks of a `private_key_jwt` client assertion, after its signature and claims. */
    assertJwtClientAuthClaimsAndHeader?: (
      ctx: KoaContextWithOIDC,
      claims: Record<string, unknown>,
      header: Record<string, unknown>,
      client: Client,
    ) => Promise<void>;
    conformIdTokenClaims?: boolean;
    discovery?: Record<string, unknown>;
    cookies?: {
      names?: { session?: string; interaction?: string; resume?: string };
      keys?: string[];
    };
    features?: {
      claimsParameter?: {
        enabled: boolean;
        assertClaimsParameter?: (
          ctx: KoaContextWithOIDC,
          claims: Record<string, unknown>,
          client: unknown,
        ) => Promise<void>;
      };
      devInteractions?: { enabled: boolean };
      pushedAuthorizationRequests?: { enabled: boolean; requirePushedAuthorizationRequests?: boolean };
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: KoaContextWithOIDC, form: string) => Promise<void>;
        postLogoutSuccessSource?: (ctx: KoaContextWithOIDC) => Promise<void>;
      };
      userinfo?: { enabled: boolean };
    };
    findAccount?: (ctx: KoaContextWithOIDC, sub: string, token?: TokenLike) => Promise<Account | undefined>;
    clientBasedCORS?: (ctx: KoaContextWithOIDC, origin: string, client: Client) => boolean;
    issueRefreshToken?: (ctx: KoaContextWithOIDC, client: Client, code: unknown) => Promise<boolean>;
    pairwiseIdentifier?: (ctx: KoaContextWithOIDC, accountId: string, client: Client) => Promise<string>;
    subjectTypes?: Array<'public' | 'pairwise'>;
    interactions?: {
      policy?: InteractionPolicy;
      url?: (ctx: KoaContextWithOIDC, interaction: Interaction) => Promise<string>;
    };
    jwks?: { keys: JsonObject[] };
    loadExistingGrant?: (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;
    pkce?: { required: (ctx: KoaContextWithOIDC, client: Client) => boolean };
    renderError?: (ctx: KoaContextWithOIDC, out: ErrorOut, error: Error) => Promise<void>;
    responseTypes?: string[];
    scopes?: string[];
    ttl?: Record<string, number>;
  }

  export class Provider extends EventEmitter {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Client: { find(id: string): Promise<Client | undefined> };
    readonly Grant: GrantConstructor;
    readonly Session: { findByUid(uid: string): Promise<Session | undefined> };
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: Middleware): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }

  export const errors: {
    OIDCProviderError: new (...args: never[]) => Error & { status: number; error: string };
    SessionNotFound: new (...args: never[]) => Error;
    /** `invalid_grant` (400); `detail` is logged, never sent. */
    InvalidGrant: new (
      detail?: string,
    ) => Error & { status: number; error: string };
    /** `invalid_request` (400) with `description`. */
    InvalidRequest: new (
      description?: string,
    ) => Error & { status: number; error: string };
    /** `invalid_client` (401); `detail` is logged, never sent. */
    InvalidClientAuth: new (
      detail?: string,
    ) => Error & { status: number; error: string };
  };
}
