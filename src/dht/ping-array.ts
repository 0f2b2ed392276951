/**
 * Issued ids bound to what they were issued for (c-toxcore's `Ping_Array`): the 8-byte
 * ping id of a ping request, the sendback of a getnodes. An answer is believed only if it
 * echoes an id we issued, within `PING_TIMEOUT`, and only once. The array is bounded: when
 * it is full the oldest id is forgotten.
 *
 * @see spec/dht.md#sendback-and-ping-ids
 * @module
 */
import { DhtError } from './errors.ts';
import { PING_ID_SIZE } from './packet-sizes.ts';

/** Ids drawn in a row before {@link PingArray.add} gives up on a broken random source. */
const MAX_DRAWS = 16;

interface Issued<T> {
  readonly data: T;
  readonly issuedAt: number;
}

function idKey(id: Uint8Array): bigint {
  return new DataView(id.buffer, id.byteOffset, PING_ID_SIZE).getBigUint64(0);
}

/** Outstanding ids, each answering once within `timeoutMs`; at most `size` at a time. */
export class PingArray<T> {
  readonly capacity: number;
  readonly timeoutMs: number;
  readonly #randomId: () => Uint8Array;
  /** In the order issued, so the oldest comes first. */
  readonly #issued = new Map<bigint, Issued<T>>();

  /**
   * @param size most ids outstanding (`DHT_PING_ARRAY_SIZE`, `PING_NUM_MAX`); c-toxcore
   *   needs a power of two, toxlink does not.
   * @param timeoutMs how long an id answers (`PING_TIMEOUT`).
   * @param randomId a source of 8 random bytes (`random_u64`).
   */
  constructor(size: number, timeoutMs: number, randomId: () => Uint8Array) {
    if (!Number.isInteger(size) || size < 1) throw new DhtError('bad-argument', `size must be an integer ≥ 1, got ${size}`);
    if (!(timeoutMs > 0)) throw new DhtError('bad-argument', `timeoutMs must be > 0, got ${timeoutMs}`);
    this.capacity = size;
    this.timeoutMs = timeoutMs;
    this.#randomId = randomId;
  }

  /**
   * Issues a fresh id for `data` (`ping_array_add`), forgetting expired ids and, when the
   * array is full, the oldest one. The id is never all zeros (c-toxcore refuses 0) and
   * never equal to an outstanding one.
   */
  add(data: T, now: number): Uint8Array {
    this.prune(now);
    let id: Uint8Array | undefined;
    let key = 0n;
    for (let i = 0; i < MAX_DRAWS && id === undefined; i++) {
      const drawn = this.#randomId();
      if (!(drawn instanceof Uint8Array) || drawn.length !== PING_ID_SIZE) {
        throw new DhtError('bad-argument', `randomId must return ${PING_ID_SIZE} bytes, got ${drawn instanceof Uint8Array ? drawn.length : typeof drawn}`);
      }
      key = idKey(drawn);
      if (key !== 0n && !this.#issued.has(key)) id = Uint8Array.from(drawn);
    }
    if (id === undefined) throw new DhtError('id-exhausted', `randomId returned ${MAX_DRAWS} ids in a row that were zero or in use`);
    if (this.#issued.size >= this.capacity) this.#issued.delete(this.#issued.keys().next().value!);
    this.#issued.set(key, { data, issuedAt: now });
    return id;
  }

  /**
   * The data `id` was issued for, if it was issued less than `timeoutMs` ago and has not
   * answered yet (`ping_array_check`); the id is spent either way. Undefined for anything
   * else, including ids of the wrong size: this is fed straight from packets.
   */
  check(id: Uint8Array, now: number): T | undefined {
    if (!(id instanceof Uint8Array) || id.length !== PING_ID_SIZE) return undefined;
    const key = idKey(id);
    const issued = this.#issued.get(key);
    if (!issued) return undefined;
    this.#issued.delete(key);
    return now < issued.issuedAt + this.timeoutMs ? issued.data : undefined;
  }

  /** Forgets ids issued `timeoutMs` or more ago (`ping_array_clear_timedout`). */
  prune(now: number): void {
    for (const [key, issued] of this.#issued) {
      if (now < issued.issuedAt + this.timeoutMs) break;
      this.#issued.delete(key);
    }
  }

  /** Ids outstanding, counting expired ones not yet pruned (pruning happens on `add` and `prune`). */
  get size(): number {
    return this.#issued.size;
  }
}
