/**
 * The value of the first cookie named `name` in a `Cookie` header, percent-decoded, or
 * `undefined` when there is none or it does not decode. Every cookie the gateway reads itself
 * (the visitor id, the language) is read here, so that what a client puts in its cookies can only
 * make one cookie unreadable: a bare `decodeURIComponent` of a visitor cookie holding `%` failed
 * every page, API and socket of that browser with 500 until the cookie expired.
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-5.4
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(separator + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
