/**
 * Searching for one friend (c-toxcore 0.2.18's `Onion_Friend` and the search half of
 * `do_friend`): ask the 8 nodes closest to the friend's real key, under a temporary key of
 * our own, whether the friend announced itself there, and keep those that say so with the
 * friend's data key — where onion data for the friend goes.
 *
 * While the friend is new (run count at most 5) each node is asked every 3 s; after that
 * every 2^min(12, run count − 2) s, at most 3600 s. Requests are spread out: at most one per
 * interval / 4 whole seconds across the friend's nodes. The run count grows every 4
 * requests, and starts again at 0 when the friend goes offline and when we are
 * onion-connected again after 10 s without. A new node waits a whole interval before its
 * first request. When 4 or fewer nodes are alive, or every 600 s while the list is not full,
 * 8 requests go to random path nodes.
 *
 * During toxlink's fast start ({@link FastSearch}) each node is asked every second, within a
 * budget of requests per round shared by all friends; these requests do not count towards
 * the run count, so c-toxcore's schedule starts afresh when the fast start ends. The refill
 * then goes out at most once a second, c-toxcore's pace.
 *
 * @see spec/onion.md#searching-for-friends
 * @see spec/onion.md#fast-start
 * @module
 */
import { type KeyPair, generateKeyPair, precompute } from '../crypto/index.ts';
import type { IpPort, PackedNode } from '../wire/index.ts';
import { SharedKeyCache } from '../dht/index.ts';
import type { OnionClientConfig } from './client-config.ts';
import type { AnnounceSend } from './announce-client.ts';
import { type OnionNodeEntry, LastPinged, OnionNodeList, nodeTimedOut, nodesToAsk } from './onion-node-list.ts';
import type { PathNodeStore } from './onion-paths.ts';
import type { PathNode } from './onion-request.ts';
import { AnnounceStatus } from './announce-response.ts';

/** The fast start's settings for one round of {@link FriendSearch.tick}, shared by every friend of the round. */
export interface FastSearch {
  /** How often each search node is asked, ms (instead of 3 s). */
  readonly intervalMs: number;
  /** The least time between two refills from path nodes, ms. */
  readonly populateSpacingMs: number;
  /** Requests on the short interval still allowed this round, across all friends; each one spends one. */
  budget: number;
}

/**
 * Nodes whose shared key a friend's search keeps (16): the friend's list holds up to 8, and
 * the random path nodes a sparse list is filled from come and go.
 */
const SEARCH_SHARED_KEYS = 16;

/** The search for one friend, and what the client knows of the friend. */
export class FriendSearch {
  readonly realPublicKey: Uint8Array;
  /** The temporary key pair our search requests for this friend are sealed with (`temp_public_key`). */
  readonly tempKeyPair: KeyPair;
  /** DH(friend's real key, our real secret key): the inner box of onion data, both ways. */
  readonly realSharedKey: Uint8Array | undefined;
  readonly list: OnionNodeList;
  /** Whether the friend is connected by other means: no search, no DHT key announcements. */
  isOnline = false;
  /** The friend's DHT key, once known (`know_dht_public_key`). */
  dhtPublicKey: Uint8Array | undefined;
  /** The no-replay number of the last DHT key announcement taken from the friend (`last_noreplay`). */
  lastNoReplay = 0n;
  lastDhtPkOnionSent = -Infinity;
  lastDhtPkDhtSent = -Infinity;
  /** DHT key announcements sent at once on finding the friend, this offline period (toxlink's fast start). */
  dhtPkSentOnFind = 0;
  /** `run_count`: rounds of 4 requests since the friend went offline. */
  runCount = 0;
  /** `pings`: requests sent, ever. */
  pings = 0;
  #lastPopulated = -Infinity;
  #lastPopulateSent = -Infinity;
  #timeLastPinged = -Infinity;
  readonly #pinged: LastPinged;
  #sharedKeys: SharedKeyCache | undefined;

