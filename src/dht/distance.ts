/**
 * Distance between DHT keys: XOR, read as a 256-bit big-endian number, so that comparing
 * two distances is comparing their bytes from the first (c-toxcore's `id_closest`). The
 * close list files a key by how many leading bits it shares with ours (`bit_by_bit_cmp`).
 *
 * Also here: {@link NearestNodes}, the small bounded "keep the n closest" queue c-toxcore
 * uses three times (`to_bootstrap` of the close list and of each friend, `to_ping`).
 *
 * @see spec/dht.md#distance
 * @module
 */
import { PUBLIC_KEY_SIZE, type IpPort, type PackedNode } from '../wire/index.ts';
import { DhtError } from './errors.ts';

/** Throws a {@link DhtError} `bad-key-size` unless `key` is a 32-byte public key. */
export function checkKey(key: Uint8Array, what = 'public key'): void {
  if (!(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_SIZE) {
    throw new DhtError('bad-key-size', `${what} must be ${PUBLIC_KEY_SIZE} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
}

/** Whether two keys hold the same bytes (`pk_equal`; public keys are not secret). */
export function keysEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Which of `a` and `b` is closer to `target`: -1 when `a` is, 1 when `b` is, 0 when they
 * are the same key. The first byte where `target ^ a` and `target ^ b` differ decides
 * (`id_closest`, which answers 1, 2 or 0 for the same three cases).
 */
export function compareDistance(target: Uint8Array, a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  checkKey(target, 'target');
  checkKey(a);
  checkKey(b);
  for (let i = 0; i < PUBLIC_KEY_SIZE; i++) {
    const t = target[i]!;
    const da = t ^ a[i]!;
    const db = t ^ b[i]!;
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

/**
 * The number of leading bits `a` and `b` share, 0 to 256 (`bit_by_bit_cmp`: the index of
 * the first bit where they differ, 256 for equal keys). The close list files a key in
 * bucket `min(commonPrefixBits(key, self), LCLIENT_LENGTH - 1)`.
 */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  checkKey(a);
  checkKey(b);
  for (let i = 0; i < PUBLIC_KEY_SIZE; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return PUBLIC_KEY_SIZE * 8;
}

/** `a ^ b`, the distance itself, for display and tests. */
export function xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array {
  checkKey(a);
  checkKey(b);
  const out = new Uint8Array(PUBLIC_KEY_SIZE);
  for (let i = 0; i < PUBLIC_KEY_SIZE; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * Inserts `node` into `sorted` (closest to `target` first), keeping at most `n`; returns
 * whether it went in. The list must not already hold `node`'s key.
 */
export function insertByDistance<T extends { readonly publicKey: Uint8Array }>(target: Uint8Array, sorted: T[], node: T, n: number): boolean {
  let at = sorted.length;
  while (at > 0 && compareDistance(target, node.publicKey, sorted[at - 1]!.publicKey) < 0) at--;
  if (at >= n) return false;
  sorted.splice(at, 0, node);
  if (sorted.length > n) sorted.pop();
  return true;
}

/**
 * The `n` nodes closest to `target` among several lists, one per key (the first address
 * seen for a key wins, so pass the preferred list first), closest first. This is how a
 * nodes response merges the close list with every friend's list (`get_somewhat_close_nodes`).
 */
export function mergeClosest(target: Uint8Array, n: number, ...lists: ReadonlyArray<readonly PackedNode[]>): PackedNode[] {
  const out: PackedNode[] = [];
  const seen = new Set<string>();
  for (const list of lists) {
    for (const node of list) {
      const k = keyString(node.publicKey);
      if (seen.has(k)) continue;
      seen.add(k);
      insertByDistance(target, out, node, n);
    }
  }
  return out;
}

let lastKeyBytes = new Uint8Array(0);
let lastKeyString = '';

/** A map key for a public key. */
export function keyString(key: Uint8Array): string {
  // One key is looked up in every friend's list in a row (`addto_lists`): remember the last.
  if (key.length === lastKeyBytes.length) {
    let i = 0;
    while (i < key.length && key[i] === lastKeyBytes[i]) i++;
    if (i === key.length) return lastKeyString;
  }
  lastKeyString = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
  lastKeyBytes = Uint8Array.from(key);
  return lastKeyString;
}

/**
 * A bounded set of nodes to contact, keeping the `capacity` closest to `base` (c-toxcore's
 * `to_bootstrap` lists, `MAX_CLOSE_TO_BOOTSTRAP_NODES` for the close list and
 * `MAX_SENT_NODES` per friend, and ping.c's `to_ping`, `MAX_TO_PING`, all filled through
 * `add_to_list`). A key already queued is not queued twice.
 */
export class NearestNodes {
  readonly #base: Uint8Array;
  readonly #capacity: number;
  #nodes: PackedNode[] = [];

  constructor(base: Uint8Array, capacity: number) {
    checkKey(base, 'base key');
    if (!Number.isInteger(capacity) || capacity < 1) throw new DhtError('bad-argument', `capacity must be an integer ≥ 1, got ${capacity}`);
    this.#base = Uint8Array.from(base);
    this.#capacity = capacity;
  }

  /** Queues the node at `ipPort` unless its key is queued or `capacity` closer ones are. */
  add(publicKey: Uint8Array, ipPort: IpPort): boolean {
    checkKey(publicKey);
    if (this.has(publicKey)) return false;
    return insertByDistance(this.#base, this.#nodes, { protocol: 'udp', ipPort, publicKey: Uint8Array.from(publicKey) }, this.#capacity);
  }

  /** Whether `publicKey` is queued. */
  has(publicKey: Uint8Array): boolean {
    return this.#nodes.some((n) => keysEqual(n.publicKey, publicKey));
  }

  /** Everything queued, closest to the base first, and empties the queue. */
  drain(): PackedNode[] {
    const out = this.#nodes;
    this.#nodes = [];
    return out;
  }

  /** What is queued, closest first, without removing it. */
  peek(): readonly PackedNode[] {
    return this.#nodes;
  }

  get size(): number {
    return this.#nodes.length;
  }

  get capacity(): number {
    return this.#capacity;
  }
}
