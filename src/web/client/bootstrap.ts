import type { ChatBootstrap } from './protocol.js';

/**
 * Loads the bootstrap JSON named by the page's `data-bootstrap` attribute: the server renders
 * only a shell, so the bundles learn language, texts and the CSRF token from here.
 */
export async function loadBootstrap(root: HTMLElement): Promise<ChatBootstrap> {
  const url = root.dataset.bootstrap;
  if (!url) throw new Error('data-bootstrap missing on the application root');
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`bootstrap failed with ${response.status}`);
  return (await response.json()) as ChatBootstrap;
}

/**
 * Starts a page's application: loads the bootstrap named by `#{rootId}` and hands both to
 * `start`. When loading fails, the status line `#{statusId}` shows the shell's `data-failed`
 * text (rendered by the server in the page language), so the page never stays on "Loading".
 */
export function startWithBootstrap(
  rootId: string,
  statusId: string,
  fallback: string,
  start: (root: HTMLElement, boot: ChatBootstrap) => void,
): void {
  const root = document.getElementById(rootId);
  if (!root) return;
  loadBootstrap(root)
    .then((boot) => start(root, boot))
    .catch(() => {
      const status = document.getElementById(statusId);
      if (status) status.textContent = root.dataset.failed ?? fallback;
    });
}
