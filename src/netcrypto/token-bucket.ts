/**
 * A token bucket: at most `perSecond` takes per second on average, `perSecond` at once. It
 * caps what a flood of cookie requests or handshakes can cost, whoever sends them.
 *
 * @see spec/netcrypto.md#bad-input
 * @module
 */

/** Refills continuously from a millisecond clock reading passed to {@link TokenBucket.take}. */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #at: number | undefined;

  constructor(perSecond: number) {
    this.#perMs = perSecond / 1000;
    this.#burst = perSecond;
    this.#tokens = perSecond;
  }

  /** Takes a token if there is one at time `nowMs`. */
  take(nowMs: number): boolean {
    if (this.#at !== undefined && nowMs > this.#at) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#at) * this.#perMs);
    }
    this.#at = this.#at === undefined ? nowMs : Math.max(this.#at, nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
