import { z } from 'zod';
import type { Language } from '../config/schema.js';
import { GatewayError } from '../http/errors.js';
import type { RateLimiter, RateLimiterFactory } from '../http/rate-limit.js';
import { clientNetwork } from '../runtime/client-network.js';
import type { Logger } from '../runtime/logger.js';
import type { Mail, Mailer } from '../runtime/mailer.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import { hasMessage, localize, translator } from '../web/i18n.js';
import { utcMinute } from '../web/time-format.js';
import type { ConversationRecord, MessageRecord } from './chat-records.js';
import { type ConversationService, conversationNotFound } from './conversation-service.js';
import { guardVisitorText } from './pii-guard.js';
import { MAX_EMAIL_LENGTH } from './protocol.js';

/** At most this many transcripts of one conversation are sent (the visitor's own copy, not a mailing list). */
export const MAX_TRANSCRIPT_EMAILS = 3;
/**
 * Transcripts in 24 hours, whatever the conversation: to one address (whoever asks), for one
 * visitor, from one client address. The gateway mails from the organisation's own address, so
 * it must not become a way to send many people text of one's choosing.
 */
export const TRANSCRIPT_DAILY_LIMITS = { perAddress: 3, perVisitor: 5, perClientAddress: 20 } as const;
const DAY_SECONDS = 24 * 60 * 60;

/**
 * The transcript of a closed conversation as the visitor saw it, in plain text (no HTML: nothing
 * a visitor or agent typed can become markup or a link the mail client builds): the topic, when
 * it started and ended, every message with its time and author (the visitor as "You", agents by
 * the name the chat showed), the gateway's own lines translated. What the PII guard redacted
 * stays redacted; the shared identity is not part of it. A national identity number in any
 * line (an agent's text is not guarded in the chat, where the agent may quote the shared claim;
 * a verified visitor's text of an earlier version) is redacted here too: the mail goes in clear
 * to an address nobody verified, where a national id has no place.
 */
export function transcriptMail(options: {
  to: string;
  tenant: TenantContext;
  lang: Language;
  conversation: ConversationRecord;
  messages: readonly MessageRecord[];
}): Mail {
  const { tenant, lang, conversation, messages } = options;
  const t = translator(lang);
  const org = localize(tenant.config.name, lang);
  const topic = tenant.config.topics.find((c) => c.id === conversation.topic);
  const lines = messages.map((m) => {
    const author =
      m.from === 'visitor'
        ? t('mail.transcript.you')
        : m.from === 'agent'
          ? `${m.authorName ?? t('mail.transcript.agent')}`
          : '—';
    const systemKey = `chat.system.visitor.${m.systemCode ?? ''}`;
    const text = m.from === 'system' && hasMessage(systemKey) ? t(systemKey) : guardVisitorText(m.text).text;
    return `${utcMinute(m.at)}  ${author}: ${text}`;
  });
  const end = conversation.closedAt ?? messages.at(-1)?.at ?? conversation.updatedAt;
  return {
    to: options.to,
    subject: t('mail.transcript.subject', { org, date: utcMinute(conversation.createdAt).slice(0, 10) }),
    text: [
      t('mail.transcript.heading', { org, topic: topic ? localize(topic.title, lang) : conversation.topic }),
      t('mail.transcript.times', { start: utcMinute(conversation.createdAt), end: utcMinute(end) }),
      '',
      ...lines,
      '',
      '--',
      t('mail.transcript.footer'),
      '',
    ].join('\n'),
  };
}

const emailSchema = z.email().max(MAX_EMAIL_LENGTH);

/** One visitor's request for their transcript by e-mail (`email-transcript`). */
export interface TranscriptRequest {
  tenant: TenantContext;
  lang: Language;
  visitorId: string;
  conversationId: string;
  email: string;
  /** The client's address (`req.ip`), when known. */
  ip?: string | undefined;
  /**
   * Whether the asking session may read the conversation: one an identity was shared into only
   * by a session that shared it (the visitor cookie outlives the session, and the next person
   * at a shared computer must not have the last one's verified chat mailed to them).
   */
  readable: (conversation: ConversationRecord) => Promise<boolean>;
}

/**
 * Sends a visitor the transcript of their conversation by e-mail (`tenants[].transcriptByEmail`,
 * `mail`), once it is closed and an agent answered in it, at most {@link MAX_TRANSCRIPT_EMAILS}
 * times per conversation and within {@link TRANSCRIPT_DAILY_LIMITS}. The mail goes out from the
 * organisation's address with text the visitor wrote in it; the limits keep that from becoming
 * a way to mail many people: an agent must have answered, and an address, a visitor and a client
 * address each get only a few a day. The address is used for this one mail and kept nowhere
 * (counted under a keyed blind index), the log included.
 */
