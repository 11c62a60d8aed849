import type { SessionData } from 'express-session';
import type { StaffRecord } from '../auth/session-state.js';
import { liveStaff } from '../auth/staff-login.js';
import { GatewayError } from '../http/errors.js';
import { newId } from '../runtime/ids.js';
import { localize } from '../web/i18n.js';
import { type BuiltInDesk, OFFLINE_MESSAGE_LIMIT } from './built-in-desk.js';
import type { AgentEvent, ChatBus, ConversationEvent, QueueEvent } from './chat-bus.js';
import { ChatConnection, type ChatSocketOptions, pipelineOptions, SharedFrame } from './chat-connection.js';
import type {
  ConversationRecord,
  MessageRecord,
  OfflineMessageHandled,
  OfflineMessageRecord,
} from './chat-records.js';
import type { TranscriptAuditRepository } from './chat-repositories.js';
import { CLOSE_CODES } from './close-codes.js';
import {
  conversationClosed,
  conversationNotFound,
  offlineMessageNotFound,
  retryWhileChanged,
  storedBeforeRefusal,
} from './conversation-service.js';
import { DeliveredSeqs } from './delivered-seqs.js';
import { sessionIdHash } from './identity-changes.js';
import { LatestWins, type LatestWinsOptions } from './latest-wins.js';
import {
  type AgentFrame,
  agentFrameSchema,
  MAX_TEXT_LENGTH,
  type ServerToAgentFrame,
  textTooLong,
} from './protocol.js';
import type { StepUp } from './step-up.js';
import { findTopic, mayStartTopic } from './topic-policy.js';
import { hasConsoleRole } from './upgrade-auth.js';
import {
  agentConversationView,
  agentIdentityView,
  assignedSummary,
  conversationSummary,
  messageView,
  offlineMessageHandledView,
  offlineMessageSummary,
  offlineMessageView,
  visitOf,
} from './views.js';

/** What an agent socket needs. */
export interface AgentSocketOptions extends ChatSocketOptions {
  staff: StaffRecord;
  stepUp: StepUp;
  desk: BuiltInDesk;
  /** Where reads of identified conversations by non-assignees are recorded. */
  audit: TranscriptAuditRepository;
  now: () => number;
  /**
   * The socket's session as the store has it now (rejects when the store cannot be asked): a
   * resync re-checks the staff login, whose sign-out elsewhere may be among the missed events.
   */
  readSession: () => Promise<SessionData | undefined>;
  /** How whole lists (`queue`, `assigned`) are paced. Default: one per list every 250 ms, real timers. */
  summaryPacing?: Pick<LatestWinsOptions<unknown>, 'intervalMs' | 'timers'>;
}

/**
 * Each tenant event's frame, serialised once for every console that sends it: the bus hands the
 * same event object to all of its followers (in process; on Redis, each instance decodes a batch
 * once). Weak, so a frame lives as long as its event is referenced (by a console whose list waits
 * its turn, at most); a cache by identity only, no state anyone could observe.
 */
const sharedFrames = new WeakMap<QueueEvent, SharedFrame<ServerToAgentFrame>>();

/** The frame every console of the tenant is sent for `event` (built at the first call). */
function sharedFrame(event: QueueEvent, build: () => ServerToAgentFrame): SharedFrame<ServerToAgentFrame> {
  let shared = sharedFrames.get(event);
  if (!shared) {
    shared = new SharedFrame(build());
    sharedFrames.set(event, shared);
  }
  return shared;
}

/** What a console was last sent of an offline message. */
interface OfflineShown {
  createdAt: number;
  /** {@link handledKey} of its marker as sent. */
  handled: string;
}

/** A marker as one comparable string (`''`: not handled). */
function handledKey(handled: OfflineMessageHandled | null | undefined): string {
  return handled ? `${handled.at} ${handled.by}` : '';
}

/** The frame telling a console an offline message's marker (`undefined`: not handled). */
function handledFrame(id: string, handled: OfflineMessageHandled | null | undefined): ServerToAgentFrame {
  return {
    type: 'offline-message-handled',
    id,
    handled: handled ? offlineMessageHandledView(handled) : null,
  };
}

function shown(message: OfflineMessageRecord): OfflineShown {
  return { createdAt: message.createdAt, handled: handledKey(message.handled) };
}

/** What the socket keeps of a conversation it follows: the latest record and the visitor's shown name. */
interface Followed {
  /** The conversation as this client was last shown it (a resync compares the store with it). */
  conversation: ConversationRecord;
  /** The shared name, opened once per identity change (assigned agent only). */
  visitorName: string | undefined;
  stop: () => void;
  /** The messages of it this client was sent (a resync sends the others). */
  seqs: DeliveredSeqs;
}

