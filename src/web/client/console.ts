import { startWithBootstrap } from './bootstrap.js';
import { ChatSocket, type ConnectionState } from './chat-socket.js';
import { wireComposer } from './composer.js';
import { byId, h, minutesOf, replaceKeepingFocus, setControlsEnabled, timeOf } from './dom.js';
import { createTranslator, errorKey, type Translate } from './i18n.js';
import {
  type AgentInbound,
  type ChatBootstrap,
  type ClaimsView,
  type ConversationSummary,
  type ConversationView,
  claimEntries,
  type OfflineMessageSummary,
  type OfflineMessageView,
} from './protocol.js';
import { RESENDABLE_ERRORS, Transcript, verifiedBadge } from './transcript.js';
import { TypingIndicator } from './typing-indicator.js';

/** How often the queue's waiting times are redrawn. */
const QUEUE_REFRESH_MS = 30_000;

/**
 * The conversation open in this tab (its id; the tenant's base path follows the key), so that a reload opens it again
 * as the widget's `eidchat.conversation` resumes the visitor's: sessionStorage is the tab's own
 * and ends with it. Forgotten when the conversation is deleted and when the staff login ends.
 */
const OPEN_KEY = 'eidchat.console.open';

/**
 * Where a refusal is told: the page's error line (above the queues and lists, whose claim and
 * open buttons it answers), the open conversation's (below its reply and action buttons), or the
 * offline messages' (in their section).
 */
type ErrorPlace = 'page' | 'conversation' | 'offline';
const ERROR_LINES: Readonly<Record<ErrorPlace, string>> = {
  page: 'console-error',
  conversation: 'conversation-error',
  offline: 'offline-error',
};

interface Queue {
  topic: string;
  title: string;
  conversations: ConversationSummary[];
}

/**
 * The agent console: queues per topic with a claim button, the agent's own conversations, the
 * open conversation (transcript, reply, transfer, close, request identification), the identity
 * panel (exactly the claims the visitor shared, cleared when they withdraw) and offline
 * messages. The server decides what an agent may see; this page only shows what it is sent.
 */
class AgentConsole {
  readonly #root: HTMLElement;
  readonly #boot: ChatBootstrap;
  readonly #t: Translate;
  readonly #socket: ChatSocket;
  readonly #transcript: Transcript;
  readonly #typing: TypingIndicator;
  readonly #queues = new Map<string, Queue>();
  readonly #mine = new Map<string, ConversationSummary>();
  /** Every agent's assigned conversations, for transcript readers (`undefined` for other roles). */
  #allAssigned: ConversationSummary[] | undefined;
  readonly #unread = new Set<string>();
  /** Replies sent and not yet acknowledged, by clientId: what "Send again" sends. */
  readonly #replies = new Map<string, { conversationId: string; text: string }>();
  /** The tenant's offline messages as listed (time only); `#opened` holds those read here. */
  #offline: OfflineMessageSummary[] = [];
  readonly #opened = new Map<string, OfflineMessageView>();
  #agentName = '';
  /** Supervisors and admins may transfer or close any open conversation (the server checks it too). */
  #supervises = false;
  #current: ConversationView | undefined;
  /** What the server last said about the open conversation's identity (`null`: withdrawn). */
  #identity: ConversationView['identity'] | null = undefined;
  /** The conversation a claim/open was just sent for: its `conversation` frame opens it. */
  #awaiting: string | undefined;
  /**
   * Where the last action was taken, so that a refusal naming no message is told there: error
   * frames do not say which frame they answer, and the server answers a socket's frames in order.
   */
  #acting: ErrorPlace = 'page';
  /** The `type` of the last action's frame, which a refusal answers. */
  #actingFrame: string | undefined;
  /** The conversation this tab had open before a reload, while its `open` is answered. */
  #restoring: string | undefined;
  /** Whether the first welcome came (only it reopens the tab's conversation). */
  #welcomed = false;

