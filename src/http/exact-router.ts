import { Router } from 'express';

/**
 * A router that matches paths exactly as they are spelt. Express matches them regardless of
 * letter case by default, while the gateway's decisions by path (rate-limit classes, JSON or
 * HTML errors, the WebSocket endpoints, the staff pages) read the path as written: with
 * case-insensitive routes `/AUTH/bankid/login` reached the login outside its rate limit. Every
 * router of the gateway is made here; the application's own routing is set the same way
 * (`app.ts`). `strict` also tells `/path/` from `/path` (for addresses matched so elsewhere).
 */
export function exactRouter(options: { strict?: boolean } = {}): Router {
  return Router({ caseSensitive: true, ...options });
}
