/**
 * A page URL as a `Referer` header may carry it: without a user name, password or fragment.
 * None of them says which page the visitor was on, and each can hold a secret of the host site
 * (credentials typed into an address, an OAuth token an implicit flow left in the fragment) that
 * an agent would be shown and the citizen's copy kept. A browser's own referrer never has them;
 * a page's `location.href`, or a frame written by hand, may. Text that is no URL is returned as
 * it is (the protocol checks what a URL must be); one with nothing to strip keeps its spelling.
 * Used by the widget (what it sends) and the gateway (what it keeps), so no DOM or Node API.
 * @see https://w3c.github.io/webappsec-referrer-policy/#strip-url
 */
export function asReferrerUrl(value: string): string {
  if (!URL.canParse(value)) return value;
  const url = new URL(value);
  if (url.username === '' && url.password === '' && !value.includes('#')) return value;
  url.username = '';
  url.password = '';
  url.hash = '';
  return url.href;
}
