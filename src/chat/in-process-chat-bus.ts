import type { Logger } from '../runtime/logger.js';
import { type ChatBus, type ChatChannel, type ChatEvent, type ChatListener, channelKey } from './chat-bus.js';

/**
 * The chat bus inside one process: a map from channel key to its listeners, so publishing
 * costs one lookup plus one call per follower (not per connected socket of the tenant).
 */
export class InProcessChatBus implements ChatBus {
  readonly #listeners = new Map<string, Set<ChatListener>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  publish(channel: ChatChannel, event: ChatEvent): void {
    const listeners = this.#listeners.get(channelKey(channel));
    if (!listeners) return;
    // A copy: a listener may unsubscribe (or subscribe others) while being called.
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.error({ err: error, channel: channel.kind, event: event.type }, 'chat listener failed');
      }
    }
  }

  subscribe(channel: ChatChannel, listener: ChatListener<never>): () => void {
    const key = channelKey(channel);
    const entry = listener as ChatListener;
    let listeners = this.#listeners.get(key);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(key, listeners);
    }
    listeners.add(entry);
    return () => {
      const current = this.#listeners.get(key);
      current?.delete(entry);
      if (current?.size === 0) this.#listeners.delete(key);
    };
  }

  /** Channels with at least one follower (tests, diagnostics). */
  get channelCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
