/**
 * The sendbacks of an onion client's announce requests (c-toxcore's `announce_ping_array`):
 * 8 random bytes the announce node echoes, naming the request — whose key sealed it, which
 * node and path it went to — so that the response can be opened and credited. Bounded: 256
 * outstanding, each good for 10 s and for one response.
 *
 * Unlike c-toxcore, which spends a sendback before it opens the response, toxlink looks a
 * sendback up first and spends it only once the box opened: a garbled or forged response
 * that echoes a live sendback cannot cancel the real one.
 *
 * @see spec/onion.md#announcing-ourselves
 * @module
 */
import { ONION_ANNOUNCE_SENDBACK_DATA_LENGTH } from './packet-sizes.ts';

/** Draws in a row before {@link SendbackTable.add} gives up on a broken random source. */
const MAX_DRAWS = 16;

interface Issued<T> {
  readonly data: T;
  readonly issuedAt: number;
}

function keyOf(sendback: Uint8Array): string | undefined {
  if (!(sendback instanceof Uint8Array) || sendback.length !== ONION_ANNOUNCE_SENDBACK_DATA_LENGTH) return undefined;
  let s = '';
  for (const b of sendback) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Outstanding sendbacks, each answering once within `timeoutMs`; at most `capacity` at a time. */
export class SendbackTable<T> {
  /** In the order issued, so the oldest comes first. */
  readonly #issued = new Map<string, Issued<T>>();

  /**
   * @param capacity most sendbacks outstanding (`ANNOUNCE_ARRAY_SIZE`).
   * @param timeoutMs how long one answers (`ANNOUNCE_TIMEOUT`).
   * @param randomBytes a source of 8 random bytes.
   */
  constructor(readonly capacity: number, readonly timeoutMs: number, private readonly randomBytes: (n: number) => Uint8Array) {}

  /**
   * A fresh sendback for `data` (`new_sendback`), never all zeros (c-toxcore refuses 0) nor
   * equal to an outstanding one; forgets expired ones and, when full, the oldest.
   * `undefined` only if the random source keeps repeating itself.
   */
  add(data: T, now: number): Uint8Array | undefined {
    this.prune(now);
    for (let i = 0; i < MAX_DRAWS; i++) {
      const drawn = this.randomBytes(ONION_ANNOUNCE_SENDBACK_DATA_LENGTH);
      const key = keyOf(drawn);
      if (key === undefined || /^0+$/.test(key) || this.#issued.has(key)) continue;
      if (this.#issued.size >= this.capacity) this.#issued.delete(this.#issued.keys().next().value!);
      this.#issued.set(key, { data, issuedAt: now });
      return Uint8Array.from(drawn);
    }
    return undefined;
  }

  /** What `sendback` was issued for, if it is outstanding and younger than `timeoutMs`; not spent. */
  peek(sendback: Uint8Array, now: number): T | undefined {
    const key = keyOf(sendback);
    if (key === undefined) return undefined;
    const issued = this.#issued.get(key);
    return issued !== undefined && now < issued.issuedAt + this.timeoutMs ? issued.data : undefined;
  }

  /** Spends `sendback`: it answers no further response. */
  spend(sendback: Uint8Array): void {
    const key = keyOf(sendback);
    if (key !== undefined) this.#issued.delete(key);
  }

  /** Forgets sendbacks issued `timeoutMs` or more ago. */
  prune(now: number): void {
    for (const [key, issued] of this.#issued) {
      if (now < issued.issuedAt + this.timeoutMs) break;
      this.#issued.delete(key);
    }
  }

  /** Sendbacks outstanding, counting expired ones not yet pruned. */
  get size(): number {
    return this.#issued.size;
  }
}
