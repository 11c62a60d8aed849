/**
 * A minimal browser for integration tests: a cookie jar per host (as browsers scope cookies
 * by host, not port) and redirect following, built on fetch. Each hop is recorded so tests can
 * assert on intermediate redirects (e.g. the authorization request's parameters).
 */
export interface Hop {
  url: string;
  status: number;
  location?: string;
}

export interface PageResult {
  status: number;
  url: string;
  headers: Headers;
  text: string;
  hops: Hop[];
}

interface StoredCookie {
  value: string;
  path: string;
}

export class BrowserSession {
  readonly #jar = new Map<string, Map<string, StoredCookie>>();
  /** Sent as Accept-Language on every request. */
  language = 'en';

  /**
   * GET `url`, following redirects; with `stopBefore`, the redirect whose target starts with
   * it is returned instead of followed (e.g. a broker's answer before it reaches our callback).
   */
  async get(
    url: string,
    options: { follow?: boolean; headers?: Record<string, string>; stopBefore?: string } = {},
  ): Promise<PageResult> {
    return this.#request(url, {
      method: 'GET',
      follow: options.follow ?? true,
      headers: options.headers ?? {},
      ...(options.stopBefore ? { stopBefore: options.stopBefore } : {}),
    });
  }

  /** POST an urlencoded form, following the redirect that answers it. */
  async post(
    url: string,
    form: Record<string, string | string[]>,
    options: { follow?: boolean; headers?: Record<string, string> } = {},
  ): Promise<PageResult> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    return this.#request(url, {
      method: 'POST',
      body: body.toString(),
      follow: options.follow ?? true,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(url).origin,
        ...options.headers,
      },
    });
  }

  /** A `fetch`-style JSON POST (as the widget sends), with this browser's cookies. */
  async postJson(url: string, json: unknown, headers: Record<string, string> = {}): Promise<PageResult> {
    return this.#request(url, {
      method: 'POST',
      body: JSON.stringify(json),
      follow: false,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  /** The value of a cookie for `url`'s host, if set. */
  cookie(url: string, name: string): string | undefined {
    return this.#jar.get(new URL(url).hostname)?.get(name)?.value;
  }

  /** Sets a cookie by hand (fixation tests). */
  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).hostname;
    if (!this.#jar.has(host)) this.#jar.set(host, new Map());
    this.#jar.get(host)?.set(name, { value, path: '/' });
  }

  /** The Cookie header this browser would send to `url`. */
  cookieHeader(url: string): string {
    const { hostname, pathname } = new URL(url);
    const cookies = this.#jar.get(hostname) ?? new Map<string, StoredCookie>();
    return [...cookies.entries()]
      .filter(([, c]) => pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  async #request(
    startUrl: string,
    init: {
      method: string;
      body?: string;
      follow: boolean;
      headers: Record<string, string>;
      stopBefore?: string;
    },
  ): Promise<PageResult> {
    const hops: Hop[] = [];
    let url = startUrl;
    let method = init.method;
    let body = init.body;
    let headers = init.headers;
    for (let i = 0; i < 20; i++) {
      const cookie = this.cookieHeader(url);
      const response = await fetch(url, {
        method,
        redirect: 'manual',
        headers: { 'accept-language': this.language, ...headers, ...(cookie ? { cookie } : {}) },
        ...(body !== undefined ? { body } : {}),
      });
      this.#store(url, response.headers.getSetCookie());
      const location = response.headers.get('location') ?? undefined;
      hops.push({ url, status: response.status, ...(location ? { location } : {}) });
      const next = location ? new URL(location, url).href : undefined;
      if (
        !init.follow ||
        response.status < 300 ||
        response.status >= 400 ||
        !next ||
        (init.stopBefore !== undefined && next.startsWith(init.stopBefore))
      ) {
        return { status: response.status, url, headers: response.headers, text: await response.text(), hops };
      }
      await response.arrayBuffer();
      url = next;
      // 303 (and 302 after POST, as browsers do) turn into GET without a body.
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        headers = {};
      }
    }
    throw new Error(`too many redirects from ${startUrl}`);
  }

  #store(url: string, setCookies: string[]): void {
    const host = new URL(url).hostname;
    if (!this.#jar.has(host)) this.#jar.set(host, new Map());
    const cookies = this.#jar.get(host) as Map<string, StoredCookie>;
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attrs = new Map(
        attributes.map((a) => [a.split('=')[0]?.toLowerCase() ?? '', a.split('=').slice(1).join('=')]),
      );
      const expires = attrs.get('expires');
      const expired =
        attrs.get('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, { value, path: attrs.get('path') || '/' });
    }
  }
}

/** The value of a hidden/named input in an HTML page. */
export function inputValue(html: string, name: string): string {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no input named ${name} in page`);
  return match[1];
}