  constructor(root: HTMLElement, boot: ChatBootstrap) {
    this.#root = root;
    this.#boot = boot;
    this.#t = createTranslator(boot.messages);
    this.#transcript = new Transcript(this.#el<HTMLOListElement>('console-messages'), {
      t: this.#t,
      messages: boot.messages,
      lang: boot.lang,
      viewer: 'agent',
      composer: () => this.#el('reply-text'),
    });
    this.#typing = new TypingIndicator(this.#el('console-typing'));
    this.#socket = new ChatSocket({
      path: boot.wsUrl.agent,
      onFrame: (frame) => this.#onFrame(frame as unknown as AgentInbound),
      onOpen: (reconnected) => {
        // The welcome after a reconnection lists queues afresh; reload the open transcript.
        if (reconnected && this.#current)
          this.#socket.send({ type: 'open', conversationId: this.#current.id });
      },
      onState: (state, code) => this.#onState(state, code),
    });
    this.#wire();
    this.#socket.connect();
    // Waiting times and "abandoned" marks move with the clock, not only with events.
    window.setInterval(() => this.#renderQueues(), QUEUE_REFRESH_MS);
  }

  #el<T extends HTMLElement = HTMLElement>(id: string): T {
    return byId<T>(this.#root, id);
  }

  #wire(): void {
    wireComposer({
      form: this.#el<HTMLFormElement>('reply-form'),
      textarea: this.#el<HTMLTextAreaElement>('reply-text'),
      onSend: (text) => {
        if (!this.#current) return false;
        const clientId = crypto.randomUUID();
        if (!this.#socket.send({ type: 'message', conversationId: this.#current.id, clientId, text })) {
          this.#error('chat.status.reconnecting', 'conversation');
          return false;
        }
        this.#transcript.addPending(clientId, text);
        this.#replies.set(clientId, { conversationId: this.#current.id, text });
        return true;
      },
      onTyping: (typing) => {
        if (this.#current) this.#socket.send({ type: 'typing', conversationId: this.#current.id, typing });
      },
    });
    this.#el('offline-hide-handled').addEventListener('change', () => this.#renderOffline());
    // Signing out here forgets the tab's open conversation: the next login in this tab may be
    // someone else's.
    this.#root
      .querySelector('form[action$="/staff/logout"]')
      ?.addEventListener('submit', () => this.#rememberOpen(undefined));
    this.#el('request-id').addEventListener('click', () => {
      if (
        this.#current &&
        this.#act('conversation', { type: 'request-identification', conversationId: this.#current.id })
      ) {
        this.#transcript.notice(this.#t('chat.console.requestSent'), 'info', 'identification-requested');
      }
    });
    this.#el('transfer').addEventListener('click', () => {
      const topic = this.#el<HTMLSelectElement>('transfer-topic').value;
      if (this.#current && topic)
        this.#act('conversation', { type: 'transfer', conversationId: this.#current.id, topic });
    });
    this.#el('close-conversation').addEventListener('click', () => {
      if (this.#current) this.#act('conversation', { type: 'close', conversationId: this.#current.id });
    });
  }

  #onState(state: ConnectionState, code?: number): void {
    const status = this.#el('console-status');
    if (state === 'ended' && (code === 4401 || code === 4403)) {
      // The staff login ended (signed out, maxLoginHours, another login in this browser) or lost
      // its role: the queues and the conversation can no longer be worked, and a reload of this
      // page would only say so less clearly. Nothing in them stays operable (the queues are
      // redrawn every few seconds, so the whole grid is made inert, not each button).
      this.#el('console-grid').inert = true;
      this.#typing.show(false);
      this.#rememberOpen(undefined);
      const base = this.#boot.basePath;
      status.replaceChildren(
        this.#t(code === 4401 ? 'chat.console.ended' : 'chat.console.forbidden'),
        ...(code === 4401
          ? [
              ' ',
              h('a', {
                attrs: { href: `${base}/staff/login?returnTo=${encodeURIComponent(`${base}/agent`)}` },
                text: this.#t('chat.console.signInAgain'),
              }),
            ]
          : []),
      );
      return;
    }
    status.textContent = this.#t(`chat.status.${state}`);
  }

  #onFrame(frame: AgentInbound): void {
    switch (frame.type) {
      case 'welcome':
        this.#agentName = frame.agent.name;
        this.#supervises = frame.agent.roles.some((role) => role === 'supervisor' || role === 'admin');
        this.#queues.clear();
        for (const queue of frame.queues) this.#queues.set(queue.topic, queue);
        this.#mine.clear();
        for (const summary of frame.assigned) this.#mine.set(summary.id, summary);
        this.#offline = [...frame.offlineMessages];
        this.#allAssigned = frame.allAssigned;
        this.#renderQueues();
        this.#renderMine();
        this.#renderOffline();
        this.#renderTransferOptions();
        if (!this.#welcomed) this.#reopen();
        this.#welcomed = true;
        break;
      case 'queue': {
        const existing = this.#queues.get(frame.topic);
        if (existing && frame.conversations.length > existing.conversations.length)
          this.#announce('chat.console.queueArrived', {
            topic: existing.title,
            count: frame.conversations.length,
          });
        this.#queues.set(frame.topic, {
          topic: frame.topic,
          title: existing?.title ?? frame.topic,
          conversations: frame.conversations,
        });
        this.#renderQueues();
        break;
      }
      case 'assigned':
        this.#allAssigned = frame.conversations;
        this.#renderOthers();
        break;
      case 'conversation':
        this.#onConversation(frame.conversation);
        break;
      case 'message':
        if (frame.conversationId === this.#current?.id) {
          if (this.#transcript.add(frame.message) && frame.message.from === 'visitor') {
            this.#typing.show(false);
            // Read marks are the assignee's: the visitor is told the agent has read them.
            if (this.#isMine(this.#current))
              this.#socket.send({
                type: 'read',
                conversationId: frame.conversationId,
                seq: frame.message.seq,
              });
          }
        } else if (this.#mine.has(frame.conversationId)) {
          const summary = this.#mine.get(frame.conversationId);
          if (summary && !this.#unread.has(summary.id) && frame.message.from === 'visitor')
            this.#announce('chat.console.unreadArrived', {
              topic: this.#topicTitle(summary.topic),
              time: timeOf(summary.createdAt, this.#boot.lang),
            });
          this.#unread.add(frame.conversationId);
          this.#renderMine();
        }
        break;
      case 'ack':
        this.#replies.delete(frame.clientId);
        this.#transcript.ack(frame.clientId, frame.message);
        break;
      case 'typing':
        if (frame.conversationId === this.#current?.id) this.#typing.show(frame.typing);
        break;
      case 'visit':
        if (this.#current && frame.conversationId === this.#current.id) {
          this.#current = { ...this.#current, visit: frame.visit };
          this.#renderVisit(this.#current);
        }
        break;
      case 'identity':
        if (frame.conversationId === this.#current?.id) {
          const before = this.#identity;
          this.#identity = frame.identity;
          this.#renderIdentity();
          this.#syncRequestId();
          if (frame.identity?.verified) {
            this.#transcript.notice(
              this.#t('chat.console.shared', { claims: this.#claimNames(frame.identity.claims) }),
              'verified',
              'verified',
            );
          } else if (!frame.identity && before?.verified) {
            this.#transcript.forgetVisitorName();
            this.#transcript.notice(this.#t('chat.console.withdrawn'), 'warning', 'withdrawn');
          }
        }
        break;
      case 'offline-message':
        this.#offline.unshift(frame.message);
        this.#renderOffline();
        break;
      case 'offline-message-handled':
        this.#offline = this.#offline.map((m) => {
          if (m.id !== frame.id) return m;
          const { handled: _before, ...rest } = m;
          return frame.handled ? { ...rest, handled: frame.handled } : rest;
        });
        this.#renderOffline();
        break;
      case 'offline-message-opened':
        this.#opened.set(frame.message.id, frame.message);
        this.#renderOffline();
        break;
      case 'offline-messages-deleted':
        this.#offline = this.#offline.filter((m) => !frame.ids.includes(m.id));
        for (const id of frame.ids) this.#opened.delete(id);
        this.#renderOffline();
        break;
      case 'deleted':
        this.#mine.delete(frame.conversationId);
        this.#unread.delete(frame.conversationId);
        if (this.#allAssigned)
          this.#allAssigned = this.#allAssigned.filter((c) => c.id !== frame.conversationId);
        this.#renderMine();
        if (this.#current?.id === frame.conversationId) {
          // Focus in the reply box or the conversation's buttons would drop to the body.
          const body = this.#el('conversation-body');
          const lost = body.contains(this.#root.ownerDocument.activeElement);
          this.#current = undefined;
          this.#identity = undefined;
          this.#rememberOpen(undefined);
          this.#transcript.reset();
          this.#typing.show(false);
          this.#renderIdentity();
          this.#renderVisit(undefined);
          body.hidden = true;
          this.#el('conversation-empty').hidden = false;
          this.#el('conversation-heading').textContent = this.#t('chat.conversation');
          this.#error('chat.console.deleted');
          if (lost) this.#el('conversation-heading').focus();
        }
        break;
      case 'error': {
        if (this.#restoring !== undefined && frame.conversationId === this.#restoring) {
          // The conversation open before the reload is gone, or no longer this login's to read
          // (deleted, transferred away, another staff member signed in in this tab): the
          // console starts without it, as it would have without the reload.
          this.#restoring = undefined;
          this.#awaiting = undefined;
          this.#rememberOpen(undefined);
          break;
        }
        const key = errorKey(this.#boot.messages, frame.code);
        // A reply the server refused says so, and why, in its own line instead of "sending…";
        // after a passing failure it can be sent again with the same clientId (stored once).
        if (frame.clientId !== undefined) {
          const { clientId } = frame;
          const reply = this.#replies.get(clientId);
          this.#replies.delete(clientId);
          const shown = this.#transcript.markFailed(
            clientId,
            this.#t(key),
            reply && RESENDABLE_ERRORS.has(frame.code)
              ? () => {
                  this.#replies.set(clientId, reply);
                  if (!this.#socket.send({ type: 'message', clientId, ...reply }))
                    this.#error('chat.status.reconnecting', 'conversation');
                  else this.#error();
                }
              : undefined,
          );
          if (shown) break;
        }
        // Only an offline message's frames are answered so; any other refusal answers the last action.
        this.#error(key, frame.code === 'offline_message_not_found' ? 'offline' : this.#acting);
        // "Identification request sent" was said when the request left; it was refused.
        if (this.#actingFrame === 'request-identification')
          this.#transcript.dropNotice('identification-requested');
        break;
      }
    }
  }

  /** Asks for an offline message whole; the server records the read and answers `offline-message-opened`. */
  #openOffline(id: string): void {
    this.#act('offline', { type: 'open-offline-message', id });
  }

  /**
   * Marks an offline message handled, or takes the marker off; every console (this one too)
   * shows it once the server answers `offline-message-handled`.
   */
  #markOffline(id: string, handled: boolean): void {
    this.#act('offline', { type: 'mark-offline-message', id, handled });
  }

  /**
   * Sends an action's frame, taken in `place`: the last refusal goes away (it answered an earlier
   * action), and one of this frame will be told in `place`; not connected, that is said there.
   */
  #act(place: ErrorPlace, frame: Record<string, unknown> & { type: string }): boolean {
    this.#acting = place;
    this.#actingFrame = frame.type;
    const sent = this.#socket.send(frame);
    this.#error(sent ? undefined : 'chat.status.reconnecting', place);
    return sent;
  }

  /**
   * Agents get no `status` frames: a conversation frame after a claim, transfer or close says
   * where it stands. One that is no longer assigned to this agent leaves "my conversations" and,
   * when open, loses its identity panel (the server stops sending claims for it too).
   */
  #onConversation(view: ConversationView): void {
    const mine = this.#isMine(view);
    if (mine) {
      this.#mine.set(view.id, {
        id: view.id,
        topic: view.topic,
        status: view.status,
        createdAt: view.createdAt,
        updatedAt: view.messages.at(-1)?.at ?? view.createdAt,
        verified: view.identity?.verified ?? false,
        assignedTo: { name: view.assignedTo?.name ?? this.#agentName },
      });
    } else {
      this.#mine.delete(view.id);
    }
    this.#renderMine();
    if (this.#awaiting === view.id || this.#current?.id === view.id) {
      const opening = this.#current?.id !== view.id;
      this.#awaiting = undefined;
      this.#showConversation(view, opening);
    }
  }

  #claim(conversationId: string): void {
    this.#awaiting = conversationId;
    this.#act('page', { type: 'claim', conversationId });
  }

  #open(conversationId: string): void {
    this.#awaiting = conversationId;
    this.#unread.delete(conversationId);
    this.#renderMine();
    this.#act('page', { type: 'open', conversationId });
  }

  /**
   * After a reload, opens the conversation this tab showed before it, as the agent left it;
   * the server decides again whether this login may read it (and audits the read as any open).
   */
  #reopen(): void {
    let id: string | null = null;
    try {
      id = sessionStorage.getItem(this.#openKey());
    } catch {
      return;
    }
    if (id === null || this.#current) return;
    this.#restoring = id;
    this.#awaiting = id;
    this.#socket.send({ type: 'open', conversationId: id });
  }

  /** Keeps the id of the conversation open in this tab for a reload (`undefined`: none). */
  #rememberOpen(id: string | undefined): void {
    try {
      if (id === undefined) sessionStorage.removeItem(this.#openKey());
      else sessionStorage.setItem(this.#openKey(), id);
    } catch {
      // Storage refused (a private mode, a full quota): a reload starts without it, as before.
    }
  }

  /** {@link OPEN_KEY} of this tenant: tenants under other base paths share the origin's storage. */
  #openKey(): string {
    return `${OPEN_KEY}${this.#boot.basePath}`;
  }

  #showConversation(view: ConversationView, opening: boolean): void {
    const restored = this.#restoring === view.id;
    this.#restoring = undefined;
    this.#current = view;
    this.#rememberOpen(view.id);
    this.#identity = view.identity;
    if (opening) this.#transcript.reset(view.messages);
    else for (const message of view.messages) this.#transcript.add(message);
    this.#el('conversation-empty').hidden = true;
    this.#el('conversation-body').hidden = false;
    this.#el('conversation-heading').textContent = this.#t('chat.console.conversationAbout', {
      topic: this.#topicTitle(view.topic),
    });
    this.#renderMeta();
    this.#renderIdentity();
    this.#renderVisit(view);
    const mine = this.#isMine(view);
    const focused = this.#root.ownerDocument.activeElement;
    // Replying is the assignee's; supervisors and admins may also transfer or close (as the
    // server allows) a conversation they opened to read.
    this.#setReplyEnabled(mine);
    setControlsEnabled(
      this.#root,
      '#transfer, #transfer-topic, #close-conversation',
      mine || (this.#supervises && view.status !== 'closed'),
    );
    this.#syncRequestId();
    // A control disabled under the keyboard focus (Close conversation once it closed, the reply
    // box once it went to another agent) would drop it to the page's start: the conversation's
    // heading takes it, right above the line that says what became of it.
    if (focused instanceof HTMLElement && focused.matches(':disabled'))
      this.#el('conversation-heading').focus();
    this.#el<HTMLSelectElement>('transfer-topic').value = view.topic;
    // Shown only to the tenant's `conversationDeleters` and `legalHolders`: the staff pages that
    // delete it or hold it, with a reason.
    for (const link of this.#root.querySelectorAll<HTMLAnchorElement>('#delete-conversation, #legal-hold')) {
      const url = new URL(link.href);
      url.searchParams.set('conversation', view.id);
      link.href = url.toString();
    }
    // Opened to read (not theirs): focus goes to the heading, the reply box being off. Reopened
    // by a reload, the page keeps the focus a fresh page has (at its start, skip link first).
    if (opening && !restored) this.#el(mine ? 'reply-text' : 'conversation-heading').focus();
    const last = view.messages.at(-1);
    if (last && mine) this.#socket.send({ type: 'read', conversationId: view.id, seq: last.seq });
  }

  #isMine(view: ConversationView | undefined): boolean {
    return view?.assignedToYou === true && view.status === 'assigned';
  }

  #renderMeta(): void {
    if (!this.#current) return;
    const view = this.#current;
    const status =
      view.status === 'assigned'
        ? this.#t('chat.console.status.assigned', { name: view.assignedTo?.name ?? '' })
        : this.#t(`chat.console.status.${view.status}`);
    // "Waiting since" only while it waits; once taken (or closed) it says when it started.
    const since = timeOf(view.createdAt, this.#boot.lang);
    const started =
      view.status === 'queued'
        ? this.#t('chat.console.waiting', { time: since })
        : this.#t('chat.console.started', { time: since });
    this.#el('conversation-meta').textContent = `${started} · ${status}`;
  }

  /** Asking a visitor who already shares their identity to identify again makes no sense. */
  #syncRequestId(): void {
    const button = this.#el<HTMLButtonElement>('request-id');
    const assigned = this.#isMine(this.#current);
    button.disabled = !assigned || this.#identity?.verified === true;
  }

  #renderIdentity(): void {
    const body = this.#el('identity-body');
    const identity = this.#identity;
    if (!identity?.verified) {
      body.replaceChildren(h('p', { text: this.#t('chat.console.anonymous') }));
      return;
    }
    if (!('provider' in identity)) {
      body.replaceChildren(h('p', {}, verifiedBadge(this.#t), ' ', this.#t('chat.console.verifiedNoClaims')));
      return;
    }
    const provider = this.#boot.providers.find((p) => p.id === identity.provider)?.label ?? identity.provider;
    const rows = claimEntries(identity.claims).flatMap(([key, value]) => [
      h('dt', { text: this.#t(`chat.claim.${key}`) }),
      h('dd', { className: 'claim-value', text: value }),
    ]);
    body.replaceChildren(
      h('p', {}, verifiedBadge(this.#t)),
      h('p', {
        className: 'notice',
        text: this.#t('chat.console.verifiedBy', {
          provider,
          loa: this.#t(`loa.${identity.loa}`),
          time: timeOf(identity.since, this.#boot.lang),
        }),
      }),
      h('dl', { className: 'identity-claims' }, ...rows),
    );
  }

  /** Where the visitor was and with which browser, as far as the tenant collects it; as text, never a link. */
  #renderVisit(view: ConversationView | undefined): void {
    const visit = view?.visit;
    const rows = visit
      ? [
          ...(visit.pages?.length
            ? [
                h('dt', { text: this.#t('chat.console.visit.pages') }),
                ...visit.pages.map((page) => h('dd', { text: page })),
              ]
            : []),
          ...(['referrer', 'userAgent'] as const).flatMap((key) => {
            const value = visit[key];
            return value
              ? [h('dt', { text: this.#t(`chat.console.visit.${key}`) }), h('dd', { text: value })]
              : [];
          }),
        ]
      : [];
    this.#el('visit-list').replaceChildren(...rows);
    this.#el('visit').hidden = rows.length === 0;
  }

  #claimNames(claims: ClaimsView): string {
    return claimEntries(claims)
      .map(([key]) => this.#t(`chat.claim.${key}`))
      .join(', ');
  }

  #topicTitle(topic: string): string {
    return this.#queues.get(topic)?.title ?? topic;
  }

  #renderQueues(): void {
    // Redrawn on every change of a queue and every 30 s: a Take button's focus stays.
    replaceKeepingFocus(
      this.#el('queue-list'),
      [...this.#queues.values()].map((queue) => {
        const headingId = `queue-${queue.topic}`;
        const now = Date.now();
        const abandonMs = this.#boot.abandonAfterSeconds * 1000;
        const gone = (summary: ConversationSummary) =>
          summary.visitorLeftAt !== undefined && now - Date.parse(summary.visitorLeftAt) >= abandonMs;
        // Visitors still there first (oldest first, as the server sends them), abandoned last.
        const ordered = [...queue.conversations.filter((c) => !gone(c)), ...queue.conversations.filter(gone)];
        const items = ordered.map((summary) => {
          const time = timeOf(summary.createdAt, this.#boot.lang);
          const waited = minutesOf(now - Date.parse(summary.createdAt), this.#boot.lang);
          const abandoned = gone(summary);
          const claim = h('button', {
            className: 'small',
            text: this.#t('chat.console.claim'),
            attrs: {
              type: 'button',
              'aria-label': this.#t('chat.console.claimLabel', { topic: queue.title, time }),
              'data-focus-key': `claim:${summary.id}`,
            },
          });
          claim.addEventListener('click', () => this.#claim(summary.id));
          return h(
            'li',
            {
              className: abandoned
                ? 'conversation-item queue-item abandoned'
                : 'conversation-item queue-item',
            },
            h(
              'p',
              { className: 'queue-line' },
              h('strong', { text: queue.title }),
              ' · ',
              h('span', { text: this.#t('chat.console.waitingFor', { duration: waited }) }),
              summary.verified ? ' ' : null,
              summary.verified ? verifiedBadge(this.#t) : null,
              abandoned ? ' ' : null,
              abandoned
                ? h('span', { className: 'badge badge-abandoned', text: this.#t('chat.console.abandoned') })
                : null,
            ),
            h('p', {
              className: 'queue-preview',
              text: summary.preview ?? this.#t('chat.console.noMessageYet'),
            }),
            claim,
          );
        });
        return h(
          'div',
          { className: 'queue' },
          h('h3', { id: headingId, text: `${queue.title} (${queue.conversations.length})` }),
          items.length > 0
            ? h('ul', { className: 'conversation-list', attrs: { 'aria-labelledby': headingId } }, ...items)
            : h('p', { className: 'notice', text: this.#t('chat.console.queueEmpty') }),
        );
      }),
      this.#el('queues-heading'),
    );
  }

  /** Transcript readers: the conversations other agents have, each with an Open (read) button. */
  #renderOthers(): void {
    const section = this.#el('others');
    if (!this.#allAssigned) return;
    section.hidden = false;
    const items = this.#allAssigned
      .filter((summary) => !this.#mine.has(summary.id))
      .map((summary) => {
        const time = timeOf(summary.createdAt, this.#boot.lang);
        const topic = this.#topicTitle(summary.topic);
        const agent = summary.assignedTo?.name ?? '';
        const open = h('button', {
          className: 'small secondary',
          text: this.#t('chat.console.open'),
          attrs: {
            type: 'button',
            'aria-label': this.#t('chat.console.otherLabel', { topic, time, agent }),
            'data-focus-key': `read:${summary.id}`,
          },
        });
        open.addEventListener('click', () => this.#open(summary.id));
        return h(
          'li',
          { className: 'conversation-item' },
          h('span', { text: `${topic} · ${time} · ${agent}` }),
          summary.verified ? verifiedBadge(this.#t) : null,
          open,
        );
      });
    replaceKeepingFocus(
      this.#el('others-list'),
      items.length > 0
        ? items
        : [h('li', { className: 'notice', text: this.#t('chat.console.othersEmpty') })],
      this.#el('others-heading'),
    );
  }

  #renderMine(): void {
    this.#renderOthers();
    const list = this.#el('mine-list');
    const items = [...this.#mine.values()].map((summary) => {
      const time = timeOf(summary.createdAt, this.#boot.lang);
      const topic = this.#topicTitle(summary.topic);
      const open = h('button', {
        className: 'small secondary',
        text: this.#t('chat.console.open'),
        attrs: {
          type: 'button',
          'aria-label': this.#t('chat.console.openLabel', { topic, time }),
          'data-focus-key': `open:${summary.id}`,
        },
      });
      open.addEventListener('click', () => this.#open(summary.id));
      return h(
        'li',
        { className: 'conversation-item' },
        h('span', { text: `${topic} · ${time}` }),
        summary.verified ? verifiedBadge(this.#t) : null,
        this.#unread.has(summary.id)
          ? h('span', { className: 'badge badge-unread', text: this.#t('chat.console.unread') })
          : null,
        open,
      );
    });
    replaceKeepingFocus(
      list,
      items.length > 0 ? items : [h('li', { className: 'notice', text: this.#t('chat.console.mineEmpty') })],
      this.#el('mine-heading'),
    );
  }

  #renderTransferOptions(): void {
    const select = this.#el<HTMLSelectElement>('transfer-topic');
    select.replaceChildren(
      ...[...this.#queues.values()].map((queue) =>
        h('option', { text: queue.title, attrs: { value: queue.topic } }),
      ),
    );
  }

  /**
   * Each offline message by its time; its name, e-mail and text only once opened here ("Read
   * message": the server records who read it). The tenant's `conversationDeleters` (whose
   * console carries the conversation deletion link) also get its deletion page.
   */
  #renderOffline(): void {
    const list = this.#el('offline-list');
    const base = this.#boot.basePath;
    const mayDelete = this.#root.querySelector('#delete-conversation') !== null;
    const hideHandled = this.#el<HTMLInputElement>('offline-hide-handled').checked;
    const shown = hideHandled ? this.#offline.filter((m) => !m.handled) : this.#offline;
    const items = shown.map((summary) => {
      const at = summary.createdAt;
      const opened = this.#opened.get(summary.id);
      const time = at ? h('time', { attrs: { datetime: at }, text: timeOf(at, this.#boot.lang) }) : null;
      const open = h('button', {
        className: 'small secondary',
        text: this.#t('chat.console.offlineOpen'),
        attrs: {
          type: 'button',
          'aria-label': this.#t('chat.console.offlineOpenLabel', { time: timeOf(at, this.#boot.lang) }),
          'data-focus-key': `open:${summary.id}`,
        },
      });
      open.addEventListener('click', () => this.#openOffline(summary.id));
      const when = timeOf(at, this.#boot.lang);
      const mark = h('button', {
        className: 'small secondary',
        text: this.#t(summary.handled ? 'chat.console.offlineUndo' : 'chat.console.offlineMarkHandled'),
        attrs: {
          type: 'button',
          'aria-label': this.#t(
            summary.handled ? 'chat.console.offlineUndoLabel' : 'chat.console.offlineMarkHandledLabel',
            { time: when },
          ),
          'data-focus-key': `mark:${summary.id}`,
        },
      });
      mark.addEventListener('click', () => this.#markOffline(summary.id, !summary.handled));
      const handled = summary.handled
        ? h(
            'p',
            { className: 'offline-handled' },
            h('span', {
              text: this.#t('chat.console.offlineHandled', {
                name: summary.handled.by,
                time: timeOf(summary.handled.at, this.#boot.lang),
              }),
            }),
            mark,
          )
        : null;
      const remove = mayDelete
        ? h('a', {
            className: 'button small danger secondary',
            text: this.#t('chat.console.offlineDelete'),
            attrs: {
              href: `${base}/staff/offline-messages/delete?message=${encodeURIComponent(summary.id)}`,
            },
          })
        : null;
      return h(
        'li',
        {
          className: summary.handled ? 'offline-item handled' : 'offline-item',
          attrs: { 'data-offline-id': summary.id },
        },
        opened
          ? h(
              'p',
              { className: 'msg-meta' },
              h('strong', { text: opened.name }),
              ' ',
              // Takes the focus of the "Read message" button it replaces.
              h('a', {
                text: opened.email,
                attrs: { href: `mailto:${opened.email}`, 'data-focus-key': `open:${summary.id}` },
              }),
              ' ',
              time,
            )
          : h('p', { className: 'msg-meta' }, time, ' ', open),
        opened ? h('p', { className: 'msg-text', text: opened.text }) : null,
        summary.redacted
          ? h('p', { className: 'notice', text: this.#t('chat.console.offlineRedacted') })
          : null,
        handled,
        handled && !remove ? null : h('p', { className: 'actions' }, handled ? null : mark, remove),
      );
    });
    const empty = this.#offline.length > 0 ? 'chat.console.offlineAllHandled' : 'chat.console.offlineEmpty';
    // A message marked handled while handled ones are hidden is gone: focus stays in the section.
    replaceKeepingFocus(
      list,
      items.length > 0 ? items : [h('li', { className: 'notice', text: this.#t(empty) })],
      this.#el('offline-hide-handled'),
    );
  }

  /**
   * Says what arrived outside the open conversation (a visitor in a queue, a message in another
   * of this agent's conversations) in a polite status region: the lists that show it are no
   * live regions (redrawn whole, they would be read out whole), so a screen reader user would
   * not learn of it otherwise (WCAG 4.1.3).
   */
  #announce(key: string, params: Record<string, string | number>): void {
    this.#el('console-news').textContent = this.#t(key, params);
  }

  #setReplyEnabled(enabled: boolean): void {
    setControlsEnabled(
      this.#root,
      '#reply-form button, #reply-form textarea, .conversation-actions button, .conversation-actions select',
      enabled,
    );
  }

  /**
   * Shows `key` in the error line of `place` (the others are emptied: one refusal at a time, of
   * the last action), or empties them all. The open conversation's line is hidden with it: a
   * refusal about a conversation no longer shown is told in the page's.
   */
  #error(key?: string, place: ErrorPlace = 'page'): void {
    const where = place === 'conversation' && this.#el('conversation-body').hidden ? 'page' : place;
    for (const [line, id] of Object.entries(ERROR_LINES))
      this.#el(id).textContent = key && line === where ? this.#t(key) : '';
  }
}

startWithBootstrap('console-app', 'console-status', 'The console could not be loaded.', (root, boot) => {
  new AgentConsole(root, boot);
});
