import { z } from 'zod';
import { GatewayError, isGatewayError } from '../http/errors.js';
import type { SharedIdentity } from '../identity/shared-identity.js';
import type { AgentAvailability, AvailabilityWatcher } from './agent-availability.js';
import type { ChatBus, ConversationEvent, VisitorEvent } from './chat-bus.js';
import { ChatConnection, type ChatSocketOptions, pipelineOptions } from './chat-connection.js';
import type { ConversationMetadata, ConversationRecord, MessageRecord } from './chat-records.js';
import type { QueueBounds } from './chat-repositories.js';
import { CLOSE_CODES } from './close-codes.js';
import { collectMetadata, visitedPages } from './conversation-metadata.js';
import {
  type AppendMessageInput,
  conversationClosed,
  conversationNotFound,
  retryWhileChanged,
  storedBeforeRefusal,
} from './conversation-service.js';
import { DeliveredSeqs } from './delivered-seqs.js';
import type { DeliveryPort } from './delivery-port.js';
import type { HeartbeatWatcher } from './heartbeat.js';
import { guardVisitorMessage, guardVisitorText } from './pii-guard.js';
import {
  isTypedText,
  MAX_EMAIL_LENGTH,
  MAX_TEXT_LENGTH,
  type ServerToVisitorFrame,
  textTooLong,
  type VisitorFrame,
  visitorFrameSchema,
} from './protocol.js';
import { findTopic, providerChoices, topicShortfall, topicViews } from './topic-policy.js';
import type { TranscriptMailing } from './transcript-mail.js';
import { claimsView, messageView, visitorConversationView } from './views.js';
import type { VisitorQuota } from './visitor-quota.js';

/** A visitor's session as a visitor socket sees it. */
export interface VisitorSession {
  /** The identity the session shares for the tenant now. */
  identity: SharedIdentity | undefined;
  /**
   * Blind indexes of every identity the session shared into the tenant's chat, withdrawn ones
   * too (`CitizenRecord.sharedSubjects`): which identified conversations it may read.
   */
  sharedSubjects: readonly string[];
}

/**
 * The visitors' sessions as visitor sockets see them, shared by all of them (one object, so an
 * idle socket keeps no closures of its own for it).
 */
export interface VisitorSessions {
  /**
   * The session as it is now: `undefined` once it is gone (logout, idle expiry, destruction),
   * otherwise the identity it shares for the tenant. Read from the session store on every
   * decision, never a copy kept by the socket.
   */
  read(sessionId: string, tenantId: string): Promise<VisitorSession | undefined>;
  /**
   * Ends the visitor's identified chat when their session is found gone (detach, tell the
   * agent) and closes that session's sockets.
   */
  ended(tenantId: string, visitorId: string, sessionId: string): Promise<void>;
  /** How a `session-renewed` event names a session id. */
  hash(sessionId: string): string;
}

/** What a visitor socket needs. */
export interface VisitorSocketOptions extends ChatSocketOptions {
  visitorId: string;
  port: DeliveryPort;
  /** Whether agents are online for the tenant, as this instance keeps it (shared by all sockets). */
  availability: Pick<AgentAvailability, 'current' | 'known'>;
  sessions: VisitorSessions;
  /** Sends a closed conversation's transcript by e-mail (shared by all sockets). */
  transcripts: TranscriptMailing;
  /** What visitors may store in a window (shared by all sockets). */
  quotas: VisitorQuotas;
  /**
   * Messages after which the visitor may add no more to one conversation
   * (`chat.messagesPerConversation`): its transcript, sent whole in `welcome` and `resume`,
   * stays bounded.
   */
  maxMessages: number;
  /**
   * Bounds of what waits (shared by all sockets): conversations in one topic's queue
   * (`chat.maxQueued`), and, once that queue is half full, of one visitor and one client network
   * in all the tenant's queues (`chat.maxQueuedPerVisitor`, `chat.maxQueuedPerAddress`).
   */
  queueBounds: Required<QueueBounds>;
  connection: { ip?: string | undefined; userAgent?: string | undefined };
}

