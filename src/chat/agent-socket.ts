import type { SessionData } from 'express-session';
import type { StaffRecord } from '../auth/session-state.js';
import {
  type ChatBackend,
  type ChatEvent,
  conversationClosed,
  conversationNotFound,
} from '../backends/chat-backend.js';
import type { ConversationRecord } from '../backends/chat-records.js';
import { GatewayError } from '../http/errors.js';
import { localize } from '../web/i18n.js';
import { ChatConnection, type ChatSocketOptions } from './chat-connection.js';
import type { AgentEndpoint } from './chat-hub.js';
import { CLOSE_CODES } from './close-codes.js';
import { type AgentFrame, agentFrameSchema, MAX_TEXT_LENGTH, type ServerToAgentFrame } from './protocol.js';
import { type StepUp, systemLine } from './step-up.js';
import { findTopic, mayStartTopic } from './topic-policy.js';
import { hasConsoleRole } from './upgrade-auth.js';
import {
  agentConversationView,
  agentIdentityView,
  conversationSummary,
  messageView,
  offlineMessageView,
} from './views.js';

/** What an agent socket needs. */
export interface AgentSocketOptions extends ChatSocketOptions {
  staff: StaffRecord;
  stepUp: StepUp;
}

/**
 * One agent's console socket. The agent sees the queues of their own tenant only, message
 * traffic only of conversations they are assigned to or have opened, and a visitor's shared
 * claims only while assigned (every such view is logged as an access to identified data).
 */
export class AgentSocket implements AgentEndpoint {
  readonly tenantId: string;
  readonly #options: AgentSocketOptions;
  readonly #connection: ChatConnection<AgentFrame, ServerToAgentFrame>;
  readonly #backend: ChatBackend;
  readonly #subject: string;
  #staff: StaffRecord;
  /** Conversations opened (transcript loaded) on this socket. */
  readonly #watching = new Set<string>();

