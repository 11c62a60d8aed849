import { loadBootstrap } from './bootstrap.js';

const root = document.getElementById('chat-app');
if (root) {
  const status = root.querySelector<HTMLElement>('[data-status]');
  loadBootstrap(root).catch(() => {
    if (status) status.textContent = root.dataset.failed ?? 'The chat could not be loaded.';
  });
}