  /**
   * Shared keys of {@link tempKeyPair} with the nodes searched for this friend: each search
   * request is sealed to its node with one, and working one out is an X25519 multiplication
   * (about 0.1 ms with libsodium-wrappers). Made at the first request; at most
   * `SEARCH_SHARED_KEYS` (16) nodes.
   */
  get sharedKeys(): SharedKeyCache {
    return (this.#sharedKeys ??= new SharedKeyCache(this.tempKeyPair.secretKey, { capacity: SEARCH_SHARED_KEYS }));
  }

  /** Shared keys worked out for this search so far (each an X25519; the rest came from {@link sharedKeys}). */
  get sharedKeysWorkedOut(): number {
    return this.#sharedKeys?.misses ?? 0;
  }

  /** Shared keys taken from {@link sharedKeys} without working them out. */
  get sharedKeysReused(): number {
    return this.#sharedKeys?.hits ?? 0;
  }

  constructor(realPublicKey: Uint8Array, ourRealSecretKey: Uint8Array, private readonly config: OnionClientConfig, tempKeyPair?: KeyPair) {
    this.realPublicKey = realPublicKey.slice();
    this.tempKeyPair = tempKeyPair ?? generateKeyPair();
    this.realSharedKey = precompute(realPublicKey, ourRealSecretKey);
    this.list = new OnionNodeList(this.realPublicKey, config.maxFriendNodes, config);
    this.#pinged = new LastPinged(config.maxStoredPingedNodes, config.minNodePingTimeMs);
  }

  /** Whether the run count still makes the friend new (asked every 3 s). */
  get isNew(): boolean {
    return this.runCount <= this.config.friendRunCountBeginning;
  }

  /** How often each node is asked now, ms: 3 s while new, then 2^min(12, run count − 2) s, at most 3600 s. */
  get interval(): number {
    const c = this.config;
    if (this.isNew) return c.friendNewIntervalMs;
    const exponent = Math.min(c.maxRunCountExponent, this.runCount - 2);
    return Math.min(2 ** exponent * 1000, c.friendMaxIntervalMs);
  }

  /**
   * The least time between two requests of this friend's search, ms: interval / 4 in whole
   * seconds, as c-toxcore divides integers (0 while new: 3 / 4 is 0).
   */
  get spacing(): number {
    const quarter = Math.floor(this.config.maxFriendNodes / 2);
    return Math.floor(this.interval / 1000 / quarter) * 1000;
  }

  /** The friend went online or offline (`onion_set_friend_online`): offline starts the run count and no-replay number again. */
  setOnline(online: boolean): void {
    this.isOnline = online;
    if (!online) {
      this.lastNoReplay = 0n;
      this.runCount = 0;
      this.dhtPkSentOnFind = 0;
    }
  }

  /**
   * One round of the search (`do_friend` after its DHT key sends): ask the nodes that are
   * due, then refill from path nodes if too few are alive. Does nothing while the friend is
   * online. `send` sends one search request (over a random friend path); `fast` during the
   * fast start.
   */
  tick(now: number, send: AnnounceSend, store: PathNodeStore, randomInt: (n: number) => number, fast?: FastSearch): void {
    if (this.isOnline) return;
    const c = this.config;
    const isNew = this.isNew;
    let count = 0;
    for (const node of this.list.entries()) {
      if (nodeTimedOut(node, now, c)) continue;
      count++;
      // A new node is not asked at once.
      if (node.lastPinged === undefined) {
        node.lastPinged = now;
        continue;
      }
      if (node.pingsSinceLastResponse >= c.nodeMaxPings) continue;
      const quick = fast !== undefined && fast.budget > 0;
      if (!quick && this.#timeLastPinged + this.spacing > now) continue;
      if (node.lastPinged + (quick ? Math.min(fast.intervalMs, this.interval) : this.interval) > now) continue;
      if (send(node, undefined, undefined)) {
        node.lastPinged = now;
        this.#timeLastPinged = now;
        node.pingsSinceLastResponse++;
        if (quick) {
          fast.budget--;
        } else {
          this.pings++;
          if (this.pings % Math.floor(c.maxFriendNodes / 2) === 0) this.runCount++;
        }
      }
    }
    if (count === c.maxFriendNodes) {
      if (!isNew) this.#lastPopulated = now;
      return;
    }
    if (count <= Math.floor(c.maxFriendNodes / 2) || this.#lastPopulated + c.announcePopulateTimeoutMs <= now) {
      if (fast !== undefined && this.#lastPopulateSent + fast.populateSpacingMs > now) return;
      const from = store.nodes();
      const n = Math.min(from.length, Math.floor(c.maxPathNodes / 4));
      if (n === 0) return;
      this.#lastPopulated = now;
      this.#lastPopulateSent = now;
      for (let i = 0; i < n; i++) send(from[randomInt(from.length)]!, undefined, undefined);
    }
  }

  /**
   * An announce response to one of our search requests (`client_add_to_list`,
   * `client_ping_nodes`). A status of 2 or more is refused whole (false), as 0.2.18 does.
   * Status 1 records the friend's data key at that node.
   */
  onResponse(node: PathNode, isStored: number, pingIdOrKey: Uint8Array, pathUsed: number | undefined,
    nodes: readonly PackedNode[], source: IpPort | undefined, store: PathNodeStore, send: AnnounceSend, now: number): boolean {
    if (isStored >= AnnounceStatus.STORED) return false;
    if (this.list.add(node, isStored, pingIdOrKey, pathUsed, now)) store.add(node);
    for (const n of nodesToAsk(this.list, this.#pinged, nodes, source, now)) send(n, undefined, undefined);
    return true;
  }

  /**
   * Where onion data for the friend goes (`send_onion_data`): the alive nodes that hold the
   * friend's announcement, if at least (alive − 1) / 4 + 1 of them do; else none.
   */
  dataNodes(now: number): OnionNodeEntry[] {
    const alive = this.list.alive(now);
    if (alive.length === 0) return [];
    const good = alive.filter((e) => e.isStored !== 0 && e.dataPublicKey !== undefined);
    return good.length < Math.floor((alive.length - 1) / 4) + 1 ? [] : good;
  }
}
