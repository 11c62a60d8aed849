/**
 * Which messages of one conversation a client has been sent, by `seq`: everything up to
 * {@link upTo} without a gap, and the few sent beyond it out of order (an ack can overtake a
 * message of the other side that is still under way between instances). A resync sends what
 * is after `upTo` and not {@link has}.
 */
export class DeliveredSeqs {
  #upTo = 0;
  readonly #beyond = new Set<number>();
  #known = false;

  /**
   * Whether the client was sent the conversation's transcript up to some point: before that
   * (a conversation followed from a summary, not opened), a resync has nothing to fill in.
   */
  get known(): boolean {
    return this.#known;
  }

  /** The highest seq up to which the client has every message. */
  get upTo(): number {
    return this.#upTo;
  }

  has(seq: number): boolean {
    return seq <= this.#upTo || this.#beyond.has(seq);
  }

  /** The client was sent the message `seq`. */
  add(seq: number): void {
    if (this.has(seq)) return;
    // In order, the common case: nothing to keep beyond.
    if (seq === this.#upTo + 1 && this.#beyond.size === 0) {
      this.#upTo = seq;
      return;
    }
    this.#beyond.add(seq);
    this.#advance();
  }

  /** The client was sent every message up to `seq` (a transcript). */
  addUpTo(seq: number): void {
    this.#known = true;
    if (seq <= this.#upTo) return;
    this.#upTo = seq;
    for (const beyond of this.#beyond) if (beyond <= seq) this.#beyond.delete(beyond);
    this.#advance();
  }

  /**
   * The messages the client was not sent, read after {@link upTo} with `read` (the store); none
   * while not {@link known}.
   */
  async unsent<M extends { seq: number }>(read: (afterSeq: number) => Promise<M[]>): Promise<M[]> {
    if (!this.#known) return [];
    return (await read(this.#upTo)).filter((message) => !this.has(message.seq));
  }

  #advance(): void {
    while (this.#beyond.delete(this.#upTo + 1)) this.#upTo += 1;
  }
}
