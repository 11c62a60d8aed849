import { BrowserSession } from '../test/helpers/browser-session.js';
import { benchAgentPersona } from './bench-agents.js';
import { BenchSocket, type Frame, inBatches } from './frames.js';

/** One visitor with its conversation, answered by one of the agents. */
export interface Pair {
  visitor: BenchSocket;
  conversationId: string;
}

/** A server the round trips run against: the gateway or the relay. */
export interface Target {
  /** `relay`, `gateway`, or a variant of the gateway (`redis-1`, `redis-2`). */
  readonly name: string;
  /** Connects `agents` agents and `pairs` visitors, each conversation owned by agent `i % agents`. */
  connect(pairs: number, agents: number): Promise<{ pairs: Pair[]; close(): void }>;
  /** Opens one visitor socket that then stays idle. */
  idleVisitor(): Promise<BenchSocket>;
  /** Prepares `count` idle visitors' prerequisites (sessions), not counted in the socket's memory. */
  prepareIdle(count: number): Promise<void>;
}

/** Agents answer each visitor message with the same text, as fast as they receive them. */
function autoReply(agent: BenchSocket, reply: (conversationId: string, text: string) => unknown): void {
  agent.on((frame) => {
    if (frame.type !== 'message') return;
    const message = frame.message as { from?: string; text: string };
    if (message.from === 'agent' || message.from === 'system') return;
    agent.send(reply(frame.conversationId as string, message.text));
  });
}

/** The thinnest relay (`relay-server.ts`). */
export class RelayTarget implements Target {
  readonly name = 'relay';
  readonly #ws: string;
  #idle = 0;

  constructor(url: string) {
    this.#ws = url.replace(/^http/, 'ws');
  }

  async connect(pairCount: number, agentCount: number) {
    const agents = await Promise.all(
      Array.from({ length: agentCount }, (_, i) =>
        BenchSocket.open(`${this.#ws}/relay?role=agent&agent=${i}`),
      ),
    );
    for (const agent of agents)
      autoReply(agent, (conversationId, text) => ({ type: 'message', conversationId, text }));
    const pairs = await Promise.all(
      Array.from({ length: pairCount }, async (_, i) => {
        const conversationId = `c${i}`;
        const agent = agents[i % agentCount] as BenchSocket;
        agent.send({ type: 'own', conversationId });
        const visitor = await BenchSocket.open(
          `${this.#ws}/relay?role=visitor&conversation=${conversationId}`,
        );
        return { visitor, conversationId };
      }),
    );
    return { pairs, close: () => closeAll([...agents, ...pairs.map((p) => p.visitor)]) };
  }

  async prepareIdle(): Promise<void> {}

  idleVisitor(): Promise<BenchSocket> {
    return BenchSocket.open(`${this.#ws}/relay?role=visitor&conversation=idle${this.#idle++}`);
  }
}

/** The real gateway: staff logins through the mock IdP, visitor sessions, the chat protocol. */
export class GatewayTarget implements Target {
  readonly name: string;
  readonly #url: string;
  readonly #agentUrl: string;
  readonly #idleCookies: string[] = [];
  readonly #firstAgent: number;

  /**
   * Visitors connect to `url`, agents to `agentUrl` (another instance on the same Redis).
   * Agents are the personas from `firstAgent` on: targets sharing a Redis use different staff.
   */
  constructor(url: string, options: { agentUrl?: string; name?: string; firstAgent?: number } = {}) {
    this.#url = url;
    this.#agentUrl = options.agentUrl ?? url;
    this.name = options.name ?? 'gateway';
    this.#firstAgent = options.firstAgent ?? 0;
  }

