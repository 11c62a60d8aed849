/**
 * The mock's only stylesheet, served from `STYLESHEET_PATH`. Kept in a module rather than a
 * `.css` file because `tsc` copies nothing but compiled TypeScript into `dist/`.
 */
export const STYLESHEET = `:root {
  color-scheme: light dark;
  --accent: #1d4ed8;
  --accent-text: #ffffff;
  --muted: #4b5563;
  --border: #9ca3af;
  --warning-bg: #fef3c7;
  --warning-text: #78350f;
  --page: #ffffff;
  --text: #111827;
}
@media (prefers-color-scheme: dark) {
  :root { --accent: #93c5fd; --accent-text: #0b1220; --muted: #d1d5db; --border: #6b7280; --page: #111827; --text: #f9fafb; }
}
/* The page's own colours, not the browser's default canvas: the contrast of every text is then
   the one designed (and the one a checker such as axe computes), in either colour scheme. */
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 0; padding: 1rem; background: var(--page); color: var(--text); }
main { max-width: 36rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
.notice { border-left: 4px solid var(--border); padding: 0.25rem 0.75rem; color: var(--muted); }
.message { background: var(--warning-bg); color: var(--warning-text); padding: 0.5rem 0.75rem; border-radius: 4px; }
/* A fieldset's least width is its content's (min-content); 0 lets it follow the page's. */
fieldset { min-width: 0; border: 1px solid var(--border); border-radius: 6px; padding: 0.5rem 1rem 1rem; margin: 0 0 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
.choice { display: flex; gap: 0.5rem; align-items: flex-start; padding: 0.4rem 0; }
.choice input { margin-top: 0.35rem; width: 1.1rem; height: 1.1rem; }
/* A persona's e-mail address is one word: the label may shrink below it, and breaks it. */
.choice label { cursor: pointer; min-width: 0; overflow-wrap: anywhere; }
.detail { display: block; color: var(--muted); font-size: 0.9rem; }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; align-items: center; margin: 0.75rem 0; }
button { font: inherit; padding: 0.5rem 1.25rem; border-radius: 4px; border: 2px solid var(--accent); cursor: pointer; }
button.primary { background: var(--accent); color: var(--accent-text); }
button.secondary { background: transparent; color: inherit; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
/* An acr URN (urn:grn:authn:no:bankid:substantial) is one word: it breaks rather than widen the page. */
code { font-size: 0.9em; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
ul.issuers { padding-left: 1.25rem; }
`;
