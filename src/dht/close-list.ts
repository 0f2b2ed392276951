/**
 * The close list: the nodes around our own DHT key, in buckets by how many leading bits
 * their key shares with ours (c-toxcore's `close_clientlist`, `LCLIENT_LENGTH` buckets of
 * `LCLIENT_NODES`). A node enters only by answering us, and only into a bucket with a free
 * slot or a bad one; a good node is never pushed out by a newcomer, however close.
 *
 * @see spec/dht.md#close-list
 * @module
 */
import type { IpPort, PackedNode } from '../wire/index.ts';
import { BAD_NODE_TIMEOUT_MS, KILL_NODE_TIMEOUT_MS, LCLIENT_LENGTH, LCLIENT_NODES } from './config.ts';
import { DhtError } from './errors.ts';
import { checkKey, commonPrefixBits, compareDistance, insertByDistance, keysEqual } from './distance.ts';
import { isLanAddress } from './lan.ts';
import {
  type ClientEntry, type ClosestOptions, ClientIndex, type MutableClientEntry, checkCount, checkHeard, checkIpPort,
  isAlive, isGood, isGoodAt, lastHeardOf, normalizeIpPort, pickAssoc, toPackedNode,
} from './client-entry.ts';

/** Shape of a {@link CloseList}; every field has c-toxcore's value by default. */
export interface CloseListOptions {
  /** `LCLIENT_LENGTH` (128): buckets; keys sharing more bits with ours all go to the last. */
  readonly bucketCount?: number;
  /** `LCLIENT_NODES` (8): nodes per bucket. */
  readonly bucketSize?: number;
  /** `BAD_NODE_TIMEOUT` (122 s). */
  readonly badTimeoutMs?: number;
  /** `KILL_NODE_TIMEOUT` (182 s). */
  readonly killTimeoutMs?: number;
  /**
   * When a bucket is full of good nodes, let a node closer to us than the farthest of them
   * take its slot (toxlink's own, default true). c-toxcore never pushes a good node out, so
   * a full bucket can keep our truly nearest neighbours out for good.
   */
  readonly preferCloser?: boolean;
}

/** Our own address as other nodes see it, from their nodes responses (`ipport_self_copy`). */
export interface ReportedSelf {
  readonly ipPort: IpPort;
  /** Whether it is a LAN address (only LAN addresses were reported). */
  readonly lan: boolean;
}

