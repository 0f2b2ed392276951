/**
 * Friend search: for each key we look for (a "DHT friend": a friend's DHT key, or one of
 * the random keys searched for the onion's sake), the few nodes closest to it that have
 * answered us (c-toxcore's `DHT_Friend`, `MAX_FRIEND_CLIENTS` clients), and the table of
 * such keys, shared by reference count (`dht_addfriend` / `dht_delfriend` lock counts).
 *
 * @see spec/dht.md#friend-search
 * @module
 */
import type { IpPort, PackedNode } from '../wire/index.ts';
import { BAD_NODE_TIMEOUT_MS, DHT_FRIEND_MAX_LOCKS, KILL_NODE_TIMEOUT_MS, MAX_FRIEND_CLIENTS } from './config.ts';
import { MAX_SENT_NODES } from './packet-sizes.ts';
import { DhtError } from './errors.ts';
import { NearestNodes, checkKey, compareDistance, insertByDistance, keyString, keysEqual } from './distance.ts';
import {
  type ClientEntry, type ClosestOptions, ClientIndex, type MutableClientEntry, NEVER, checkCount, checkHeard, checkIpPort,
  isAlive, isAssocGood, isGood, isGoodAt, lastHeardOf, normalizeIpPort, pickAssoc, toPackedNode,
} from './client-entry.ts';

/** Shape of a {@link DhtFriendEntry}; c-toxcore's values by default. */
export interface DhtFriendOptions {
  /** `MAX_FRIEND_CLIENTS` (8): nodes kept. */
  readonly capacity?: number;
  /** `BAD_NODE_TIMEOUT` (122 s). */
  readonly badTimeoutMs?: number;
  /** `KILL_NODE_TIMEOUT` (182 s). */
  readonly killTimeoutMs?: number;
  /** `MAX_SENT_NODES` (4): length of {@link DhtFriendEntry.toBootstrap}. */
  readonly toBootstrapCapacity?: number;
}

/** Where nodes near a friend say the friend is (`friend_iplist`). */
export interface FriendReports {
  /** The friend itself is in its list with a good address: no need to punch. */
  readonly direct: boolean;
  /**
   * Addresses reported for the friend within `BAD_NODE_TIMEOUT`, one per reporting node,
   * of the family with more reports (IPv6 on a tie). Empty when `direct`.
   */
  readonly addresses: readonly IpPort[];
}

