import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendHtml, setSecurityHeaders } from './http-responses.js';
import { handleInteraction, type InteractionAction } from './interaction-routes.js';
import { createIssuerHost, type IssuerHost } from './issuer-host.js';
import { ISSUER_IDS, type IssuerId } from './issuer-ids.js';
import { ISSUER_PROFILES } from './issuer-profiles.js';
import { generateCookieKey, generateSigningKeys } from './keys.js';
import { MemoryStore } from './memory-adapter.js';
import { type MockIdpOptions, parseMockIdpConfig } from './options.js';
import { type Persona, resolvePersonas } from './personas.js';
import { renderErrorPage } from './views/error-page.js';
import { STYLESHEET_PATH } from './views/html.js';
import { renderIndexPage } from './views/index-page.js';
import { STYLESHEET } from './views/stylesheet.js';

/** A running mock IdP. */
export interface MockIdp {
  /** Public origin, e.g. `http://localhost:41234`. */
  baseUrl: string;
  /**
   * The exact issuer identifier of one hosted issuer, `${baseUrl}/${id}` (no trailing slash).
   * @throws RangeError for an id the mock does not host
   */
  issuer(id: string): string;
  /** Ids of the hosted issuers: `bankid-no`, `ftn-fi`, `signicat`, `idporten`, `staff`. */
  issuerIds: string[];
  /** The personas in effect: built-ins merged with `options.personas`. */
  personas: Persona[];
  /** Stops listening, drops open connections and forgets all sessions and tokens. */
  close(): Promise<void>;
}

const DEFAULT_PORT = 3001;
const DEFAULT_HOST = '127.0.0.1';
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/;

/**
 * Starts a mock OpenID Provider hosting one issuer per eID broker shape (and one for staff),
 * chosen by path prefix, on one HTTP server. Used in-process by tests (`port: 0`) and by
 * `cli.ts` when run standalone.
 *
 * @throws MockIdpConfigError (a TypeError) for invalid options, naming the bad key
 */
export async function createMockIdp(options: MockIdpOptions): Promise<MockIdp> {
  const config = parseMockIdpConfig(
    {
      clients: options.clients,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      ...(options.personas === undefined ? {} : { personas: options.personas }),
    },
    'createMockIdp options',
  );
  const personas = resolvePersonas(config.personas);
  // One store per issuer, so that issuers share nothing but the HTTP server.
  const stores = ISSUER_IDS.map(() => new MemoryStore());
  const cookieKeys = [generateCookieKey()];

  let hosts: ReadonlyMap<string, IssuerHost> | undefined;
  let indexPage = '';
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      options.logger?.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'request failed',
      );
      if (!res.headersSent) sendHtml(res, 500, renderErrorPage('server_error', undefined));
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    if (hosts === undefined) {
      sendHtml(res, 503, renderErrorPage('temporarily_unavailable', 'the mock IdP is starting'));
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/' && isRead(req)) {
      sendHtml(res, 200, indexPage);
      return;
    }
    if (path === STYLESHEET_PATH && isRead(req)) {
      res.setHeader('Content-Type', 'text/css; charset=utf-8');
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.end(STYLESHEET);
      return;
    }
    if (path === '/favicon.ico') {
      // Browsers ask for it on every page; answering keeps their consoles free of 404 noise.
      res.statusCode = 204;
      res.end();
      return;
    }
    const segment = path.split('/')[1] ?? '';
    const host = hosts.get(segment);
    if (host === undefined) {
      sendHtml(res, 404, renderErrorPage('not_found', 'no such page at the mock IdP'));
      return;
    }
    const interaction = INTERACTION_PATH.exec(path.slice(host.prefix.length));
    if (interaction !== null) {
      const action = (interaction[2] ?? 'show') as InteractionAction;
      await handleInteraction(host, req, res, interaction[1] ?? '', action);
      return;
    }
    await host.delegate(req, res);
  }

  await listen(server, config.port ?? DEFAULT_PORT, config.host ?? DEFAULT_HOST);
  const close = closer(server, stores);

  try {
    const { port } = server.address() as AddressInfo;
    const baseUrl = config.baseUrl ?? `http://localhost:${port}`;
    const jwksFor = async () => options.jwks ?? (await generateSigningKeys());
    const built = await Promise.all(
      ISSUER_IDS.map(async (id, index) =>
        createIssuerHost({
          profile: ISSUER_PROFILES[id],
          baseUrl,
          personas,
          clients: config.clients,
          jwks: await jwksFor(),
          cookieKeys,
          store: stores[index] ?? new MemoryStore(),
          logger: options.logger,
        }),
      ),
    );
    hosts = new Map(built.map((host) => [host.id, host]));
    indexPage = renderIndexPage(built.map((host) => ({ title: host.profile.title, issuer: host.issuer })));
    options.logger?.info({ baseUrl, issuers: built.map((host) => host.issuer) }, 'mock IdP listening');

    return {
      baseUrl,
      issuer(id) {
        const host = hosts?.get(id);
        if (host === undefined) {
          throw new RangeError(`unknown issuer id "${id}"; known: ${ISSUER_IDS.join(', ')}`);
        }
        return host.issuer;
      },
      issuerIds: [...ISSUER_IDS] as IssuerId[],
      personas: personas.map((resolved) => resolved.persona),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closer(
  server: ReturnType<typeof createServer>,
  stores: readonly MemoryStore[],
): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      // Keep-alive connections (fetch keeps them) would hold `close` open indefinitely.
      server.closeAllConnections();
    }).finally(() => {
      for (const store of stores) store.clear();
    });
    return closing;
  };
}