  constructor(options: AgentSocketOptions) {
    this.#options = options;
    this.tenantId = options.tenant.config.id;
    this.#backend = options.backend;
    this.#staff = options.staff;
    this.#subject = options.staff.subject;
    this.#connection = new ChatConnection({
      ...options,
      schema: agentFrameSchema,
      onFrame: (frame) => this.#handle(frame),
    });
  }

  get id(): string {
    return this.#connection.id;
  }

  /** Sends the console's starting state: queues per topic, own assignments, offline messages. */
  welcome(): void {
    this.#connection.enqueue(async () => {
      const { tenant, lang } = this.#options;
      const queues = await Promise.all(
        tenant.config.topics.map(async (topic) => ({
          topic: topic.id,
          title: localize(topic.title, lang),
          conversations: (await this.#backend.queue(this.tenantId, topic.id)).map(conversationSummary),
        })),
      );
      this.#connection.send({
        type: 'welcome',
        agent: { name: this.#staff.name, roles: this.#staff.roles },
        queues,
        assigned: (await this.#backend.assignedTo(this.tenantId, this.#subject)).map(conversationSummary),
        offlineMessages: (await this.#backend.offlineMessages(this.tenantId)).map(offlineMessageView),
      });
    });
  }

  /**
   * Re-checks the staff login on every heartbeat: a logged-out or expired session closes the
   * socket with 4401, a lost console role with 4403.
   */
  recheck(session: SessionData | undefined): void {
    const staff = session?.staff?.[this.tenantId];
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

  onEvent(event: ChatEvent): void {
    this.#connection.enqueue(async () => this.#deliver(event));
  }

  shutdown(): void {
    this.#connection.close(CLOSE_CODES.goingAway, 'server shutting down');
  }

  #assignedToMe(conversation: ConversationRecord): boolean {
    return conversation.status === 'assigned' && conversation.assignedTo?.subject === this.#subject;
  }

  #isSupervisor(): boolean {
    return this.#staff.roles.includes('supervisor') || this.#staff.roles.includes('admin');
  }

  /** Whether this agent follows the conversation's live traffic. */
  #follows(conversation: ConversationRecord): boolean {
    return this.#assignedToMe(conversation) || this.#watching.has(conversation.id);
  }

  async #deliver(event: ChatEvent): Promise<void> {
    switch (event.type) {
      case 'queue': {
        const conversations = (await this.#backend.queue(this.tenantId, event.topic)).map(
          conversationSummary,
        );
        this.#connection.send({ type: 'queue', topic: event.topic, conversations });
        return;
      }
      case 'offline-message':
        this.#connection.send({ type: 'offline-message', message: offlineMessageView(event.message) });
        return;
      case 'conversation':
        if (this.#follows(event.conversation) || event.previousAssignee === this.#subject) {
          this.#connection.send({ type: 'conversation', conversation: await this.#view(event.conversation) });
        }
        return;
      case 'identity':
        if (this.#assignedToMe(event.conversation)) {
          const identity = this.#backend.readIdentity(event.conversation);
          if (identity) this.#audit(event.conversation, 'identity pushed');
          this.#connection.send({
            type: 'identity',
            conversationId: event.conversationId,
            identity: identity ? agentIdentityView(event.conversation, identity) : null,
          });
        } else if (this.#watching.has(event.conversationId)) {
          this.#connection.send({ type: 'conversation', conversation: await this.#view(event.conversation) });
        }
        return;
      case 'message': {
        if (event.origin === this.id) return;
        const conversation = await this.#followed(event.conversationId);
        if (!conversation) return;
        const identity = this.#assignedToMe(conversation)
          ? this.#backend.readIdentity(conversation)
          : undefined;
        const name = identity?.claimNames.includes('name') ? identity.claims.name : undefined;
        this.#connection.send({
          type: 'message',
          conversationId: event.conversationId,
          message: messageView(event.message, name),
        });
        return;
      }
      // Agents see only the visitor's typing and read marks: the agents' own events are
      // discarded before the store is read (each agent socket of the tenant receives them).
      case 'typing':
        if (event.from !== 'visitor' || !(await this.#followed(event.conversationId))) return;
        this.#connection.send({ type: 'typing', conversationId: event.conversationId, typing: event.typing });
        return;
      case 'read':
        if (event.by !== 'visitor' || !(await this.#followed(event.conversationId))) return;
        this.#connection.send({ type: 'read', conversationId: event.conversationId, seq: event.seq });
        return;
      default:
        // Step-up links are for the visitor only.
        return;
    }
  }

  /** The conversation, when this agent follows its live traffic. */
  async #followed(conversationId: string): Promise<ConversationRecord | undefined> {
    const conversation = await this.#backend.getConversation(conversationId);
    return conversation && this.#follows(conversation) ? conversation : undefined;
  }

  async #handle(frame: AgentFrame): Promise<void> {
    const conversation = await this.#ofTenant(frame.conversationId);
    switch (frame.type) {
      case 'open':
        this.#watching.add(conversation.id);
        this.#connection.send({ type: 'conversation', conversation: await this.#view(conversation) });
        return;
      case 'claim':
        // The resulting `conversation` event brings this agent the full view.
        await this.#backend.claim(conversation.id, { subject: this.#subject, name: this.#staff.name });
        return;
      case 'message': {
        if ([...frame.text].length > MAX_TEXT_LENGTH) {
          throw new GatewayError('text_too_long', `Messages are limited to ${MAX_TEXT_LENGTH} characters.`);
        }
        this.#requireAssigned(conversation);
        const { message } = await this.#backend.postMessage({
          conversationId: conversation.id,
          from: 'agent',
          authorId: this.#subject,
          authorName: this.#staff.name,
          clientId: frame.clientId,
          text: frame.text,
          origin: this.id,
        });
        this.#connection.send({ type: 'ack', clientId: frame.clientId, message: messageView(message) });
        return;
      }
      case 'typing':
        this.#requireAssigned(conversation);
        await this.#backend.typing(conversation, 'agent', frame.typing, this.id);
        return;
      case 'read':
        this.#requireAssigned(conversation);
        await this.#backend.markRead(conversation.id, 'agent', frame.seq);
        return;
      case 'transfer': {
        this.#requireAssignedOrSupervisor(conversation);
        const topic = findTopic(this.#options.tenant, frame.topic);
        if (!topic) throw new GatewayError('topic_unknown', 'No such topic.');
        // Transfer must not carry an anonymous visitor into a topic that requires identification.
        if (!mayStartTopic(topic, this.#backend.readIdentity(conversation))) {
          throw new GatewayError(
            'identification_required',
            'The visitor is not identified as this topic requires.',
          );
        }
        await this.#backend.transfer(conversation.id, topic.id);
        return;
      }
      case 'close':
        this.#requireAssignedOrSupervisor(conversation);
        if (conversation.status === 'closed') return;
        await systemLine(this.#backend, conversation.id, 'closed');
        await this.#backend.closeConversation(conversation.id);
        return;
      case 'request-identification':
        this.#requireAssigned(conversation);
        await this.#options.stepUp.issue(this.#options.tenant, conversation);
        await systemLine(this.#backend, conversation.id, 'identification-requested');
        return;
    }
  }

  /** Conversations of other tenants are "not found" to this agent. */
  async #ofTenant(conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.#backend.getConversation(conversationId);
    if (!conversation || conversation.tenantId !== this.tenantId) {
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
    if (this.#isSupervisor() && conversation.status !== 'closed') return;
    this.#requireAssigned(conversation);
  }

  async #view(conversation: ConversationRecord) {
    const assigned = this.#assignedToMe(conversation);
    const identity = assigned ? this.#backend.readIdentity(conversation) : undefined;
    if (identity) this.#audit(conversation, 'identity viewed');
    return agentConversationView(
      conversation,
      await this.#backend.messages(conversation.id),
      assigned,
      identity,
    );
  }

  /** Access to identified data is logged: who, which conversation; never the values. */
  #audit(conversation: ConversationRecord, what: string): void {
    this.#options.logger.info(
      { audit: true, tenant: this.tenantId, conversation: conversation.id, agent: this.#subject },
      what,
    );
  }
}
