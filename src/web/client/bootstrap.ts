/** What `GET {base}/api/chat/bootstrap` answers (see `src/chat/pages/bootstrap.ts`). */
export interface Bootstrap {
  lang: string;
  /** The `chat.*` catalog in `lang`. */
  messages: Record<string, string>;
  csrfToken: string;
  /** Tenant root path (`''` with one tenant). */
  basePath: string;
  /** WebSocket paths (same origin). */
  wsUrl: { visitor: string; agent: string };
  providers: Array<{ id: string; label: string; loginUrl: string; available: boolean }>;
  tenant: { id: string; name: string };
  /** The signed-in employee, when the session has one for this tenant. */
  staff?: { name: string; roles: string[] };
}

/**
 * Loads the bootstrap JSON named by the page's `data-bootstrap` attribute: the server renders
 * only a shell, so the bundles learn language, texts and the CSRF token from here.
 */
export async function loadBootstrap(root: HTMLElement): Promise<Bootstrap> {
  const url = root.dataset.bootstrap;
  if (!url) throw new Error('data-bootstrap missing on the application root');
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`bootstrap failed with ${response.status}`);
  return (await response.json()) as Bootstrap;
}
