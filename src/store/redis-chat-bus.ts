import {
  type ChatBus,
  type ChatChannel,
  type ChatEvent,
  type ChatListener,
  channelKey,
} from '../chat/chat-bus.js';
import { InProcessChatBus } from '../chat/in-process-chat-bus.js';
import { newId } from '../runtime/ids.js';
import type { Logger } from '../runtime/logger.js';
import type { RedisClient, RedisConnection } from './redis-connection.js';
import type { StoreCodec } from './redis-store.js';

interface Envelope {
  channel: ChatChannel;
  event: ChatEvent;
}

/**
 * The chat bus between gateway instances, on Redis pub/sub.
 *
 * - An event is delivered to this instance's followers at once (the in-process bus: the
 *   single-instance path costs nothing more) and published on Redis for the others; an
 *   instance skips its own events coming back from Redis, by the instance id in front.
 * - Each instance holds one pattern subscription (`{prefix}chat:*`) on its own connection and
 *   dispatches by channel to its local followers, rather than SUBSCRIBE per followed
 *   conversation: a socket that follows a conversation is live at once, with no subscribe round
 *   trip it could miss an event in, and nothing to re-subscribe after a reconnect but one
 *   pattern. Every instance sees every event and opens only those of channels it has
 *   followers for; that fits the few instances of a municipality (and with pub/sub on a
 *   Cluster, PUBLISH reaches every node anyway).
 * - Payloads are sealed (`FieldCrypto`): messages and records cross Redis, never in plain text.
 * - Delivery is at most once, in order per publishing instance and channel, like the
 *   in-process bus: state lives in the store, so a follower that missed events while Redis was
 *   away re-reads it when it resumes.
 */
export class RedisChatBus implements ChatBus {
  readonly #local: InProcessChatBus;
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #codec: StoreCodec;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #instance = newId();
  #subscribed = false;
  #closed = false;
  #publishFailing = false;

  constructor(options: { connection: RedisConnection; prefix: string; codec: StoreCodec; logger: Logger }) {
    this.#local = new InProcessChatBus(options.logger);
    this.#publisher = options.connection.client;
    this.#subscriber = options.connection.duplicate();
    this.#codec = options.codec;
    this.#logger = options.logger;
    this.#prefix = `${options.prefix}chat:`;
    // The main connection reports outages; the subscriber's errors would repeat them.
    this.#subscriber.on('error', () => {});
    this.#subscriber.on('ready', () => this.#subscribe());
  }

  /** Connects the subscriber (not awaited: it retries while Redis is down). */
  start(): void {
    this.#subscriber.connect().catch(() => undefined);
  }

  /** Whether events from other instances arrive (part of readiness). */
  get receiving(): boolean {
    return this.#subscribed && this.#subscriber.isReady;
  }

  publish<C extends ChatChannel>(channel: C, event: ChatEvent): void {
    this.#local.publish(channel, event as never);
    if (this.#closed) return;
    const payload = `${this.#instance}|${this.#codec.seal({ channel, event } satisfies Envelope)}`;
    this.#publisher.publish(`${this.#prefix}${channelKey(channel).slice('chat:'.length)}`, payload).then(
      () => {
        this.#publishFailing = false;
      },
      (error: unknown) => {
        // The store write before it failed too, or will: log once per outage, not per event.
        if (this.#publishFailing) return;
        this.#publishFailing = true;
        this.#logger.warn(
          { store: 'redis', reason: (error as Error).name },
          'chat events not reaching other instances',
        );
      },
    );
  }

  subscribe<C extends ChatChannel>(channel: C, listener: ChatListener<never>): () => void {
    return this.#local.subscribe(channel, listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#local.close();
    if (this.#subscriber.isReady) await this.#subscriber.close().catch(() => this.#subscriber.destroy());
    else if (this.#subscriber.isOpen) this.#subscriber.destroy();
  }

  #subscribe(): void {
    // node-redis re-subscribes by itself after a reconnect once the first PSUBSCRIBE succeeded.
    if (this.#subscribed || this.#closed) return;
    const pattern = `${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    this.#subscriber
      .pSubscribe(pattern, (message, channel) => this.#receive(message, channel))
      .then(
        () => {
          this.#subscribed = true;
        },
        () => undefined,
      );
  }

  #receive(message: string, channel: string): void {
    // Every instance sees every event: one nobody follows here is not even opened.
    if (!this.#local.follows(`chat:${channel.slice(this.#prefix.length)}`)) return;
    const bar = message.indexOf('|');
    if (bar < 0 || message.slice(0, bar) === this.#instance) return;
    let envelope: Envelope;
    try {
      envelope = this.#codec.open<Envelope>(message.slice(bar + 1));
    } catch {
      // Another deployment on the same Redis and prefix, or another data key: not ours.
      this.#logger.warn({ store: 'redis' }, 'a chat event from Redis could not be opened; dropped');
      return;
    }
    this.#local.publish(envelope.channel, envelope.event as never);
  }
}
