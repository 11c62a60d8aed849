import { DeliveredSeqs } from '../../chat/delivered-seqs.js';
import { h, timeOf } from './dom.js';
import type { Translate } from './i18n.js';
import type { MessageView } from './protocol.js';

/** The "verified" badge beside messages, notices and conversations of an identified visitor. */
export function verifiedBadge(t: Translate): HTMLSpanElement {
  return h('span', { className: 'badge badge-verified', text: t('chat.verifiedBadge') });
}

/**
 * Error codes after which the very message may be stored when sent again (the store was
 * unreachable, the server failed, the message was dropped by the rate limit); the others refuse
 * it whatever the resend.
 */
export const RESENDABLE_ERRORS: ReadonlySet<string> = new Set([
  'store_unavailable',
  'internal_error',
  'rate_limited',
]);

export interface TranscriptOptions {
  t: Translate;
  /** The catalog, to tell whether a system line has a localized text. */
  messages: Record<string, string>;
  lang: string;
  /** Whose screen this is: decides who is "you". */
  viewer: 'visitor' | 'agent';
  /**
   * The message field: "Send again" removes itself once pressed, and the keyboard focus it held
   * goes here rather than dropping to the page's start.
   */
  composer?: () => HTMLElement;
}

/**
 * How long the log stays `aria-busy` after a conversation's history was put into it, unless a
 * new line comes first. Chromium hands accessibility changes to a screen reader in batches (up
 * to a few hundred milliseconds apart when the user is not typing), and a batch that already
 * sees the log not busy announces the history as new lines: a second leaves a wide margin.
 */
const HISTORY_SETTLE_MS = 1_000;

/**
 * The message list of one conversation (an `<ol>` inside a `role="log"` `aria-live="polite"`
 * region, so screen readers announce new lines). Messages are kept in `seq` order and de-duplicated by id, which
 * makes replays after a reconnection (`resume` with `afterSeq`) harmless.
 */
export class Transcript {
  readonly #list: HTMLOListElement;
  readonly #options: TranscriptOptions;
  readonly #seen = new Set<string>();
  readonly #pending = new Map<string, HTMLLIElement>();
  /** The timer ending the `aria-busy` of a history just shown ({@link reset}). */
  #settle: number | undefined;
  /** Local notices by system code, replaced when the server's stored system line arrives. */
  readonly #notices = new Map<string, HTMLLIElement>();
  /** The `seq`s shown: every one up to a point, and those beyond a gap (one missed, to come). */
  #seqs = new DeliveredSeqs();

  constructor(list: HTMLOListElement, options: TranscriptOptions) {
    this.#list = list;
    this.#options = options;
  }

  /**
   * The highest `seq` up to which every message is shown: what `resume` asks to continue after.
   * Not simply the highest shown: after an interruption a missed message can arrive after newer
   * ones, and resuming after those would skip it.
   */
  get lastSeq(): number {
    return this.#seqs.upTo;
  }

  /** Whether an agent's message is shown: only such a conversation's transcript can be e-mailed. */
  get hasAgentMessage(): boolean {
    return this.#list.querySelector('li.msg-agent') !== null;
  }

