import { h } from './dom.js';

/** A control of a {@link SocketForm} the server may refuse by name (the error frame's `field`). */
export type FormField = HTMLInputElement | HTMLTextAreaElement;

/**
 * Codes that may answer any frame, a form's too: the frame was dropped by the rate limit, could
 * not be read, or the store or the gateway failed. They concern the whole form.
 */
const ANY_FRAME_CODES: ReadonlySet<string> = new Set([
  'rate_limited',
  'invalid_message',
  'store_unavailable',
  'internal_error',
]);

export interface SocketFormOptions {
  form: HTMLFormElement;
  /** The form's own `role="alert"` line, for a refusal of the whole form. */
  alert: HTMLElement;
  /** The form's `role="status"` line, which says "Sending…" (`sending`) while the frame is out. */
  status: HTMLElement;
  sending: string;
  /** The fields a refusal may name (`error.field`), by the name the frame gives them. */
  fields: Readonly<Record<string, FormField>>;
  /** The error codes only this form's frame is answered with (`offline_message_limit`, …). */
  codes: ReadonlySet<string>;
  /** The text next to a field, by its name in {@link fields}: the server's, for the same fault. */
  fieldError: (field: string) => string;
}

/**
 * A form the chat sends over its socket (the offline message, the transcript by e-mail), whose
 * answer comes later as a frame, as the server-rendered forms' answer comes as a page: a refused
 * field gets its own error text next to it (`aria-invalid`, named by the field's
 * `aria-describedby`, WCAG 3.3.1 and 1.3.1) and the focus, so a screen reader moving there
 * hears why; a refusal of the whole form goes to the form's own alert, not to the chat's shared
 * error line above the topics. While a frame is out, the submit button says it is unavailable
 * (`aria-disabled`, keeping the focus that `disabled` would drop) and a second press sends
 * nothing.
 * @see https://www.w3.org/WAI/WCAG22/Techniques/aria/ARIA21 (aria-invalid with the error text)
 */
export class SocketForm {
  readonly form: HTMLFormElement;
  readonly #options: SocketFormOptions;
  #sending = false;

  constructor(options: SocketFormOptions) {
    this.form = options.form;
    this.#options = options;
    // The fields' own constraints (`required`, `type="email"`) are checked by `begin`, which
    // says what is wrong as the server's refusal does: next to the field, in the page's
    // language. The browser's bubble is in the browser's language, named by no
    // `aria-describedby`, and gone at the next key.
    this.form.noValidate = true;
    // The error is about what was typed: once the visitor changes it, it no longer applies.
    for (const field of Object.values(options.fields))
      field.addEventListener('input', () => this.#clearField(field));
  }

  /** Whether a frame of this form is out and unanswered. */
  get sending(): boolean {
    return this.#sending;
  }

  /**
   * Starts sending: clears the last answer's errors and holds the submit button. False while an
   * earlier frame is still unanswered: the caller sends nothing (no second offline message or
   * e-mail from a double press).
   */
  begin(): boolean {
    if (this.#sending) return false;
    this.#clear();
    if (!this.#fieldsValid()) return false;
    this.#setSending(true);
    return true;
  }

  /**
   * Whether every field meets its constraints; each that does not gets its error (as
   * {@link refuse} gives it), and the first of them the focus (WCAG 3.3.1).
   */
  #fieldsValid(): boolean {
    const invalid = Object.entries(this.#options.fields).filter(([, control]) => !control.validity.valid);
    for (const [name, control] of invalid) this.#markField(control, this.#options.fieldError(name));
    invalid[0]?.[1].focus();
    return invalid.length === 0;
  }

  /**
   * Whether an `error` frame (one naming no message) answers this form: one of its own codes,
   * or one that may answer any frame, while its frame is out. The server answers a socket's
   * frames in order, and while one of these forms is out the widget sends nothing else that
   * could be refused so (no conversation is open beside the offline form; the transcript's is
   * closed).
   */
  answers(code: string): boolean {
    return this.#sending && (this.#options.codes.has(code) || ANY_FRAME_CODES.has(code));
  }

  /**
   * The server refused the form: `text` goes next to the field the frame named (which takes the
   * focus), or, naming none of this form's fields, into the form's alert.
   */
  refuse(text: string, field?: string): void {
    this.#setSending(false);
    const control = field === undefined ? undefined : this.#options.fields[field];
    if (!control) {
      this.#options.alert.textContent = text;
      return;
    }
    this.#options.alert.textContent = '';
    this.#markField(control, text);
    control.focus();
  }

  /** Puts `text` next to `control`, which it describes, and marks the control invalid. */
  #markField(control: FormField, text: string): void {
    const id = `${control.id}-error`;
    let error = this.form.querySelector<HTMLElement>(`#${CSS.escape(id)}`);
    if (!error) {
      error = h('span', { id, className: 'field-error' });
      control.after(error);
    }
    error.textContent = text;
    control.setAttribute('aria-invalid', 'true');
    const described = (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    if (!described.includes(id)) control.setAttribute('aria-describedby', [...described, id].join(' '));
  }

  /** The frame did not go out, or its answer will not come (the connection was lost): `text` says so. */
  fail(text: string): void {
    this.#setSending(false);
    this.#options.alert.textContent = text;
  }

  /** The server did what the form asked: no error stays. */
  succeeded(): void {
    this.#setSending(false);
    this.#clear();
  }

  #setSending(sending: boolean): void {
    this.#sending = sending;
    for (const button of this.form.querySelectorAll<HTMLButtonElement>('button[type="submit"]')) {
      if (sending) button.setAttribute('aria-disabled', 'true');
      else button.removeAttribute('aria-disabled');
    }
    this.#options.status.textContent = sending ? this.#options.sending : '';
  }

  #clear(): void {
    this.#options.alert.textContent = '';
    for (const field of Object.values(this.#options.fields)) this.#clearField(field);
  }

  #clearField(control: FormField): void {
    const id = `${control.id}-error`;
    this.form.querySelector(`#${CSS.escape(id)}`)?.remove();
    if (control.getAttribute('aria-invalid') === null) return;
    control.removeAttribute('aria-invalid');
    const described = (control.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter((token) => token !== '' && token !== id);
    if (described.length > 0) control.setAttribute('aria-describedby', described.join(' '));
    else control.removeAttribute('aria-describedby');
  }
}