  async connect(pairCount: number, agentCount: number) {
    const agents = await inBatches(
      Array.from({ length: agentCount }, (_, i) => i),
      10,
      async (i) => {
        const browser = await staffLogin(this.#agentUrl, benchAgentPersona(this.#firstAgent + i));
        const agent = await this.#socket(
          'agent',
          browser.cookieHeader(`${this.#agentUrl}/ws/agent`),
          this.#agentUrl,
        );
        await agent.next((f) => f.type === 'welcome');
        return agent;
      },
    );
    let replies = 0;
    for (const agent of agents) {
      autoReply(agent, (conversationId, text) => ({
        type: 'message',
        conversationId,
        clientId: `r${replies++}`,
        text,
      }));
    }
    const pairs = await inBatches(
      Array.from({ length: pairCount }, (_, i) => i),
      10,
      async (i) => {
        const visitor = await this.#socket('visitor', await this.#visitorCookie());
        await visitor.next((f) => f.type === 'welcome');
        const started = visitor.next((f) => f.type === 'conversation');
        visitor.send({ type: 'start', topic: 'general' });
        const conversationId = ((await started).conversation as { id: string }).id;
        const agent = agents[i % agentCount] as BenchSocket;
        const claimed = agent.next(
          (f) =>
            f.type === 'conversation' &&
            (f.conversation as { id: string; status: string }).id === conversationId &&
            (f.conversation as { status: string }).status === 'assigned',
        );
        agent.send({ type: 'claim', conversationId });
        await claimed;
        return { visitor, conversationId };
      },
    );
    return { pairs, close: () => closeAll([...agents, ...pairs.map((p) => p.visitor)]) };
  }

  async prepareIdle(count: number): Promise<void> {
    const cookies = await inBatches(
      Array.from({ length: count }, (_, i) => i),
      20,
      () => this.#visitorCookie(),
    );
    this.#idleCookies.push(...cookies);
  }

  async idleVisitor(): Promise<BenchSocket> {
    const cookie = this.#idleCookies.pop() ?? (await this.#visitorCookie());
    const visitor = await this.#socket('visitor', cookie);
    await visitor.next((f) => f.type === 'welcome');
    return visitor;
  }

  /** A visitor session as the widget gets one: `GET /api/session` sets the cookie. */
  async #visitorCookie(): Promise<string> {
    const browser = new BrowserSession();
    const response = await browser.get(`${this.#url}/api/session`);
    if (response.status !== 200) throw new Error(`GET /api/session answered ${response.status}`);
    return browser.cookieHeader(`${this.#url}/ws/visitor`);
  }

  #socket(endpoint: 'visitor' | 'agent', cookie: string, url = this.#url): Promise<BenchSocket> {
    return BenchSocket.open(`${url.replace(/^http/, 'ws')}/ws/${endpoint}`, {
      origin: new URL(url).origin,
      cookie,
    });
  }
}

/** Signs a staff persona in through the mock staff IdP (`login_hint` picks the persona). */
export async function staffLogin(url: string, persona: string): Promise<BrowserSession> {
  const browser = new BrowserSession();
  const page = await browser.get(`${url}/staff/login?login_hint=${persona}&returnTo=%2F`);
  if (page.status !== 200) throw new Error(`staff login answered ${page.status}`);
  return browser;
}

/**
 * The gateway-side time of one staff login callback: the browser is walked to the redirect that
 * brings the code back, then `GET /staff/callback` is timed on its own (code exchange with the
 * in-process mock IdP included).
 */
export async function timedStaffCallback(url: string, persona: string): Promise<number> {
  const browser = new BrowserSession();
  const callback = `${url}/staff/callback`;
  const before = await browser.get(`${url}/staff/login?login_hint=${persona}&returnTo=%2F`, {
    stopBefore: callback,
  });
  const location = before.headers.get('location');
  if (!location) throw new Error('no redirect to the callback');
  const started = performance.now();
  const answered = await browser.get(new URL(location, before.url).href, { follow: false });
  const elapsed = performance.now() - started;
  if (answered.status !== 303 && answered.status !== 302) {
    throw new Error(`callback answered ${answered.status}`);
  }
  return elapsed;
}

function closeAll(sockets: BenchSocket[]): void {
  for (const socket of sockets) socket.close();
}

export type { Frame };
