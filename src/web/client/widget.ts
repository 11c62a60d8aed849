import { loadBootstrap, startWithBootstrap } from './bootstrap.js';
import { ChatSocket, type ConnectionState } from './chat-socket.js';
import { wireComposer } from './composer.js';
import { byId, h, newTabLink, setControlsEnabled, timeOf } from './dom.js';
import { answerTokenRequests } from './embed-bridge.js';
import { createTranslator, errorKey, type Translate } from './i18n.js';
import { pageMetadata, type WidgetLocation } from './page-metadata.js';
import {
  type ChatBootstrap,
  type ClaimsView,
  type ConversationView,
  claimEntries,
  type ProviderChoice,
  type TopicView,
  type VisitorInbound,
} from './protocol.js';
import { SocketForm } from './socket-form.js';
import { RESENDABLE_ERRORS, Transcript } from './transcript.js';
import { TypingIndicator } from './typing-indicator.js';

/** Where the open conversation is remembered across reloads of this tab (resume, not restart). */
const STORAGE_KEY = 'eidchat.conversation';
/**
 * The restricted topic the visitor chose before identifying (in another tab): once this tab
 * learns over its socket that they are identified, the chat starts that topic by itself.
 */
const PENDING_TOPIC_KEY = 'eidchat.pendingTopic';
/**
 * The identification link an agent sent (`{ conversationId, url, expiresAt }`), kept for this
 * tab until it is used, expires or the visitor is verified: the gateway keeps only the link's
 * hash, so a reload, or the widget on another page of the site, offers it again from here.
 */
const IDENTIFY_LINK_KEY = 'eidchat.identifyLink';

/** The longest wait a browser timer takes as given (2^31 − 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Refusals of a new conversation that leave the visitor nothing to do but wait or write: the
 * queue is full, or too many from here already wait. "Leave a message" is offered instead.
 */
const WAIT_REFUSALS: ReadonlySet<string> = new Set(['queue_full', 'too_many_queued']);
const waitRefused = (code: string) => WAIT_REFUSALS.has(code);

/** The codes only an `offline-message` frame is answered with. */
const OFFLINE_CODES: ReadonlySet<string> = new Set(['offline_message_invalid', 'offline_message_limit']);
/**
 * The codes an `email-transcript` frame is answered with, besides those of any frame; a
 * `conversation_not_found` then concerns the transcript asked for, not a conversation to resume.
 */
const TRANSCRIPT_CODES: ReadonlySet<string> = new Set([
  'transcript_email_unavailable',
  'email_invalid',
  'transcript_not_ready',
  'transcript_email_limit',
  'mail_failed',
  'conversation_not_found',
]);
/** The text next to a field the server refused, by the frame's `field`. */
const FIELD_ERRORS: Readonly<Record<string, string>> = {
  name: 'chat.offline.invalid.name',
  email: 'chat.error.email_invalid',
  text: 'chat.offline.invalid.text',
};

interface Pending {
  clientId: string;
  text: string;
}

/**
 * The visitor's chat: topic choice, the conversation, identification (before a restricted
 * topic and when the agent asks), opt-out of sharing, offline messages, reconnection with
 * resume. Every text from the network is set with `textContent`.
 */
class VisitorChat {
  readonly #root: HTMLElement;
  readonly #boot: ChatBootstrap;
  readonly #t: Translate;
  readonly #socket: ChatSocket;
  readonly #transcript: Transcript;
  readonly #typing: TypingIndicator;
  readonly #pending = new Map<string, Pending>();
  readonly #offlineForm: SocketForm;
  #topics: TopicView[] = [];
  #conversation: { id: string; status: ConversationView['status'] } | undefined;
  #verified = false;
  #agentsOnline = true;
  /** A welcome came: a later one (after a reconnection) may bring news of agents. */
  #welcomed = false;
  #csrfToken: string;
  /** The session changed since the token was read (an `identity` frame): read it anew before use. */
  #csrfStale = false;