/**
 * One agent's console socket. On the chat bus it follows the tenant's queue, its agent's own
 * channel (assignments) and the conversations the agent is assigned to or has opened, so it
 * receives message traffic of those conversations only, without reading the store per event.
 * A visitor's shared claims are shown only to the assignee; a conversation that is not theirs
 * can be opened only by the roles the tenant allows (`transcriptReaders`), and every such read
 * of an identified conversation is recorded in the audit repository.
 */
export class AgentSocket {
  readonly tenantId: string;
  readonly #options: AgentSocketOptions;
  readonly #connection: ChatConnection<AgentFrame, ServerToAgentFrame>;
  readonly #bus: ChatBus;
  readonly #subject: string;
  #staff: StaffRecord;
  readonly #followed = new Map<string, Followed>();
  /** Conversations opened (transcript loaded) on this socket. */
  readonly #watching = new Set<string>();
  /**
   * The offline messages this client was sent (id → their time and handled marker as sent), so
   * a resync can tell it which were erased meanwhile, which are new and which were marked
   * handled or reopened.
   */
  readonly #offlineShown = new Map<string, OfflineShown>();
  readonly #stops: Array<() => void> = [];
  /**
   * Whole lists (a topic's queue, the `assigned` list) to this client, latest wins per list: at
   * once after a quiet spell, else at most one per interval and never while the one before is
   * unsent. A list is the whole state, so a burst of N changes costs a console a few lists, not
   * N lists of up to N entries each (500 starts with 50 consoles open were a gigabyte written,
   * and hundreds of whole queues cut a slow console off at 4 MiB unsent).
   */
  readonly #summaries: LatestWins<SharedFrame<ServerToAgentFrame>>;

