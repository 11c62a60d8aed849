import type { RequestHandler } from 'express';
import type { Logger } from '../runtime/logger.js';

/**
 * In production, says once per process that a request carried `X-Forwarded-Proto` from an
 * address `trustProxy` does not trust. The header is then ignored (the client chose it, or the
 * load balancer is not the one configured), so the request counts as plain http and gets no
 * session cookie, which is `Secure`: without this line an operator whose `trustProxy` misses the
 * load balancer sees logins fail with no reason given. Once only, so clients sending the header
 * themselves cannot fill the log; the line names neither their address nor the header's value.
 */
export function untrustedProxyWarning(production: boolean, logger: Logger): RequestHandler {
  let warned = !production;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-proto'] !== undefined) {
      const trust = req.app.get('trust proxy fn') as (address: string, hop: number) => boolean;
      if (!trust(req.socket.remoteAddress ?? '', 0)) {
        warned = true;
        logger.warn(
          'X-Forwarded-Proto came from an address trustProxy does not trust and was ignored: behind a TLS-terminating load balancer, set trustProxy to its hops or addresses, or no session cookie is set (logged once)',
        );
      }
    }
    next();
  };
}
