/**
 * What this instance last read or wrote of some keys, the least recently used forgotten beyond
 * `max` entries: for values a shared store checks again before relying on them (a stale entry
 * costs a retry, a missing one a read), so forgetting is always safe.
 */
export class LastSeen<V> {
  readonly #entries = new Map<string, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: V): void {
    // Map order is insertion order: re-inserting makes the key the most recent.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