  constructor(options: AgentSocketOptions) {
    this.#options = options;
    this.tenantId = options.tenant.config.id;
    this.#bus = options.bus;
    this.#staff = options.staff;
    this.#subject = options.staff.subject;
    this.#connection = new ChatConnection({
      ...pipelineOptions(options),
      schema: agentFrameSchema,
      onFrame: (frame) => this.#handle(frame),
    });
    this.#summaries = new LatestWins({
      ...options.summaryPacing,
      send: (frame, written) => this.#connection.sendShared(frame, written),
    });
    this.#stops.push(
      this.#bus.subscribe({ kind: 'queue', tenantId: this.tenantId }, (event) =>
        this.#connection.enqueue(async () => this.#queueEvent(event)),
      ),
      this.#bus.subscribe({ kind: 'agent', tenantId: this.tenantId, agentSubject: this.#subject }, (event) =>
        this.#connection.enqueueEvent(() => this.#agentEvent(event), this),
      ),
    );
  }

  /** The socket closed: stops following everything. */
  closed(): void {
    this.#summaries.stop();
    for (const stop of this.#stops) stop();
    for (const followed of this.#followed.values()) followed.stop();
    this.#followed.clear();
  }

  get id(): string {
    return this.#connection.id;
  }

  /** Sends the console's starting state: queues per topic, own assignments, offline messages. */
  welcome(): void {
    this.#connection.enqueueOpening(async () => {
      const { tenant, lang, service, desk } = this.#options;
      const queues = await Promise.all(
        tenant.config.topics.map(async (topic) => ({
          topic: topic.id,
          title: localize(topic.title, lang),
          conversations: (await service.queued(this.tenantId, topic.id)).map(conversationSummary),
        })),
      );
      const assigned = await service.assignedTo(this.tenantId, this.#subject);
      for (const conversation of assigned) {
        this.#follow(conversation);
        // Back after a reconnect: what the instance it was on acknowledged but never published
        // reaches the visitor's window now.
        service.rejoined(conversation, this.id);
      }
      // Transcript readers (supervisors, admins by default) also see every agent's conversations.
      const everyone = this.#readerRole() ? await service.assignedTo(this.tenantId) : undefined;
      const offline = await desk.offlineMessages(this.tenantId);
      for (const message of offline) this.#offlineShown.set(message.id, shown(message));
      this.#connection.send({
        type: 'welcome',
        agent: { name: this.#staff.name, roles: this.#staff.roles },
        queues,
        assigned: assigned.map(conversationSummary),
        ...(everyone ? { allAssigned: everyone.map(assignedSummary) } : {}),
        offlineMessages: offline.map(offlineMessageSummary),
      });
    });
  }

  /**
   * Re-checks the staff login on every heartbeat: a logged-out or expired session, or a login
   * past `staff.maxLoginHours`, closes the socket with 4401, a lost console role with 4403.
   */
  recheck(session: SessionData | undefined): void {
    const staff = liveStaff(session, this.#options.tenant, this.#options.now());
    if (!staff || staff.subject !== this.#subject) {
      this.#connection.close(CLOSE_CODES.sessionEnded, 'session ended');
      return;
    }
    if (!hasConsoleRole(staff)) {
      this.#connection.close(CLOSE_CODES.forbidden, 'forbidden');
      return;
    }
    this.#staff = staff;
  }

  /**
   * Events between instances were interrupted: sends, from the store, the queues, assignments
   * made meanwhile (and to transcript readers every agent's list), the offline messages left,
   * erased, marked handled or reopened meanwhile, for each followed conversation the messages this client has not been
   * sent and its change of status or identity, and `deleted` for one deleted meanwhile. The
   * staff login is checked again first: a sign-out or a rotation on another instance may be
   * among what was missed.
   */
  resync(): void {
    // Until it has read everything: a store still coming back must not lose what was missed.
    this.#connection.enqueueUntilDone(async () => {
      const session = await this.#options.readSession().then(
        (read) => ({ read }),
        // A store hiccup is not a logout (as at the heartbeat): only a missing session ends it.
        () => undefined,
      );
      if (session) this.recheck(session.read);
      if (!this.#connection.open) return;
      const { tenant, service, desk } = this.#options;
      for (const topic of tenant.config.topics) {
        const conversations = (await service.queued(this.tenantId, topic.id)).map(conversationSummary);
        const frame = new SharedFrame<ServerToAgentFrame>({ type: 'queue', topic: topic.id, conversations });
        this.#summaries.offer(`queue\n${topic.id}`, frame);
      }
      for (const conversation of await service.assignedTo(this.tenantId, this.#subject))
        await this.#agentEvent({ type: 'assigned', conversation });
      if (this.#readerRole()) {
        const everyone = await service.assignedTo(this.tenantId);
        const conversations = everyone.map(assignedSummary);
        this.#summaries.offer(
          'assigned',
          new SharedFrame<ServerToAgentFrame>({ type: 'assigned', conversations }),
        );
      }
      this.#offlineCaughtUp(await desk.offlineMessages(this.tenantId));
      for (const [conversationId, followed] of [...this.#followed]) {
        const conversation = await service.get(this.tenantId, conversationId);
        if (!conversation) {
          // Deleted by staff or erased by its citizen meanwhile: it leaves the console's views.
          this.#unfollow(conversationId);
          this.#connection.send({ type: 'deleted', conversationId });
          continue;
        }
        await this.#fillIn(conversationId);
        const before = followed.conversation;
        if (
          before.status !== conversation.status ||
          before.assignedTo?.subject !== conversation.assignedTo?.subject
        )
          await this.#changeEvent({
            type: 'status',
            conversation,
            ...(before.assignedTo ? { previousAssignee: before.assignedTo.subject } : {}),
          });
        else if (before.identity?.sealed !== conversation.identity?.sealed)
          await this.#changeEvent({
            type: 'identity',
            conversation,
            change: conversation.identity ? 'attached' : 'detached',
          });
      }
    });
  }

  /**
   * Keeps the newest {@link OFFLINE_MESSAGE_LIMIT} once twice as many are remembered: a console
   * open for weeks would otherwise remember every offline message left meanwhile. Older ones
   * are beyond the window a resync compares with anyway.
   */
  #trimOfflineShown(): void {
    if (this.#offlineShown.size <= 2 * OFFLINE_MESSAGE_LIMIT) return;
    const newest = [...this.#offlineShown]
      .sort((x, y) => y[1].createdAt - x[1].createdAt)
      .slice(0, OFFLINE_MESSAGE_LIMIT);
    this.#offlineShown.clear();
    for (const [id, state] of newest) this.#offlineShown.set(id, state);
  }

  /**
   * Sends what changed in the tenant's offline messages against what this client was sent: the
   * new ones (oldest first, as they would have come live), the ids of those erased, and the
   * marker of each one shown whose marker changed (marked handled or reopened). The list holds
   * the newest {@link OFFLINE_MESSAGE_LIMIT}; one shown but older than all of a full list may
   * merely have left that window, and is not reported as erased.
   */
  #offlineCaughtUp(current: readonly OfflineMessageRecord[]): void {
    const listed = new Set(current.map((message) => message.id));
    const oldest = current.length >= OFFLINE_MESSAGE_LIMIT ? (current.at(-1)?.createdAt ?? 0) : 0;
    const erased: string[] = [];
    for (const [id, state] of this.#offlineShown) {
      if (listed.has(id)) continue;
      this.#offlineShown.delete(id);
      if (state.createdAt >= oldest) erased.push(id);
    }
    if (erased.length > 0) this.#connection.send({ type: 'offline-messages-deleted', ids: erased });
    for (const message of [...current].reverse()) {
      const before = this.#offlineShown.get(message.id);
      this.#offlineShown.set(message.id, shown(message));
      if (!before)
        this.#connection.send({ type: 'offline-message', message: offlineMessageSummary(message) });
      else if (before.handled !== handledKey(message.handled)) this.#sendHandled(message.id, message.handled);
    }
  }

  /** Tells the client an offline message's marker (`undefined`: not handled). */
  #sendHandled(id: string, handled: OfflineMessageHandled | null | undefined): void {
    this.#connection.send(handledFrame(id, handled));
  }

  /**
   * Closes with 1001: the client reconnects (to any instance) and resumes from the store.
   * Resolves when the frame being handled is done (its write stored and published).
   */
  shutdown(): Promise<void> {
    this.#connection.close(CLOSE_CODES.goingAway, 'server shutting down');
    return this.#connection.settled();
  }

  #assignedToMe(conversation: ConversationRecord): boolean {
    return conversation.status === 'assigned' && conversation.assignedTo?.subject === this.#subject;
  }

  /** The role of this agent that lets them read conversations not assigned to them, if any. */
  #readerRole(): string | undefined {
    const allowed = this.#options.tenant.config.transcriptReaders as readonly string[];
    return this.#staff.roles.find((role) => allowed.includes(role));
  }

  /** Whether this agent should keep following the conversation's live traffic. */
  #follows(conversation: ConversationRecord): boolean {
    return this.#assignedToMe(conversation) || this.#watching.has(conversation.id);
  }

  #follow(conversation: ConversationRecord): void {
    const existing = this.#followed.get(conversation.id);
    if (existing) {
      this.#update(existing, conversation);
      return;
    }
    const followed: Followed = {
      conversation,
      visitorName: undefined,
      seqs: new DeliveredSeqs(),
      stop: this.#bus.subscribe(
        { kind: 'conversation', tenantId: this.tenantId, conversationId: conversation.id },
        (event) => this.#connection.enqueueEvent(() => this.#conversationEvent(event), this),
      ),
    };
    this.#update(followed, conversation);
    this.#followed.set(conversation.id, followed);
  }

  /**
   * A change whose view could not be read (the store failed) was never shown: the conversation
   * is kept as the client last saw it, so the resync that follows finds the change and shows
   * it, to the agent it was taken from too.
   */
  #unshown(followed: Followed, shown: ConversationRecord): void {
    if (this.#followed.get(shown.id) === followed) this.#update(followed, shown);
  }

  #unfollow(conversationId: string): void {
    this.#followed.get(conversationId)?.stop();
    this.#followed.delete(conversationId);
    this.#watching.delete(conversationId);
  }

  #update(followed: Followed, conversation: ConversationRecord): void {
    const identityChanged = followed.conversation.identity?.sealed !== conversation.identity?.sealed;
    const assignmentChanged =
      this.#assignedToMe(followed.conversation) !== this.#assignedToMe(conversation) ||
      followed.visitorName === undefined;
    followed.conversation = conversation;
    if (identityChanged || assignmentChanged) {
      const identity = this.#assignedToMe(conversation)
        ? this.#options.service.readIdentity(conversation)
        : undefined;
      followed.visitorName = identity?.claimNames.includes('name') ? identity.claims.name : undefined;
    }
  }

  /**
   * Every frame here is the same for each console of the tenant that gets it, so each is
   * serialised once for all of them ({@link sharedFrame}); what differs per console is only
   * whether it is sent (a reader role, what this client was shown).
   */
  async #queueEvent(event: QueueEvent): Promise<void> {
    switch (event.type) {
      case 'queue': {
        const { topic, conversations } = event;
        const frame = sharedFrame(event, () => ({ type: 'queue', topic, conversations }));
        this.#summaries.offer(`queue\n${topic}`, frame);
        return;
      }
      case 'assigned':
        // Only transcript readers see whose conversations are where.
        if (this.#readerRole()) {
          const frame = sharedFrame(event, () => ({ type: 'assigned', conversations: event.conversations }));
          this.#summaries.offer('assigned', frame);
        }
        return;
      case 'offline-message':
        // Once: a resync may have sent it already.
        if (this.#offlineShown.has(event.message.id)) return;
        this.#offlineShown.set(event.message.id, shown(event.message));
        this.#trimOfflineShown();
        this.#connection.sendShared(
          sharedFrame(event, () => ({
            type: 'offline-message',
            message: offlineMessageSummary(event.message),
          })),
        );
        return;
      case 'offline-message-handled': {
        const state = this.#offlineShown.get(event.id);
        // One this client was never sent (beyond its list) stays so; a resync may have sent the marker.
        if (!state || state.handled === handledKey(event.handled)) return;
        state.handled = handledKey(event.handled);
        this.#connection.sendShared(sharedFrame(event, () => handledFrame(event.id, event.handled)));
        return;
      }
      case 'offline-messages-deleted':
        for (const id of event.ids) this.#offlineShown.delete(id);
        this.#connection.sendShared(
          sharedFrame(event, () => ({ type: 'offline-messages-deleted', ids: event.ids })),
        );
        return;
      case 'deleted':
        // Every console of the tenant: it may show the conversation without following it (closed).
        this.#unfollow(event.conversationId);
        this.#connection.sendShared(
          sharedFrame(event, () => ({ type: 'deleted', conversationId: event.conversationId })),
        );
        return;
    }
  }

  async #agentEvent(event: AgentEvent): Promise<void> {
    if (event.type === 'signed-out') {
      if (event.session === sessionIdHash(this.#options.sessionId))
        this.#connection.close(CLOSE_CODES.sessionEnded, 'session ended');
      return;
    }
    // A conversation already followed gets its view through its own `status` event.
    if (this.#followed.has(event.conversation.id)) return;
    // Followed before the read, so nothing published in between is missed.
    this.#follow(event.conversation);
    try {
      this.#connection.send({ type: 'conversation', conversation: await this.#view(event.conversation) });
    } catch (error) {
      // Never shown: the resync that follows finds it among the agent's and follows it anew.
      this.#unfollow(event.conversation.id);
      throw error;
    }
  }

  /** A message is forwarded synchronously (no promise per message); other events may read the store. */
  #conversationEvent(event: ConversationEvent): void | Promise<void> {
    if (event.type === 'message') {
      this.#messageEvent(event);
      return;
    }
    return this.#changeEvent(event);
  }

  /** Sends the client, from the store, the messages of a followed conversation it was not sent. */
  async #fillIn(conversationId: string): Promise<void> {
    const followed = this.#followed.get(conversationId);
    if (!followed) return;
    const { service } = this.#options;
    for (const message of await followed.seqs.unsent((after) =>
      service.messages(this.tenantId, conversationId, after),
    ))
      this.#messageEvent({ type: 'message', conversationId, message });
  }

  #messageEvent(event: Extract<ConversationEvent, { type: 'message' }>): void {
    const followed = this.#followed.get(event.conversationId);
    if (!followed) return;
    // Once per message: a resync may have sent it already, and this socket's own message
    // reached its client as the ack.
    if (followed.seqs.has(event.message.seq)) return;
    followed.seqs.add(event.message.seq);
    if (event.origin === this.id) return;
    this.#connection.send({
      type: 'message',
      conversationId: event.conversationId,
      message: messageView(event.message, followed.visitorName),
    });
  }

  async #changeEvent(event: Exclude<ConversationEvent, { type: 'message' }>): Promise<void> {
    switch (event.type) {
      case 'rejoined':
        // A read that fails falls back on a whole resync ({@link ChatConnection.enqueueEvent}).
        if (event.origin !== this.id) await this.#fillIn(event.conversationId);
        return;
      case 'status': {
        const followed = this.#followed.get(event.conversation.id);
        if (!followed) return;
        // Closed (by anyone) or taken away: the agent it was assigned to gets the new view too,
        // so their console stops offering replies and drops it from their own conversations.
        const before = followed.conversation;
        const wasMine = this.#assignedToMe(before);
        this.#update(followed, event.conversation);
        const stillFollows = this.#follows(event.conversation) && event.conversation.status !== 'closed';
        try {
          if (this.#follows(event.conversation)) {
            this.#connection.send({
              type: 'conversation',
              conversation: await this.#view(event.conversation),
            });
          } else if (wasMine || event.previousAssignee === this.#subject) {
            // The agent who had it learns where it went: not a read by a non-assignee to audit.
            const view = await this.#view(event.conversation, false);
            this.#connection.send({ type: 'conversation', conversation: view });
          }
        } catch (error) {
          this.#unshown(followed, before);
          throw error;
        }
        if (!stillFollows) this.#unfollow(event.conversation.id);
        return;
      }
      case 'identity': {
        const followed = this.#followed.get(event.conversation.id);
        if (!followed) return;
        const before = followed.conversation;
        this.#update(followed, event.conversation);
        if (this.#assignedToMe(event.conversation)) {
          const identity = this.#options.service.readIdentity(event.conversation);
          if (identity) this.#logAccess(event.conversation, 'identity pushed');
          this.#connection.send({
            type: 'identity',
            conversationId: event.conversation.id,
            identity: identity ? agentIdentityView(event.conversation, identity) : null,
          });
        } else if (this.#watching.has(event.conversation.id)) {
          try {
            this.#connection.send({
              type: 'conversation',
              conversation: await this.#view(event.conversation),
            });
          } catch (error) {
            this.#unshown(followed, before);
            throw error;
          }
        }
        return;
      }
      // Agents see only the visitor's typing and read marks.
      case 'typing':
        if (event.from !== 'visitor' || !this.#followed.has(event.conversationId)) return;
        this.#connection.send({ type: 'typing', conversationId: event.conversationId, typing: event.typing });
        return;
      case 'visit': {
        const followed = this.#followed.get(event.conversation.id);
        if (!followed) return;
        this.#update(followed, event.conversation);
        this.#connection.send({
          type: 'visit',
          conversationId: event.conversation.id,
          visit: visitOf(event.conversation.metadata),
        });
        return;
      }
      case 'read':
        if (event.by !== 'visitor' || !this.#followed.has(event.conversationId)) return;
        this.#connection.send({ type: 'read', conversationId: event.conversationId, seq: event.seq });
        return;
    }
  }

  async #handle(frame: AgentFrame): Promise<void> {
    if (frame.type !== 'message') return this.#handleOnce(frame);
    // A message is decided on the record this instance last saw, which the append checks: when
    // it changed meanwhile nothing was stored, and the checks run again on the new one.
    return retryWhileChanged(() => this.#handleOnce(frame));
  }

  async #handleOnce(frame: AgentFrame): Promise<void> {
    if (frame.type === 'open-offline-message') return this.#openOfflineMessage(frame.id);
    if (frame.type === 'mark-offline-message') return this.#markOfflineMessage(frame.id, frame.handled);
    if (frame.type === 'open') return this.#open(frame.conversationId);
    const { service, desk } = this.#options;
    const conversation = await this.#ofTenant(
      frame.conversationId,
      frame.type === 'message' ? 'recent' : 'store',
    );
    switch (frame.type) {
      case 'claim':
        // Already this agent's (a second click, another tab of the console): nothing changes, so
        // no event would answer, and the queues are not told again; the view is the answer.
        if (this.#assignedToMe(conversation)) {
          this.#follow(conversation);
          this.#connection.send({ type: 'conversation', conversation: await this.#view(conversation) });
          return;
        }
        // The resulting `assigned` (or `status`) event brings this agent the full view.
        await desk.claim(conversation, { subject: this.#subject, name: this.#staff.name });
        return;
      case 'message': {
        if (textTooLong(frame.text)) {
          throw new GatewayError('text_too_long', `Messages are limited to ${MAX_TEXT_LENGTH} characters.`);
        }
        let message: MessageRecord;
        try {
          this.#requireAssigned(conversation);
          ({ message } = await service.append({
            tenantId: conversation.tenantId,
            conversationId: conversation.id,
            from: 'agent',
            authorId: this.#subject,
            authorName: this.#staff.name,
            clientId: frame.clientId,
            text: frame.text,
            origin: this.id,
            conversation,
          }));
        } catch (error) {
          // A resend of a reply stored before the conversation was closed or transferred away.
          message = await storedBeforeRefusal(service, error, {
            tenantId: conversation.tenantId,
            conversationId: conversation.id,
            author: { from: 'agent', authorId: this.#subject },
            clientId: frame.clientId,
          });
        }
        const followed = this.#followed.get(conversation.id);
        followed?.seqs.add(message.seq);
        this.#connection.send({ type: 'ack', clientId: frame.clientId, message: messageView(message) });
        return;
      }
      case 'typing':
        this.#requireAssigned(conversation);
        service.typing(conversation, 'agent', frame.typing, this.id);
        return;
      case 'read':
        this.#requireAssigned(conversation);
        await service.markRead(conversation.tenantId, conversation.id, 'agent', frame.seq);
        return;
      case 'transfer': {
        this.#requireAssignedOrSupervisor(conversation);
        const topic = findTopic(this.#options.tenant, frame.topic);
        if (!topic) throw new GatewayError('topic_unknown', 'No such topic.');
        // Transfer must not carry an anonymous visitor into a topic that requires identification.
        if (!mayStartTopic(topic, service.readIdentity(conversation))) {
          throw new GatewayError(
            'identification_required',
            'The visitor is not identified as this topic requires.',
          );
        }
        await desk.transfer(conversation, topic.id);
        return;
      }
      case 'close':
        this.#requireAssignedOrSupervisor(conversation);
        if (conversation.status === 'closed') return;
        await desk.closeConversation(conversation);
        return;
      case 'request-identification':
        this.#requireAssigned(conversation);
        await this.#options.stepUp.issue(this.#options.tenant, conversation);
        await service.systemLine(conversation.tenantId, conversation.id, 'identification-requested');
        return;
    }
  }

  /**
   * Opens a conversation for its assignee or a transcript reader (`transcriptReaders`). A refusal
   * is logged as a read is (who, in which role, which id, why): someone trying ids that are not
   * theirs, or not of their tenant, is what the organisation's security staff must be able to find.
   * @throws {GatewayError} `conversation_not_found` (404), `not_assigned` (403).
   */
  async #open(conversationId: string): Promise<void> {
    const conversation = await this.#options.service.get(this.tenantId, conversationId);
    if (!conversation) {
      this.#logRefusedRead(conversationId, 'conversation_not_found');
      throw conversationNotFound();
    }
    if (!this.#assignedToMe(conversation) && !this.#readerRole()) {
      this.#logRefusedRead(conversationId, 'not_assigned');
      throw new GatewayError('not_assigned', 'Only the assigned agent may open this conversation.', {
        status: 403,
      });
    }
    this.#watching.add(conversation.id);
    this.#follow(conversation);
    this.#connection.send({ type: 'conversation', conversation: await this.#view(conversation) });
  }

  #logRefusedRead(conversationId: string, code: 'conversation_not_found' | 'not_assigned'): void {
    this.#options.logger.info(
      {
        audit: true,
        tenant: this.tenantId,
        conversation: conversationId,
        agent: this.#subject,
        role: this.#auditRole(),
        code,
      },
      'transcript read refused',
    );
  }

  /**
   * Read straight from the service, not from what this socket follows: a frame's decision
   * (assignment, status) must see the stored truth, whatever events are still in flight.
   * `recent` (as last seen by this instance) only for a message: its append checks that the
   * record is still the stored one. Conversations of other tenants are "not found" to this agent:
   * they are looked up under this agent's tenant.
   */
  async #ofTenant(conversationId: string, read: 'store' | 'recent' = 'store'): Promise<ConversationRecord> {
    const { service } = this.#options;
    const conversation = await (read === 'recent'
      ? service.recent(this.tenantId, conversationId)
      : service.get(this.tenantId, conversationId));
    if (!conversation) {
      throw conversationNotFound();
    }
    return conversation;
  }

  #requireAssigned(conversation: ConversationRecord): void {
    if (conversation.status === 'closed') {
      throw conversationClosed();
    }
    if (!this.#assignedToMe(conversation)) {
      throw new GatewayError('not_assigned', 'Claim the conversation first.', { status: 403 });
    }
  }

  #requireAssignedOrSupervisor(conversation: ConversationRecord): void {
    const supervisor = this.#staff.roles.includes('supervisor') || this.#staff.roles.includes('admin');
    if (supervisor && conversation.status !== 'closed') return;
    this.#requireAssigned(conversation);
  }

  /**
   * The conversation as this agent may see it; a non-assignee's view of an identified one is
   * audited, of any other logged, unless `audit` is false (its former assignee told that it was
   * closed or moved).
   */
  async #view(conversation: ConversationRecord, audit = true) {
    const { service } = this.#options;
    const assigned = this.#assignedToMe(conversation);
    const identity = assigned ? service.readIdentity(conversation) : undefined;
    if (identity) this.#logAccess(conversation, 'identity viewed');
    // Identified once is identified: after a withdrawal (or a logout) the messages written verified
    // are still that citizen's, and the conversation still theirs (`subjects`).
    const identified = conversation.identity !== undefined || (conversation.subjects?.length ?? 0) > 0;
    if (audit && !assigned) {
      if (identified) await this.#auditRead(conversation);
      // What an anonymous visitor wrote is personal data too (a name, an address, a health
      // matter typed unprompted): the read is in the log as every staff access is. The trail
      // keeps the reads of identified conversations, which the citizen's copy names.
      else this.#logAccess(conversation, 'transcript read by non-assignee');
    }
    const messages = await service.messages(conversation.tenantId, conversation.id);
    const followed = this.#followed.get(conversation.id);
    followed?.seqs.addUpTo(messages.at(-1)?.seq ?? 0);
    return agentConversationView(conversation, messages, assigned, identity);
  }

  /**
   * Sends one offline message whole (name, e-mail, text), once its read is in the audit trail:
   * every offline message names a person, and no one is its assignee, so every read by staff is
   * recorded as a conversation's read by a non-assignee is (who, in which role, which message,
   * when). The consoles' lists carry no more than its time.
   * @throws {GatewayError} `offline_message_not_found` (404): none of this tenant has the id.
   */
  async #openOfflineMessage(id: string): Promise<void> {
    const message = await this.#options.desk.offlineMessage(this.tenantId, id);
    if (!message) throw offlineMessageNotFound();
    await this.#auditOfflineMessage(message.id, 'read');
    this.#connection.send({ type: 'offline-message-opened', message: offlineMessageView(message) });
  }

  /**
   * Marks one offline message handled (`handled`), under the staff member's name as colleagues
   * know it, or takes the marker off, for every console of the tenant (the desk publishes it).
   * A change is recorded in the audit trail as a read is (who, in which role, which message,
   * when, `action: "handled"` or `"reopened"`); one that changes nothing (marked already, by
   * this agent or another) writes nothing and answers this client with the marker as stored.
   * The mark goes first and its audit entry after it: a message deleted meanwhile is marked in
   * neither. An audit write that fails after the mark is answered with the error; the marker
   * itself names who set it.
   * @throws {GatewayError} `offline_message_not_found` (404): none of this tenant has the id.
   */
  async #markOfflineMessage(id: string, handled: boolean): Promise<void> {
    const marked = await this.#options.desk.markOfflineMessage(
      this.tenantId,
      id,
      handled ? this.#staff.name : null,
    );
    if (!marked) throw offlineMessageNotFound();
    if (!marked.changed) {
      // Nothing changed, so no event: this client alone learns how it stands.
      const state = this.#offlineShown.get(id);
      if (state) state.handled = handledKey(marked.message.handled);
      this.#sendHandled(id, marked.message.handled);
      return;
    }
    await this.#auditOfflineMessage(id, handled ? 'handled' : 'reopened');
  }

  /**
   * Records this agent's `action` on an offline message in the audit trail (who, in which role,
   * which message, when; nothing the visitor wrote), and logs it.
   */
  async #auditOfflineMessage(id: string, action: 'read' | 'handled' | 'reopened'): Promise<void> {
    await this.#options.audit.append({
      id: newId(),
      tenantId: this.tenantId,
      conversationId: id,
      target: 'offline-message',
      reader: { subject: this.#subject, name: this.#staff.name },
      role: this.#auditRole(),
      at: this.#options.now(),
      action,
    });
    this.#options.logger.info(
      {
        audit: true,
        tenant: this.tenantId,
        offlineMessage: id,
        agent: this.#subject,
        role: this.#auditRole(),
      },
      `offline message ${action}`,
    );
  }

  /** The role an audit entry names: the transcript reader role if any, else the first console role. */
  #auditRole(): string {
    return this.#readerRole() ?? this.#staff.roles[0] ?? 'agent';
  }

  /**
   * A read of an identified conversation by someone other than its assignee goes to the
   * append-only audit repository: who, in which role, which conversation, when.
   */
  async #auditRead(conversation: ConversationRecord): Promise<void> {
    await this.#options.audit.append({
      id: newId(),
      tenantId: this.tenantId,
      conversationId: conversation.id,
      reader: { subject: this.#subject, name: this.#staff.name },
      role: this.#auditRole(),
      at: this.#options.now(),
    });
    this.#logAccess(conversation, 'identified transcript read by non-assignee');
  }

  /**
   * Access to identified data is logged: who, in which role, which conversation, when (the
   * line's time); never the values. The assignee's reads of the identity are in the log only
   * (the trail holds reads by others), so the line is the whole record of them.
   */
  #logAccess(conversation: ConversationRecord, what: string): void {
    this.#options.logger.info(
      {
        audit: true,
        tenant: this.tenantId,
        conversation: conversation.id,
        agent: this.#subject,
        role: this.#auditRole(),
      },
      what,
    );
  }
}
