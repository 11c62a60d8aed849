import { html, layout } from './html.js';

/**
 * The error page for browser-facing failures that cannot be redirected to the client (unknown
 * client, bad `redirect_uri`, expired interaction). Shows the OAuth error code and the
 * description oidc-provider deems safe; never a stack trace.
 */
export function renderErrorPage(error: string, description: string | undefined): string {
  return layout({
    title: 'Sign-in error – mock IdP',
    body: html`<h1>Something went wrong</h1>
<dl>
<dt>Error</dt><dd><code>${error}</code></dd>
${description === undefined ? '' : html`<dt>Description</dt><dd>${description}</dd>`}
</dl>
<p>Start again from the application you were signing in to.</p>`,
  });
}
