import { request } from 'node:http';
import { WebSocket } from 'ws';
import { BrowserSession, inputValue } from '../../helpers/browser-session.js';

/** A frame as received: JSON with a `type`. */
export type Frame = { type: string } & Record<string, unknown>;

/**
 * A real `ws` client with an inbox: every frame received is kept in order, and tests wait for
 * the next one that matches, so nothing that arrives early is missed.
 */
export class ChatClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  /** Opens a socket as the browser would: its cookies, the page's Origin. */
  static async connect(url: string, headers: Record<string, string>): Promise<ChatClient> {
    const ws = new WebSocket(url, { headers });
    const client = new ChatClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /**
   * The first frame of `type` (or of any of several types; matching `where`) received after the
   * `since`-th frame (default: from the start), waiting up to `timeoutMs`.
   */
  next(
    type: string | readonly string[],
    where: (f: Frame) => boolean = () => true,
    since = 0,
    timeoutMs = 5_000,
  ): Promise<Frame> {
    const types: readonly string[] = typeof type === 'string' ? [type] : type;
    const match = (f: Frame) => types.includes(f.type) && where(f);
    const existing = this.frames.slice(since).find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no ${type} frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.type).join(', ')}`,
            ),
          ),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        from: since,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** Waits for the frame caused by what is sent now (ignores earlier frames of the same type). */
  async request(
    frame: unknown,
    type: string | readonly string[],
    where?: (f: Frame) => boolean,
  ): Promise<Frame> {
    const since = this.frames.length;
    this.send(frame);
    return this.next(type, where, since);
  }

  close(): void {
    this.ws.close();
  }
}

/** A browser that has loaded the chat page (which creates the session and the visitor id). */
export async function visitorBrowser(base: string): Promise<BrowserSession> {
  const browser = new BrowserSession();
  const page = await browser.get(`${base}/chat`);
  if (page.status !== 200) throw new Error(`chat page answered ${page.status}`);
  return browser;
}

/** Opens a chat socket for the browser (visitor or agent), with the gateway's Origin. */
export function connectAs(
  browser: BrowserSession,
  base: string,
  endpoint: 'visitor' | 'agent',
): Promise<ChatClient> {
  const url = new URL(`${base}/ws/${endpoint}`);
  const cookie = browser.cookieHeader(url.href);
  return ChatClient.connect(url.href.replace(/^http/, 'ws'), {
    origin: url.origin,
    ...(cookie ? { cookie } : {}),
  });
}

/** Loads a staff form at `path` (for its CSRF token; it must answer 200) and posts `form` to it. */
export async function submitStaffForm(
  browser: BrowserSession,
  base: string,
  path: string,
  form: Record<string, string>,
) {
  const page = await browser.get(`${base}${path}`);
  if (page.status !== 200) throw new Error(`the form at ${path} answered ${page.status}`);
  return browser.post(`${base}${path}`, { _csrf: inputValue(page.text, '_csrf'), ...form });
}

/**
 * A signed-in staff browser (through the mock staff IdP; `login_hint` picks the persona). It
 * returns to the tenant's start page, which every role may see.
 */
export async function staffBrowser(base: string, persona: string): Promise<BrowserSession> {
  const browser = new BrowserSession();
  const home = `${new URL(base).pathname.replace(/\/$/, '')}/`;
  const page = await browser.get(
    `${base}/staff/login?login_hint=${persona}&returnTo=${encodeURIComponent(home)}`,
  );
  if (page.status !== 200) throw new Error(`staff login answered ${page.status}: ${page.text.slice(0, 300)}`);
  return browser;
}

/**
 * Identifies in the browser through `loginUrl` (a path of the gateway) as `persona`, and on the
 * consent page shares `claims`. Returns the page the flow ends on.
 */
export async function identifyAndShare(
  browser: BrowserSession,
  origin: string,
  loginUrl: string,
  persona: string,
  claims: string[],
): Promise<{ status: number; url: string }> {
  const login = new URL(loginUrl, origin);
  login.searchParams.set('login_hint', persona);
  const consent = await browser.get(login.href);
  if (!consent.url.endsWith('/consent')) throw new Error(`login ended at ${consent.url} (${consent.status})`);
  const done = await browser.post(consent.url, {
    _csrf: inputValue(consent.text, '_csrf'),
    decision: 'share',
    claims,
  });
  return { status: done.status, url: done.url };
}

/**
 * Sends a raw HTTP upgrade request and resolves with the status the server answered before any
 * handshake (101 if it upgraded).
 */
export function rawUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...headers,
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A staff member's console socket (signed in as `persona` through the mock IdP), after its welcome. */
export async function staffSocket(base: string, persona: string): Promise<ChatClient> {
  const client = await connectAs(await staffBrowser(base, persona), base, 'agent');
  await client.next('welcome');
  return client;
}

/** A new visitor at `base` who has started a conversation in `general`. */
export async function startedConversation(
  base: string,
): Promise<{ browser: BrowserSession; visitor: ChatClient; conversationId: string }> {
  const browser = await visitorBrowser(base);
  const visitor = await connectAs(browser, base, 'visitor');
  await visitor.next('welcome');
  const started = await visitor.request({ type: 'start', topic: 'general' }, 'conversation');
  return { browser, visitor, conversationId: (started.conversation as { id: string }).id };
}

/**
 * A visitor with a socket at `base` who identified as Kari Nordmann (BankID) and shares the name,
 * once their socket knows it (`identity` verified); no conversation yet.
 */
export async function sharingVisitor(
  base: string,
): Promise<{ browser: BrowserSession; visitor: ChatClient }> {
  const browser = await visitorBrowser(base);
  const visitor = await connectAs(browser, base, 'visitor');
  await visitor.next('welcome');
  await identifyAndShare(browser, base, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
    'name',
  ]);
  await visitor.next('identity', (f) => f.verified === true);
  return { browser, visitor };
}

/** A new visitor chatting in `general` at `base`, with the conversation claimed by `agent`. */
export async function claimedConversation(
  base: string,
  agent: ChatClient,
): Promise<{ browser: BrowserSession; visitor: ChatClient; conversationId: string }> {
  const { browser, visitor, conversationId } = await startedConversation(base);
  await agent.request(
    { type: 'claim', conversationId },
    'conversation',
    (f) => (f.conversation as { id: string }).id === conversationId,
  );
  return { browser, visitor, conversationId };
}

/**
 * A visitor's conversation in `general`: a first message while anonymous, claimed by `assignee`
 * when given, then identified as Kari Nordmann (BankID) sharing the name.
 */
export async function identifiedConversation(
  base: string,
  options: { assignee?: ChatClient; firstText?: string } = {},
): Promise<{ browser: BrowserSession; visitor: ChatClient; conversationId: string }> {
  const { browser, visitor, conversationId } = await startedConversation(base);
  await visitor.request(
    { type: 'message', clientId: 'm1', text: options.firstText ?? 'before identifying' },
    'ack',
  );
  if (options.assignee) {
    await options.assignee.request(
      { type: 'claim', conversationId },
      'conversation',
      (f) => (f.conversation as { id: string }).id === conversationId,
    );
  }
  await identifyAndShare(browser, base, '/auth/bankid/login?returnTo=/chat/identified', 'kari-nordmann', [
    'name',
  ]);
  await visitor.next('identity', (f) => f.verified === true);
  return { browser, visitor, conversationId };
}

/**
 * A visitor at `base` (a tenant's base URL) identified as Kari Nordmann (BankID) sharing
 * `claims`, once the login is done (their socket may still be learning of it).
 */
export async function identifiedVisitor(base: string, claims: string[]): Promise<ChatClient> {
  const url = new URL(base);
  const path = url.pathname.replace(/\/$/, '');
  const browser = await visitorBrowser(base);
  const visitor = await connectAs(browser, base, 'visitor');
  await visitor.next('welcome');
  await identifyAndShare(
    browser,
    url.origin,
    `${path}/auth/bankid/login?returnTo=${path}/chat/identified`,
    'kari-nordmann',
    claims,
  );
  return visitor;
}
