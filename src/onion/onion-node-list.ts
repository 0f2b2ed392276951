/**
 * A list of announce nodes as the onion client keeps it (c-toxcore's `Onion_Node` arrays):
 * the 12 nodes we announce ourselves to, or the 8 nodes searched for one friend, the closest
 * to a reference key (our real key, or the friend's) that answered, with what each said.
 * Shared by announcing ({@link AnnounceClient}) and searching ({@link FriendSearch}).
 *
 * The rules are c-toxcore 0.2.18's (`client_add_to_list`, `client_ping_nodes`,
 * `onion_node_timed_out`, `good_to_ping`): a node is dead when it never answered or missed
 * 3 responses and 15 s; a new node takes the place of a dead one or of the farthest, if it is
 * closer; a node named in a response is asked only if it would take a place, is not in the
 * list, and was not asked in the last 10 s.
 *
 * @see spec/onion.md#announcing-ourselves
 * @see spec/onion.md#searching-for-friends
 * @module
 */
import { compareDistance, isLanAddress } from '../dht/index.ts';
import type { IpPort, PackedNode } from '../wire/index.ts';
import type { PathNode } from './onion-request.ts';

/** One announce node (`Onion_Node`). */
export interface OnionNodeEntry {
  readonly publicKey: Uint8Array;
  ipPort: IpPort;
  /** The last ping id it gave us (zeros until it gives one). */
  pingId: Uint8Array;
  /** The data key it holds for the searched key (status 1): where onion data for a friend is sealed to. */
  dataPublicKey: Uint8Array | undefined;
  /** What it said last, as the client reads it: 0 not stored, nonzero stored (friend lists: 1 found). */
  isStored: number;
  /** When it entered the list. */
  addedTime: number;
  /** When it last answered. */
  lastResponse: number;
  /** When we last asked it; `undefined` for a node not asked yet. */
  lastPinged: number | undefined;
  /** Requests since its last response. */
  pingsSinceLastResponse: number;
  /** The path its last response came over (`undefined` if that path was replaced). */
  pathUsed: number | undefined;
}

/** The timers a list is judged by. */
export interface NodeListTimers {
  /** `ONION_NODE_MAX_PINGS`. */
  readonly nodeMaxPings: number;
  /** `ONION_NODE_TIMEOUT`, ms. */
  readonly nodeTimeoutMs: number;
}

