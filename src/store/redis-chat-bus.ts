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
import { boundedMemo } from './memo.js';
import type { RedisClient, RedisConnection } from './redis-connection.js';
import type { StoreCodec } from './redis-store.js';

interface Envelope {
  channel: ChatChannel;
  event: ChatEvent;
}

/** The header of the note an instance sends when its publishing failed for a while (not base64url). */
const INTERRUPTED = '!interrupted';

/** `|`, between the parts of a published batch. */
const PIPE = 0x7c;

/** Channel indexes kept computed; beyond this many the cache starts afresh. */
const INDEX_CACHE = 10_000;

/**
 * The chat bus between gateway instances, on Redis pub/sub.
 *
 * - An event is delivered to this instance's followers at once (the in-process bus: the
 *   single-instance path costs nothing more) and sent on Redis for the others.
 * - The events one instance publishes within one turn of the event loop leave as one
 *   PUBLISH, sealed together (`FieldCrypto`): under load a batch holds many events, and the
 *   Redis command and the encryption are paid once for all of them. Messages and records
 *   cross Redis only sealed.
 * - All instances share one channel (`{prefix}chat:events`); a batch names the channels of its
 *   events only by their keyed blind index (a conversation id, a visitor id or a staff member's
 *   subject never appears on Redis in clear), so an instance opens a batch only when it has
 *   followers for one of its events, and skips its own batches by the instance id in front.
 *   A socket that follows a channel is live at once: there is no per-channel SUBSCRIBE round
 *   trip it could miss an event in, and nothing to re-subscribe after a reconnect but one
 *   channel. Every instance sees every batch; that fits the few instances of a municipality
 *   (and with pub/sub on a Cluster, PUBLISH reaches every node anyway).
 * - Delivery is at most once, in order per publishing instance and channel, like the
 *   in-process bus: state lives in the store. When events may have been missed (this
 *   instance's subscription was lost and is back, or another instance reports that its
 *   publishing failed for a while), `onInterrupted` listeners are told, and the chat has its
 *   clients resume from the store.
 */
export class RedisChatBus implements ChatBus {
  readonly #local: InProcessChatBus;
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #connection: RedisConnection;
  readonly #codec: StoreCodec;
  readonly #logger: Logger;
  readonly #channel: string;
  readonly #instance = newId();
  /** Blind index → how many local subscriptions follow that channel. */
  readonly #followed = new Map<string, number>();
  /** Events published in this turn, sent at its end. */
  #outbox: Array<{ index: string; envelope: Envelope }> = [];
  #subscribed = false;
  #closed = false;
  #publishFailing = false;
  /** The subscription was lost since it was first made: the next `ready` is a reconnection. */
  #lost = false;
  readonly #interrupted = new Set<() => void>();
  /** An interruption waits for this instance's own connection to be ready before it is told. */
  #waitingForStore = false;

