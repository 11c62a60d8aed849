/**
 * The login tab's confirmation page after a hand-over (`GET /consent/handover`): hands the
 * one-time secret to the widget that opened this tab, addressed to the gateway's origin only
 * (never '*'), and reports whether the widget confirmed. Strict CSP: no inline script.
 */
const MESSAGE_TYPE = 'eidchat-handover';

function show(selector: string): void {
  const element = document.querySelector<HTMLElement>(selector);
  if (element) element.hidden = false;
}

function start(): void {
  const data = document.getElementById('handover');
  const status = document.getElementById('handover-status');
  const h = data?.dataset.h;
  const r = data?.dataset.r;
  const origin = data?.dataset.origin;
  if (!data || !h || !r || !origin) return;
  const opener = window.opener as Window | null;
  const finish = (selector: string): void => {
    if (status) status.hidden = true;
    show(selector);
  };
  if (!opener || opener.closed) {
    finish('.handover-failed');
    return;
  }
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.origin !== origin || event.source !== opener) return;
    const reply = event.data as { type?: unknown; h?: unknown; ok?: unknown } | null;
    if (reply?.type !== `${MESSAGE_TYPE}-result` || reply.h !== h) return;
    finish(reply.ok === true ? '.handover-done' : '.handover-failed');
  });
  // An opener on another origin (a page that sent this link) never receives the message and
  // never answers: after a while the page says so.
  window.setTimeout(() => {
    if (status && !status.hidden) finish('.handover-failed');
  }, 15_000);
  try {
    opener.postMessage({ type: MESSAGE_TYPE, h, r }, origin);
  } catch {
    finish('.handover-failed');
  }
}

start();
