/**
 * Nodes that recently answered one of our pings or requests, keyed by key and exact
 * address: the requesters we send nodes responses to (see "Bad input" in the spec). A
 * bounded table; the least recently heard entry goes first, and an entry counts only for
 * `ttlMs` after it was last heard.
 *
 * @see spec/dht.md#bad-input
 * @module
 */

/** Recently verified `key@address` strings. */
export class VerifiedSources {
  readonly #heard = new Map<string, number>();

  constructor(readonly capacity: number, readonly ttlMs: number) {}

  /** Records that `id` answered us at `now`. */
  add(id: string, now: number): void {
    this.#heard.delete(id);
    this.#heard.set(id, now);
    if (this.#heard.size > this.capacity) this.#heard.delete(this.#heard.keys().next().value!);
  }

  /** Whether `id` answered us within `ttlMs` before `now`. */
  has(id: string, now: number): boolean {
    const at = this.#heard.get(id);
    return at !== undefined && now - at < this.ttlMs;
  }

  get size(): number {
    return this.#heard.size;
  }
}