  /**
   * Replaces the content with a conversation's messages. The history is put in while the log
   * is `aria-busy`, so that a screen reader does not read a whole conversation out as new lines
   * when it is opened or resumed; the next line added (or {@link HISTORY_SETTLE_MS}) ends that,
   * and is announced as usual (WCAG 4.1.3).
   * @see https://www.w3.org/TR/wai-aria-1.2/#aria-busy
   */
  reset(messages: MessageView[] = []): void {
    const region = this.#list.parentElement;
    if (region && messages.length > 0) {
      region.setAttribute('aria-busy', 'true');
      window.clearTimeout(this.#settle);
      this.#settle = window.setTimeout(() => this.#live(), HISTORY_SETTLE_MS);
    }
    this.#list.replaceChildren();
    this.#seen.clear();
    this.#pending.clear();
    this.#seqs = new DeliveredSeqs();
    for (const message of messages) this.#add(message, true);
  }

  /** Ends the quiet of {@link reset}: lines added from here on are announced. */
  #live(): void {
    window.clearTimeout(this.#settle);
    this.#list.parentElement?.removeAttribute('aria-busy');
  }

  /** Adds a message unless it is already shown; returns whether it was new. */
  add(message: MessageView): boolean {
    return this.#add(message, false);
  }

  #add(message: MessageView, history: boolean): boolean {
    if (this.#seen.has(message.id)) return false;
    this.#seen.add(message.id);
    if (message.systemCode) {
      const local = this.#notices.get(message.systemCode);
      this.#notices.delete(message.systemCode);
      // One line per event: the page's own notice for it stands for the stored line, which is
      // not shown a second time (nor read out again: the log announces every line put in). It
      // keeps any extra content the stored line lacks (the identification link, identify
      // buttons), gets the stored line's time, and moves only when out of order.
      if (local?.isConnected) {
        if (!history) this.#live();
        local.dataset.seq = String(message.seq);
        local.querySelector('.msg-text')?.append(' ', this.#time(message.at, 'msg-time'));
        if (!this.#inOrder(local, message.seq)) this.#list.insertBefore(local, this.#laterThan(message.seq));
        this.#seqs.add(message.seq);
        this.#scroll();
        return true;
      }
    }
    this.#insert(this.#render(message), message.seq, history);
    return true;
  }

  /** Puts a line into the list in `seq` order; one not of the `history` being shown is announced. */
  #insert(item: HTMLLIElement, seq: number, history = false): void {
    if (!history) this.#live();
    this.#list.insertBefore(item, this.#laterThan(seq));
    this.#seqs.add(seq);
    this.#scroll();
  }

  /** Whether the stored lines before `item` all come before `seq` and those after it after. */
  #inOrder(item: HTMLLIElement, seq: number): boolean {
    const children = [...this.#list.children];
    const at = children.indexOf(item);
    const seqOf = (child: Element) =>
      child instanceof HTMLElement && child.dataset.seq !== undefined ? Number(child.dataset.seq) : undefined;
    return children.every((child, index) => {
      const other = seqOf(child);
      return other === undefined || index === at || (index < at ? other < seq : other > seq);
    });
  }

  /** The first line of a stored message after `seq`, before which a line of `seq` goes (null: at the end). */
  #laterThan(seq: number): Element | null {
    return (
      [...this.#list.children].find(
        (child) =>
          child instanceof HTMLElement && child.dataset.seq !== undefined && Number(child.dataset.seq) > seq,
      ) ?? null
    );
  }

  /** Shows the viewer's own message at once, marked as sending, until the server acknowledges it. */
  addPending(clientId: string, text: string): void {
    const { t } = this.#options;
    const item = h(
      'li',
      // Own from the start: placed where the stored message will stand, not moved there on its ack.
      { className: `msg msg-${this.#options.viewer} msg-own msg-pending` },
      h(
        'p',
        { className: 'msg-meta' },
        h('span', { className: 'msg-author', text: t('chat.from.you') }),
        ' ',
        h('span', { className: 'msg-state', text: t('chat.sending') }),
      ),
      h('p', { className: 'msg-text', text }),
    );
    this.#pending.set(clientId, item);
    this.#live();
    this.#list.append(item);
    this.#scroll();
  }

  /**
   * Marks a pending message the server refused (an `error` frame naming its `clientId`) as not
   * sent, so it does not say "sending…" for ever, with `reason` (the refusal, in the page's
   * language) below its text: the why stays with the message it concerns, in the log, rather than
   * in an error line elsewhere on the page. With `retry`, a "Send again" button (described by the
   * reason) calls it (the same `clientId`: a message the store did take after all is stored once)
   * and the line says "sending…" again; without, the line stays as a record of what was not sent.
   * Returns whether such a pending line was shown.
   */
  markFailed(clientId: string, reason: string, retry?: () => void): boolean {
    const item = this.#pending.get(clientId);
    if (!item) return false;
    const { t } = this.#options;
    const state = item.querySelector('.msg-state');
    item.classList.add('msg-failed');
    if (state) state.textContent = t('chat.notSent');
    item.querySelector('.msg-retry')?.remove();
    item.querySelector('.msg-error')?.remove();
    const error = h('p', { id: `msg-error-${clientId}`, className: 'msg-error', text: reason });
    item.append(error);
    if (retry) {
      const button = h('button', {
        className: 'msg-retry secondary',
        attrs: { type: 'button', 'aria-describedby': error.id },
        text: t('chat.sendAgain'),
      });
      button.addEventListener('click', () => {
        item.classList.remove('msg-failed');
        if (state) state.textContent = t('chat.sending');
        const focused = item.ownerDocument.activeElement === button;
        button.remove();
        error.remove();
        if (focused) this.#options.composer?.().focus();
        retry();
      });
      item.querySelector('.msg-meta')?.append(button);
    } else {
      this.#pending.delete(clientId);
    }
    return true;
  }

  /**
   * Makes the pending line the persisted message. The line stays where it is and only what
   * differs changes: "sending…" gives way to the time (and a badge), the text only if the
   * server redacted it. A screen reader was read the line when it was written; putting in a new
   * one would read the whole message out a second time (the log announces additions).
   */
  ack(clientId: string, message: MessageView): void {
    const item = this.#pending.get(clientId);
    this.#pending.delete(clientId);
    if (!item?.isConnected || this.#seen.has(message.id)) {
      item?.remove();
      this.add(message);
      return;
    }
    this.#seen.add(message.id);
    const stored = this.#render(message);
    item.className = stored.className;
    item.dataset.seq = String(message.seq);
    item.querySelector('.msg-state')?.remove();
    item.querySelector('.msg-retry')?.remove();
    item.querySelector('.msg-error')?.remove();
    const meta = item.querySelector('.msg-meta');
    const storedMeta = stored.querySelector('.msg-meta');
    // The stored meta is the author (the same "You"), then the time and any badges.
    if (meta && storedMeta) meta.append(...[...storedMeta.children].slice(1));
    const text = item.querySelector('.msg-text');
    const storedText = stored.querySelector('.msg-text');
    if (text && storedText && text.textContent !== storedText.textContent) text.replaceWith(storedText);
    // Moved only when a message stored before it arrived after it was written (rare): a
    // move is announced as an addition, staying put is not.
    if (!this.#inOrder(item, message.seq)) this.#list.insertBefore(item, this.#laterThan(message.seq));
    this.#seqs.add(message.seq);
    this.#scroll();
  }

  /**
   * Takes back the local notice of `code` while the server's stored line has not replaced it:
   * the action it announced was refused, and the notice would say it happened.
   */
  dropNotice(code: string): void {
    this.#notices.get(code)?.remove();
    this.#notices.delete(code);
  }

  /**
   * Replaces the visitor's shared name on every shown message by "Visitor": after a
   * withdrawal the agent's view must not keep the name the visitor no longer shares.
   */
  forgetVisitorName(): void {
    for (const author of this.#list.querySelectorAll('li.msg-visitor .msg-author')) {
      author.textContent = this.#options.t('chat.from.visitor');
    }
  }

  /** Marks a pending message whose text the server redacted. */
  markRedacted(clientId: string): void {
    const item = this.#pending.get(clientId);
    if (item) item.classList.add('msg-redacted');
  }

  /**
   * A line from this page itself, shown at once when a frame reports a change ("verified from
   * here on", "you stopped sharing"). The server also stores a system line with the same
   * `systemCode` for the transcript; whichever comes second is not shown twice.
   */
  notice(
    text: string,
    kind: 'info' | 'verified' | 'warning',
    code?: string,
    extra?: Node,
  ): HTMLLIElement | undefined {
    // The stored line for this event may have arrived first: the latest system line already
    // says it, so saying it again would be a second notice for one event.
    const lastSystem = [...this.#list.querySelectorAll<HTMLElement>('li[data-system-code]')].at(-1);
    if (code && lastSystem?.dataset.systemCode === code && !this.#notices.has(code)) {
      if (extra && lastSystem.childElementCount === 1) lastSystem.append(extra);
      return undefined;
    }
    const item = h(
      'li',
      { className: `msg msg-system msg-notice notice-${kind}` },
      h(
        'p',
        { className: 'msg-text' },
        kind === 'verified' ? verifiedBadge(this.#options.t) : null,
        kind === 'verified' ? ' ' : null,
        text,
      ),
      extra ?? null,
    );
    if (code) {
      item.dataset.systemCode = code;
      this.#notices.get(code)?.remove();
      this.#notices.set(code, item);
    }
    this.#live();
    this.#list.append(item);
    this.#scroll();
    return item;
  }

  /** Keeps the newest line in view inside the scrolling log region. */
  #scroll(): void {
    const region = this.#list.parentElement;
    if (region) region.scrollTop = region.scrollHeight;
  }

  /** The text of a system line in the viewer's language, when the catalog has one for its code. */
  #systemText(message: MessageView): string {
    const key = message.systemCode ? `chat.system.${this.#options.viewer}.${message.systemCode}` : undefined;
    return key && this.#options.messages[key] ? this.#options.t(key) : message.text;
  }

  /** A message's time, in the page's language. */
  #time(at: string, className?: string): HTMLTimeElement {
    return h('time', {
      ...(className ? { className } : {}),
      attrs: { datetime: at },
      text: timeOf(at, this.#options.lang),
    });
  }

  #render(message: MessageView): HTMLLIElement {
    const { t, viewer } = this.#options;
    if (message.from === 'system') {
      const verified = message.systemCode === 'verified';
      return h(
        'li',
        {
          className: `msg msg-system${verified ? ' notice-verified' : ''}`,
          attrs: { 'data-seq': String(message.seq), 'data-system-code': message.systemCode },
        },
        h(
          'p',
          { className: 'msg-text' },
          verified ? verifiedBadge(t) : null,
          verified ? ' ' : null,
          this.#systemText(message),
          ' ',
          this.#time(message.at, 'msg-time'),
        ),
      );
    }
    const own = message.from === viewer;
    const author =
      own && viewer === 'visitor'
        ? t('chat.from.you')
        : (message.authorName ?? t(message.from === 'agent' ? 'chat.from.agent' : 'chat.from.visitor'));
    const meta = h(
      'p',
      { className: 'msg-meta' },
      h('span', { className: 'msg-author', text: author }),
      ' ',
      this.#time(message.at),
      message.from === 'visitor' && message.verified ? verifiedBadge(t) : null,
      message.redacted
        ? h('span', { className: 'badge badge-redacted', text: t('chat.redactedBadge') })
        : null,
    );
    return h(
      'li',
      {
        className: `msg msg-${message.from}${own ? ' msg-own' : ''}`,
        attrs: { 'data-seq': String(message.seq) },
      },
      meta,
      message.anonymised
        ? h('p', { className: 'msg-text msg-removed', text: t('chat.anonymisedText') })
        : h('p', { className: 'msg-text', text: message.text }),
    );
  }
}
