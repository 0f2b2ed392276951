/**
 * A first-in first-out queue with O(1) push and shift, for the session's control messages,
 * credit updates and its round of channels that have something to send.
 *
 * @see spec/mux.md#fair-share
 * @module
 */

/** A queue; `shift` takes the oldest. */
export class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  /** Items held. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Takes the oldest item. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Empties it. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
