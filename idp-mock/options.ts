import { z } from 'zod';
import { MockIdpConfigError } from './config-error.js';
import { ISSUER_IDS } from './issuer-ids.js';
import { type Persona, personaSchema } from './personas.js';
import { formatIssues } from './zod-issues.js';

/** Client authentication methods the mock accepts at its token endpoint. */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** A client (relying party) registered at the mock's issuers. */
export interface MockClient {
  clientId: string;
  /** Required for the `client_secret_*` methods. */
  clientSecret?: string;
  /** Exact redirect URIs; the authorization request must use one of them. */
  redirectUris: string[];
  /** Where RP-initiated logout may return to. Default: none. */
  postLogoutRedirectUris?: string[];
  /** Default `client_secret_basic`. */
  tokenEndpointAuthMethod?: (typeof CLIENT_AUTH_METHODS)[number];
  /** Public keys for `private_key_jwt`. */
  jwks?: { keys: Record<string, unknown>[] };
  /** Issuer ids this client is registered at. Default: all of them. */
  issuers?: string[];
}

/** Where the mock reports what it does. Silent when absent. */
export interface MockIdpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Options of `createMockIdp`. */
export interface MockIdpOptions {
  /** Default 3001; 0 picks a free port (what tests use). */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`: a mock IdP has no business on the network. */
  host?: string;
  /**
   * Public origin of the mock, e.g. `http://localhost:3001`. Every issuer is `${baseUrl}/${id}` and
   * every published endpoint starts with it, whatever Host header a request carries.
   * Default `http://localhost:${actualPort}`. Must be a plain `http:` origin without a path.
   */
  baseUrl?: string;
  clients: MockClient[];
  /** Added to the built-in personas; one with a built-in's id replaces it. */
  personas?: readonly Persona[];
  logger?: MockIdpLogger;
  /**
   * Private signing keys (JWK) shared by all issuers. Default: a fresh RS256 and ES256 key pair
   * per issuer, generated at start.
   */
  jwks?: { keys: Record<string, unknown>[] };
}

/** The JSON-serialisable part of the options: what the standalone config file holds. */
export type MockIdpConfig = Required<Pick<MockIdpOptions, 'clients'>> &
  Pick<MockIdpOptions, 'port' | 'host' | 'baseUrl' | 'personas'>;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

const clientSchema = z
  .strictObject({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    redirectUris: z.array(httpUrl).min(1),
    postLogoutRedirectUris: z.array(httpUrl).optional(),
    tokenEndpointAuthMethod: z.enum(CLIENT_AUTH_METHODS).optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    issuers: z.array(z.enum(ISSUER_IDS)).min(1).optional(),
  })
  .superRefine((client, ctx) => {
    const method = client.tokenEndpointAuthMethod ?? 'client_secret_basic';
    if (method === 'private_key_jwt' && client.jwks === undefined) {
      ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'required for private_key_jwt' });
    }
    if (method !== 'private_key_jwt' && client.clientSecret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: `required for ${method}` });
    }
  });

const baseUrlSchema = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as http://localhost:3001' });
    return z.NEVER;
  }
  // The mock speaks plain HTTP and does not trust proxy headers, so it cannot publish
  // https endpoints; and issuers are routed by the first path segment, so no base path.
  if (url.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'must use http:' });
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    ctx.addIssue({ code: 'custom', message: 'must be an origin without path, query or fragment' });
  }
  return url.origin;
});

/**
 * Schema of the standalone config file (and of the JSON-serialisable options). Every key:
 * - `port` (default 3001), `host` (default `127.0.0.1`), `baseUrl` (default `http://localhost:<port>`)
 * - `clients`: see `MockClient`
 * - `personas`: see `Persona`
 */
export const mockIdpConfigSchema = z
  .strictObject({
    port: z.int().min(0).max(65_535).optional(),
    host: z.string().min(1).optional(),
    baseUrl: baseUrlSchema.optional(),
    clients: z.array(clientSchema),
    personas: z.array(personaSchema).optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    for (const [index, client] of config.clients.entries()) {
      if (seen.has(client.clientId)) {
        ctx.addIssue({ code: 'custom', path: ['clients', index, 'clientId'], message: 'duplicate clientId' });
      }
      seen.add(client.clientId);
    }
    const personaIds = new Set<string>();
    for (const [index, persona] of (config.personas ?? []).entries()) {
      if (personaIds.has(persona.id)) {
        ctx.addIssue({ code: 'custom', path: ['personas', index, 'id'], message: 'duplicate persona id' });
      }
      personaIds.add(persona.id);
    }
  });

/**
 * Validates a parsed JSON config once, at start-up.
 *
 * @param source where the config came from, named in the error (file path or variable name)
 * @throws MockIdpConfigError listing every bad key, e.g. `clients.0.redirectUris: ...`
 */
export function parseMockIdpConfig(input: unknown, source = 'config'): MockIdpConfig {
  const result = mockIdpConfigSchema.safeParse(input);
  if (!result.success) {
    throw new MockIdpConfigError(
      `Invalid mock IdP config (${source}):\n${formatIssues(result.error.issues)}`,
    );
  }
  return result.data;
}