  constructor(options: { connection: RedisConnection; prefix: string; codec: StoreCodec; logger: Logger }) {
    this.#local = new InProcessChatBus(options.logger);
    this.#connection = options.connection;
    this.#publisher = options.connection.client;
    // With the connection's stall watchdog: a subscriber whose Redis stopped answering is
    // dropped and reconnects (re-subscribing), and `receiving` turns false meanwhile.
    this.#subscriber = options.connection.duplicate();
    this.#codec = options.codec;
    this.#logger = options.logger;
    this.#channel = `${options.prefix}chat:events`;
    // The main connection reports outages; the subscriber's errors would repeat them.
    this.#subscriber.on('error', () => {
      if (this.#subscribed) this.#lost = true;
    });
    this.#subscriber.on('end', () => {
      if (this.#subscribed) this.#lost = true;
    });
    this.#subscriber.on('ready', () => {
      if (this.#lost) this.#resubscribed();
      else this.#subscribe();
    });
  }

  onInterrupted(listener: () => void): () => void {
    this.#interrupted.add(listener);
    return () => this.#interrupted.delete(listener);
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
    if (this.#outbox.length === 0) setImmediate(this.#flush);
    this.#outbox.push({ index: this.#indexOf(channelKey(channel)), envelope: { channel, event } });
  }

  subscribe<C extends ChatChannel>(channel: C, listener: ChatListener<never>): () => void {
    const index = this.#indexOf(channelKey(channel));
    this.#followed.set(index, (this.#followed.get(index) ?? 0) + 1);
    const stop = this.#local.subscribe(channel, listener);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      stop();
      const left = (this.#followed.get(index) ?? 1) - 1;
      if (left > 0) this.#followed.set(index, left);
      else this.#followed.delete(index);
    };
  }

  async close(): Promise<void> {
    // What was published before closing still goes out.
    this.#flush();
    this.#closed = true;
    this.#followed.clear();
    await this.#local.close();
    await this.#connection.closeDuplicate(this.#subscriber);
  }

  /** Sends this turn's events as one batch. */
  readonly #flush = (): void => {
    const batch = this.#outbox;
    if (batch.length === 0 || this.#closed) return;
    this.#outbox = [];
    const header = batch.map((entry) => entry.index).join(',');
    const sealed = this.#codec.seal(batch.map((entry) => entry.envelope));
    this.#publisher.publish(this.#channel, `${this.#instance}|${header}|${sealed}`).then(
      () => {
        if (!this.#publishFailing) return;
        this.#publishFailing = false;
        // Other instances missed what this one published meanwhile: tell them (sealed, so
        // only instances of this deployment act on it).
        this.#publisher
          .publish(this.#channel, `${this.#instance}|${INTERRUPTED}|${this.#codec.seal(INTERRUPTED)}`)
          .catch(() => undefined);
      },
      (error: unknown) => {
        // The store write before it failed too, or will: log once per outage, not per batch.
        if (this.#publishFailing) return;
        this.#publishFailing = true;
        this.#logger.warn(
          { store: 'redis', reason: (error as Error).name },
          'chat events not reaching other instances',
        );
      },
    );
  };

  /**
   * A channel's name on Redis: its keyed blind index (base64url, so never a `,` or `|`), in its
   * own domain, apart from the national ids and staff subjects the store indexes with the same key.
   */
  readonly #indexOf = boundedMemo((key) => this.#codec.blindIndex(`chat-bus-channel\n${key}`), INDEX_CACHE);

  #subscribe(): void {
    // node-redis re-subscribes by itself after a reconnect once the first SUBSCRIBE succeeded.
    if (this.#subscribed || this.#closed) return;
    this.#subscriber
      // As bytes: a batch of this instance's own, or with nothing followed here, is skipped
      // without decoding the whole of it into a string.
      .subscribe(this.#channel, (message: Buffer) => this.#receive(message), true)
      .then(
        () => {
          this.#subscribed = true;
        },
        () => undefined,
      );
  }

  /**
   * The subscriber is back after losing its connection: node-redis re-subscribes on its own,
   * and a PING answered after that means the subscription is live again. Whatever other
   * instances published in between was missed: the followers are told.
   */
  #resubscribed(): void {
    this.#lost = false;
    this.#subscriber.ping().then(
      () => this.#tellInterrupted('subscription'),
      () => {
        this.#lost = true;
      },
    );
  }

  /**
   * Tells the listeners once this instance's own connection, which their resync reads the store
   * through, is ready too: after a Redis restart the subscriber often reconnects before it (each
   * with its own jittered back-off), and a resync read then failed with `store_unavailable` and
   * was not tried again, so a socket never got what it had missed (a withdrawal left the agent
   * showing the name). One wait at a time: causes arriving meanwhile are told with it.
   */
  #tellInterrupted(cause: 'subscription' | 'publishing'): void {
    if (this.#closed) return;
    if (this.#publisher.isReady) {
      this.#interruptedNow(cause);
      return;
    }
    if (this.#waitingForStore) return;
    this.#waitingForStore = true;
    this.#publisher.once('ready', () => {
      this.#waitingForStore = false;
      this.#interruptedNow(cause);
    });
  }

  #interruptedNow(cause: 'subscription' | 'publishing'): void {
    if (this.#closed) return;
    this.#logger.warn(
      { store: 'redis', cause },
      'chat events between instances were interrupted; clients resume',
    );
    for (const listener of [...this.#interrupted]) listener();
  }

  #receive(message: Buffer): void {
    // `<instance>|<header>|<sealed>`, all ASCII (ids, base64url, `,`): the header ends at the
    // second `|` from the front (neither the instance id nor an index holds one), so a batch of
    // many kilobytes is neither scanned nor decoded to find it. Anything else fails to open.
    const first = message.indexOf(PIPE);
    const last = first < 0 ? -1 : message.indexOf(PIPE, first + 1);
    if (last < 0 || message.toString('latin1', 0, first) === this.#instance) return;
    const header = message.toString('latin1', first + 1, last);
    if (header === INTERRUPTED) {
      try {
        if (this.#codec.open<string>(message.toString('latin1', last + 1)) === INTERRUPTED)
          this.#tellInterrupted('publishing');
      } catch {
        // Not this deployment's.
      }
      return;
    }
    const indexes = header.split(',');
    // A batch with nothing followed here is not even opened.
    if (!indexes.some((index) => this.#followed.has(index))) return;
    let envelopes: Envelope[];
    try {
      envelopes = this.#codec.open<Envelope[]>(message.toString('latin1', last + 1));
      if (!Array.isArray(envelopes) || envelopes.length !== indexes.length) throw new TypeError('batch');
    } catch {
      // Another deployment on the same Redis and prefix, or another data key: not ours.
      this.#logger.warn({ store: 'redis' }, 'chat events from Redis could not be opened; dropped');
      return;
    }
    for (const [i, envelope] of envelopes.entries()) {
      if (this.#followed.has(indexes[i] as string))
        this.#local.publish(envelope.channel, envelope.event as never);
    }
  }
}
