import type { IncomingMessage } from 'node:http';

/** The scheme and authority of an absolute-form request target (`http://evil.example`). */
const SCHEME_AND_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * Turns an absolute-form request target (`GET http://evil.example/chat?x HTTP/1.1`) into its
 * origin form (`/chat?x`) before the app or an upgrade handler reads it. A server must accept
 * that form (RFC 9112 §3.2.2), and the libraries behind the gateway take its authority for the
 * gateway's own: Koa's `href`, on which oidc-provider builds the discovery document's endpoints
 * (a chat system, or a cache in front, was told `http://evil.example/oidc/token`), and
 * openid-client's callback URL, sent to the broker as the redirect_uri. The gateway names itself
 * by `publicUrl` only, so the authority a client put in the request line is dropped, as its Host
 * header is. Done on the raw request: Express's router keeps the scheme and authority it saw
 * first and puts them back in front of each mounted path. An asterisk-form (`OPTIONS *`) or
 * origin-form target is left as it is.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2.2
 */
export function toOriginForm(req: IncomingMessage): void {
  const url = req.url ?? '';
  const authority = SCHEME_AND_AUTHORITY.exec(url)?.[0];
  if (authority === undefined) return;
  const rest = url.slice(authority.length);
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
}
