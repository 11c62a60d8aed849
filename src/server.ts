import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type CreatedApp, createApp, type TenantRoutes } from './app.js';
import type { Language } from './config/schema.js';
import type { GatewayDeps } from './deps.js';
import { endUpgrade } from './http/end-upgrade.js';
import { toOriginForm } from './http/origin-form.js';
import {
  type UnreadRequestCode,
  unreadRequestHeaders,
  unreadRequestPage,
} from './http/unread-request-page.js';

/** Handles an HTTP upgrade (the chat's WebSocket); returns false when the path is not its own. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** A feature that adds routes and/or a WebSocket endpoint to the server. */
export interface ServerFeature {
  routes?: TenantRoutes;
  /** Called once the app exists, with its session parser; returns the upgrade handler. */
  upgrade?: (created: CreatedApp) => UpgradeHandler;
  /** Closes the feature's sockets (1001 Going Away) and timers. */
  close?: () => Promise<void>;
}

export interface GatewayServer {
  server: Server;
  app: CreatedApp['app'];
  /**
   * Stops accepting, closes features' sockets, lets requests in flight finish for
   * {@link CLOSE_GRACE_MS}, then cuts every connection still open. Always ends.
   */
  close(): Promise<void>;
}

/**
 * How long requests in flight may take to finish once the features have closed; connections
 * still open then are destroyed. Without the cut `server.close()` waits for every connection,
 * and Node gives it none that ends by itself: it keeps answering (keep-alive) on a connection
 * its client keeps using, and stops the headers and request timeouts, so a connection that sent
 * nothing yet (a browser opens one ahead and holds it while the page is open), an unfinished
 * request or an upgrade refused while its client keeps its end open is waited for for ever.
 */
export const CLOSE_GRACE_MS = 2_000;

/**
 * Builds the http.Server with the app and the features' upgrade handlers, without listening.
 * An upgrade no feature claims is refused with 404 before any WebSocket handshake.
 */
export function createServer(deps: GatewayDeps, features: ServerFeature[] = []): GatewayServer {
  const created = createApp(
    deps,
    features.flatMap((f) => (f.routes ? [f.routes] : [])),
  );
  let closing = false;
  // Answers begun while closing end their connection, which Node would otherwise keep for the
  // client's next request (and answer it, for as long as the client keeps asking).
  const answering = new Set<ServerResponse>();
  const endsConnection = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    toOriginForm(req);
    if (closing) endsConnection(res);
    else {
      answering.add(res);
      res.once('close', () => answering.delete(res));
    }
    created.app(req, res);
  };
  const server = createHttpServer(answer);
  server.keepAliveTimeout = deps.config.keepAliveSeconds * 1000;
  // Node measures the headers timeout from a request's first byte, also on a reused
  // connection, so it may be shorter than the keep-alive wait.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) =>
    answerClientError(error, socket, deps.config.defaultLanguage, deps.production),
  );
  // CONNECT asks for a tunnel, which the gateway is not: without a listener Node drops the
  // connection without an answer. The app would see a target with no path.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    answerUnread(
      socket,
      [400, 'Bad Request', 'request_invalid'],
      deps.config.defaultLanguage,
      deps.production,
    ),
  );
  const upgrades = features.flatMap((f) => (f.upgrade ? [f.upgrade(created)] : []));
  server.on('upgrade', (req, socket, head) => {
    toOriginForm(req);
    if (upgrades.some((handle) => handle(req, socket, head))) return;
    if (ignorableUpgrade(req)) answerIgnoringUpgrade(req, socket, answer);
    else endUpgrade(socket, 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return {
    server,
    app: created.app,
    close: async () => {
      // Stop accepting first, so no new request or socket arrives while the features close
      // theirs (1001) and in-flight requests finish; then end idle keep-alive connections, and
      // after the grace period whatever is still open.
      closing = true;
      for (const res of answering) endsConnection(res);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(features.map((f) => f.close?.()));
      server.closeIdleConnections();
      // Every connection still speaking HTTP; upgraded ones are the features' (closed above) or
      // were refused, and then closed once the refusal was written (`endUpgrade`). Not a set of
      // every socket kept here: an entry and a listener per idle chat socket cost its heap.
      if (!(await settledWithin(closed, CLOSE_GRACE_MS))) server.closeAllConnections();
      await closed;
    },
  };
}

/** Waits for `work`, but no longer than `ms`; resolves with whether it settled. */
async function settledWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

/**
 * Requests Node's parser refuses before the app sees them get a short page with the error code
 * rather than Node's bare status line: headers over 16 KiB (a huge callback URL) 431
 * `request_too_large`, anything else unreadable 400 `request_invalid`. A request that timed out
 * gets Node's own 408; a reset connection is dropped. The page is in every page language, the
 * configured default first: no language can be told from a request that was not read.
 */
function answerClientError(
  error: Error & { code?: string },
  socket: Duplex,
  defaultLanguage: Language,
  production: boolean,
): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    return;
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    answerUnread(
      socket,
      [431, 'Request Header Fields Too Large', 'request_too_large'],
      defaultLanguage,
      production,
    );
  } else answerUnread(socket, [400, 'Bad Request', 'request_invalid'], defaultLanguage, production);
}

/** Writes the page for a request no route reads, and closes the connection. */
function answerUnread(
  socket: Duplex,
  [status, text, code]: readonly [number, string, UnreadRequestCode],
  defaultLanguage: Language,
  production: boolean,
): void {
  const body = unreadRequestPage(code, defaultLanguage);
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n` +
      `${unreadRequestHeaders(production)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * An upgrade to another protocol than WebSocket (`h2c`, which `curl --http2` asks for on
 * every http:// request) on a request without a body: the server may ignore the `Upgrade`
 * header and answer in HTTP/1.1 (RFC 9110 §7.8). Node 20 hands every request with an `Upgrade`
 * header to the `upgrade` listeners, so without this the landing page answered such a client 404.
 */
function ignorableUpgrade(req: IncomingMessage): boolean {
  const protocols = (req.headers.upgrade ?? '').toLowerCase();
  const withBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  return !protocols.split(',').some((p) => p.trim().startsWith('websocket')) && !withBody;
}

/**
 * Answers an upgrade request as the plain request it also is, through the app, on a response
 * made for its socket (which Node no longer tracks: the connection closes once it is written).
 */
function answerIgnoringUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  socket.on('error', () => socket.destroy());
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end(() => socket.destroy());
  });
  res.once('close', () => {
    if (!res.writableFinished) socket.destroy();
  });
  answer(req, res);
}