function checkPositive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new DhtError('bad-argument', `${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

/** One searched key and the nodes closest to it that answered us (`DHT_Friend`). */
export class DhtFriendEntry {
  /** The key searched for. */
  readonly publicKey: Uint8Array;
  readonly capacity: number;
  readonly badTimeoutMs: number;
  readonly killTimeoutMs: number;
  /** Random getnodes sent for this key so far (`bootstrap_times`); the first `MAX_BOOTSTRAP_TIMES` go out every round. */
  bootstrapTimes = 0;
  /** When the last random getnodes for this key went out (`lastgetnode`), ms; {@link NEVER} at first. */
  lastGetNode = NEVER;
  /** Nodes learned from nodes responses that would fit this list, to ask next round (`to_bootstrap`). */
  readonly toBootstrap: NearestNodes;
  readonly #index = new ClientIndex();
  /** @internal The table's count of lists holding each node ({@link DhtFriendTable.holders}), while in a table. */
  holders: Map<string, number> | undefined;

  constructor(publicKey: Uint8Array, capacity: number = MAX_FRIEND_CLIENTS, options: DhtFriendOptions = {}) {
    checkKey(publicKey, 'searched key');
    this.publicKey = Uint8Array.from(publicKey);
    this.capacity = checkPositive('capacity', options.capacity ?? capacity);
    this.badTimeoutMs = checkPositive('badTimeoutMs', options.badTimeoutMs ?? BAD_NODE_TIMEOUT_MS);
    this.killTimeoutMs = checkPositive('killTimeoutMs', options.killTimeoutMs ?? KILL_NODE_TIMEOUT_MS);
    this.toBootstrap = new NearestNodes(this.publicKey, checkPositive('toBootstrapCapacity', options.toBootstrapCapacity ?? MAX_SENT_NODES));
  }

  /**
   * A node answered us from `ipPort`. A node in the list takes the new address and time; a
   * new one goes in if there is room, else in place of the stalest bad node, else in place
   * of the good node farthest from {@link publicKey} if it is closer than that one
   * (`replace_all`). So the list holds the `capacity` closest good nodes heard. An entry
   * holding `ipPort` under another key loses that address. Returns whether the node is
   * (now) in the list. `key` is {@link keyString} of `nodeKey`, if the caller has it (one
   * node heard goes through every friend's list).
   */
  heard(nodeKey: Uint8Array, ipPort: IpPort, now: number, key?: string): boolean {
    return this.heardChecked(nodeKey, checkHeard(nodeKey, ipPort), now, key);
  }

  /**
   * @internal {@link heard} for a caller that checked `nodeKey` and normalised `at` already
   * (the DHT node, which hands one node heard to every friend's list).
   */
  heardChecked(nodeKey: Uint8Array, at: IpPort, now: number, key?: string): boolean {
    const known = this.#index.get(nodeKey, key);
    if (known) {
      this.#drop(this.#index.refresh(known, at, now));
      return true;
    }
    this.#drop(this.#index.release(at));
    const victim = this.#victim(nodeKey, now);
    if (victim === null) return false;
    this.#drop(victim);
    const entry = this.#index.insert(nodeKey, at, now);
    if (this.holders) this.holders.set(entry.key, (this.holders.get(entry.key) ?? 0) + 1);
    return true;
  }

  /**
   * Whether a node with `nodeKey` would be added if it answered: room, a bad node, or a
   * good node farther from the searched key (`store_node_ok` in
   * `ping_node_from_getnodes_ok`). Like c-toxcore it does not look at whether the key is
   * already in the list; see {@link hasGood}.
   */
  wouldAdd(nodeKey: Uint8Array, now: number): boolean {
    checkKey(nodeKey);
    return this.#victim(nodeKey, now) !== null;
  }

  /** Whether `nodeKey` is in the list with a good association for `ipPort`'s family (`is_pk_in_client_list`). */
  hasGood(nodeKey: Uint8Array, ipPort: IpPort, now: number, sameAddress = false): boolean {
    checkIpPort(ipPort);
    const entry = this.get(nodeKey);
    return entry !== undefined && isGoodAt(entry, normalizeIpPort(ipPort), now, this.badTimeoutMs, sameAddress);
  }

  /** The entry of `nodeKey`; `key` is its {@link keyString}, if the caller has it. */
  get(nodeKey: Uint8Array, key?: string): ClientEntry | undefined {
    checkKey(nodeKey);
    return this.#index.get(nodeKey, key);
  }

  /** The nodes in the list, in no particular order. */
  clients(): ClientEntry[] {
    return [...this.#index.values()];
  }

  /** The nodes in the list, in the order of {@link clients}, without a copy: do not change the list while walking it. */
  entries(): IterableIterator<ClientEntry> {
    return this.#index.values();
  }

  /** Entries heard within `killTimeoutMs`: those the periodic getnodes goes to. */
  alive(now: number): ClientEntry[] {
    return this.clients().filter((e) => isAlive(e, now, this.killTimeoutMs));
  }

  /** Up to `n` good nodes of this list closest to `target`, closest first (`get_close_nodes_inner`). */
  closest(target: Uint8Array, n: number, now: number, options: ClosestOptions = {}): PackedNode[] {
    checkKey(target, 'target');
    checkCount(n);
    const out: PackedNode[] = [];
    if (n === 0) return out;
    for (const entry of this.#index.values()) {
      const assoc = pickAssoc(entry, now, this.badTimeoutMs, options);
      if (assoc) insertByDistance(target, out, toPackedNode(entry, assoc), n);
    }
    return out;
  }

  /**
   * Merges this list's good nodes into `out` (kept closest first, at most `n`), skipping the
   * keys in `seen` ({@link keyString}s: the excluded key and those merged before, which it
   * grows): {@link closest} without its arrays, for a search that walks every friend's list
   * (`get_somewhat_close_nodes`), where the same few nodes are in most lists.
   */
  mergeClosest(out: PackedNode[], seen: Set<string>, target: Uint8Array, n: number, now: number, includeLan: boolean): void {
    const options = { includeLan };
    for (const entry of this.#index.values()) {
      if (seen.has(entry.key)) continue;
      const assoc = pickAssoc(entry, now, this.badTimeoutMs, options);
      // Once out of `out`, a key never comes back (n closer ones stay), so seen may keep it.
      if (assoc && insertByDistance(target, out, toPackedNode(entry, assoc), n)) seen.add(entry.key);
    }
  }

  /**
   * The node `reporterKey` said, in a nodes response, that the searched key is at
   * `reportedIpPort` (`returnedip_ports`): recorded as the reporter's `retIpPort` for that
   * family. False when the reporter is not in this list or has no association of that family.
   */
  reported(reporterKey: Uint8Array, reportedIpPort: IpPort, now: number): boolean {
    checkKey(reporterKey);
    checkIpPort(reportedIpPort);
    return this.#index.report(reporterKey, reportedIpPort, now, false);
  }

  /** Where the nodes near the friend say it is, for hole punching (`friend_iplist`). */
  reports(now: number): FriendReports {
    const v4: IpPort[] = [];
    const v6: IpPort[] = [];
    for (const entry of this.#index.values()) {
      if (entry.v4?.retIpPort && now < (entry.v4.retHeard ?? NEVER) + this.badTimeoutMs) v4.push(entry.v4.retIpPort);
      if (entry.v6?.retIpPort && now < (entry.v6.retHeard ?? NEVER) + this.badTimeoutMs) v6.push(entry.v6.retIpPort);
      if (keysEqual(entry.publicKey, this.publicKey) && isGood(entry, now, this.badTimeoutMs)) return { direct: true, addresses: [] };
    }
    return { direct: false, addresses: v6.length >= v4.length ? v6 : v4 };
  }

  /** The friend's own address if it answered us within `badTimeoutMs`, IPv6 first (`dht_getfriendip`). */
  directAddress(now: number): IpPort | undefined {
    const self = this.#index.get(this.publicKey);
    if (!self) return undefined;
    if (isAssocGood(self.v6, now, this.badTimeoutMs)) return self.v6!.ipPort;
    if (isAssocGood(self.v4, now, this.badTimeoutMs)) return self.v4!.ipPort;
    return undefined;
  }

  get size(): number {
    return this.#index.size;
  }

  /**
   * The entry a new node would replace: `undefined` for a free slot, the stalest bad one,
   * else the farthest good one if `nodeKey` is closer than it; `null` if none.
   */
  #victim(nodeKey: Uint8Array, now: number): MutableClientEntry | undefined | null {
    if (this.#index.size < this.capacity) return undefined;
    // Every node heard comes here for every list that does not hold it, and a full list
    // of good nodes mostly says no: its farthest good entry is kept while the entries stay
    // the same and all of them good.
    if (this.#farthest === undefined || this.#farthestVersion !== this.#index.version || now >= this.#allGoodUntil) {
      let bad: MutableClientEntry | undefined;
      let farthest: MutableClientEntry | undefined;
      let goodUntil = Infinity;
      for (const entry of this.#index.values()) {
        if (!isGood(entry, now, this.badTimeoutMs)) {
          if (!bad || lastHeardOf(entry) < lastHeardOf(bad)) bad = entry;
        } else {
          goodUntil = Math.min(goodUntil, lastHeardOf(entry) + this.badTimeoutMs);
          if (!farthest || compareDistance(this.publicKey, entry.publicKey, farthest.publicKey) > 0) farthest = entry;
        }
      }
      if (bad) {
        this.#farthest = undefined;
        return bad;
      }
      this.#farthest = farthest;
      this.#farthestVersion = this.#index.version;
      // Times only move forward while the version stays: an entry's good time can only grow.
      this.#allGoodUntil = goodUntil;
    }
    const farthest = this.#farthest;
    if (farthest && compareDistance(this.publicKey, nodeKey, farthest.publicKey) < 0) return farthest;
    return null;
  }

  /** {@link #victim}'s farthest good entry of a full list of good entries, while `#index.version` is `#farthestVersion` and the time before `#allGoodUntil`. */
  #farthest: MutableClientEntry | undefined;
  #farthestVersion = -1;
  #allGoodUntil = 0;

  /** @internal Its table forgot it: its nodes no longer count in the table's {@link holders}. */
  leaveTable(): void {
    const holders = this.holders;
    if (!holders) return;
    for (const entry of this.#index.values()) dropHolder(holders, entry.key);
    this.holders = undefined;
  }

  #drop(entry: MutableClientEntry | undefined): void {
    if (!entry) return;
    this.#index.remove(entry);
    if (this.holders) dropHolder(this.holders, entry.key);
  }
}

