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
