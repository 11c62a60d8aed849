/** A lost "stopped typing" must not leave the indicator on for ever. */
const TYPING_SHOWN_MS = 10_000;

/** The "… is typing" line of a conversation, hidden again after a while without news. */
export class TypingIndicator {
  readonly #element: HTMLElement;
  #timer: number | undefined;

  constructor(element: HTMLElement) {
    this.#element = element;
  }

  show(typing: boolean): void {
    window.clearTimeout(this.#timer);
    this.#element.hidden = !typing;
    if (typing) this.#timer = window.setTimeout(() => this.show(false), TYPING_SHOWN_MS);
  }
}