/** `onion_node_timed_out`: an empty slot, or a node that missed `nodeMaxPings` responses and `nodeTimeoutMs`. */
export function nodeTimedOut(entry: OnionNodeEntry | undefined, now: number, t: NodeListTimers): boolean {
  return entry === undefined
    || (entry.pingsSinceLastResponse >= t.nodeMaxPings && entry.lastPinged !== undefined && entry.lastPinged + t.nodeTimeoutMs <= now);
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A fixed-size list of announce nodes around `reference`. */
export class OnionNodeList {
  /** Sorted after each {@link add}: dead or empty slots first, then farthest to closest. */
  #slots: Array<OnionNodeEntry | null>;

  constructor(readonly reference: Uint8Array, readonly capacity: number, private readonly timers: NodeListTimers) {
    // Empty slots are null, not undefined: `Array.prototype.sort` moves undefined to the end
    // without asking the comparator, and empty slots must come first.
    this.#slots = new Array<OnionNodeEntry | null>(capacity).fill(null);
  }

  /** Every slot that holds a node, dead or alive. */
  entries(): OnionNodeEntry[] {
    return this.#slots.filter((e): e is OnionNodeEntry => e !== null);
  }

  /** The nodes that are not dead. */
  alive(now: number): OnionNodeEntry[] {
    return this.entries().filter((e) => !nodeTimedOut(e, now, this.timers));
  }

  /** The entry of `key`, dead or alive. */
  get(key: Uint8Array): OnionNodeEntry | undefined {
    return this.entries().find((e) => sameKey(e.publicKey, key));
  }

  /** `sort_onion_node_list`: dead first, then by distance to the reference, farthest first. */
  sort(now: number): void {
    const dead = (e: OnionNodeEntry | null): boolean => nodeTimedOut(e ?? undefined, now, this.timers);
    this.#slots.sort((a, b) => {
      const ta = dead(a), tb = dead(b);
      if (ta && tb) return 0;
      if (ta) return -1;
      if (tb) return 1;
      return -compareDistance(this.reference, a!.publicKey, b!.publicKey);
    });
  }

  /**
   * `client_add_to_list`: a node answered. It updates its entry if it has one; else it takes
   * slot 0 (after sorting: a dead slot or the farthest node) if that slot is dead or farther
   * than it. Returns whether the node is in the list now.
   */
  add(node: PathNode, isStored: number, pingIdOrKey: Uint8Array, pathUsed: number | undefined, now: number): boolean {
    this.sort(now);
    let index = -1;
    let known = false;
    const first = this.#slots[0] ?? undefined;
    if (nodeTimedOut(first, now, this.timers) || compareDistance(this.reference, node.publicKey, first!.publicKey) < 0) index = 0;
    const at = this.#slots.findIndex((e) => e !== null && sameKey(e.publicKey, node.publicKey));
    if (at >= 0) {
      index = at;
      known = true;
    }
    if (index < 0) return false;
    const old = known ? this.#slots[index]! : undefined;
    const entry: OnionNodeEntry = {
      publicKey: node.publicKey.slice(),
      ipPort: { host: node.ipPort.host, port: node.ipPort.port },
      pingId: old?.pingId ?? new Uint8Array(32),
      dataPublicKey: old?.dataPublicKey,
      isStored,
      addedTime: old?.addedTime ?? now,
      lastResponse: now,
      lastPinged: old?.lastPinged,
      pingsSinceLastResponse: 0,
      pathUsed,
    };
    if (isStored === 1) entry.dataPublicKey = pingIdOrKey.slice();
    else entry.pingId = pingIdOrKey.slice();
    this.#slots[index] = entry;
    return true;
  }

  /**
   * `client_ping_nodes`, the test for one node named in a response (the list was sorted by
   * the {@link add} before): would it take one of the two first places, and is it not in the
   * list yet?
   */
  wants(key: Uint8Array, now: number): boolean {
    const closerThan = (i: number): boolean => {
      const e = this.#slots[i] ?? undefined;
      return nodeTimedOut(e, now, this.timers) || compareDistance(this.reference, key, e!.publicKey) < 0;
    };
    if (!closerThan(0) && !(this.capacity > 1 && closerThan(1))) return false;
    return this.get(key) === undefined;
  }

  /** Empties the list. */
  clear(): void {
    this.#slots = new Array<OnionNodeEntry | null>(this.capacity).fill(null);
  }
}

/**
 * The keys of the last nodes asked because a response named them (`Last_Pinged`): a ring of
 * 9, each entry good for 10 s, so that nodes named by many responses are asked once.
 */
export class LastPinged {
  readonly #ring: Array<{ key: Uint8Array; at: number }> = [];
  #next = 0;

  constructor(readonly capacity: number, readonly minPingTimeMs: number) {}

  /** `good_to_ping`: false if `key` was asked within the last 10 s; else remembers it and says true. */
  goodToPing(key: Uint8Array, now: number): boolean {
    for (const e of this.#ring) {
      if (e.at + this.minPingTimeMs > now && sameKey(e.key, key)) return false;
    }
    this.#ring[this.#next % this.capacity] = { key: key.slice(), at: now };
    this.#next = (this.#next + 1) % this.capacity;
    return true;
  }
}

/**
 * The nodes of an announce response worth asking (`client_ping_nodes`): LAN addresses only
 * when the response itself came from a LAN address; then those the list wants and that were
 * not asked in the last 10 s.
 */
export function nodesToAsk(list: OnionNodeList, pinged: LastPinged, nodes: readonly PackedNode[], source: IpPort | undefined, now: number): PackedNode[] {
  const lanAccepted = source !== undefined && isLanAddress(source.host);
  const out: PackedNode[] = [];
  for (const node of nodes) {
    if (!lanAccepted && isLanAddress(node.ipPort.host)) continue;
    if (list.wants(node.publicKey, now) && pinged.goodToPing(node.publicKey, now)) out.push(node);
  }
  return out;
}
