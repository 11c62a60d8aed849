/**
 * When a map that drops its expired entries on write should look for them again. Sweeping on
 * every write costs a pass over every entry per write, which grows with the entries one lifetime
 * holds (quadratic under load, and an anonymous client decides how many there are); sweeping
 * once the map has doubled since the last sweep costs O(1) per write amortised, while the map
 * holds at most about twice what is live (and at least `floor` entries before any sweep).
 */
export class SweepThreshold {
  readonly #floor: number;
  #next: number;

  constructor(floor: number) {
    if (!(floor > 0)) throw new TypeError('floor must be positive');
    this.#floor = floor;
    this.#next = floor;
  }

  /** Whether a map of `size` entries should be swept now. */
  due(size: number): boolean {
    return size >= this.#next;
  }

  /** The map was swept down to `size` entries. */
  swept(size: number): void {
    this.#next = Math.max(this.#floor, 2 * size);
  }
}
