/**
 * The one-tag embed: `<script src="https://gw.example/static/embed.js"
 * data-tenant-base="https://gw.example/t/demo" defer></script>` on any page of an allowed
 * origin adds a launcher button that opens the chat widget in an iframe served by the gateway.
 * Nothing of the host page is read beyond its language; the iframe keeps the chat on the
 * gateway's origin (its cookies, its CSP).
 *
 * For a chat system on the host page that takes a signed identity token (issue 10), the script
 * exposes `window.eidChat.identityToken(target)`: it asks the widget frame by `postMessage`
 * (to the gateway origin exactly), the frame calls `POST /api/handoff/{target}/token` on its own
 * origin and answers (see `./embed-bridge.ts`). The host page never sees the CSRF token and
 * the endpoint needs no CORS.
 */

import { TOKEN_REQUEST, TOKEN_RESPONSE } from './embed-bridge.js';

/** How long `identityToken` waits for the frame's answer before rejecting with `timeout`. */
const TOKEN_TIMEOUT_MS = 15_000;

/** The answer of `POST /api/handoff/{target}/token`, as the host page receives it. */
export interface IdentityToken {
  target: string;
  vendor: string;
  format: string;
  token?: string;
  /** Seconds since the epoch. */
  expiresAt?: number;
  fields?: Record<string, string>;
}

/** A rejection of `identityToken`: `code` is the gateway's error code or `chat_not_open`, `timeout`. */
export class EidChatError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'EidChatError';
    this.code = code;
  }
}

/**
 * The launcher keeps one name whether open or closed (`aria-expanded` tells the state), as a
 * disclosure button should; the frame's title names the chat for screen reader users.
 */
const LABELS: Record<string, { open: string; frame: string }> = {
  en: { open: 'Chat with us', frame: 'Customer chat' },
  nb: { open: 'Chat med oss', frame: 'Kundechat' },
  fi: { open: 'Chattaa kanssamme', frame: 'Asiakaschat' },
  sv: { open: 'Chatta med oss', frame: 'Kundchatt' },
};

const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;

/** The tenant's root URL: `data-tenant-base`, else the origin the script came from. */
function tenantBase(tag: HTMLScriptElement): string {
  const explicit = tag.dataset.tenantBase;
  const base = explicit ? new URL(explicit, document.baseURI) : new URL('/', tag.src);
  return base.href.replace(/\/+$/, '');
}

/** The host page's language if the chat speaks it (`nb`, `no` and `nn` all map to `nb`). */
function hostLanguage(): string | undefined {
  const lang = (document.documentElement.lang || '').toLowerCase().split('-')[0] ?? '';
  if (lang === 'no' || lang === 'nn') return 'nb';
  return lang in LABELS ? lang : undefined;
}

