import type { ChatBus, ChatChannel, ChatEvent, ChatListener } from '../../src/chat/chat-bus.js';
import { InProcessChatBus } from '../../src/chat/in-process-chat-bus.js';
import { createLogger } from '../../src/runtime/logger.js';

/**
 * A chat bus that loses events while `losing` (a Redis restart, a network fault between
 * instances) and tells the chat when it is `back`, as the Redis bus does: what is missed is
 * certain, so a test sees only what the sockets' catch-up sends. `drops` picks the channels
 * whose events are lost (default: all).
 */
export class LossyBus implements ChatBus {
  readonly #inner = new InProcessChatBus(createLogger('silent'));
  readonly #interrupted = new Set<() => void>();
  readonly #drops: (channel: ChatChannel) => boolean;
  losing = false;

  constructor(drops: (channel: ChatChannel) => boolean = () => true) {
    this.#drops = drops;
  }

  publish<C extends ChatChannel>(channel: C, event: ChatEvent): void {
    if (this.losing && this.#drops(channel)) return;
    this.#inner.publish(channel, event as never);
  }

  subscribe<C extends ChatChannel>(channel: C, listener: ChatListener<never>): () => void {
    return this.#inner.subscribe(channel, listener);
  }

  onInterrupted(listener: () => void): () => void {
    this.#interrupted.add(listener);
    return () => this.#interrupted.delete(listener);
  }

  /** Back after an interruption: the listeners are told. */
  back(): void {
    this.losing = false;
    for (const listener of this.#interrupted) listener();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
