/**
 * The one-tag embed: `<script src="https://gw.example/static/embed.js"
 * data-tenant-base="https://gw.example/t/demo" defer></script>` on any page of an allowed
 * origin adds a launcher button that opens the chat widget in an iframe served by the gateway.
 * Nothing of the host page is read beyond its language; the iframe keeps the chat on the
 * gateway's origin (its cookies, its CSP).
 */

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
  window.addEventListener('message', (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== gatewayOrigin) return;
    if ((event.data as { type?: unknown } | null)?.type !== 'eidchat:close') return;
    frame.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  });
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
      root.insertBefore(frame, launcher);
    }
    const open = frame.hidden || launcher.getAttribute('aria-expanded') === 'false';
    frame.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) frame.focus();
  });

  root.append(launcher);
  document.body.append(root);
}

if (script) {
  const tag = script;
  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', () => mount(tag), { once: true });
  else mount(tag);
}
