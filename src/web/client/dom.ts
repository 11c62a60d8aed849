/** Attributes and properties `h` can set; text is always set with `textContent`. */
export interface ElementProps {
  className?: string;
  id?: string;
  text?: string;
  attrs?: Record<string, string | undefined>;
  hidden?: boolean;
}

type Child = Node | string | null | undefined | false;

/**
 * Creates an element. Strings become text nodes and attributes are set one by one, so data
 * from the network can never turn into markup (no `innerHTML` anywhere in the client).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.id) element.id = props.id;
  if (props.hidden) element.hidden = true;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {}))
    if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** The element with `id` inside `root`; a missing one is a broken page shell. */
export function byId<T extends HTMLElement>(root: ParentNode, id: string): T {
  const element = root.querySelector<T>(`#${CSS.escape(id)}`);
  if (!element) throw new Error(`page shell lacks #${id}`);
  return element;
}

/** A link that opens in a new tab without giving the new page a handle on this one. */
export function newTabLink(
  href: string,
  label: string,
  hint: string,
  className = 'button',
): HTMLAnchorElement {
  return h(
    'a',
    { className, attrs: { href, target: '_blank', rel: 'noopener noreferrer' } },
    label,
    h('span', { className: 'visually-hidden', text: ` ${hint}` }),
  );
}

/**
 * Formats an ISO time as hours and minutes in the page language, on a 24-hour clock in every
 * language (whatever the browser's own locale says): the service's times are Norwegian and
 * Finnish ones, written so on the organisations' English pages too ("14:05", not "02:05 PM").
 */
export function timeOf(iso: string, lang: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** A duration in whole minutes in the page language ("5 min"); under a minute is "< 1 min". */
export function minutesOf(ms: number, lang: string): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const format = new Intl.NumberFormat(lang, { style: 'unit', unit: 'minute', unitDisplay: 'short' });
  return minutes < 1 ? `< ${format.format(1)}` : format.format(minutes);
}

/**
 * Replaces `list`'s children (a list redrawn from the latest state) without dropping the
 * keyboard focus to the page's start, as a plain `replaceChildren` does to a button inside it
 * (WCAG 2.4.3): the control that had focus is found again in the new children by its
 * `data-focus-key` and focused; when its item is gone, `fallback` (the list's heading) is.
 */
export function replaceKeepingFocus(list: HTMLElement, children: Node[], fallback: HTMLElement): void {
  const active = list.ownerDocument.activeElement;
  const hadFocus = active instanceof HTMLElement && list.contains(active);
  const key = hadFocus ? active.dataset.focusKey : undefined;
  list.replaceChildren(...children);
  if (!hadFocus) return;
  const again =
    key === undefined ? null : list.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
  (again ?? fallback).focus();
}

/** Enables or disables every form control under `root` that `selector` matches. */
export function setControlsEnabled(root: ParentNode, selector: string, enabled: boolean): void {
  for (const control of root.querySelectorAll<HTMLButtonElement | HTMLTextAreaElement | HTMLSelectElement>(
    selector,
  )) {
    control.disabled = !enabled;
  }
}
