/**
 * The announce store: the announcements an announce node holds (c-toxcore's
 * `Onion_Announce_Entry` table). Each entry says "onion data for this key goes down this
 * return path": the announcer's key, its data key, hop 3's address and the 177-byte return
 * blob its request arrived with.
 *
 * Bounded (`OnionNodeConfig.onionAnnounceMaxEntries`, 160), each entry kept for
 * `onionAnnounceTimeoutMs` (300 s) after its last refresh, kept sorted by distance to the
 * node's own DHT key. A new key takes an expired slot if there is one, else replaces the
 * farthest entry if it is strictly closer than it, else is refused (`add_to_entries`): a
 * node keeps the announcements of the keys nearest its own, which are the ones clients
 * looking for those keys will ask it about.
 *
 * @see spec/onion.md#the-announce-node
 * @module
 */
import { PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { compareDistance } from '../dht/index.ts';
import type { IpPort } from '../wire/index.ts';
import { OnionNodeError } from './node-errors.ts';
import { ONION_RETURN_3 } from './packet-sizes.ts';

/** One announcement. */
export interface AnnounceEntry {
  /** The announcer's key (the request's sender key: its real key for a self-announce). */
  readonly publicKey: Uint8Array;
  /** The key onion data for it is sealed to. */
  readonly dataPublicKey: Uint8Array;
  /** Hop 3 of the announcer's path: where data for it is sent. */
  readonly returnAddress: IpPort;
  /** Hop 3's return blob (177 bytes): what data for it is sent with. */
  readonly returnPath: Uint8Array;
  /** When it was stored or last refreshed, ms. */
  readonly announcedAt: number;
}

/** Shape of an {@link AnnounceStore}. */
export interface AnnounceStoreOptions {
  /** The most entries held (`ONION_ANNOUNCE_MAX_ENTRIES`, 160). */
  readonly capacity: number;
  /** An entry's lifetime after its last refresh, ms (`ONION_ANNOUNCE_TIMEOUT`, 300 s). */
  readonly timeoutMs: number;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_SIZE) {
    throw new OnionNodeError('bad-key-size', `${what} must be ${PUBLIC_KEY_SIZE} bytes`);
  }
}

/** A bounded table of announcements, sorted by distance to `selfPublicKey`, closest first. */
export class AnnounceStore {
  readonly selfPublicKey: Uint8Array;
  readonly capacity: number;
  readonly timeoutMs: number;
  /** Closest to `selfPublicKey` first; may hold expired entries until the next change. */
  #entries: AnnounceEntry[] = [];

  constructor(selfPublicKey: Uint8Array, options: AnnounceStoreOptions) {
    checkKey(selfPublicKey, 'own public key');
    this.selfPublicKey = selfPublicKey.slice();
    this.capacity = options.capacity;
    this.timeoutMs = options.timeoutMs;
  }

  /** Whether `entry` is alive at `now` (`!mono_time_is_timeout(announce_time, ONION_ANNOUNCE_TIMEOUT)`). */
  isAlive(entry: AnnounceEntry, now: number): boolean {
    return entry.announcedAt + this.timeoutMs > now;
  }

  /** The live announcement of `publicKey`, if any (`in_entries`). */
  find(publicKey: Uint8Array, now: number): AnnounceEntry | undefined {
    for (const entry of this.#entries) {
      if (this.isAlive(entry, now) && sameKey(entry.publicKey, publicKey)) return entry;
    }
    return undefined;
  }

  /**
   * Stores or refreshes an announcement (`add_to_entries`): a live entry of the same key is
   * replaced in place; a new key takes an expired slot, or the farthest entry's if the store
   * is full and the new key is strictly closer to ours. Returns the stored entry, or
   * `undefined` if the store is full of closer keys.
   */
  add(publicKey: Uint8Array, dataPublicKey: Uint8Array, returnAddress: IpPort, returnPath: Uint8Array, now: number): AnnounceEntry | undefined {
    checkKey(publicKey, 'announced public key');
    checkKey(dataPublicKey, 'data public key');
    if (!(returnPath instanceof Uint8Array) || returnPath.length !== ONION_RETURN_3) {
      throw new OnionNodeError('bad-key-size', `return path must be ${ONION_RETURN_3} bytes`);
    }
    this.prune(now);
    const entry: AnnounceEntry = {
      publicKey: publicKey.slice(), dataPublicKey: dataPublicKey.slice(), returnAddress: { host: returnAddress.host, port: returnAddress.port },
      returnPath: returnPath.slice(), announcedAt: now,
    };
    const at = this.#entries.findIndex((e) => sameKey(e.publicKey, publicKey));
    if (at >= 0) {
      this.#entries[at] = entry;
      return entry;
    }
    if (this.#entries.length >= this.capacity) {
      const farthest = this.#entries[this.#entries.length - 1]!;
      if (compareDistance(this.selfPublicKey, publicKey, farthest.publicKey) >= 0) return undefined;
      this.#entries.pop();
    }
    let i = this.#entries.length;
    while (i > 0 && compareDistance(this.selfPublicKey, publicKey, this.#entries[i - 1]!.publicKey) < 0) i--;
    this.#entries.splice(i, 0, entry);
    return entry;
  }

  /** Drops expired entries; returns how many. */
  prune(now: number): number {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => this.isAlive(e, now));
    return before - this.#entries.length;
  }

  /** The live entries, closest to our key first. */
  entries(now: number): AnnounceEntry[] {
    return this.#entries.filter((e) => this.isAlive(e, now));
  }

  /** Live entries at `now`. */
  size(now: number): number {
    let n = 0;
    for (const e of this.#entries) if (this.isAlive(e, now)) n++;
    return n;
  }
}
