const TYPING_IDLE_MS = 3000;

export interface ComposerOptions {
  form: HTMLFormElement;
  textarea: HTMLTextAreaElement;
  /** Returns false to keep the text (e.g. not connected). */
  onSend: (text: string) => boolean;
  onTyping: (typing: boolean) => void;
}

/**
 * Wires a reply form: Enter sends, Shift+Enter starts a new line (the hint next to the field
 * says so), and typing notifications go out at most once per burst with a "stopped" after
 * three idle seconds.
 */
export function wireComposer(options: ComposerOptions): void {
  const { form, textarea } = options;
  let typing = false;
  let idle: number | undefined;
  const stopTyping = () => {
    window.clearTimeout(idle);
    if (typing) {
      typing = false;
      options.onTyping(false);
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    // The shell renders `maxlength` from the server's MAX_TEXT_LENGTH: one limit for both sides.
    if (!text || text.length > textarea.maxLength) return;
    if (options.onSend(text)) {
      textarea.value = '';
      stopTyping();
    }
    textarea.focus();
  });

  // On touch screens Enter is the on-screen keyboard's new-line key and the send button is at
  // hand, so Enter keeps its usual meaning there (and the page hides the "Enter sends" hint).
  const touch = window.matchMedia('(hover: none) and (pointer: coarse)');
  textarea.addEventListener('keydown', (event) => {
    // IME composition uses Enter to accept a candidate: never send then.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !touch.matches) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  textarea.addEventListener('input', () => {
    if (!typing && textarea.value !== '') {
      typing = true;
      options.onTyping(true);
    }
    window.clearTimeout(idle);
    idle = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  });
}
