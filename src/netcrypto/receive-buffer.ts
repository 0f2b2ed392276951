/**
 * The receive side of a session's lossless stream: packets are stored by number and handed
 * up in order, each once. The buffer's end is one past the highest number the peer has
 * used, as far as we know (a lossless packet's own number, or the next unused number that
 * request, lossy and kill packets carry); the numbers between start and end that are not
 * here are the ones a request packet asks for.
 *
 * @see spec/netcrypto.md#lossless-delivery
 * @module
 */

/** Why a lossless packet was not stored. */
export type StoreRefusal = 'duplicate' | 'out-of-window';

/** Slots a ring starts with. */
const INITIAL_SLOTS = 64;

/** A ring of received payloads indexed by packet number. */
export class ReceiveBuffer {
  readonly window: number;
  #mask: number;
  #slots: Array<Uint8Array | undefined>;
  /** The first number not yet handed up. */
  start = 0;
  /** One past the highest number known to be used. */
  end = 0;
  /** Payloads held (received, not yet handed up). */
  held = 0;

  constructor(window: number) {
    let size = 1;
    while (size < window) size *= 2;
    this.window = window;
    // The ring starts small and doubles when a packet lands beyond it, up to the window
    // rounded to a power of two: an idle session holds 64 slots, not 8192.
    const initial = Math.min(size, INITIAL_SLOTS);
    this.#mask = initial - 1;
    this.#slots = new Array<Uint8Array | undefined>(initial);
  }

  /** Doubles the ring until offset `offset` from the start fits, moving what it holds. */
  #growFor(offset: number): void {
    let size = this.#slots.length;
    while (offset >= size) size *= 2;
    const slots = new Array<Uint8Array | undefined>(size);
    for (let k = 0; k < this.#slots.length; k++) {
      const n = (this.start + k) >>> 0;
      slots[n & (size - 1)] = this.#slots[n & this.#mask];
    }
    this.#slots = slots;
    this.#mask = size - 1;
  }

  /** Stores payload number `n` (a copy is the caller's business), or says why not. */
  store(n: number, payload: Uint8Array): StoreRefusal | undefined {
    const offset = (n - this.start) >>> 0;
    if (offset >= 0x80000000) return 'duplicate';
    if (offset >= this.window) return 'out-of-window';
    if (offset >= this.#slots.length) this.#growFor(offset);
    const i = n & this.#mask;
    if (this.#slots[i] !== undefined) return 'duplicate';
    this.#slots[i] = payload;
    this.held++;
    if (offset >= ((this.end - this.start) >>> 0)) this.end = (n + 1) >>> 0;
    return undefined;
  }

  /**
   * Moves the end to `n` if that is ahead of it and within the window (`set_buffer_end`);
   * returns false otherwise.
   */
  extendTo(n: number): boolean {
    const offset = (n - this.start) >>> 0;
    if (offset > this.window || offset <= ((this.end - this.start) >>> 0)) return false;
    this.end = n;
    return true;
  }

  /** The next payload in order, taken out, if it has arrived. */
  shift(): Uint8Array | undefined {
    if (this.start === this.end) return undefined;
    const i = this.start & this.#mask;
    const payload = this.#slots[i];
    if (payload === undefined) return undefined;
    this.#slots[i] = undefined;
    this.held--;
    this.start = (this.start + 1) >>> 0;
    return payload;
  }

  /** Whether number `n` (within start and end) has arrived. */
  has(n: number): boolean {
    // Beyond the ring nothing is stored (a store there grows it first).
    if (((n - this.start) >>> 0) >= this.#slots.length) return false;
    return this.#slots[n & this.#mask] !== undefined;
  }

  /** Numbers between start and end that have not arrived. */
  get missing(): number {
    return ((this.end - this.start) >>> 0) - this.held;
  }
}