  constructor(root: HTMLElement, boot: ChatBootstrap) {
    this.#root = root;
    this.#boot = boot;
    this.#csrfToken = boot.csrfToken;
    this.#t = createTranslator(boot.messages);
    this.#transcript = new Transcript(this.#el<HTMLOListElement>('chat-messages'), {
      t: this.#t,
      messages: boot.messages,
      lang: boot.lang,
      viewer: 'visitor',
      composer: () => this.#el('composer-text'),
    });
    this.#typing = new TypingIndicator(this.#el('typing'));
    this.#offlineForm = new SocketForm({
      form: this.#el<HTMLFormElement>('offline-form'),
      alert: this.#el('offline-error'),
      status: this.#el('offline-status'),
      sending: this.#t('chat.form.sending'),
      fields: {
        name: this.#el<HTMLInputElement>('offline-name'),
        email: this.#el<HTMLInputElement>('offline-email'),
        text: this.#el<HTMLTextAreaElement>('offline-text'),
      },
      codes: OFFLINE_CODES,
      fieldError: (field) => this.#fieldError(field),
    });
    this.#socket = new ChatSocket({
      path: boot.wsUrl.visitor,
      onFrame: (frame) => this.#onFrame(frame as unknown as VisitorInbound),
      onOpen: () => this.#onOpen(),
      onState: (state, code) => this.#onState(state, code),
    });
    this.#wire();
    this.#socket.connect();
  }

  #el<T extends HTMLElement = HTMLElement>(id: string): T {
    return byId<T>(this.#root, id);
  }

  #wire(): void {
    wireComposer({
      form: this.#el<HTMLFormElement>('composer'),
      textarea: this.#el<HTMLTextAreaElement>('composer-text'),
      onSend: (text) => this.#sendMessage(text),
      onTyping: (typing) => {
        this.#socket.send({ type: 'typing', typing });
      },
    });
    this.#el('end-chat').addEventListener('click', () => {
      this.#socket.send({ type: 'end' });
    });
    this.#el('new-chat').addEventListener('click', () => {
      this.#forgetConversation();
      this.#showTopics();
    });

    this.#el('start-live').addEventListener('click', () => {
      // The visitor chose the chat: the offline form steps aside, keeping what they typed in it.
      this.#el('chat-offline').hidden = true;
      this.#showChoice();
      this.#el('topics-heading').focus();
    });

    this.#el('withdraw').addEventListener('click', () => void this.#withdraw());
    // Inside the embed's iframe: the close button asks the host page's embed.js to close it.
    // Only a page the tenant allows to embed the chat (or the gateway's own) is told: the
    // browser drops the message for any other parent origin.
    const close = this.#root.ownerDocument.getElementById('widget-close');
    if (close && window.parent !== window) {
      close.hidden = false;
      const parents = [window.location.origin, ...this.#boot.embedderOrigins];
      const askToClose = () => {
        for (const origin of parents) window.parent.postMessage({ type: 'eidchat:close' }, origin);
      };
      close.addEventListener('click', askToClose);
      // The chat floats over the host page like a dialog: Escape closes it too, wherever the
      // focus is in it, and the launcher gets the focus back (WAI-ARIA APG, dialog pattern).
      this.#root.ownerDocument.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' && !event.defaultPrevented && !event.isComposing) askToClose();
      });
    }
    const offline = this.#offlineForm;
    offline.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!offline.begin()) return;
      const data = new FormData(offline.form);
      const sent = this.#socket.send({
        type: 'offline-message',
        name: String(data.get('name') ?? '').trim(),
        email: String(data.get('email') ?? '').trim(),
        text: String(data.get('text') ?? '').trim(),
      });
      if (!sent) offline.fail(this.#t('chat.form.notConnected'));
    });
  }

  /** The socket forms shown now (the offline message, the transcript by e-mail). */
  #forms(): SocketForm[] {
    return this.#transcriptForm ? [this.#offlineForm, this.#transcriptForm] : [this.#offlineForm];
  }

  #onOpen(): void {
    // After a reconnection, continue the conversation where this page left off; the server
    // replays only messages after `afterSeq`, and the transcript ignores any it already shows.
    const stored = this.#conversation?.id ?? sessionStorage.getItem(STORAGE_KEY);
    this.#resuming = stored ?? undefined;
    if (stored)
      this.#socket.send({ type: 'resume', conversationId: stored, afterSeq: this.#transcript.lastSeq });
    for (const message of this.#pending.values()) {
      this.#socket.send({ type: 'message', clientId: message.clientId, text: message.text });
    }
  }

  #onState(state: ConnectionState, code?: number): void {
    const status = this.#el('chat-status');
    if (state === 'open') {
      this.#renderConversationStatus();
      return;
    }
    status.textContent = this.#t(`chat.status.${state}`);
    // A form's answer comes on the connection its frame went out on: that one is gone, and
    // the form says it may not have been sent (it is sent again by hand, once reconnected; a
    // chat ended for good reconnects no more, and only a reload brings the form back).
    const lost = this.#t(state === 'ended' ? 'chat.form.lostEnded' : 'chat.form.lost');
    for (const form of this.#forms()) if (form.sending) form.fail(lost);
    this.#setComposerEnabled(state !== 'ended' && this.#conversation?.status !== 'closed');
    // Ended for good: every control that only the socket carries out (a topic, "Start a new
    // chat", the offline message, the transcript e-mail) would do nothing or claim to be
    // reconnecting; the status line says to reload. "Stop sharing" and closing the frame stay.
    if (state === 'ended')
      for (const id of ['chat-topics', 'chat-closed', 'offline-form', 'transcript-form']) {
        const region = this.#root.querySelector(`#${id}`);
        if (region) setControlsEnabled(region, 'button, input, textarea', false);
      }
    // 4401: the session ended (logout, idle expiry), and with it the sharing: the panel must
    // not go on saying "You share …" (the stored `withdrawn` line tells the conversation).
    if (state === 'ended' && code === 4401) this.#setIdentity(false, {}, false);
  }

  #onFrame(frame: VisitorInbound): void {
    switch (frame.type) {
      case 'welcome': {
        this.#topics = frame.topics;
        const changed = this.#welcomed && frame.agentsOnline !== this.#agentsOnline;
        this.#welcomed = true;
        this.#agentsOnline = frame.agentsOnline;
        this.#setIdentity(frame.visitor.verified, frame.visitor.claims, false);
        if (frame.conversation) {
          this.#showConversation(frame.conversation);
          if (frame.conversation.status !== 'closed') {
            this.#notePage();
            this.#offerKeptLink(frame.conversation.id);
          }
        } else if (!this.#conversation) {
          this.#showTopics();
          if (changed) this.#announceAgents();
          this.#continuePendingTopic();
        }
        break;
      }
      case 'agents':
        this.#agentsChanged(frame.online);
        break;
      case 'conversation':
        if (frame.conversation.id === this.#resuming) this.#resuming = undefined;
        this.#showConversation(frame.conversation);
        break;
      case 'identification-required':
        this.#showIdentificationRequired(frame);
        break;
      case 'ack': {
        this.#pending.delete(frame.clientId);
        this.#transcript.ack(frame.clientId, frame.message);
        break;
      }
      case 'message':
        if (frame.conversationId === this.#conversation?.id) {
          this.#transcript.add(frame.message);
          if (frame.message.from === 'agent') this.#typing.show(false);
        }
        break;
      case 'redacted':
        this.#transcript.markRedacted(frame.clientId);
        // The notice offers the way to share the number safely: identifying, in a new tab.
        this.#transcript.notice(
          this.#t(this.#verified ? 'chat.redactedVerified' : 'chat.redacted'),
          'warning',
          'redacted',
          this.#verified
            ? undefined
            : h('ul', { className: 'providers identify-links' }, ...this.#identifyLinks([])),
        );
        break;
      case 'typing':
        this.#typing.show(frame.typing);
        break;
      case 'identification-request':
        sessionStorage.setItem(
          IDENTIFY_LINK_KEY,
          JSON.stringify({
            conversationId: frame.conversationId,
            url: frame.url,
            expiresAt: frame.expiresAt,
          }),
        );
        this.#showIdentificationPrompt(frame.url, frame.expiresAt);
        break;
      case 'identity':
        this.#csrfStale = true;
        this.#setIdentity(frame.verified, frame.claims, true);
        if (frame.verified && !this.#conversation) this.#continuePendingTopic();
        break;
      case 'status':
        if (this.#conversation && frame.conversationId === this.#conversation.id) {
          this.#conversation.status = frame.status;
          this.#agentName = frame.agentName;
          this.#renderConversationStatus();
          if (frame.status === 'closed') this.#closeConversation();
        }
        break;
      case 'transcript-emailed':
        if (!this.#transcriptForm || frame.conversationId !== this.#closedId) break;
        this.#transcriptForm.succeeded();
        byId(this.#transcriptForm.form, 'transcript-status').textContent = this.#t('chat.transcript.sent');
        byId<HTMLInputElement>(this.#transcriptForm.form, 'transcript-email').value = '';
        break;
      case 'offline-message-saved': {
        const done = this.#el('offline-done');
        done.textContent = this.#t('chat.offline.saved');
        // Told like in the chat: what was removed, and the identify links at hand.
        if (frame.redacted) {
          done.append(' ', this.#t('chat.redacted'));
          done.after(h('ul', { className: 'providers' }, ...this.#identifyLinks([])));
        }
        done.hidden = false;
        this.#offlineForm.succeeded();
        const form = this.#offlineForm.form;
        // The send button about to be hidden had the focus: it goes to the confirmation.
        const lost = form.contains(this.#root.ownerDocument.activeElement);
        form.hidden = true;
        if (lost) done.focus();
        break;
      }
      case 'deleted':
        // Staff deleted it (the visitor wrote something that must not be kept): nothing of it stays.
        if (frame.conversationId === this.#conversation?.id) {
          this.#pending.clear();
          this.#typing.show(false);
          this.#forgetConversation();
          this.#showTopics();
          this.#error('chat.deleted');
        }
        break;
      case 'error': {
        // The answer to a form: told in the form, next to the field it names.
        const form =
          frame.clientId === undefined ? this.#forms().find((f) => f.answers(frame.code)) : undefined;
        if (form) {
          form.refuse(
            frame.field !== undefined && frame.field in FIELD_ERRORS
              ? this.#fieldError(frame.field)
              : this.#t(errorKey(this.#boot.messages, frame.code)),
            frame.field,
          );
          break;
        }
        if (frame.clientId !== undefined) {
          // About a message no longer shown (its conversation was forgotten): nothing to say.
          if (!this.#pending.has(frame.clientId)) break;
          this.#refused(frame.clientId, frame.code);
          // Said in the message's own line (the log announces it), unless the conversation goes
          // away with it: then the shared line is what is left to say it.
          if (frame.code !== 'conversation_not_found') break;
        }
        // The conversation this page remembers cannot be resumed: not "not found" (it exists, and
        // may be open): an identified one is readable only by the session that shared into it.
        this.#error(
          frame.code === 'conversation_not_found' &&
            this.#resuming !== undefined &&
            frame.clientId === undefined
            ? 'chat.resumeNotFound'
            : errorKey(this.#boot.messages, frame.code),
        );
        if (frame.clientId === undefined) this.#resuming = undefined;
        // "Leave a message" is what the refusal offers: the form is shown, as when nobody is online.
        if (waitRefused(frame.code) && !this.#conversation) this.#el('chat-offline').hidden = false;
        if (frame.code === 'conversation_not_found') {
          // Its unsent messages go with it (and their answers, no_conversation, are not shown).
          this.#pending.clear();
          this.#forgetConversation();
          this.#showTopics();
        }
        break;
      }
    }
  }

  /**
   * A message of this page the server answered with an error: it was not stored, so it must not
   * go on saying "sending…" (nor be sent again at every reconnection when resending cannot help).
   * After a passing failure the visitor can send it again with the same `clientId`.
   */
  #refused(clientId: string, code: string): void {
    const pending = this.#pending.get(clientId);
    if (!pending) return;
    const reason = this.#t(errorKey(this.#boot.messages, code));
    if (!RESENDABLE_ERRORS.has(code)) {
      this.#pending.delete(clientId);
      this.#transcript.markFailed(clientId, reason);
      return;
    }
    this.#transcript.markFailed(clientId, reason, () => {
      if (!this.#socket.send({ type: 'message', clientId, text: pending.text }))
        this.#error('chat.status.reconnecting');
      else this.#error();
    });
  }

  /** The conversation a `resume` was sent for and not yet answered. */
  #resuming: string | undefined;
  #agentName: string | undefined;
  /** The closed conversation the transcript form sends (`email-transcript`). */
  #closedId: string | undefined;
  /** The form offering it, in the page only while offered. */
  #transcriptForm: SocketForm | undefined;

  /**
   * Offers the transcript of the closed conversation `id` by e-mail (when the tenant does, and an
   * agent answered: the gateway sends no other), below "Start a new chat"; `undefined` takes the
   * offer away.
   */
  /** The text next to a form's field that is missing or wrong, whether the server or the page found it. */
  #fieldError(field: string): string {
    return this.#t(FIELD_ERRORS[field] ?? 'chat.error.offline_message_invalid');
  }

  #offerTranscript(id: string | undefined): void {
    if (id === this.#closedId && (id === undefined || this.#transcriptForm)) return;
    this.#closedId = id;
    this.#transcriptForm?.form.remove();
    this.#transcriptForm = undefined;
    if (id === undefined || !this.#boot.transcriptByEmail || !this.#transcript.hasAgentMessage) return;
    // `maxlength`: the server's MAX_EMAIL_LENGTH (src/chat/protocol.ts).
    const input = h('input', {
      id: 'transcript-email',
      attrs: { name: 'email', type: 'email', autocomplete: 'email', required: '', maxlength: '254' },
    });
    const alert = h('p', {
      id: 'transcript-error',
      className: 'chat-error form-error',
      attrs: { role: 'alert' },
    });
    const form = h(
      'form',
      { id: 'transcript-form', className: 'transcript-form' },
      h(
        'p',
        { className: 'field' },
        h('label', { attrs: { for: 'transcript-email' }, text: this.#t('chat.transcript.label') }),
        input,
      ),
      alert,
      h(
        'p',
        {},
        h('button', {
          attrs: { type: 'submit' },
          className: 'secondary',
          text: this.#t('chat.transcript.send'),
        }),
      ),
      h('p', { id: 'transcript-status', attrs: { role: 'status' } }),
    );
    const transcript = new SocketForm({
      form,
      alert,
      status: byId(form, 'transcript-status'),
      sending: this.#t('chat.form.sending'),
      fields: { email: input },
      codes: TRANSCRIPT_CODES,
      fieldError: (field) => this.#fieldError(field),
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!this.#closedId || !transcript.begin()) return;
      const email = input.value.trim();
      const sent = this.#socket.send({ type: 'email-transcript', conversationId: this.#closedId, email });
      if (!sent) transcript.fail(this.#t('chat.form.notConnected'));
    });
    this.#el('chat-closed').after(form);
    this.#transcriptForm = transcript;
  }

  #sendMessage(text: string): boolean {
    if (!this.#conversation || this.#conversation.status === 'closed') {
      this.#error('chat.error.no_conversation');
      return false;
    }
    const clientId = crypto.randomUUID();
    this.#pending.set(clientId, { clientId, text });
    this.#transcript.addPending(clientId, text);
    // Not connected: the message stays pending and goes out from `#onOpen` after reconnecting.
    this.#socket.send({ type: 'message', clientId, text });
    this.#error();
    return true;
  }

  #showTopics(): void {
    const conversation = this.#el('chat-conversation');
    // Focus inside the conversation about to be hidden (the composer, when staff deleted it or
    // it cannot be resumed) would drop to the page's body: it moves to the heading shown instead.
    const lost = conversation.contains(this.#root.ownerDocument.activeElement);
    conversation.hidden = true;
    const topics = this.#el('chat-topics');
    const list = this.#el('topic-list');
    list.replaceChildren(
      ...this.#topics.map((topic) => {
        const hintId = `topic-hint-${topic.id}`;
        const button = h(
          'button',
          { className: 'topic', attrs: { type: 'button', 'aria-describedby': hintId } },
          h('span', { className: 'topic-title', text: topic.title }),
          h('span', {
            className: topic.requiresIdentification ? 'topic-hint topic-restricted' : 'topic-hint',
            id: hintId,
            text: topic.requiresIdentification
              ? this.#t('chat.topics.requiresId')
              : this.#t('chat.topics.anonymous'),
          }),
        );
        button.addEventListener('click', () => this.#start(topic));
        return h('li', {}, button);
      }),
    );
    if (this.#topics.length === 0) list.append(h('li', { text: this.#t('chat.topics.none') }));
    this.#showChoice();
    this.#renderConversationStatus();
    if (lost) this.#el(topics.hidden ? 'offline-heading' : 'topics-heading').focus();
  }

  /**
   * The topics while agents are online, the offline form while none is: the topic buttons would
   * only start a chat nobody answers. An offline message being written (or just sent) when agents
   * come online stays, with a way to the topics beside it (`agents-back`), so nothing the visitor
   * typed is thrown away.
   */
  #showChoice(): void {
    const topics = this.#el('chat-topics');
    const keepOffline = this.#agentsOnline && this.#writingOffline();
    // A topic button with the focus about to be hidden would drop it to the page's body: it goes
    // to the heading of the form shown instead. Focus anywhere else stays where it is.
    const lost =
      !this.#agentsOnline && !topics.hidden && topics.contains(this.#root.ownerDocument.activeElement);
    topics.hidden = !this.#agentsOnline || keepOffline;
    this.#el('chat-offline').hidden = this.#agentsOnline && !keepOffline;
    this.#el('agents-back').hidden = !keepOffline;
    // Kept beside a live chat on offer, the form no longer says that no agent is available.
    this.#el('offline-heading').textContent = this.#t(
      keepOffline ? 'chat.offline.headingAgentsBack' : 'chat.offline.heading',
    );
    if (lost) this.#el('offline-heading').focus();
  }

  /** Whether the visitor is at the offline form: in it, with something typed, or having just sent it. */
  #writingOffline(): boolean {
    const offline = this.#el('chat-offline');
    if (offline.hidden) return false;
    const fields = this.#offlineForm.form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
      'input, textarea',
    );
    return (
      [...fields].some((field) => field.value.trim() !== '') ||
      offline.contains(this.#root.ownerDocument.activeElement) ||
      !this.#el('offline-done').hidden
    );
  }

  /**
   * Agents came online or all left (`agents`): the topics or the offline form, said in a polite
   * status (a screen reader user would not notice a section appearing). Within a conversation
   * (open, or closed and still shown) nothing changes: "Start a new chat" shows the choice.
   */
  #agentsChanged(online: boolean): void {
    if (online === this.#agentsOnline) return;
    this.#agentsOnline = online;
    if (this.#conversation) return;
    this.#showChoice();
    this.#announceAgents();
  }

  #announceAgents(): void {
    this.#el('chat-news').textContent = this.#t(
      this.#agentsOnline ? 'chat.agents.online' : 'chat.agents.offline',
    );
  }

  /** Starts the restricted topic chosen before identifying, once the visitor is identified. */
  #continuePendingTopic(): void {
    const pending = sessionStorage.getItem(PENDING_TOPIC_KEY);
    if (!pending || !this.#verified || !this.#agentsOnline) return;
    sessionStorage.removeItem(PENDING_TOPIC_KEY);
    const topic = this.#topics.find((tp) => tp.id === pending);
    if (topic) this.#start(topic);
  }

  /**
   * With a conversation open on this page (another of the host's pages, or this one reloaded),
   * tells the page, if the tenant collects pages: the agent sees where the visitor went. The
   * gateway skips a page it noted last.
   */
  #notePage(): void {
    const { page } = pageMetadata(this.#boot.collects, this.#location());
    if (page) this.#socket.send({ type: 'page', page });
  }

  #location(): WidgetLocation {
    return { top: window.top === window, href: window.location.href, referrer: document.referrer };
  }

  #start(topic: TopicView): void {
    // A new choice replaces an earlier one waiting for identification (set again if refused).
    sessionStorage.removeItem(PENDING_TOPIC_KEY);
    this.#el('chat-idreq').hidden = true;
    this.#error();
    const metadata = pageMetadata(this.#boot.collects, this.#location());
    this.#socket.send({ type: 'start', topic: topic.id, ...metadata });
  }

  #showIdentificationRequired(frame: Extract<VisitorInbound, { type: 'identification-required' }>): void {
    const topic = this.#topics.find((tp) => tp.id === frame.topic);
    const panel = this.#el('chat-idreq');
    sessionStorage.setItem(PENDING_TOPIC_KEY, frame.topic);
    // Already identified: say what is missing (a stronger identification, or details to share).
    const key =
      frame.reason === 'claims-missing'
        ? 'chat.idRequired.claims'
        : frame.reason === 'loa-too-low'
          ? 'chat.idRequired.loa'
          : 'chat.idRequired.text';
    this.#el('idreq-text').textContent = this.#t(key, {
      topic: topic?.title ?? frame.topic,
      claims: frame.claims.map((claim) => this.#t(`chat.claim.${claim}`)).join(', '),
    });
    this.#el('idreq-providers').replaceChildren(...this.#identifyLinks(frame.providers));
    panel.hidden = false;
    panel.focus();
  }

  /** "Identify with …" links (new tab) for `providers`, or for every available one when empty. */
  #identifyLinks(providers: ProviderChoice[]): HTMLLIElement[] {
    const links = providers.length > 0 ? providers : this.#boot.providers.filter((p) => p.available);
    return links.map((p) => {
      const link = newTabLink(
        p.loginUrl,
        this.#t('chat.identifyWith', { provider: p.label }),
        this.#t('chat.newTab'),
        'button identify-link',
      );
      if (embeddedElsewhere())
        link.addEventListener('click', (event) => {
          event.preventDefault();
          void this.#identifyWithHandover(p.loginUrl, link);
        });
      return h('li', {}, link);
    });
  }

  /**
   * Identification from a frame on another site: the login tab's cookies are not this frame's
   * (partitioned), so the identity comes back as a one-time hand-over. This session creates it,
   * the tab (opened by this window, so its opener) posts back the secret after consent, and
   * this session redeems it. Messages count only from the gateway's origin and that tab.
   */
  async #identifyWithHandover(loginUrl: string, link: HTMLAnchorElement): Promise<void> {
    // Opened at once (in the click), pointed at the login once the hand-over exists.
    const tab = window.open('', '_blank');
    try {
      const created = await this.#postJson('/api/identity/handover', {});
      const { handover } = (await created.json()) as { handover: string };
      const url = new URL(loginUrl, window.location.href);
      url.searchParams.set('handover', handover);
      this.#awaitHandover(tab, handover, link);
      if (tab) tab.location.href = url.href;
      else this.#linkError(link, 'chat.error.handover_failed');
    } catch {
      tab?.close();
      this.#linkError(link, 'chat.error.handover_failed');
    }
  }

  #awaitHandover(tab: Window | null, handover: string, link: HTMLAnchorElement): void {
    const listener = (event: MessageEvent<unknown>): void => {
      if (event.origin !== window.location.origin || !tab || event.source !== tab) return;
      const data = event.data as { type?: unknown; h?: unknown; r?: unknown } | null;
      if (data?.type !== 'eidchat-handover' || data.h !== handover || typeof data.r !== 'string') return;
      window.removeEventListener('message', listener);
      const reply = (ok: boolean): void =>
        tab.postMessage({ type: 'eidchat-handover-result', h: handover, ok }, window.location.origin);
      this.#postJson('/api/identity/handover/redeem', { h: handover, r: data.r })
        .then(async (response) => {
          const body = (await response.json()) as { csrfToken?: string };
          // Redeeming renewed the session and its CSRF token.
          if (body.csrfToken) this.#csrfToken = body.csrfToken;
          this.#linkError(link);
          reply(true);
        })
        .catch(() => {
          this.#linkError(link, 'chat.error.handover_failed');
          reply(false);
        });
    };
    window.addEventListener('message', listener);
  }

  /**
   * Says `key` right after the identification link whose hand-over failed, as its description
   * (the links stand in the panel, a notice of the log or the offline confirmation, away from
   * the page's error line); without `key`, takes it away. Inserted with role="alert", so it is
   * announced as it appears.
   */
  #linkError(link: HTMLAnchorElement, key?: string): void {
    const id = link.getAttribute('aria-describedby');
    const shown = id ? this.#root.querySelector(`#${CSS.escape(id)}`) : null;
    if (!key) {
      shown?.remove();
      link.removeAttribute('aria-describedby');
      return;
    }
    if (shown) {
      shown.textContent = this.#t(key);
      return;
    }
    this.#linkErrors += 1;
    const error = h('span', {
      id: `identify-error-${this.#linkErrors}`,
      className: 'field-error identify-error',
      attrs: { role: 'alert' },
      text: this.#t(key),
    });
    link.after(error);
    link.setAttribute('aria-describedby', error.id);
  }

  /** How many identification links had an error: each error's id is unique in the page. */
  #linkErrors = 0;

  /** POSTs JSON with the CSRF token (fetched anew once when stale); rejects unless 2xx. */
  async #postJson(path: string, body: unknown): Promise<Response> {
    const post = (token: string) =>
      fetch(`${this.#boot.basePath}${path}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify(body),
      });
    // A login in another tab rotated the session, and with it the token: fetch it first rather
    // than be refused once (a 403 in the browser's console).
    if (this.#csrfStale) {
      this.#csrfToken = (await loadBootstrap(this.#root)).csrfToken;
      this.#csrfStale = false;
    }
    let response = await post(this.#csrfToken);
    if (response.status === 403) {
      this.#csrfToken = (await loadBootstrap(this.#root)).csrfToken;
      response = await post(this.#csrfToken);
    }
    if (!response.ok) throw new Error(String(response.status));
    return response;
  }

  #showConversation(view: ConversationView): void {
    const changed = this.#conversation?.id !== view.id;
    this.#conversation = { id: view.id, status: view.status };
    this.#agentName = view.assignedTo?.name;
    sessionStorage.setItem(STORAGE_KEY, view.id);
    if (changed) this.#transcript.reset(view.messages);
    else for (const message of view.messages) this.#transcript.add(message);
    this.#el('chat-topics').hidden = true;
    this.#el('chat-idreq').hidden = true;
    this.#el('chat-offline').hidden = true;
    this.#el('chat-conversation').hidden = false;
    this.#el('chat-closed').hidden = view.status !== 'closed';
    this.#offerTranscript(view.status === 'closed' ? view.id : undefined);
    this.#el<HTMLFormElement>('composer').hidden = view.status === 'closed';
    this.#setComposerEnabled(view.status !== 'closed');
    this.#renderConversationStatus();
    if (changed && view.status !== 'closed') this.#el('composer-text').focus();
  }

  #closeConversation(): void {
    this.#typing.show(false);
    const doc = this.#root.ownerDocument;
    // Focus on a control that is about to be hidden (the composer, "End chat") would drop to the
    // page's body: it moves to "Start a new chat" instead. Focus elsewhere stays where it is.
    const active = doc.activeElement;
    const lost = active === null || active === doc.body || this.#el('composer').contains(active);
    this.#el<HTMLFormElement>('composer').hidden = true;
    this.#el('chat-closed').hidden = false;
    // An agent's identification link of this chat has nothing left to identify for: the server
    // attaches no identity to a closed conversation, so it is no longer offered.
    for (const link of this.#root.querySelectorAll<HTMLAnchorElement>('a.identify-link'))
      this.#retire(link, 'chat.identifyEnded');
    this.#offerTranscript(this.#conversation?.id);
    if (lost) this.#el('new-chat').focus();
    this.#forgetConversation(false);
  }

  #forgetConversation(clearView = true): void {
    sessionStorage.removeItem(STORAGE_KEY);
    if (clearView) {
      this.#conversation = undefined;
      this.#transcript.reset();
      this.#offerTranscript(undefined);
    }
  }

  #renderConversationStatus(): void {
    const status = this.#el('chat-status');
    if (!this.#socket.connected) return;
    if (!this.#conversation) status.textContent = this.#t('chat.status.open');
    else if (this.#conversation.status === 'assigned' && this.#agentName)
      status.textContent = this.#t('chat.status.assigned', { name: this.#agentName });
    else if (this.#conversation.status === 'closed') status.textContent = this.#t('chat.status.closed');
    else status.textContent = this.#t('chat.status.queued');
  }

  /**
   * The identification link kept for this tab ({@link IDENTIFY_LINK_KEY}), offered again once
   * in this page when it is the open conversation's, unused and still valid; otherwise forgotten.
   */
  #offerKeptLink(conversationId: string): void {
    const kept = keptLink(sessionStorage.getItem(IDENTIFY_LINK_KEY));
    if (!kept) return;
    if (
      kept.conversationId !== conversationId ||
      this.#verified ||
      Date.parse(kept.expiresAt) <= Date.now()
    ) {
      sessionStorage.removeItem(IDENTIFY_LINK_KEY);
      return;
    }
    const shown = [...this.#root.querySelectorAll<HTMLAnchorElement>('a.identify-link')].some(
      (link) => link.getAttribute('href') === kept.url,
    );
    if (!shown) this.#showIdentificationPrompt(kept.url, kept.expiresAt);
  }

  #showIdentificationPrompt(url: string, expiresAt: string): void {
    const link = newTabLink(
      url,
      this.#t('chat.identifyLink'),
      this.#t('chat.newTab'),
      'button identify-link',
    );
    // The link works once: after opening it, it is shown as used rather than offered again.
    link.addEventListener('click', () => window.setTimeout(() => this.#markUsed(link), 0));
    // Embedded on another site, the login tab's session is not this frame's: the identity comes
    // back by the one-time hand-over, as from the "Identify with …" links.
    if (embeddedElsewhere())
      link.addEventListener('click', (event) => {
        event.preventDefault();
        void this.#identifyWithHandover(url, link);
      });
    const expires = h('p', {
      className: 'hint',
      text: this.#t('chat.identifyExpires', { time: timeOf(expiresAt, this.#boot.lang) }),
    });
    // Past its time the link leads only to the "expired" page: it is no longer offered. Timed by
    // this device's clock; one far behind the server's (nothing left on it at arrival) leaves the
    // link as it is, and the server's page says it has expired.
    const remaining = Date.parse(expiresAt) - Date.now();
    if (remaining > 0)
      window.setTimeout(() => this.#retire(link, 'chat.identifyExpired'), Math.min(remaining, MAX_TIMER_MS));
    this.#transcript.notice(
      this.#t('chat.identifyPrompt'),
      'info',
      'identification-requested',
      h('div', { className: 'identify-prompt' }, h('p', {}, link), expires),
    );
  }

  #claimList(claims: ClaimsView): string {
    return claimEntries(claims)
      .map(([key, value]) => `${this.#t(`chat.claim.${key}`)} ${value}`)
      .join(', ');
  }

  /**
   * One statement about sharing at a time: the anonymity note while anonymous, the sharing
   * panel ("You share …" with "Stop sharing") while verified — never both. Identification
   * links already used are disabled once the visitor is verified.
   */
  #setIdentity(verified: boolean, claims: ClaimsView, announce: boolean): void {
    const list = this.#claimList(claims);
    // Verified means sharing at least one detail; an identity sharing nothing is anonymous.
    const sharing = verified && list !== '';
    const was = this.#verified;
    this.#verified = sharing;
    this.#el('sharing').hidden = !sharing;
    this.#el('chat-privacy').hidden = sharing;
    this.#el('sharing-text').textContent = sharing
      ? this.#t('chat.sharing', { org: this.#boot.tenant.name, claims: list })
      : '';
    if (sharing) {
      for (const link of this.#root.querySelectorAll<HTMLAnchorElement>('a.identify-link'))
        this.#markUsed(link);
      this.#el('chat-idreq').hidden = true;
    }
    if (!announce || !this.#conversation) return;
    if (sharing && !was)
      this.#transcript.notice(this.#t('chat.verifiedFromHere', { claims: list }), 'verified', 'verified');
    if (!sharing && was) this.#transcript.notice(this.#t('chat.withdrawn'), 'info', 'withdrawn');
  }

  /** Turns an identification link into a disabled control that says it has been used. */
  #markUsed(link: HTMLAnchorElement): void {
    this.#retire(link, 'chat.identifyUsed');
  }

  /** Turns an identification link into a disabled control, its label followed by why (`note`). */
  #retire(link: HTMLAnchorElement, note: string): void {
    if (link.getAttribute('aria-disabled') === 'true') return;
    // Used, expired or no longer needed: not offered again after a reload either.
    if (keptLink(sessionStorage.getItem(IDENTIFY_LINK_KEY))?.url === link.getAttribute('href'))
      sessionStorage.removeItem(IDENTIFY_LINK_KEY);
    link.removeAttribute('href');
    link.removeAttribute('target');
    // Nothing opens any more, in a new tab or otherwise.
    link.querySelector('.visually-hidden')?.remove();
    link.setAttribute('aria-disabled', 'true');
    link.classList.add('used');
    link.append(h('span', { className: 'used-note', text: ` (${this.#t(note)})` }));
  }

  async #withdraw(): Promise<void> {
    try {
      // Identifying (in the other tab) may have rotated the session and with it the CSRF
      // token: `#postJson` fetches the current one and tries once more.
      const response = await this.#postJson('/api/identity/withdraw', {});
      // Read to its end: an answer left unread keeps its request open in the browser, "pending"
      // and then "canceled" (a failed request) when the visitor leaves the page.
      await response.json();
      // The socket's `identity` frame confirms; updating here too keeps the button honest
      // when the socket is reconnecting.
      this.#setIdentity(false, {}, true);
      this.#el('composer-text').focus();
    } catch {
      this.#error('chat.error.withdraw_failed');
    }
  }

  #setComposerEnabled(enabled: boolean): void {
    setControlsEnabled(this.#el('composer'), 'button, textarea', enabled);
  }

  #error(key?: string): void {
    this.#el('chat-error').textContent = key ? this.#t(key) : '';
  }
}

