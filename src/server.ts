import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type CreatedApp, createApp, type TenantRoutes } from './app.js';
import type { GatewayDeps } from './deps.js';

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
  /** Stops accepting, closes features' sockets, ends keep-alive connections. */
  close(): Promise<void>;
}

/**
 * Builds the http.Server with the app and the features' upgrade handlers, without listening.
 * An upgrade no feature claims is refused with 404 before any WebSocket handshake.
 */
export function createServer(deps: GatewayDeps, features: ServerFeature[] = []): GatewayServer {
  const created = createApp(
    deps,
    features.flatMap((f) => (f.routes ? [f.routes] : [])),
  );
  const server = createHttpServer(created.app);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.on('clientError', answerClientError);
  const upgrades = features.flatMap((f) => (f.upgrade ? [f.upgrade(created)] : []));
  server.on('upgrade', (req, socket, head) => {
    if (upgrades.some((handle) => handle(req, socket, head))) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return {
    server,
    app: created.app,
    close: async () => {
      // Stop accepting first, so no new request or socket arrives while the features close
      // theirs (1001) and in-flight requests finish; then end idle keep-alive connections.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(features.map((f) => f.close?.()));
      server.closeIdleConnections();
      await closed;
    },
  };
}

/**
 * Requests Node's parser refuses before the app sees them get a short page with the error code
 * rather than Node's bare status line: headers over 16 KiB (a huge callback URL) 431
 * `request_too_large`, anything else unreadable 400 `request_invalid`. A request that timed out
 * gets Node's own 408; a reset connection is dropped. English only: no language can be told
 * from a request that was not read.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    return;
  }
  const [status, text, code] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request_too_large']
      : [400, 'Bad Request', 'request_invalid'];
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${text}</title></head><body><h1>${text}</h1><p>The request could not be read. Go back and try again.</p><p>Error code: ${code}</p></body></html>`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n` +
      `Content-Security-Policy: default-src 'none'\r\nX-Content-Type-Options: nosniff\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
