import { z } from 'zod';
import type { SharedIdentity } from '../auth/session-state.js';
import {
  type ChatBackend,
  type ChatEvent,
  conversationClosed,
  conversationNotFound,
} from '../backends/chat-backend.js';
import type { ConversationMetadata, ConversationRecord } from '../backends/chat-records.js';
import { GatewayError } from '../http/errors.js';
import { ChatConnection, type ChatSocketOptions } from './chat-connection.js';
import type { VisitorEndpoint } from './chat-hub.js';
import { CLOSE_CODES } from './close-codes.js';
import { collectMetadata } from './conversation-metadata.js';
import { guardVisitorMessage, guardVisitorText } from './pii-guard.js';
import {
  MAX_TEXT_LENGTH,
  type ServerToVisitorFrame,
  type VisitorFrame,
  visitorFrameSchema,
} from './protocol.js';
import { systemLine } from './step-up.js';
import { findTopic, mayStartTopic, providerChoices, topicViews } from './topic-policy.js';
import { claimsView, messageView, visitorConversationView } from './views.js';
import type { VisitorTextTails } from './visitor-text-tails.js';

/** What a visitor socket needs. */
export interface VisitorSocketOptions extends ChatSocketOptions {
  visitorId: string;
  /** The identity the session had shared at the upgrade. */
  identity: SharedIdentity | undefined;
  connection: { ip?: string | undefined; userAgent?: string | undefined };
  /** Ends of the last visitor message per conversation, shared by all visitor sockets. */
  tails: VisitorTextTails;
}

const offlineMessageSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  text: z.string().trim().min(1),
});

/**
 * One visitor's WebSocket. The visitor is who the session says (its `visitorId`), and nothing a
 * frame says can change that; conversations are found only among this visitor's own.
 */
export class VisitorSocket implements VisitorEndpoint {
  readonly tenantId: string;
  readonly visitorId: string;
  readonly #options: VisitorSocketOptions;
  readonly #connection: ChatConnection<VisitorFrame, ServerToVisitorFrame>;
  readonly #backend: ChatBackend;
  #identity: SharedIdentity | undefined;
  /** The conversation this socket's frames are about (after `start`, `resume` or the welcome). */
  #current: string | undefined;

