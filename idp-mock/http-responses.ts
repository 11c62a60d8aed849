import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Content-Security-Policy of every response. No inline script or style anywhere; the only
 * script oidc-provider may still emit (the `form_post` response mode, when a client asks for
 * it) gets its hash appended to `script-src` by oidc-provider itself.
 * `form-action` is left out on purpose: browsers apply it to the redirects that follow a form
 * post, and the login form's redirect chain ends at the client's `redirect_uri`.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Headers set before anything else handles a request, oidc-provider included. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  // Authorization codes travel in URLs; keep them out of Referer headers.
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** Sends a complete HTML page that must not be cached (it carries per-request state). */
export function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/** Largest form body the interaction routes read; a persona id needs a few dozen bytes. */
const MAX_FORM_BYTES = 16 * 1024;

/** Thrown for a form post the interaction routes cannot read; maps to 400 or 413. */
export class BadFormError extends Error {
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message);
    this.name = 'BadFormError';
    this.status = status;
  }
}

/** Reads an `application/x-www-form-urlencoded` body, refusing anything else or anything large. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new BadFormError('expected an application/x-www-form-urlencoded form post');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new BadFormError('form too large', 413);
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
