import { loadBootstrap } from './bootstrap.js';
import type { ChatBootstrap } from './protocol.js';

/**
 * The widget frame's side of `window.eidChat.identityToken(target)` (see `embed.ts`): the host
 * page asks by `postMessage`, the frame calls `POST /api/handoff/{target}/token` on its own
 * origin with the session's CSRF token and answers the host page only. The CSRF token never
 * leaves the frame and the endpoint needs no CORS.
 *
 * A request is answered only when it comes from the frame's own parent (`event.source`) and
 * that parent's origin is one of the tenant's embedder origins (`embedderOrigins` of the
 * bootstrap); anything else gets no answer at all, so a page that is not allowed learns
 * nothing. The answer goes to `event.origin` exactly, never to `'*'`.
 */

/** Message types of the exchange; `embed.ts` uses the same strings. */
export const TOKEN_REQUEST = 'eidchat:identity-token';
export const TOKEN_RESPONSE = 'eidchat:identity-token-result';

interface TokenRequest {
  type: typeof TOKEN_REQUEST;
  id: string;
  target: string;
}

function isTokenRequest(data: unknown): data is TokenRequest {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return (
    d.type === TOKEN_REQUEST &&
    typeof d.id === 'string' &&
    d.id.length > 0 &&
    d.id.length <= 64 &&
    typeof d.target === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(d.target)
  );
}

/** The `{ error: { code, message } }` body of a failed call, or one made up from the status. */
async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: unknown; message?: unknown } }
    | undefined;
  const code = typeof body?.error?.code === 'string' ? body.error.code : 'handoff_failed';
  const message =
    typeof body?.error?.message === 'string'
      ? body.error.message
      : `The gateway answered ${response.status}.`;
  return { code, message };
}

/**
 * Answers token requests of the host page for the life of the frame. Installed when the page
 * starts, before its bootstrap has arrived (a host page may ask as soon as the frame has
 * loaded): each request waits for `ready`, the page's root and bootstrap. The root names the
 * bootstrap URL, reloaded once for a fresh CSRF token when the session was rotated
 * (identifying rotates it).
 */
export function answerTokenRequests(ready: Promise<{ root: HTMLElement; boot: ChatBootstrap }>): void {
  let csrfToken: string | undefined;

  const call = (boot: ChatBootstrap, target: string, token: string) =>
    fetch(`${boot.basePath}/api/handoff/${encodeURIComponent(target)}/token`, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: '{}',
    });

  const issue = async (
    root: HTMLElement,
    boot: ChatBootstrap,
    target: string,
  ): Promise<Record<string, unknown>> => {
    try {
      csrfToken ??= boot.csrfToken;
      let response = await call(boot, target, csrfToken);
      if (response.status === 403) {
        csrfToken = (await loadBootstrap(root)).csrfToken;
        response = await call(boot, target, csrfToken);
      }
      if (!response.ok) return { error: await errorOf(response) };
      return { result: (await response.json()) as Record<string, unknown> };
    } catch {
      return { error: { code: 'handoff_failed', message: 'The gateway could not be reached.' } };
    }
  };

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    // Only the embedding page itself (not another frame or window) may ask.
    if (window.parent === window || event.source !== window.parent) return;
    if (!isTokenRequest(event.data)) return;
    const { id, target } = event.data;
    const origin = event.origin;
    void ready.then(async ({ root, boot }) => {
      // ...and only from an allowed origin; anything else gets no answer.
      if (!boot.embedderOrigins.includes(origin)) return;
      const answer = await issue(root, boot, target);
      (event.source as Window).postMessage({ type: TOKEN_RESPONSE, id, ...answer }, origin);
    });
  });
}