function mount(tag: HTMLScriptElement): void {
  const base = tenantBase(tag);
  const lang = hostLanguage();
  const labels = LABELS[lang ?? 'en'] ?? LABELS.en;
  if (!labels) return;

  // Styles come from the gateway's own stylesheet, never from style attributes, so a host
  // page with a strict CSP only has to allow the gateway origin.
  const stylesheet = document.createElement('link');
  stylesheet.rel = 'stylesheet';
  stylesheet.href = new URL('/static/embed.css', tag.src).href;
  document.head.append(stylesheet);

  const root = document.createElement('div');
  root.className = 'eidchat-root';

  const frameId = `eidchat-frame-${Math.random().toString(36).slice(2, 10)}`;
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'eidchat-launcher';
  launcher.textContent = labels.open;
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', frameId);

  let frame: HTMLIFrameElement | undefined;
  const gatewayOrigin = new URL(base).origin;
  // The widget's own close button (inside the frame) asks for this; only that frame's
  // messages, from the gateway's origin, are obeyed.
  const close = () => {
    if (!frame || frame.hidden) return;
    frame.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  };
  window.addEventListener('message', (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== gatewayOrigin) return;
    if ((event.data as { type?: unknown } | null)?.type !== 'eidchat:close') return;
    close();
  });
  // Escape on the launcher closes the open chat as well (inside the frame the widget asks).
  launcher.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.defaultPrevented) close();
  });
  // Resolves once the frame's document has loaded (its scripts then listen for requests).
  let frameLoaded: Promise<void> = Promise.resolve();
  launcher.addEventListener('click', () => {
    if (!frame) {
      // Created on first use: the chat session starts only when the visitor asks for it.
      frame = document.createElement('iframe');
      frame.id = frameId;
      frame.className = 'eidchat-frame';
      frame.title = labels.frame;
      const src = new URL(`${base}/chat/widget`);
      if (lang) src.searchParams.set('lang', lang);
      frame.src = src.href;
      const created = frame;
      frameLoaded = new Promise((resolve) =>
        created.addEventListener('load', () => resolve(), { once: true }),
      );
      root.insertBefore(frame, launcher);
    }
    const open = frame.hidden || launcher.getAttribute('aria-expanded') === 'false';
    frame.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) frame.focus();
  });

  root.append(launcher);
  document.body.append(root);
  exposeApi(gatewayOrigin, () => (frame ? { frame, loaded: frameLoaded } : undefined));
}

/**
 * `window.eidChat.identityToken(target)`: a short-lived credential for the tenant's hand-off
 * target `target`, in that vendor's format. Rejects with an `EidChatError` whose `code` is the
 * gateway's (`handoff_not_shared` before the citizen's opt-in, `handoff_target_unknown`, …),
 * `chat_not_open` while the visitor has not opened the chat (the frame, and with it the chat
 * session, starts only on the visitor's click), or `timeout`.
 */
function exposeApi(
  gatewayOrigin: string,
  currentFrame: () => { frame: HTMLIFrameElement; loaded: Promise<void> } | undefined,
): void {
  const pending = new Map<
    string,
    { resolve: (token: IdentityToken) => void; reject: (error: EidChatError) => void; timer: number }
  >();

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const current = currentFrame();
    if (!current || event.source !== current.frame.contentWindow || event.origin !== gatewayOrigin) return;
    const data = event.data as { type?: unknown; id?: unknown; result?: unknown; error?: unknown } | null;
    if (typeof data !== 'object' || data === null || data.type !== TOKEN_RESPONSE) return;
    const waiting = typeof data.id === 'string' ? pending.get(data.id) : undefined;
    if (!waiting || typeof data.id !== 'string') return;
    pending.delete(data.id);
    window.clearTimeout(waiting.timer);
    const error = data.error as { code?: unknown; message?: unknown } | undefined;
    if (error || typeof data.result !== 'object' || data.result === null) {
      waiting.reject(
        new EidChatError(
          typeof error?.code === 'string' ? error.code : 'handoff_failed',
          typeof error?.message === 'string' ? error.message : 'The identity token could not be issued.',
        ),
      );
      return;
    }
    waiting.resolve(data.result as IdentityToken);
  });

  const identityToken = async (target: string): Promise<IdentityToken> => {
    const current = currentFrame();
    if (!current) throw new EidChatError('chat_not_open', 'The visitor has not opened the chat.');
    await current.loaded;
    const win = current.frame.contentWindow;
    if (!win) throw new EidChatError('chat_not_open', 'The chat frame is not attached to the page.');
    const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    return new Promise<IdentityToken>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        pending.delete(id);
        reject(new EidChatError('timeout', 'The chat did not answer in time.'));
      }, TOKEN_TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      win.postMessage({ type: TOKEN_REQUEST, id, target: String(target) }, gatewayOrigin);
    });
  };

  (window as unknown as { eidChat?: { identityToken: typeof identityToken } }).eidChat = { identityToken };
}

if (script) {
  const tag = script;
  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', () => mount(tag), { once: true });
  else mount(tag);
}