/** The quotas of what a visitor stores: new conversations and offline messages. */
export interface VisitorQuotas {
  conversations: VisitorQuota;
  offlineMessages: VisitorQuota;
}

/** The offline message's fields in the order the widget's form shows them. */
const OFFLINE_MESSAGE_FIELDS = ['name', 'email', 'text'] as const;
const offlineMessageSchema = z.object({
  name: z.string().trim().max(200).refine(isTypedText),
  email: z.email().max(MAX_EMAIL_LENGTH),
  text: z.string().trim().refine(isTypedText),
});

/**
 * One visitor's WebSocket. The visitor is who the session says (its `visitorId`), and nothing a
 * frame says can change that; conversations are found only among this visitor's own. The
 * socket follows, on the chat bus, its visitor's channel and the conversations it starts or
 * resumes; the identity behind every decision is read from the session at that moment.
 */
export class VisitorSocket implements HeartbeatWatcher, AvailabilityWatcher {
  readonly tenantId: string;
  readonly visitorId: string;
  /** What the socket uses after construction (not the whole options object, kept per socket). */
  readonly #options: Pick<
    VisitorSocketOptions,
    | 'tenant'
    | 'lang'
    | 'service'
    | 'port'
    | 'availability'
    | 'sessions'
    | 'connection'
    | 'transcripts'
    | 'quotas'
    | 'maxMessages'
    | 'queueBounds'
    | 'limits'
    | 'logger'
  >;
  /** The session's id; a login in this browser rotates it (`session-renewed`). */
  #sessionId: string;
  readonly #connection: ChatConnection<VisitorFrame, ServerToVisitorFrame>;
  readonly #bus: ChatBus;
  /** Conversation id → what the socket keeps of a conversation it follows. */
  readonly #following = new Map<string, Followed>();
  readonly #stopVisitor: () => void;
  /** What the visitor was last told about their identity (to send `identity` only on change). */
  #shown = '';
  /** The conversation this socket's frames are about (after `start`, `resume` or the welcome). */
  #current: string | undefined;
  /** Whether the client was last told agents are online (`undefined` before the welcome). */
  #agentsShown: boolean | undefined;

