/**
 * Channel ids: which side may pick which ids, and the picking. The side whose long-term
 * public key is the smaller (compared byte by byte) opens channels with odd ids
 * (1, 3, … 65533), the other with even ids (2, 4, … 65534). Both sides can therefore open at
 * the same moment without ever choosing the same id, with no extra message: both already
 * know both keys. 0 (control) and 65535 (reserved) belong to no one.
 *
 * @see spec/mux.md#channel-ids
 * @module
 */
import { CONTROL_CHANNEL, RESERVED_CHANNEL } from './frame.ts';

/** Which ids a side opens channels with. */
export type IdParity = 'odd' | 'even';

/**
 * Our parity with a friend: odd if our key is the smaller. Keys are 32 bytes each; equal
 * keys (talking to oneself) have no answer and throw a `RangeError`: a caller's bug.
 */
export function idParity(selfKey: Uint8Array, friendKey: Uint8Array): IdParity {
  const n = Math.min(selfKey.length, friendKey.length);
  for (let i = 0; i < n; i++) {
    if (selfKey[i] !== friendKey[i]) return selfKey[i]! < friendKey[i]! ? 'odd' : 'even';
  }
  if (selfKey.length !== friendKey.length) return selfKey.length < friendKey.length ? 'odd' : 'even';
  throw new RangeError('a channel layer cannot talk to its own key');
}

/** Whether `id` is one a side of `parity` opens with (never 0 or 65535). */
export function isIdOf(parity: IdParity, id: number): boolean {
  if (!Number.isInteger(id) || id <= CONTROL_CHANNEL || id >= RESERVED_CHANNEL) return false;
  return (id & 1) === (parity === 'odd' ? 1 : 0);
}

/**
 * Hands out ids of one parity, walking forward from the last one given and wrapping, and
 * skipping those in use: an id just freed is the last to come back, so a frame about an old
 * channel has every chance to be gone before its id names a new one.
 */
export class IdAllocator {
  readonly #first: number;
  readonly #last: number;
  #next: number;

  constructor(readonly parity: IdParity) {
    this.#first = parity === 'odd' ? 1 : 2;
    this.#last = parity === 'odd' ? 0xfffd : 0xfffe;
    this.#next = this.#first;
  }

  /** How many ids this parity has (32767). */
  get size(): number {
    return (this.#last - this.#first) / 2 + 1;
  }

  /** The next id for which `inUse` is false, or undefined if every one is in use. */
  take(inUse: (id: number) => boolean): number | undefined {
    for (let tries = 0; tries < this.size; tries++) {
      const id = this.#next;
      this.#next = id + 2 > this.#last ? this.#first : id + 2;
      if (!inUse(id)) return id;
    }
    return undefined;
  }
}
