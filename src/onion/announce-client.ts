/**
 * Announcing ourselves (c-toxcore 0.2.18's `do_announce`, the self half of
 * `client_add_to_list` and `client_ping_nodes`, and `onion_isconnected`): keep our real key
 * announced, with our data key, at the 12 nodes closest to it that answer.
 *
 * Each round (once a second, from 3 s after the start):
 *
 * - a node new to the list waits one round;
 * - a node is asked every 3 s until it says it stores us, then every 15 s over the path
 *   that answered, then every 120 s once node and path have lived 90 s without trouble;
 *   and if no request went out for 15 s, every node is due;
 * - a node that missed 3 responses and 15 s is dead; a node known 90 s or more gets its last
 *   chance over a random path;
 * - when 6 or fewer nodes are alive, or every 600 s while the list is not full, 6 requests go
 *   to random path nodes (bootstrap nodes if no path node is known yet).
 *
 * Nodes named in responses are asked if they would be among the closest.
 *
 * During toxlink's fast start ({@link FastAnnounce}, rounds every 250 ms) a node that does
 * not store us yet is asked every second instead of every 3 s, and the refill goes out at
 * most once a second, as it does at c-toxcore's pace.
 *
 * @see spec/onion.md#announcing-ourselves
 * @see spec/onion.md#fast-start
 * @module
 */
import type { IpPort, PackedNode } from '../wire/index.ts';
import type { OnionClientConfig } from './client-config.ts';
import { type OnionNodeEntry, LastPinged, OnionNodeList, nodeTimedOut, nodesToAsk } from './onion-node-list.ts';
import type { OnionPaths, PathNodeStore } from './onion-paths.ts';
import type { PathNode } from './onion-request.ts';
import { AnnounceStatus } from './announce-response.ts';

/**
 * Sends one announce request (`client_send_announce_request`) to `node`, with `pingId`
 * (zeros if undefined) over the path numbered `pathNum` (a random path if undefined).
 * True if it went out.
 */
export type AnnounceSend = (node: PathNode, pingId: Uint8Array | undefined, pathNum: number | undefined) => boolean;

/** The fast start's settings for one round of {@link AnnounceClient.tick}. */
export interface FastAnnounce {
  /** How often a node that does not store us yet is asked, ms (instead of 3 s). */
  readonly intervalMs: number;
  /** The least time between two refills from path nodes, ms. */
  readonly populateSpacingMs: number;
}

/** What an {@link AnnounceClient} is built with. */
export interface AnnounceClientOptions {
  readonly config: OnionClientConfig;
  /** Our real public key: the list's reference. */
  readonly realPublicKey: Uint8Array;
  /** Our data public key: a status 1 carrying it counts as stored. */
  readonly dataPublicKey: Uint8Array;
  readonly store: PathNodeStore;
  /** The self-announce paths. */
  readonly paths: OnionPaths;
  readonly send: AnnounceSend;
  /** Uniform integer in `[0, n)`. */
  readonly randomInt: (n: number) => number;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Our announcement at the nodes closest to our real key. */
export class AnnounceClient {
  readonly list: OnionNodeList;
  readonly #o: AnnounceClientOptions;
  readonly #pinged: LastPinged;
  #lastAnnounce = -Infinity;
  #lastPopulated = -Infinity;
  #lastPopulateSent = -Infinity;

  constructor(options: AnnounceClientOptions) {
    this.#o = options;
    const c = options.config;
    this.list = new OnionNodeList(options.realPublicKey, c.maxAnnounceNodes, c);
    this.#pinged = new LastPinged(c.maxStoredPingedNodes, c.minNodePingTimeMs);
  }

