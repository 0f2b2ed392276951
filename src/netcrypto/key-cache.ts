/**
 * Shared keys of one of our secret keys with peers' public keys, kept so that X25519 runs
 * once per peer, not once per packet. Least recently used goes first when full; a key that
 * `precompute` refuses (an invalid point) is not cached and gives `undefined`.
 *
 * @see spec/netcrypto.md#keys-and-caches
 * @module
 */
import { precompute } from '../crypto/index.ts';
import { toHex } from '../wire/index.ts';

/** A bounded least-recently-used cache of shared keys for one secret key. */
export class SharedKeys {
  readonly #secretKey: Uint8Array;
  readonly #capacity: number;
  /** Insertion order is use order: the first entry is the least recently used. */
  readonly #keys = new Map<string, Uint8Array>();
  /** X25519 multiplications done (cache misses). */
  computed = 0;

  constructor(secretKey: Uint8Array, capacity: number) {
    this.#secretKey = secretKey;
    this.#capacity = capacity;
  }

  /** The shared key with `publicKey`, computed on first use. */
  get(publicKey: Uint8Array): Uint8Array | undefined {
    const id = toHex(publicKey);
    const hit = this.#keys.get(id);
    if (hit !== undefined) {
      this.#keys.delete(id);
      this.#keys.set(id, hit);
      return hit;
    }
    this.computed++;
    const key = precompute(publicKey, this.#secretKey);
    if (key === undefined) return undefined;
    if (this.#keys.size >= this.#capacity) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
    this.#keys.set(id, key);
    return key;
  }

  /** Keys held. */
  get size(): number {
    return this.#keys.size;
  }
}
