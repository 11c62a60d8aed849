import type { Duplex } from 'node:stream';

/**
 * Answers an upgrade request that is refused (`response`: status line and headers) and closes
 * the connection once that is written, whatever the client does with its end: after an
 * `upgrade` Node no longer tracks the socket (`closeAllConnections` misses it), and an HTTP
 * server's sockets stay half open, so a client that never closes its end would keep it, and a
 * gateway's close waiting on it, for ever.
 */
export function endUpgrade(socket: Duplex, response: string): void {
  if (socket.destroyed) return;
  socket.end(response, () => socket.destroy());
}
