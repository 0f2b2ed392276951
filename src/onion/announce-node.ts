/**
 * The announce node: what every node does as the destination of onion requests. It
 * answers announce requests (0x83, and 0x87 sent straight to it) with a status, a ping id or
 * a data key, and the nodes it knows closest to the searched key; it stores the
 * announcements whose ping id proves the announcer hears its answers; and it passes onion
 * data requests (0x85) down the stored return path of the key they are for
 * (`onion_announce.c`).
 *
 * Ping ids cost no state: they are HMACs of the sender's key, hop 3's address and the time
 * window, under a key made at start (as `announcePingId` makes them).
 *
 * @see spec/onion.md#the-announce-node
 * @module
 */
import { type KeyPair, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { type SharedKeyCache, isLanAddress } from '../dht/index.ts';
import type { Clock } from '../io/index.ts';
import type { IpPort, PackedNode } from '../wire/index.ts';
import { decodeAnnounceRequest, openAnnounceRequest } from './announce-request.ts';
import { AnnounceStatus, encodeAnnounceResponse } from './announce-response.ts';
import { type AnnounceEntry, AnnounceStore } from './announce-store.ts';
import type { OnionNodeConfig } from './node-config.ts';
import type { OnionNodeStats } from './node-stats.ts';
import { decodeOnionDataRequest, encodeOnionDataResponse } from './onion-data.ts';
import { encodeOnionResponse } from './onion-response.ts';
import { ANNOUNCE_MAX_NODES } from './packet-sizes.ts';
import { HMAC_KEY_SIZE, announcePingIdData, checkTimedAuth, timedAuth } from './ping-id.ts';
import type { OnionSend } from './onion-hop.ts';

/**
 * The DHT's good nodes closest to a key, up to `n` (`DhtNode.closeNodes` fits): the announce
 * node hands the 4 closest to the searched key to every asker.
 */
export type CloseNodesSource = (key: Uint8Array, n: number) => PackedNode[];

/** What an {@link AnnounceNode} is built from. */
export interface AnnounceNodeOptions {
  readonly clock: Clock;
  readonly send: OnionSend;
  readonly config: OnionNodeConfig;
  readonly stats: OnionNodeStats;
  /** The node's DHT key pair: announce requests are sealed to it, and the store is sorted by it. */
  readonly dhtKeyPair: KeyPair;
  /** Shared keys with the senders of announce requests. */
  readonly sharedKeys: SharedKeyCache;
  readonly closeNodes: CloseNodesSource;
  /** Random bytes: response nonces and the HMAC key. */
  readonly randomBytes: (n: number) => Uint8Array;
}

/**
 * How many nodes to ask the DHT for when LAN nodes must be left out of the answer: enough
 * that a few LAN neighbours do not leave it short.
 */
const WIDE_CLOSE_NODES = 4 * ANNOUNCE_MAX_NODES;

/** Answers announce requests and passes on data requests. */
export class AnnounceNode {
  readonly store: AnnounceStore;
  readonly #clock: Clock;
  readonly #send: OnionSend;
  readonly #config: OnionNodeConfig;
  readonly #stats: OnionNodeStats;
  readonly #sharedKeys: SharedKeyCache;
  readonly #closeNodes: CloseNodesSource;
  readonly #randomBytes: (n: number) => Uint8Array;
  readonly #hmacKey: Uint8Array;

  constructor(options: AnnounceNodeOptions) {
    this.#clock = options.clock;
    this.#send = options.send;
    this.#config = options.config;
    this.#stats = options.stats;
    this.#sharedKeys = options.sharedKeys;
    this.#closeNodes = options.closeNodes;
    this.#randomBytes = options.randomBytes;
    this.#hmacKey = this.#randomBytes(HMAC_KEY_SIZE);
    this.store = new AnnounceStore(options.dhtKeyPair.publicKey, {
      capacity: options.config.onionAnnounceMaxEntries, timeoutMs: options.config.onionAnnounceTimeoutMs,
    });
  }

  /** Whole seconds of our clock: the time ping ids are made and checked with. */
  #nowSeconds(): number {
    return Math.floor(this.#clock.now() / 1000);
  }

  /** The ping id this node gives `senderPublicKey` coming through `source` now. */
  pingId(senderPublicKey: Uint8Array, source: IpPort): Uint8Array {
    const data = announcePingIdData(senderPublicKey, source, this.#config.socketKind);
    return timedAuth(this.#hmacKey, this.#nowSeconds(), this.#config.pingIdTimeoutMs / 1000, data);
  }

  /** Whether `pingId` is one this node gave `senderPublicKey` at `source`, in this window or the one before. */
  checkPingId(senderPublicKey: Uint8Array, source: IpPort, pingId: Uint8Array): boolean {
    const data = announcePingIdData(senderPublicKey, source, this.#config.socketKind);
    return checkTimedAuth(this.#hmacKey, this.#nowSeconds(), this.#config.pingIdTimeoutMs / 1000, data, pingId);
  }

  /**
   * An announce request from hop 3 at `source` (`handle_announce_request_old`, and
   * `handle_announce_request` for 0x87; `handle_announce_request_common`). Exactly 354 bytes;
   * a box that opens. Stores the sender if its ping id is valid, then answers through the
   * request's return blob.
   */
  handleAnnounceRequest(data: Uint8Array, source: IpPort): void {
    const envelope = decodeAnnounceRequest(data);
    const now = this.#clock.now();
    const shared = this.#sharedKeys.get(envelope.senderPublicKey, now);
    if (shared === undefined) { this.#stats.drop('bad-key'); return; }
    const request = openAnnounceRequest(envelope, shared);
    if (request === undefined) { this.#stats.drop('bad-mac'); return; }
    this.#stats.received('announce-request');

    let entry: AnnounceEntry | undefined;
    if (this.checkPingId(envelope.senderPublicKey, source, request.pingId)) {
      entry = this.store.add(envelope.senderPublicKey, request.dataPublicKey, source, envelope.returnPath, now);
      if (entry === undefined) this.#stats.storeRefused++;
      else this.#stats.received('announce-stored');
    } else {
      entry = this.store.find(request.searchPublicKey, now);
    }

    let isStored: number;
    let pingIdOrKey: Uint8Array;
    if (entry === undefined) {
      isStored = AnnounceStatus.NOT_STORED;
      pingIdOrKey = this.pingId(envelope.senderPublicKey, source);
    } else if (sameKey(entry.publicKey, envelope.senderPublicKey)) {
      isStored = sameKey(entry.dataPublicKey, request.dataPublicKey) ? AnnounceStatus.STORED : AnnounceStatus.NOT_STORED;
      pingIdOrKey = this.pingId(envelope.senderPublicKey, source);
    } else {
      isStored = AnnounceStatus.FOUND;
      pingIdOrKey = entry.dataPublicKey.slice();
    }

    const nodes = this.#nodesFor(request.searchPublicKey, source);
    const response = encodeAnnounceResponse(envelope.format, shared, this.#randomBytes(NONCE_SIZE), request.sendback, {
      isStored, pingIdOrKey, nodes,
    });
    this.#send(source, encodeOnionResponse(envelope.returnPath, response));
  }

  /**
   * The nodes an answer carries: the DHT's 4 good nodes closest to `key`, UDP only, and
   * LAN addresses only to a requester on the LAN (`get_close_nodes(…, ip_is_lan(source))`).
   */
  #nodesFor(key: Uint8Array, source: IpPort): PackedNode[] {
    const lan = isLanAddress(source.host);
    const candidates = this.#closeNodes(key, lan ? ANNOUNCE_MAX_NODES : WIDE_CLOSE_NODES);
    const out: PackedNode[] = [];
    for (const node of candidates) {
      if (out.length >= ANNOUNCE_MAX_NODES) break;
      if (node.protocol !== 'udp' || node.publicKey.length !== PUBLIC_KEY_SIZE) continue;
      if (!lan && isLanAddress(node.ipPort.host)) continue;
      out.push(node);
    }
    return out;
  }

  /**
   * A data request (0x85) from hop 3 (`handle_data_request`): longer than 282 bytes, at most
   * 1400. If its key is announced here, the request less its id and key goes down the
   * announcement's return path as a 0x86, unopened; else it is dropped. The sender gets no
   * answer either way.
   */
  handleDataRequest(data: Uint8Array): void {
    const envelope = decodeOnionDataRequest(data);
    const entry = this.store.find(envelope.destinationRealPublicKey, this.#clock.now());
    if (entry === undefined) { this.#stats.drop('not-announced'); return; }
    this.#stats.received('data-request');
    this.#send(entry.returnAddress, encodeOnionResponse(entry.returnPath, encodeOnionDataResponse(envelope)));
  }

  /** Forgets the HMAC key (the node is closing). */
  wipe(): void {
    this.#hmacKey.fill(0);
  }
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