  constructor(options: VisitorSocketOptions) {
    this.#options = {
      tenant: options.tenant,
      lang: options.lang,
      service: options.service,
      port: options.port,
      availability: options.availability,
      sessions: options.sessions,
      connection: options.connection,
      transcripts: options.transcripts,
      quotas: options.quotas,
      maxMessages: options.maxMessages,
      queueBounds: options.queueBounds,
      limits: options.limits,
      logger: options.logger,
    };
    this.#sessionId = options.sessionId;
    this.tenantId = options.tenant.config.id;
    this.visitorId = options.visitorId;
    this.#bus = options.bus;
    this.#connection = new ChatConnection({
      ...pipelineOptions(options),
      schema: visitorFrameSchema,
      onFrame: (frame) => this.#handle(frame),
    });
    this.#stopVisitor = this.#bus.subscribe(
      { kind: 'visitor', tenantId: this.tenantId, visitorId: this.visitorId },
      (event) => this.#connection.enqueueEvent(() => this.#visitorEvent(event), this),
    );
  }

  /** Connection id. */
  get id(): string {
    return this.#connection.id;
  }

  /** Sends the welcome: topics for this visitor, whether agents are online, the open conversation. */
  welcome(): void {
    this.#connection.enqueueOpening(async () => {
      const { tenant, lang, service, availability } = this.#options;
      const session = await this.#session();
      const identity = session?.identity;
      const open = (await service.openOf(this.tenantId, this.visitorId)).filter((c) =>
        readableBy(c, session),
      );
      for (const conversation of open) this.#follow(conversation.id);
      const latest = open.at(-1);
      this.#current = latest?.id;
      this.#shown = shownIdentity(identity);
      const agentsOnline = await availability.current(this.tenantId);
      const conversation = latest ? await this.#view(latest, 0, identity) : undefined;
      this.#agentsShown = agentsOnline;
      this.#connection.send({
        type: 'welcome',
        visitor: { verified: !!identity, claims: claimsView(identity) },
        topics: topicViews(tenant, lang, identity),
        agentsOnline,
        ...(conversation ? { conversation } : {}),
      });
    });
  }

  /**
   * Agents came or went for the tenant: the client is told (`agents`) when that differs from
   * what it was last told. Behind the frames being handled, so never before the welcome, and
   * read when it runs: changes that came in between are told as one, or not at all.
   */
  agentsChanged(): void {
    this.#connection.enqueue(() => {
      const online = this.#options.availability.known(this.tenantId);
      if (online === undefined || this.#agentsShown === undefined || online === this.#agentsShown) return;
      this.#agentsShown = online;
      this.#connection.send({ type: 'agents', online });
    });
  }

  /**
   * Re-checks the session (every heartbeat): a session that is gone ends the identified chat
   * and closes the socket with 4401; a changed sharing is shown. A session that cannot be read
   * now (the store unavailable) is not a session gone, and nothing the client did: no `error`
   * frame, which a client takes for the answer to a frame of its own (a `start`, a form's), as
   * the agent's heartbeat does; the next beat reads it again.
   */
  beat(): void {
    this.#connection.enqueue(async () => {
      await this.#identity().catch((error: unknown) => {
        // The store logs its outage once; anything else is unexpected.
        if (!isGatewayError(error) || error.code !== 'store_unavailable')
          this.#options.logger.warn({ connection: this.id, err: error }, 'chat session check failed');
      });
    });
  }

  /**
   * Closes with 1001: the client reconnects (to any instance) and resumes from the store.
   * Resolves when the frame being handled is done (its write stored and published).
   */
  shutdown(): Promise<void> {
    this.#connection.close(CLOSE_CODES.goingAway, 'server shutting down');
    return this.#connection.settled();
  }

  /**
   * The identity the session shares now. A session found gone ends the chat's identification
   * and the socket: nothing sent after logout or expiry counts as verified.
   */
  async #identity(): Promise<SharedIdentity | undefined> {
    return (await this.#session())?.identity;
  }

  /**
   * Whether this socket's session may read the conversation: one an identity was shared into
   * (`subjects`) only while the session shared every one of those identities itself. The
   * visitor cookie outlives a session: after an idle expiry the next person at a shared
   * computer is the same visitor, and must not see, resume or have e-mailed the verified chat
   * of the last one. A conversation two people identified in (a second login in the same
   * browser while it went on) is read by neither, as their own-data copies leave it to the
   * organisation: the socket that was showing it goes on doing so, but no welcome, resume or
   * transcript e-mail hands one person's verified messages to the other.
   */
  async #readable(conversation: ConversationRecord): Promise<boolean> {
    return (conversation.subjects ?? []).length === 0 || readableBy(conversation, await this.#session());
  }

  /** The session as it is now (telling the visitor when their identity changed), or `undefined` once it ended. */
  async #session(): Promise<VisitorSession | undefined> {
    const session = await this.#options.sessions.read(this.#sessionId, this.tenantId);
    if (!session) {
      await this.#options.sessions.ended(this.tenantId, this.visitorId, this.#sessionId);
      this.#connection.close(CLOSE_CODES.sessionEnded, 'session ended');
      return undefined;
    }
    const shown = shownIdentity(session.identity);
    if (this.#shown && shown !== this.#shown) {
      this.#connection.send({
        type: 'identity',
        verified: !!session.identity,
        claims: claimsView(session.identity),
      });
    }
    this.#shown = shown;
    return session;
  }

  #follow(conversationId: string): void {
    if (this.#following.has(conversationId)) return;
    this.#following.set(conversationId, {
      stop: this.#bus.subscribe({ kind: 'conversation', tenantId: this.tenantId, conversationId }, (event) =>
        // Queued behind the frames being handled, so an ack always precedes events it caused.
        this.#connection.enqueueEvent(() => this.#conversationEvent(event), this),
      ),
      seqs: new DeliveredSeqs(),
      status: '',
    });
  }

  /**
   * Events between instances were interrupted: sends, from the store, the messages and the
   * status changes of the followed conversations this client has not been sent, `deleted` for
   * one deleted meanwhile, and re-reads the session (a withdrawal or logout elsewhere may have
   * been missed).
   */
  resync(): void {
    // Until it has read everything: a store still coming back must not lose what was missed.
    this.#connection.enqueueUntilDone(async () => {
      const { service } = this.#options;
      await this.#identity();
      if (!this.#connection.open) return;
      for (const conversation of await service.openOf(this.tenantId, this.visitorId))
        this.#follow(conversation.id);
      for (const [conversationId, followed] of [...this.#following]) {
        const conversation = await service.get(this.tenantId, conversationId);
        if (!conversation) {
          // Deleted by staff or erased by its citizen meanwhile, as `conversation-deleted` says.
          await this.#visitorEvent({ type: 'conversation-deleted', conversationId });
          continue;
        }
        await this.#fillIn(conversationId);
        if (followed.status !== statusOf(conversation))
          this.#conversationEvent({ type: 'status', conversation });
      }
    });
  }

  /** The socket closed: stops following everything. */
  closed(): void {
    this.#stopVisitor();
    for (const followed of this.#following.values()) followed.stop();
    this.#following.clear();
  }

  async #visitorEvent(event: VisitorEvent): Promise<void> {
    switch (event.type) {
      case 'conversation-deleted':
        this.#following.get(event.conversationId)?.stop();
        this.#following.delete(event.conversationId);
        if (this.#current === event.conversationId) this.#current = undefined;
        this.#connection.send({ type: 'deleted', conversationId: event.conversationId });
        return;
      case 'identification-request':
        // Only for a conversation this socket follows: not one of an earlier session's person.
        if (!this.#following.has(event.conversationId)) return;
        this.#connection.send({
          type: 'identification-request',
          conversationId: event.conversationId,
          url: event.url,
          expiresAt: new Date(event.expiresAt).toISOString(),
        });
        return;
      case 'conversation-started':
        this.#follow(event.conversationId);
        return;
      case 'identity-changed':
        await this.#identity();
        return;
      case 'session-ended':
        // Another session of this visitor (an older one expiring) leaves this one alone.
        if (event.session !== this.#options.sessions.hash(this.#sessionId)) return;
        this.#connection.close(CLOSE_CODES.sessionEnded, 'session ended');
        return;
      case 'session-renewed':
        // A login in this browser rotated the session id: follow it, then show what it shares.
        if (event.previous !== this.#options.sessions.hash(this.#sessionId)) return;
        this.#sessionId = event.sessionId;
        await this.#identity();
        return;
    }
  }

  /** Sends the client, from the store, the messages of a followed conversation it was not sent. */
  async #fillIn(conversationId: string): Promise<void> {
    const followed = this.#following.get(conversationId);
    if (!followed) return;
    const { service } = this.#options;
    for (const message of await followed.seqs.unsent((after) =>
      service.messages(this.tenantId, conversationId, after),
    ))
      this.#conversationEvent({ type: 'message', conversationId, message });
  }

  /** Synchronous but for `rejoined`: forwarding an event costs no promise. */
  #conversationEvent(event: ConversationEvent): void | Promise<void> {
    switch (event.type) {
      case 'rejoined':
        // A read that fails falls back on a whole resync ({@link ChatConnection.enqueueEvent}).
        return event.origin === this.id ? undefined : this.#fillIn(event.conversationId);
      case 'message': {
        // Once per message: a resync may have sent it already, and this socket's own message
        // reached its client as the ack.
        const seqs = this.#following.get(event.conversationId)?.seqs;
        if (seqs?.has(event.message.seq)) return;
        seqs?.add(event.message.seq);
        if (event.origin === this.id) return;
        this.#connection.send({
          type: 'message',
          conversationId: event.conversationId,
          message: messageView(event.message),
        });
        return;
      }
      case 'status': {
        // No longer this visitor's (retention anonymised it, replacing its visitor id): its window
        // was told `deleted`, and its status is nobody's to show here.
        if (event.conversation.visitorId !== this.visitorId) return;
        const followed = this.#following.get(event.conversation.id);
        if (followed) followed.status = statusOf(event.conversation);
        this.#connection.send({
          type: 'status',
          conversationId: event.conversation.id,
          status: event.conversation.status,
          ...(event.conversation.assignedTo ? { agentName: event.conversation.assignedTo.name } : {}),
        });
        if (event.conversation.status === 'closed') {
          followed?.stop();
          this.#following.delete(event.conversation.id);
        }
        return;
      }
      case 'typing':
        if (event.from === 'agent' && event.conversationId === this.#current) {
          this.#connection.send({ type: 'typing', typing: event.typing });
        }
        return;
      case 'read':
        if (event.by === 'agent' && event.conversationId === this.#current) {
          this.#connection.send({ type: 'read', seq: event.seq });
        }
        return;
      case 'identity':
        // The visitor's own view follows their session (`identity-changed`), not the conversation.
        return;
      case 'visit':
        // What is collected of the visit is shown to agents, not sent back to the visitor.
        return;
    }
  }

  async #handle(frame: VisitorFrame): Promise<void> {
    const { service } = this.#options;
    switch (frame.type) {
      case 'start':
        return this.#start(frame);
      case 'message':
        return this.#message(frame.clientId, frame.text);
      case 'typing': {
        const conversation = await this.#open();
        service.typing(conversation, 'visitor', frame.typing, this.id);
        return;
      }
      case 'read': {
        const conversation = await this.#mine(this.#requireCurrent());
        await service.markRead(conversation.tenantId, conversation.id, 'visitor', frame.seq);
        return;
      }
      case 'resume': {
        this.#transcriptAllowed();
        const conversation = await this.#mine(frame.conversationId);
        if (!(await this.#readable(conversation))) throw conversationNotFound();
        this.#current = conversation.id;
        if (conversation.status !== 'closed') this.#follow(conversation.id);
        this.#connection.send({
          type: 'conversation',
          conversation: await this.#view(conversation, frame.afterSeq, await this.#identity()),
        });
        // Back after a reconnect: what the instance it was on acknowledged but never published
        // reaches the agent's console now.
        if (conversation.status !== 'closed') this.#options.service.rejoined(conversation, this.id);
        return;
      }
      case 'page': {
        const settings = this.#options.tenant.config.metadata;
        // Not collected: nothing to read or write (the widget does not send it then).
        if (!settings.pages) return;
        // Whose it is, from the record last seen; whether it is still open, from the update's own read.
        const conversation = await this.#mine(this.#requireCurrent(), 'recent');
        await service.visitedPages(conversation.tenantId, conversation.id, (pages) =>
          visitedPages(settings, pages, frame.page),
        );
        return;
      }
      case 'offline-message':
        return this.#offlineMessage(frame);
      case 'end': {
        const conversation = await this.#open();
        const closed = await service.close(conversation.tenantId, conversation.id);
        await this.#options.port.ended(closed);
        return;
      }
      case 'email-transcript': {
        const { tenant, lang, transcripts } = this.#options;
        await transcripts.send({
          readable: (conversation) => this.#readable(conversation),
          tenant,
          lang,
          visitorId: this.visitorId,
          conversationId: frame.conversationId,
          email: frame.email,
          ip: this.#options.connection.ip,
        });
        this.#connection.send({ type: 'transcript-emailed', conversationId: frame.conversationId });
        return;
      }
    }
  }

  async #start(frame: Extract<VisitorFrame, { type: 'start' }>): Promise<void> {
    const { tenant, lang, service, port } = this.#options;
    const topic = findTopic(tenant, frame.topic);
    if (!topic) throw new GatewayError('topic_unknown', 'No such topic.');
    const session = await this.#session();
    const identity = session?.identity;
    if (!this.#connection.open) return;
    const shortfall = topicShortfall(topic, identity);
    if (shortfall) {
      // The answer names the topic, what it needs and how to identify, nothing of the topic itself.
      this.#connection.send({
        type: 'identification-required',
        topic: topic.id,
        providers: providerChoices(tenant, lang),
        reason: shortfall.reason,
        claims: shortfall.claims,
      });
      return;
    }
    const open = await service.openOf(this.tenantId, this.visitorId);
    // Not one another person identified in whose session is gone: a new conversation instead.
    const existing = open.find((c) => c.topic === topic.id && readableBy(c, session));
    // Answered with its whole transcript, as a resume is.
    if (existing) this.#transcriptAllowed();
    let conversation = existing;
    if (!conversation) {
      const metadata: ConversationMetadata = collectMetadata(
        tenant.config.metadata,
        this.#options.connection,
        frame,
      );
      // Each new conversation is stored and queued for the agents: bounded per visitor and per
      // client network, so one host cannot fill the queue (checked before anything is stored).
      const holder = this.#quotaHolder();
      if (!(await this.#options.quotas.conversations.take(holder))) {
        throw new GatewayError(
          'conversation_limit',
          'Too many conversations were started; try again later.',
          {
            status: 429,
          },
        );
      }
      // A queue no agent can work through any more is not made longer: its length bounds what
      // every queue change sends each console (many clients together, each within its quota).
      // Nor, once it is half full, may one visitor or one network hold many places at once (a few
      // hosts keeping their sockets open would otherwise keep the queue to themselves, for as
      // long as the start quota's window). The store takes the places atomically as it stores the conversation,
      // which holds when several starts, on any instances, race for the last places; a start it
      // refuses (`queue_full`, `too_many_queued`) gives the quota back. No read of the whole
      // queue before it.
      try {
        conversation = await service.start({
          tenantId: this.tenantId,
          topic: topic.id,
          visitorId: this.visitorId,
          metadata,
          bounds: this.#options.queueBounds,
          clientAddress: this.#options.connection.ip,
          ...(identity ? { identity } : {}),
        });
      } catch (error) {
        await this.#options.quotas.conversations.giveBack(holder).catch(() => undefined);
        throw error;
      }
      await port.deliver(conversation);
    }
    this.#current = conversation.id;
    this.#follow(conversation.id);
    this.#connection.send({
      type: 'conversation',
      conversation: await this.#view(conversation, 0, identity),
    });
  }

  async #message(clientId: string, text: string): Promise<void> {
    if (textTooLong(text)) {
      throw new GatewayError('text_too_long', `Messages are limited to ${MAX_TEXT_LENGTH} characters.`);
    }
    // Decided on the record (and tail) this instance last saw, which the append checks: when
    // either changed meanwhile nothing was stored, and the checks run again on the new one.
    try {
      await retryWhileChanged(() => this.#messageOnce(clientId, text));
    } catch (error) {
      if (this.#current === undefined) throw error;
      // A resend of a message stored before the conversation closed or filled up: acknowledged.
      const stored = await storedBeforeRefusal(this.#options.service, error, {
        tenantId: this.tenantId,
        conversationId: this.#current,
        author: { from: 'visitor', authorId: this.visitorId },
        clientId,
      });
      this.#following.get(stored.conversationId)?.seqs.add(stored.seq);
      this.#connection.send({ type: 'ack', clientId, message: messageView(stored) });
    }
  }

  async #messageOnce(clientId: string, text: string): Promise<void> {
    const { service } = this.#options;
    // The previous message's tail is read alongside the conversation (one round trip to a
    // shared store when either is not known here); a failed read surfaces where it is awaited.
    const previousTail = service.recentTail(this.tenantId, this.#requireCurrent());
    previousTail.catch(() => undefined);
    let conversation = await this.#open('recent');
    // Every path to a current conversation (welcome, start, resume) sent this socket its
    // transcript, and acks and events add to it, so the highest seq it holds is the
    // conversation's length without a read (several sockets writing at once may pass the limit
    // by one message each).
    if ((this.#following.get(conversation.id)?.seqs.upTo ?? 0) >= this.#options.maxMessages) {
      throw new GatewayError(
        'conversation_full',
        'This conversation has reached its length limit; end it and start a new one.',
        { status: 409 },
      );
    }
    if (conversation.identity) {
      // Verified only while the session still shares that very identity: a socket that outlived
      // its session (or a withdrawal) must not post as verified, even before the next heartbeat.
      const identity = await this.#identity();
      if (!this.#connection.open) return;
      if (identity?.subjectIndex !== conversation.identity.subjectIndex) {
        const detached = await service.detachIdentity(conversation.tenantId, conversation.id);
        if (detached) {
          conversation = detached;
          await this.#options.port.changed(detached, 'identity');
        }
      }
    }
    // The guard runs before the service sees the text: nothing unredacted is stored or sent,
    // verified or not (a shared national id reaches the agent as a claim, never as text).
    const previous = await previousTail;
    const guarded = guardVisitorMessage(text, previous);
    const input: AppendMessageInput = {
      tenantId: this.tenantId,
      conversationId: conversation.id,
      from: 'visitor',
      authorId: this.visitorId,
      clientId,
      text: guarded.text,
      origin: this.id,
      conversation,
      tail: { previous, next: guarded.tail },
    };
    // Set, not spread in: a spread copies the whole input on every message.
    if (guarded.redacted > 0) input.redacted = true;
    const { message, duplicate } = await service.append(input);
    // The first message is the queue's preview: let the port show it.
    if (!duplicate && conversation.preview === undefined && conversation.status === 'queued') {
      const updated = await service.get(conversation.tenantId, conversation.id);
      if (updated) await this.#options.port.changed(updated, 'preview');
    }
    if (guarded.redacted > 0 && !duplicate)
      this.#connection.send({ type: 'redacted', clientId, count: guarded.redacted });
    this.#following.get(conversation.id)?.seqs.add(message.seq);
    this.#connection.send({ type: 'ack', clientId, message: messageView(message) });
    if (guarded.redacted > 0 && !duplicate)
      await service.systemLine(conversation.tenantId, conversation.id, 'redacted');
  }

  async #offlineMessage(frame: Extract<VisitorFrame, { type: 'offline-message' }>): Promise<void> {
    const parsed = offlineMessageSchema.safeParse(frame);
    if (!parsed.success || textTooLong(parsed.data.text)) {
      // The first refused field in the form's order, which the widget marks (a browser's own
      // validation lets through some of what this refuses: a blank name, `kari@localhost`).
      const refused = parsed.success
        ? 'text'
        : OFFLINE_MESSAGE_FIELDS.find((field) =>
            parsed.error.issues.some((issue) => issue.path[0] === field),
          );
      throw new GatewayError('offline_message_invalid', undefined, refused ? { field: refused } : {});
    }
    // Left while identified: the citizen's own data, which they copy and erase with their chats.
    // Read before the quota is counted: a read that fails (the store unreachable) must not cost
    // the visitor one of their offline messages, as nothing would give it back.
    const identity = await this.#identity();
    if (!this.#connection.open) return;
    const holder = this.#quotaHolder();
    if (!(await this.#options.quotas.offlineMessages.take(holder))) {
      throw new GatewayError(
        'offline_message_limit',
        'Too many offline messages were left; try again later.',
        {
          status: 429,
        },
      );
    }
    const name = guardVisitorText(parsed.data.name);
    const email = guardVisitorText(parsed.data.email);
    const body = guardVisitorText(parsed.data.text);
    let saved: Awaited<ReturnType<DeliveryPort['leaveMessage']>>;
    try {
      saved = await this.#options.port.leaveMessage({
        tenantId: this.tenantId,
        visitorId: this.visitorId,
        name: name.text,
        email: email.text,
        text: body.text,
        redacted: name.redacted + email.redacted + body.redacted > 0,
        ...(identity ? { subjectIndex: identity.subjectIndex } : {}),
      });
    } catch (error) {
      await this.#options.quotas.offlineMessages.giveBack(holder).catch(() => undefined);
      throw error;
    }
    this.#connection.send({
      type: 'offline-message-saved',
      id: saved.id,
      ...(saved.redacted ? { redacted: true as const } : {}),
    });
  }

  /** A frame answered with a whole transcript, within `chat.transcriptsPerMinute`. */
  #transcriptAllowed(): void {
    if (!this.#options.limits.allowTranscript(this.id)) {
      throw new GatewayError(
        'rate_limited',
        'Too many transcript requests on this connection; wait a minute.',
        {
          status: 429,
        },
      );
    }
  }

  #quotaHolder() {
    return { tenantId: this.tenantId, visitorId: this.visitorId, ip: this.#options.connection.ip };
  }

  #requireCurrent(): string {
    if (!this.#current) throw new GatewayError('no_conversation', 'Start or resume a conversation first.');
    return this.#current;
  }

  /**
   * A conversation of this visitor in this tenant; anything else is "not found", never
   * "forbidden". `recent`: as last seen here, for checks an append repeats (see `#message`).
   */
  async #mine(conversationId: string, read: 'store' | 'recent' = 'store'): Promise<ConversationRecord> {
    const { service } = this.#options;
    const conversation = await (read === 'recent'
      ? service.recent(this.tenantId, conversationId)
      : service.get(this.tenantId, conversationId));
    // Looked up under this socket's tenant: another tenant's conversation is not found.
    if (!conversation || conversation.visitorId !== this.visitorId) {
      throw conversationNotFound();
    }
    return conversation;
  }

  async #open(read: 'store' | 'recent' = 'store'): Promise<ConversationRecord> {
    const conversation = await this.#mine(this.#requireCurrent(), read);
    if (conversation.status === 'closed') throw conversationClosed();
    return conversation;
  }

  /**
   * The stored messages after `afterSeq`, read from the message `afterSeq` itself so that it is
   * known to be stored. One that is not (a client holding more than was stored: its own mistake,
   * or a store restored from an older copy) is answered with the whole transcript: taking its
   * word marked every message up to it as sent to this socket, so the next ones, written after
   * the resume, never reached it live, nor after another `resume` (its mark stays).
   */
  async #messagesAfter(
    conversation: ConversationRecord,
    afterSeq: number,
  ): Promise<{ messages: MessageRecord[]; held: number }> {
    const { service } = this.#options;
    const { tenantId, id } = conversation;
    if (afterSeq > 0) {
      const from = await service.messages(tenantId, id, afterSeq - 1);
      if (from[0]?.seq === afterSeq) return { messages: from.slice(1), held: afterSeq };
    }
    return { messages: await service.messages(tenantId, id, 0), held: 0 };
  }

  /**
   * The conversation as the visitor is shown it. Its claims only when `shared` (what this
   * session shares now) is the identity attached to it: a closed conversation keeps the identity
   * it was verified with, and the visitor id outlives a session (idle expiry, a store failover),
   * so whoever uses the browser later must not be shown someone else's name or national id.
   */
  async #view(conversation: ConversationRecord, afterSeq: number, shared: SharedIdentity | undefined) {
    const { messages, held } = await this.#messagesAfter(conversation, afterSeq);
    const followed = this.#following.get(conversation.id);
    if (followed) {
      followed.status = statusOf(conversation);
      // The client has what it resumed after (its own, as far as it is stored: see
      // #messagesAfter), and now this transcript.
      followed.seqs.addUpTo(Math.max(held, messages.at(-1)?.seq ?? 0));
    }
    const attached =
      shared && conversation.identity?.subjectIndex === shared.subjectIndex
        ? this.#options.service.readIdentity(conversation)
        : undefined;
    return visitorConversationView(conversation, messages, attached);
  }
}

/** {@link VisitorSocket.#readable} for a session already read. */
function readableBy(conversation: ConversationRecord, session: VisitorSession | undefined): boolean {
  const subjects = conversation.subjects ?? [];
  return subjects.length === 0 || (!!session && subjects.every((s) => session.sharedSubjects.includes(s)));
}

/** What the visitor is shown of their identity, comparable between two reads. */
function shownIdentity(identity: SharedIdentity | undefined): string {
  return JSON.stringify({ verified: !!identity, claims: claimsView(identity) });
}

/** What a visitor socket keeps of a conversation it follows. */
interface Followed {
  stop: () => void;
  /** The messages of it this client was sent (a resync sends the others). */
  seqs: DeliveredSeqs;
  /** The last status it was sent ({@link statusOf}). */
  status: string;
}

/** What a `status` frame tells of a conversation, comparable between two reads. */
function statusOf(conversation: ConversationRecord): string {
  return `${conversation.status}\n${conversation.assignedTo?.name ?? ''}`;
}
