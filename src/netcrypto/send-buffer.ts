/**
 * The send side of a session's lossless stream: every payload gets the next packet number
 * and stays here until the peer says it arrived, by moving its buffer start past it (the
 * first field of every data packet) or by leaving it out of a request packet's list.
 * Numbers are `uint32_t` and wrap; the buffer holds at most its capacity, at most 32768
 * (`CRYPTO_PACKET_BUFFER_SIZE`), as a c-toxcore receiver refuses numbers further ahead.
 *
 * @see spec/netcrypto.md#lossless-delivery
 * @module
 */

/** One lossless payload waiting for its acknowledgement. */
export interface Outgoing {
  readonly number: number;
  readonly payload: Uint8Array;
  /** When it was last put on the wire (ms), or -1 if never. */
  sentAt: number;
  /** Times it was put on the wire. */
  sends: number;
  /** Counted in the congestion window: sent, and neither delivered nor judged lost. */
  inFlight: boolean;
  /** Waiting in the resend queue. */
  queuedForResend: boolean;
  /** Rate sample bookkeeping, copied from the session when it was last sent. */
  deliveredAtSend: number;
  deliveredTimeAtSend: number;
  firstSentTimeAtSend: number;
  appLimited: boolean;
}

/** Slots a ring starts with. */
const INITIAL_SLOTS = 64;

/** A ring of {@link Outgoing} packets indexed by packet number. */
export class SendBuffer {
  readonly capacity: number;
  /** The ring's largest size: the capacity rounded up to a power of two. */
  readonly #maxSize: number;
  #mask: number;
  #slots: Array<Outgoing | undefined>;
  /** The first number not yet acknowledged. */
  start = 0;
  /** The next number to hand out. */
  end = 0;
  /** The first number never sent yet (between start and end). */
  nextToSend = 0;
  /** Packets held: not yet known to have arrived. */
  held = 0;

  constructor(capacity: number) {
    let size = 1;
    while (size < capacity) size *= 2;
    this.capacity = capacity;
    this.#maxSize = size;
    // The ring starts small and doubles as the span grows: an idle session holds 64 slots,
    // not the capacity's 8192 (64 KiB of pointers each way per session).
    const initial = Math.min(size, INITIAL_SLOTS);
    this.#mask = initial - 1;
    this.#slots = new Array<Outgoing | undefined>(initial);
  }

  /** Doubles the ring, each held packet moving to its slot under the wider mask. */
  #grow(): void {
    const size = this.#slots.length * 2;
    const slots = new Array<Outgoing | undefined>(size);
    for (let n = this.start; n !== this.end; n = (n + 1) >>> 0) slots[n & (size - 1)] = this.#slots[n & this.#mask];
    this.#slots = slots;
    this.#mask = size - 1;
  }

  /** Numbers from start to end, acknowledged or not. */
  get length(): number {
    return (this.end - this.start) >>> 0;
  }

  /** Numbers handed out but never sent. */
  get unsent(): number {
    return (this.end - this.nextToSend) >>> 0;
  }

  /** Whether `n` is in `[start, end)`. */
  holds(n: number): boolean {
    return ((n - this.start) >>> 0) < this.length;
  }

  /** Appends a payload; the caller checked there is room. */
  push(payload: Uint8Array): Outgoing {
    const packet: Outgoing = {
      number: this.end, payload, sentAt: -1, sends: 0, inFlight: false, queuedForResend: false,
      deliveredAtSend: 0, deliveredTimeAtSend: 0, firstSentTimeAtSend: 0, appLimited: false,
    };
    if (this.length >= this.#slots.length && this.#slots.length < this.#maxSize) this.#grow();
    this.#slots[this.end & this.#mask] = packet;
    this.end = (this.end + 1) >>> 0;
    this.held++;
    return packet;
  }

  /** The packet numbered `n`, if it is held and not yet delivered. */
  get(n: number): Outgoing | undefined {
    return this.holds(n) ? this.#slots[n & this.#mask] : undefined;
  }

  /** Forgets `n` (it was delivered out of order) and returns it, if it was still held. */
  take(n: number): Outgoing | undefined {
    if (!this.holds(n)) return undefined;
    const i = n & this.#mask;
    const packet = this.#slots[i];
    this.#slots[i] = undefined;
    if (packet !== undefined) this.held--;
    return packet;
  }

  /**
   * Whether `n` can be a peer's buffer start: from our start to our end, inclusive
   * (`clear_buffer_until` refuses anything else).
   */
  canAcknowledge(n: number): boolean {
    return ((n - this.start) >>> 0) <= this.length;
  }

  /** Moves the start to `n`, calling `freed` with each packet still held below it. */
  acknowledge(n: number, freed: (packet: Outgoing) => void): void {
    while (this.start !== n) {
      const i = this.start & this.#mask;
      const packet = this.#slots[i];
      if (packet !== undefined) {
        this.#slots[i] = undefined;
        this.held--;
        freed(packet);
      }
      this.start = (this.start + 1) >>> 0;
    }
    if (!this.holds(this.nextToSend) && this.nextToSend !== this.end) this.nextToSend = this.start;
  }

  /** The next never-sent packet, moving past it. */
  nextUnsent(): Outgoing | undefined {
    while (this.nextToSend !== this.end) {
      const packet = this.#slots[this.nextToSend & this.#mask];
      this.nextToSend = (this.nextToSend + 1) >>> 0;
      if (packet !== undefined) return packet;
    }
    return undefined;
  }
}
