/**
 * A bounded cache of shared keys with other nodes (c-toxcore's `Shared_Keys` and
 * `get_shared_key`). Every DHT packet is boxed with the shared key of its two ends, and
 * working one out costs an X25519 multiplication, so the keys of the nodes we talk to
 * often are kept.
 *
 * Eviction follows c-toxcore's idea: a key unused for `KEYS_TIMEOUT` goes first; otherwise
 * the key used the fewest times goes (the least recently used of those), so a flood of
 * one-off keys churns among itself and does not push out the keys of our regular peers.
 *
 * @see spec/dht.md#keys-and-shared-keys
 * @module
 */
import { SECRET_KEY_SIZE, precompute } from '../crypto/index.ts';
import { KEYS_TIMEOUT_MS, SHARED_KEYS_CAPACITY } from './config.ts';
import { DhtError } from './errors.ts';
import { checkKey, keyString } from './distance.ts';

/** Shape of a {@link SharedKeyCache}. */
export interface SharedKeyCacheOptions {
  /** Keys held (`256 * MAX_KEYS_PER_SLOT` = 1024). */
  readonly capacity?: number;
  /** A key unused this long is evicted first (`KEYS_TIMEOUT`, 600 s). */
  readonly timeoutMs?: number;
}

interface Cached {
  readonly sharedKey: Uint8Array;
  uses: number;
  lastUsed: number;
}

/** Shared keys of our secret key with other nodes' public keys, cached. */
export class SharedKeyCache {
  readonly capacity: number;
  readonly timeoutMs: number;
  readonly #secretKey: Uint8Array;
  /** Least recently used first. */
  readonly #keys = new Map<string, Cached>();
  #hits = 0;
  #misses = 0;
  #refused = 0;

  constructor(secretKey: Uint8Array, options: SharedKeyCacheOptions = {}) {
    if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_SIZE) {
      throw new DhtError('bad-key-size', `secret key must be ${SECRET_KEY_SIZE} bytes`);
    }
    this.#secretKey = Uint8Array.from(secretKey);
    this.capacity = options.capacity ?? SHARED_KEYS_CAPACITY;
    this.timeoutMs = options.timeoutMs ?? KEYS_TIMEOUT_MS;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new DhtError('bad-argument', `capacity must be an integer ≥ 1, got ${this.capacity}`);
    if (!(this.timeoutMs > 0)) throw new DhtError('bad-argument', `timeoutMs must be > 0, got ${this.timeoutMs}`);
  }

  /**
   * The shared key with `publicKey` (`encrypt_precompute`), from the cache or worked out
   * and cached. Undefined when libsodium refuses the key (a low-order point: only a
   * hostile or broken peer sends one; such keys are not cached). A key of the wrong size
   * throws a {@link DhtError}: callers take keys from decoded packets, which have 32 bytes.
   */
  get(publicKey: Uint8Array, now: number): Uint8Array | undefined {
    checkKey(publicKey);
    const k = keyString(publicKey);
    const cached = this.#keys.get(k);
    if (cached) {
      this.#hits++;
      cached.uses++;
      cached.lastUsed = now;
      this.#keys.delete(k);
      this.#keys.set(k, cached);
      return cached.sharedKey;
    }
    this.#misses++;
    const sharedKey = precompute(publicKey, this.#secretKey);
    if (!sharedKey) {
      this.#refused++;
      return undefined;
    }
    if (this.#keys.size >= this.capacity) this.#evict(now);
    this.#keys.set(k, { sharedKey, uses: 1, lastUsed: now });
    return sharedKey;
  }

  /** Forgets keys unused for `timeoutMs`, so their key material does not linger. */
  prune(now: number): number {
    let dropped = 0;
    for (const [k, cached] of this.#keys) {
      if (now < cached.lastUsed + this.timeoutMs) break;
      this.#keys.delete(k);
      dropped++;
    }
    return dropped;
  }

  /** Whether a key for `publicKey` is cached (without counting a use). */
  has(publicKey: Uint8Array): boolean {
    return this.#keys.has(keyString(publicKey));
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Lookups answered from the cache. */
  get hits(): number {
    return this.#hits;
  }

  /** Lookups that had to work the key out (including refused ones). */
  get misses(): number {
    return this.#misses;
  }

  /** Lookups for keys libsodium refused. */
  get refused(): number {
    return this.#refused;
  }

  /** Drops one key: the least recently used if it expired, else the least used (oldest first). */
  #evict(now: number): void {
    const oldest = this.#keys.entries().next().value;
    if (oldest && now >= oldest[1].lastUsed + this.timeoutMs) {
      // Least recently used first: if the oldest has not expired, none has.
      this.#keys.delete(oldest[0]);
      return;
    }
    let victim: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const [k, cached] of this.#keys) {
      if (cached.uses >= fewest) continue;
      fewest = cached.uses;
      victim = k;
      if (fewest <= 1) break;
    }
    if (victim !== undefined) this.#keys.delete(victim);
  }
}