function checkOption(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DhtError('bad-argument', `${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** The nodes closest to our own key, in buckets by common prefix length. */
export class CloseList {
  readonly selfPublicKey: Uint8Array;
  readonly bucketCount: number;
  readonly bucketSize: number;
  readonly badTimeoutMs: number;
  readonly killTimeoutMs: number;
  readonly preferCloser: boolean;
  readonly #buckets: MutableClientEntry[][];
  readonly #index = new ClientIndex();

  constructor(selfPublicKey: Uint8Array, options: CloseListOptions = {}) {
    checkKey(selfPublicKey, 'our public key');
    this.selfPublicKey = Uint8Array.from(selfPublicKey);
    this.bucketCount = checkOption('bucketCount', options.bucketCount ?? LCLIENT_LENGTH, 1, 256);
    this.bucketSize = checkOption('bucketSize', options.bucketSize ?? LCLIENT_NODES, 1, 1 << 20);
    this.badTimeoutMs = checkOption('badTimeoutMs', options.badTimeoutMs ?? BAD_NODE_TIMEOUT_MS, 1, Number.MAX_SAFE_INTEGER);
    this.killTimeoutMs = checkOption('killTimeoutMs', options.killTimeoutMs ?? KILL_NODE_TIMEOUT_MS, this.badTimeoutMs, Number.MAX_SAFE_INTEGER);
    this.preferCloser = options.preferCloser ?? true;
    this.#buckets = Array.from({ length: this.bucketCount }, () => []);
  }

  /**
   * The bucket `publicKey` belongs in: the number of leading bits it shares with our key,
   * capped at `bucketCount - 1` (`add_to_close`).
   */
  bucketIndex(publicKey: Uint8Array): number {
    return Math.min(commonPrefixBits(publicKey, this.selfPublicKey), this.bucketCount - 1);
  }

  /** The entries of bucket `index`, in no particular order. */
  bucket(index: number): readonly ClientEntry[] {
    checkOption('index', index, 0, this.bucketCount - 1);
    return this.#buckets[index]!;
  }

  /**
   * A node answered us (a nodes response or a ping response) from `ipPort`. A node in the
   * list takes the new address and time (`update_client`); a new one goes into its bucket
   * if the bucket has a free slot or a bad one, the stalest bad one giving way
   * (`add_to_close`). An entry holding `ipPort` under another key loses that address.
   * Our own key is never added. Returns whether the node is (now) in the list.
   */
  heard(publicKey: Uint8Array, ipPort: IpPort, now: number): boolean {
    const at = checkHeard(publicKey, ipPort);
    if (keysEqual(publicKey, this.selfPublicKey)) return false;
    const known = this.#index.get(publicKey);
    if (known) {
      this.#drop(this.#index.refresh(known, at, now));
      return true;
    }
    this.#drop(this.#index.release(at));
    const bucket = this.#buckets[this.bucketIndex(publicKey)]!;
    const slot = this.#freeSlot(bucket, publicKey, now);
    if (slot < 0) return false;
    if (slot < bucket.length) this.#index.remove(bucket[slot]!);
    bucket[slot] = this.#index.insert(publicKey, at, now);
    return true;
  }

  /**
   * Whether `publicKey`'s bucket has a free or bad slot, so that the node would be added
   * if it answered (c-toxcore's `add_to_close` dry run, `node_addable_to_close_list`).
   * Like c-toxcore it does not look at whether the key is already in the list; see
   * {@link hasGood}. False for our own key.
   */
  wouldAdd(publicKey: Uint8Array, now: number): boolean {
    checkKey(publicKey);
    if (keysEqual(publicKey, this.selfPublicKey)) return false;
    return this.#freeSlot(this.#buckets[this.bucketIndex(publicKey)]!, publicKey, now) >= 0;
  }

  /**
   * Whether `publicKey` is in the list with a good association for `ipPort`'s family
   * (`is_pk_in_close_list`); with `sameAddress`, also at exactly `ipPort` (ping.c's `in_list`).
   */
  hasGood(publicKey: Uint8Array, ipPort: IpPort, now: number, sameAddress = false): boolean {
    checkIpPort(ipPort);
    const entry = this.get(publicKey);
    return entry !== undefined && isGoodAt(entry, normalizeIpPort(ipPort), now, this.badTimeoutMs, sameAddress);
  }

  get(publicKey: Uint8Array): ClientEntry | undefined {
    checkKey(publicKey);
    return this.#index.get(publicKey);
  }

  /** Forgets `publicKey`; returns whether it was in the list. */
  remove(publicKey: Uint8Array): boolean {
    const entry = this.#index.get(publicKey);
    if (!entry) return false;
    this.#drop(entry);
    return true;
  }

  /**
   * The node `reporterKey` said, in a nodes response, that our own key is at
   * `reportedIpPort` (`returnedip_ports` for our key): recorded in the reporter's
   * association of that family as `retIpPort` with `retIsSelf`. False when the reporter
   * is not in the list or we know no address of that family for it.
   */
  reported(reporterKey: Uint8Array, reportedIpPort: IpPort, now: number): boolean {
    checkKey(reporterKey);
    checkIpPort(reportedIpPort);
    return this.#index.report(reporterKey, reportedIpPort, now, true);
  }

  /**
   * Our address as the nodes of the list reported it, a non-LAN one if any
   * (`ipport_self_copy`), else undefined.
   */
  reportedSelf(): ReportedSelf | undefined {
    let lanHit: ReportedSelf | undefined;
    for (const entry of this.#index.values()) {
      for (const assoc of [entry.v4, entry.v6]) {
        if (!assoc?.retIsSelf || !assoc.retIpPort) continue;
        const hit = { ipPort: assoc.retIpPort, lan: isLanAddress(assoc.retIpPort.host) };
        if (!hit.lan) return hit;
        lanHit ??= hit;
      }
    }
    return lanHit;
  }

  /**
   * Up to `n` nodes closest to `target`, closest first (`get_close_nodes` over this list):
   * only good associations, LAN addresses only with `includeLan`, one address per node
   * (see {@link pickAssoc}).
   */
  closest(target: Uint8Array, n: number, now: number, options: ClosestOptions = {}): PackedNode[] {
    checkKey(target, 'target');
    checkCount(n);
    const out: PackedNode[] = [];
    if (n === 0) return out;
    for (const entry of this.#index.values()) {
      // Skip, before allocating, an entry farther than the n-th found so far.
      if (out.length === n && compareDistance(target, entry.publicKey, out[n - 1]!.publicKey) >= 0) continue;
      const assoc = pickAssoc(entry, now, this.badTimeoutMs, options);
      if (assoc) insertByDistance(target, out, toPackedNode(entry, assoc), n);
    }
    return out;
  }

  /** Entries heard within `killTimeoutMs` on either family: those the periodic getnodes goes to. */
  alive(now: number): ClientEntry[] {
    return [...this.#index.values()].filter((e) => isAlive(e, now, this.killTimeoutMs));
  }

  /** Whether any node is good (`dht_isconnected`). */
  isConnected(now: number): boolean {
    for (const entry of this.#index.values()) if (isGood(entry, now, this.badTimeoutMs)) return true;
    return false;
  }

  /** Whether any node is good at a non-LAN address (`dht_non_lan_connected`). */
  isNonLanConnected(now: number): boolean {
    for (const entry of this.#index.values()) {
      for (const assoc of [entry.v4, entry.v6]) {
        if (assoc && !assoc.lan && now < assoc.lastHeard + this.badTimeoutMs) return true;
      }
    }
    return false;
  }

  /**
   * When every node is past `killTimeoutMs` we would never ping anyone again; c-toxcore's
   * `do_Close` then marks every association heard as bad but not killed, so the next round
   * pings them all. Does nothing while any node is alive. Returns how many associations
   * were revived.
   */
  reviveAll(now: number): number {
    if (this.alive(now).length > 0) return 0;
    let revived = 0;
    for (const entry of this.#index.values()) {
      for (const assoc of [entry.v4, entry.v6]) {
        if (!assoc) continue;
        assoc.lastHeard = now - this.badTimeoutMs;
        revived++;
      }
    }
    return revived;
  }

  get size(): number {
    return this.#index.size;
  }

  entries(): IterableIterator<ClientEntry> {
    return this.#index.values();
  }

  /**
   * The slot of `bucket` that `publicKey` may take: a free one, else the stalest bad one,
   * else (with `preferCloser`) the good one farthest from us if `publicKey` is closer to us
   * than it; -1 if none.
   */
  #freeSlot(bucket: readonly MutableClientEntry[], publicKey: Uint8Array, now: number): number {
    if (bucket.length < this.bucketSize) return bucket.length;
    let slot = -1;
    let stalest = Number.POSITIVE_INFINITY;
    bucket.forEach((entry, i) => {
      if (isGood(entry, now, this.badTimeoutMs)) return;
      const heard = lastHeardOf(entry);
      if (heard < stalest) { stalest = heard; slot = i; }
    });
    if (slot >= 0 || !this.preferCloser) return slot;
    let farthest = 0;
    for (let i = 1; i < bucket.length; i++) {
      if (compareDistance(this.selfPublicKey, bucket[i]!.publicKey, bucket[farthest]!.publicKey) > 0) farthest = i;
    }
    return compareDistance(this.selfPublicKey, publicKey, bucket[farthest]!.publicKey) < 0 ? farthest : -1;
  }

  /** Removes an entry that lost its last address (or is removed) from its bucket and the index. */
  #drop(entry: MutableClientEntry | undefined): void {
    if (!entry) return;
    const bucket = this.#buckets[this.bucketIndex(entry.publicKey)]!;
    const i = bucket.indexOf(entry);
    if (i >= 0) bucket.splice(i, 1);
    this.#index.remove(entry);
  }
}