function dropHolder(holders: Map<string, number>, key: string): void {
  const n = holders.get(key) ?? 0;
  if (n <= 1) holders.delete(key);
  else holders.set(key, n - 1);
}

/** Shape of a {@link DhtFriendTable}. */
export interface DhtFriendTableOptions extends DhtFriendOptions {
  /** `DHT_FRIEND_MAX_LOCKS` (32): references one key may hold. */
  readonly maxLocks?: number;
}

/**
 * The searched keys, each shared by reference count: adding a key twice returns the same
 * entry (`dht_addfriend` takes a lock), and it goes away when the last reference is
 * removed. Entries iterate in the order they were added, so the random keys added at
 * start-up come first, as c-toxcore's `randfriends_nodes` expects.
 */
export class DhtFriendTable {
  readonly maxFriends: number;
  readonly maxLocks: number;
  readonly #options: DhtFriendOptions;
  readonly #friends = new Map<string, { entry: DhtFriendEntry; refs: number }>();
  /** The entries in order, rebuilt after a change: every node heard walks them all. */
  #entries: DhtFriendEntry[] | undefined;
  /** For each node ({@link keyString}) in at least one entry's list, how many lists hold it. */
  readonly #holders = new Map<string, number>();

  constructor(maxFriends: number, options: DhtFriendTableOptions = {}) {
    this.maxFriends = checkPositive('maxFriends', maxFriends);
    this.maxLocks = checkPositive('maxLocks', options.maxLocks ?? DHT_FRIEND_MAX_LOCKS);
    this.#options = options;
  }