// Installed before the bootstrap arrives, so a host page's early request waits rather than
// being lost; requests are answered only in the embedded widget (see ./embed-bridge.ts).
let started: (page: { root: HTMLElement; boot: ChatBootstrap }) => void = () => undefined;
answerTokenRequests(
  new Promise((resolve) => {
    started = resolve;
  }),
);

/**
 * Whether this page runs in a frame of another origin (a host page embedding the widget): its
 * cookies are then not the ones a login in a new tab gets.
 */
function embeddedElsewhere(): boolean {
  if (window.top === window.self) return false;
  try {
    return window.top?.location.origin !== window.location.origin;
  } catch {
    return true;
  }
}

startWithBootstrap('chat-app', 'chat-status', 'The chat could not be loaded.', (root, boot) => {
  started({ root, boot });
  new VisitorChat(root, boot);
});

/** The kept identification link as {@link IDENTIFY_LINK_KEY} holds it; anything else is none. */
function keptLink(
  text: string | null,
): { conversationId: string; url: string; expiresAt: string } | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const { conversationId, url, expiresAt } = value;
    return typeof conversationId === 'string' &&
      typeof url === 'string' &&
      url.startsWith('/') &&
      !url.startsWith('//') &&
      typeof expiresAt === 'string'
      ? { conversationId, url, expiresAt }
      : undefined;
  } catch {
    return undefined;
  }
}