  constructor(options: VisitorSocketOptions) {
    this.#options = options;
    this.tenantId = options.tenant.config.id;
    this.visitorId = options.visitorId;
    this.#identity = options.identity;
    this.#backend = options.backend;
    this.#connection = new ChatConnection({
      ...options,
      schema: visitorFrameSchema,
      onFrame: (frame) => this.#handle(frame),
    });
  }

  /** Connection id. */
  get id(): string {
    return this.#connection.id;
  }

  /** Sends the welcome: topics for this visitor, whether agents are online, the open conversation. */
  welcome(): void {
    this.#connection.enqueue(async () => {
      const { tenant, lang } = this.#options;
      const open = await this.#backend.openConversationsOf(this.tenantId, this.visitorId);
      const latest = open.at(-1);
      this.#current = latest?.id;
      this.#connection.send({
        type: 'welcome',
        visitor: { verified: !!this.#identity, claims: claimsView(this.#identity) },
        topics: topicViews(tenant, lang, this.#identity),
        agentsOnline: await this.#backend.agentsOnline(this.tenantId),
        ...(latest ? { conversation: await this.#view(latest, 0) } : {}),
      });
    });
  }

  setIdentity(identity: SharedIdentity | undefined): void {
    const before = JSON.stringify(claimsView(this.#identity)) + !!this.#identity;
    this.#identity = identity;
    if (before === JSON.stringify(claimsView(identity)) + !!identity) return;
    this.#connection.enqueue(async () => {
      this.#connection.send({
        type: 'identity',
        verified: !!this.#identity,
        claims: claimsView(this.#identity),
      });
    });
  }

  onEvent(event: ChatEvent): void {
    // Queued behind the frames being handled, so an ack always precedes events it caused.
    this.#connection.enqueue(async () => this.#deliver(event));
  }

  shutdown(): void {
    this.#connection.close(CLOSE_CODES.goingAway, 'server shutting down');
  }

  async #deliver(event: ChatEvent): Promise<void> {
    switch (event.type) {
      case 'message':
        if (event.origin === this.id) return;
        this.#connection.send({
          type: 'message',
          conversationId: event.conversationId,
          message: messageView(event.message),
        });
        return;
      case 'conversation':
        this.#connection.send({
          type: 'status',
          conversationId: event.conversationId,
          status: event.conversation.status,
          ...(event.conversation.assignedTo ? { agentName: event.conversation.assignedTo.name } : {}),
        });
        return;
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
      case 'identification-request':
        this.#connection.send({
          type: 'identification-request',
          conversationId: event.conversationId,
          url: event.url,
          expiresAt: new Date(event.expiresAt).toISOString(),
        });
        return;
      default:
        // identity changes reach the visitor through setIdentity; queues are for agents.
        return;
    }
  }

  async #handle(frame: VisitorFrame): Promise<void> {
    switch (frame.type) {
      case 'start':
        return this.#start(frame);
      case 'message':
        return this.#message(frame.clientId, frame.text);
      case 'typing': {
        const conversation = await this.#open();
        await this.#backend.typing(conversation, 'visitor', frame.typing, this.id);
        return;
      }
      case 'read': {
        const conversation = await this.#mine(this.#requireCurrent());
        await this.#backend.markRead(conversation.id, 'visitor', frame.seq);
        return;
      }
      case 'resume': {
        const conversation = await this.#mine(frame.conversationId);
        this.#current = conversation.id;
        this.#connection.send({
          type: 'conversation',
          conversation: await this.#view(conversation, frame.afterSeq),
        });
        return;
      }
      case 'offline-message':
        return this.#offlineMessage(frame);
      case 'end': {
        const conversation = await this.#open();
        await systemLine(this.#backend, conversation.id, 'closed');
        await this.#backend.closeConversation(conversation.id);
        this.#options.tails.delete(conversation.id);
        return;
      }
    }
  }

  async #start(frame: Extract<VisitorFrame, { type: 'start' }>): Promise<void> {
    const { tenant, lang } = this.#options;
    const topic = findTopic(tenant, frame.topic);
    if (!topic) throw new GatewayError('topic_unknown', 'No such topic.');
    if (!mayStartTopic(topic, this.#identity)) {
      // The answer names the topic and how to identify, never anything of the topic itself.
      this.#connection.send({
        type: 'identification-required',
        topic: topic.id,
        providers: providerChoices(tenant, lang),
      });
      return;
    }
    const open = await this.#backend.openConversationsOf(this.tenantId, this.visitorId);
    const existing = open.find((c) => c.topic === topic.id);
    const metadata: ConversationMetadata = collectMetadata(
      tenant.config.metadata,
      this.#options.connection,
      frame,
    );
    const conversation =
      existing ??
      (await this.#backend.startConversation({
        tenantId: this.tenantId,
        topic: topic.id,
        visitorId: this.visitorId,
        metadata,
        ...(this.#identity ? { identity: this.#identity } : {}),
      }));
    this.#current = conversation.id;
    this.#connection.send({ type: 'conversation', conversation: await this.#view(conversation, 0) });
  }

  async #message(clientId: string, text: string): Promise<void> {
    if ([...text].length > MAX_TEXT_LENGTH) {
      throw new GatewayError('text_too_long', `Messages are limited to ${MAX_TEXT_LENGTH} characters.`);
    }
    const conversation = await this.#open();
    // The guard runs before the back end sees the text: nothing unredacted is stored or sent,
    // verified or not (a shared national id reaches the agent as a claim, never as text).
    const guarded = guardVisitorMessage(text, this.#options.tails.get(conversation.id));
    const { message, duplicate } = await this.#backend.postMessage({
      conversationId: conversation.id,
      from: 'visitor',
      authorId: this.visitorId,
      clientId,
      text: guarded.text,
      origin: this.id,
      ...(guarded.redacted > 0 ? { redacted: true } : {}),
    });
    if (!duplicate) this.#options.tails.set(conversation.id, guarded.tail);
    if (guarded.redacted > 0 && !duplicate)
      this.#connection.send({ type: 'redacted', clientId, count: guarded.redacted });
    this.#connection.send({ type: 'ack', clientId, message: messageView(message) });
    if (guarded.redacted > 0 && !duplicate) await systemLine(this.#backend, conversation.id, 'redacted');
  }

  async #offlineMessage(frame: Extract<VisitorFrame, { type: 'offline-message' }>): Promise<void> {
    const parsed = offlineMessageSchema.safeParse(frame);
    if (!parsed.success || [...parsed.data.text].length > MAX_TEXT_LENGTH) {
      throw new GatewayError('offline_message_invalid', 'Give a name, a valid e-mail address and a message.');
    }
    const name = guardVisitorText(parsed.data.name);
    const email = guardVisitorText(parsed.data.email);
    const body = guardVisitorText(parsed.data.text);
    const saved = await this.#backend.saveOfflineMessage({
      tenantId: this.tenantId,
      visitorId: this.visitorId,
      name: name.text,
      email: email.text,
      text: body.text,
      redacted: name.redacted + email.redacted + body.redacted > 0,
    });
    this.#connection.send({ type: 'offline-message-saved', id: saved.id });
  }

  #requireCurrent(): string {
    if (!this.#current) throw new GatewayError('no_conversation', 'Start or resume a conversation first.');
    return this.#current;
  }

  /** A conversation of this visitor in this tenant; anything else is "not found", never "forbidden". */
  async #mine(conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.#backend.getConversation(conversationId);
    if (
      !conversation ||
      conversation.tenantId !== this.tenantId ||
      conversation.visitorId !== this.visitorId
    ) {
      throw conversationNotFound();
    }
    return conversation;
  }

  async #open(): Promise<ConversationRecord> {
    const conversation = await this.#mine(this.#requireCurrent());
    if (conversation.status === 'closed') {
      throw conversationClosed();
    }
    return conversation;
  }

  async #view(conversation: ConversationRecord, afterSeq: number) {
    const messages = await this.#backend.messages(conversation.id, afterSeq);
    return visitorConversationView(conversation, messages, this.#backend.readIdentity(conversation));
  }
}