  /**
   * Takes a reference to the search for `publicKey`, creating it if new. Throws a
   * {@link DhtError} `too-many-friends` when a new key would exceed `maxFriends`, and
   * `too-many-locks` when the key already holds `maxLocks` references.
   */
  add(publicKey: Uint8Array): DhtFriendEntry {
    checkKey(publicKey, 'searched key');
    const k = keyString(publicKey);
    const known = this.#friends.get(k);
    if (known) {
      if (known.refs >= this.maxLocks) {
        throw new DhtError('too-many-locks', `this key is already searched for by ${known.refs} users, the most allowed (DHT_FRIEND_MAX_LOCKS)`);
      }
      known.refs++;
      return known.entry;
    }
    if (this.#friends.size >= this.maxFriends) {
      throw new DhtError('too-many-friends', `already searching for ${this.#friends.size} keys, the most allowed (maxFriends); remove one first`);
    }
    const entry = new DhtFriendEntry(publicKey, this.#options.capacity ?? MAX_FRIEND_CLIENTS, this.#options);
    entry.holders = this.#holders;
    this.#friends.set(k, { entry, refs: 1 });
    this.#entries = undefined;
    return entry;
  }

  /** Drops one reference to `publicKey`'s search, ending it at the last; false if it was not searched. */
  remove(publicKey: Uint8Array): boolean {
    checkKey(publicKey, 'searched key');
    const k = keyString(publicKey);
    const known = this.#friends.get(k);
    if (!known) return false;
    if (--known.refs === 0) {
      this.#friends.delete(k);
      this.#entries = undefined;
      known.entry.leaveTable();
    }
    return true;
  }

  get(publicKey: Uint8Array): DhtFriendEntry | undefined {
    checkKey(publicKey, 'searched key');
    return this.#friends.get(keyString(publicKey))?.entry;
  }

  /** References held on `publicKey`'s search; 0 if it is not searched. */
  references(publicKey: Uint8Array): number {
    checkKey(publicKey, 'searched key');
    return this.#friends.get(keyString(publicKey))?.refs ?? 0;
  }

  /** The entries in the order added, as they were when called (one removed meanwhile is still visited). */
  values(): IterableIterator<DhtFriendEntry> {
    this.#entries ??= [...this.#friends.values()].map((f) => f.entry);
    return this.#entries.values();
  }

  /**
   * How many of the searched keys' lists hold the node whose {@link keyString} is `key`: the
   * reverse index that lets a node heard or learned skip the walk over every list when all
   * of them (or none) hold it.
   */
  holders(key: string): number {
    return this.#holders.get(key) ?? 0;
  }

  get size(): number {
    return this.#friends.size;
  }
}
