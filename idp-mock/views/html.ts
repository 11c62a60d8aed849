// This escaper and template tag deliberately repeat `src/web/html.ts` rather than import it:
// nothing under idp-mock/ depends on src/, so the mock stands in for the outside brokers without
// sharing code with the gateway it is used to test, can be lifted out on its own, and cannot be
// broken by a change made for the gateway's pages. The copy is small; login-page.test.ts checks
// that markup in a login_hint comes out escaped.

/** HTML that is already safe to emit: produced by `html` or trusted markup written here. */
export class SafeHtml {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Template tag that escapes every interpolated value unless it is `SafeHtml` (or an array of
 * it), so that nothing from a request, a persona or a config file reaches a page unescaped.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Path of the one stylesheet every page links to (the pages carry no inline style). */
export const STYLESHEET_PATH = '/assets/idp-mock.css';

/** Wraps page content in the common document: `lang` (English unless given), viewport, title and the stylesheet. */
export function layout({
  title,
  body,
  lang = 'en',
}: {
  title: string;
  body: SafeHtml;
  lang?: string;
}): string {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.value;
}