  /** One round of `do_announce`; `fast` during the fast start. */
  tick(now: number, fast?: FastAnnounce): void {
    const c = this.#o.config;
    let count = 0;
    for (const node of this.list.entries()) {
      if (nodeTimedOut(node, now, c)) continue;
      count++;
      // Don't announce ourselves the first round a node is in the list.
      if (node.lastPinged === undefined) {
        node.lastPinged = -Infinity;
        continue;
      }
      if (node.pingsSinceLastResponse >= c.nodeMaxPings) continue;
      const interval = this.interval(node, now, fast);
      if (node.lastPinged + interval <= now || this.#lastAnnounce + c.nodePingIntervalMs <= now) {
        let pathNum = node.pathUsed;
        // Last chance for a long-lived node: try a random path.
        if (node.pingsSinceLastResponse === c.nodeMaxPings - 1 && node.addedTime + c.timeToStableMs <= now) pathNum = undefined;
        if (this.#o.send(node, node.pingId, pathNum)) {
          node.lastPinged = now;
          node.pingsSinceLastResponse++;
          this.#lastAnnounce = now;
        }
      }
    }
    if (count === c.maxAnnounceNodes) {
      this.#lastPopulated = now;
      return;
    }
    if (count <= Math.floor(c.maxAnnounceNodes / 2) || this.#lastPopulated + c.announcePopulateTimeoutMs <= now) {
      if (fast !== undefined && this.#lastPopulateSent + fast.populateSpacingMs > now) return;
      const store = this.#o.store;
      const from = store.added === 0 ? store.bootstrapNodes() : store.nodes();
      if (from.length === 0) return;
      this.#lastPopulateSent = now;
      for (let i = 0; i < Math.floor(c.maxAnnounceNodes / 2); i++) {
        this.#o.send(from[this.#o.randomInt(from.length)]!, undefined, undefined);
      }
    }
  }

  /**
   * How often `node` is asked: 3 s until it stores us; 15 s once it does over a live path;
   * 120 s once node and path are 90 s old and neither is failing. During the fast start
   * (`fast`), the first is `fast.intervalMs`.
   */
  interval(node: OnionNodeEntry, now: number, fast?: FastAnnounce): number {
    const c = this.#o.config;
    const paths = this.#o.paths;
    if (node.isStored === 0 || !paths.exists(node.pathUsed, now)) {
      return fast === undefined ? c.announceIntervalNotAnnouncedMs : Math.min(fast.intervalMs, c.announceIntervalNotAnnouncedMs);
    }
    const path = paths.state(node.pathUsed!)!;
    const stable = node.addedTime + c.timeToStableMs <= now
      && !(node.pingsSinceLastResponse > 0 && node.lastPinged !== undefined && node.lastPinged + c.nodeTimeoutMs <= now)
      && path.created + c.timeToStableMs <= now
      && !(path.usedTimes > 0 && path.lastUsed + c.pathTimeoutMs <= now);
    return stable ? c.announceIntervalStableMs : c.nodePingIntervalMs;
  }

  /**
   * An announce response to a self-announce (`client_add_to_list`, `client_ping_nodes`):
   * status 1 with a key other than our data key counts as 0. `nodes` are asked if they
   * would be among the closest; `source` (where the response came from; undefined through
   * a TCP relay) decides whether LAN addresses are taken.
   */
  onResponse(node: PathNode, isStored: number, pingIdOrKey: Uint8Array, pathUsed: number | undefined,
    nodes: readonly PackedNode[], source: IpPort | undefined, now: number): void {
    let status = isStored;
    if (status === AnnounceStatus.FOUND && !sameKey(pingIdOrKey, this.#o.dataPublicKey)) status = AnnounceStatus.NOT_STORED;
    // A node taken into the list becomes a path node too (`client_add_to_list`).
    if (this.list.add(node, status, pingIdOrKey, pathUsed, now)) this.#o.store.add(node);
    for (const n of nodesToAsk(this.list, this.#pinged, nodes, source, now)) this.#o.send(n, undefined, undefined);
  }

  /**
   * `onion_isconnected`: a response within 75 s, at least half of the alive announce nodes
   * store us, and the alive nodes are at least half of min(path nodes ever added, 12). When
   * not, the list counts as unpopulated, so that the next round refills it.
   */
  isConnected(lastPacketReceived: number, now: number): boolean {
    const c = this.#o.config;
    if (lastPacketReceived + c.offlineTimeoutMs <= now || this.#o.store.added === 0) {
      this.#lastPopulated = -Infinity;
      return false;
    }
    const alive = this.list.alive(now);
    const num = alive.length;
    const announced = alive.filter((e) => e.isStored !== 0).length;
    const pnodes = Math.min(this.#o.store.added, c.maxAnnounceNodes);
    if (num !== 0 && announced !== 0 && Math.floor(num / 2) <= announced && Math.floor(pnodes / 2) <= num) return true;
    this.#lastPopulated = -Infinity;
    return false;
  }

  /** Alive announce nodes, and how many of them store us. */
  counts(now: number): { alive: number; stored: number } {
    const alive = this.list.alive(now);
    return { alive: alive.length, stored: alive.filter((e) => e.isStored !== 0).length };
  }
}