export class TranscriptMailing {
  readonly #mailer: Mailer | undefined;
  readonly #service: ConversationService;
  readonly #logger: Logger;
  readonly #blindIndex: (value: string) => string;
  readonly #daily: { perAddress: RateLimiter; perVisitor: RateLimiter; perClientAddress: RateLimiter };

  constructor(options: {
    mailer: Mailer | undefined;
    service: ConversationService;
    logger: Logger;
    /** Counters shared by every instance (the store's). */
    rateLimiter: RateLimiterFactory;
    /** Keyed blind index: an address is counted, never kept, under it. */
    blindIndex: (value: string) => string;
  }) {
    this.#mailer = options.mailer;
    this.#service = options.service;
    this.#logger = options.logger;
    this.#blindIndex = options.blindIndex;
    const daily = (name: string, points: number) =>
      options.rateLimiter(`transcript-mail-${name}`, { points, windowSeconds: DAY_SECONDS });
    this.#daily = {
      perAddress: daily('address', TRANSCRIPT_DAILY_LIMITS.perAddress),
      perVisitor: daily('visitor', TRANSCRIPT_DAILY_LIMITS.perVisitor),
      perClientAddress: daily('ip', TRANSCRIPT_DAILY_LIMITS.perClientAddress),
    };
  }

  /**
   * @throws {GatewayError} `transcript_email_unavailable`, `email_invalid`,
   * `conversation_not_found`, `transcript_not_ready`, `transcript_email_limit`, `mail_failed`.
   */
  async send(request: TranscriptRequest): Promise<void> {
    const { tenant, visitorId, conversationId } = request;
    const mailer = this.#mailer;
    if (!tenant.config.transcriptByEmail || !mailer) {
      throw new GatewayError(
        'transcript_email_unavailable',
        'This service does not send transcripts by e-mail.',
        {
          status: 403,
        },
      );
    }
    const email = emailSchema.safeParse(request.email.trim());
    if (!email.success)
      throw new GatewayError('email_invalid', 'Give a valid e-mail address.', { field: 'email' });
    const tenantId = tenant.config.id;
    const conversation = await this.#service.get(tenantId, conversationId);
    if (!conversation || conversation.visitorId !== visitorId || !(await request.readable(conversation))) {
      throw conversationNotFound();
    }
    const messages = await this.#service.messages(tenantId, conversationId);
    if (conversation.status !== 'closed' || !messages.some((m) => m.from === 'agent')) {
      throw new GatewayError(
        'transcript_not_ready',
        'Only the transcript of a finished conversation an agent answered can be e-mailed.',
        { status: 409 },
      );
    }
    if (!(await this.#service.countTranscriptEmail(tenantId, conversationId, 1, MAX_TRANSCRIPT_EMAILS))) {
      throw new GatewayError(
        'transcript_email_limit',
        `This transcript was already sent ${MAX_TRANSCRIPT_EMAILS} times.`,
        { status: 429 },
      );
    }
    // What this request counted, given back when it is refused or its send fails.
    const counted: Array<() => Promise<unknown>> = [
      () => this.#service.countTranscriptEmail(tenantId, conversationId, -1, MAX_TRANSCRIPT_EMAILS),
    ];
    const giveBack = () => Promise.all(counted.map((undo) => undo().catch(() => undefined)));
    // The visitor's and the client network's counts first, the recipient's last: a request one
    // of the first refuses counts nothing against the address it names. Counters are keyed by
    // blind index (no address, visitor id or IP in a key).
    const keyed = (kind: string, value: string) => this.#blindIndex(`transcript-mail-${kind}\n${value}`);
    const limits: Array<[RateLimiter, string | undefined]> = [
      [this.#daily.perVisitor, keyed('visitor', `${tenant.config.id}\n${visitorId}`)],
      [this.#daily.perClientAddress, request.ip ? keyed('ip', clientNetwork(request.ip)) : undefined],
      [this.#daily.perAddress, keyed('address', email.data.toLowerCase())],
    ];
    for (const [limiter, key] of limits) {
      if (key === undefined) continue;
      const decision = await limiter.consume(key);
      counted.push(() => limiter.refund(key));
      if (decision.allowed) continue;
      await giveBack();
      throw new GatewayError(
        'transcript_email_limit',
        'Too many transcripts were sent today (to this address, for this visitor or from this network).',
        { status: 429 },
      );
    }
    const mail = transcriptMail({ to: email.data, tenant, lang: request.lang, conversation, messages });
    try {
      await mailer.send(mail);
    } catch (error) {
      await giveBack();
      this.#logger.warn(
        { tenant: tenant.config.id, conversation: conversationId, reason: (error as Error).name },
        'transcript e-mail could not be sent',
      );
      throw new GatewayError('mail_failed', 'The e-mail could not be sent. Try again later.', {
        status: 502,
        cause: error,
      });
    }
    this.#logger.info(
      { tenant: tenant.config.id, conversation: conversationId },
      'transcript e-mailed to the visitor',
    );
  }
}
