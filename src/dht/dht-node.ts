/**
 * The DHT node: a sans-IO state machine that c-toxcore nodes accept as one of their own.
 * It is handed datagrams ({@link DhtNode.receive}) and a clock, and sends through the
 * {@link DatagramSender} it was given. It answers pings and nodes requests, keeps a close
 * list of the nodes nearest its own key, searches for the keys it is asked to find, and
 * routes DHT requests (0x20) to their receiver.
 *
 * @see spec/dht.md#answering-other-nodes
 * @module
 */
import { type Address, type Clock, type Timer } from '../io/index.ts';
import { type KeyPair, generateKeyPair, randomBytes, randomNonce, randomUniform } from '../crypto/index.ts';
import { CryptoPacket, DecodeError, NetPacket, type IpPort, type PackedNode, unmapIpv4 } from '../wire/index.ts';
import { CloseList } from './close-list.ts';
import { type ClientEntry, checkHeard, ipPortsEqual as sameIpPort, isGood } from './client-entry.ts';
import { DhtFriendTable, type DhtFriendEntry } from './friend-list.ts';
import { PingArray } from './ping-array.ts';
import { SharedKeyCache } from './shared-key-cache.ts';
import { RateLimiter } from './rate-limit.ts';
import { isLanAddress } from './lan.ts';
import { VerifiedSources } from './verified.ts';
import { NearestNodes, insertByDistance, keysEqual as samePublicKey, keyString as keyId } from './distance.ts';
import { type DhtConfig, defaultDhtConfig, verifyDhtConfig } from './config.ts';
import { decodeDhtEnvelope, openDhtPacket } from './dht-packet.ts';
import { decodePingPlain, encodePing } from './ping-packet.ts';
import { decodeNodesRequestPlain, decodeNodesResponsePlain, encodeNodesRequest, encodeNodesResponse } from './nodes-packet.ts';
import { decodeDhtRequestHeader, encodeDhtRequest, openDhtRequest } from './dht-request.ts';
import { decodeNatPing, encodeNatPing } from './nat-ping.ts';
import type { PingKind } from './ping-packet.ts';
import { type NatState, commonHost, newNatState, portsAt, punchPorts } from './nat-punch.ts';
import { DHT_PING_SIZE, NODES_REQUEST_SIZE } from './packet-sizes.ts';
import { DhtStats, type DhtDropReason } from './stats.ts';
import { DhtEvents } from './events.ts';

/** Where the node's datagrams go: a bound UDP socket satisfies it. */
export interface DatagramSender {
  send(to: Address, data: Uint8Array): void;
}

/** Called with a DHT request (0x20) addressed to us, after it was opened. */
export type DhtRequestHandler = (payload: Uint8Array, senderPublicKey: Uint8Array, source: IpPort) => void;

/** What a {@link DhtNode} is built from. */
export interface DhtNodeOptions {
  readonly clock: Clock;
  readonly sender: DatagramSender;
  /** The DHT key pair; a fresh one by default (c-toxcore makes a new one at every start). */
  readonly keyPair?: KeyPair;
  /** Limits and timers; `defaultDhtConfig` for what is not given. */
  readonly config?: Partial<DhtConfig>;
  /**
   * Uniform integer in `[0, n)` for the node's random choices (which node to ask, which
   * node to route through). libsodium's CSPRNG by default; a simulation passes a seeded one.
   */
  readonly randomInt?: (n: number) => number;
}

/** When a list last sent its random getnodes, and how many it sent (`lastgetnode`, `bootstrap_times`). */
interface SearchState {
  lastGetNode: number;
  bootstrapTimes: number;
}

interface PendingNode {
  readonly publicKey: Uint8Array;
  readonly ipPort: IpPort;
}

/** A node of the Tox DHT. */
export class DhtNode {
  readonly publicKey: Uint8Array;
  readonly stats = new DhtStats();
  readonly events = new DhtEvents();
  readonly closeList: CloseList;

  private readonly secretKey: Uint8Array;
  private readonly clock: Clock;
  private readonly sender: DatagramSender;
  private readonly config: DhtConfig;
  private readonly randomInt: (n: number) => number;
  private readonly friends: DhtFriendTable;
  private readonly sharedKeys: SharedKeyCache;
  private readonly nodesRequests: PingArray<PendingNode>;
  private readonly pingRequests: PingArray<PendingNode>;
  private readonly limiter: RateLimiter;
  private readonly requestHandlers = new Map<number, DhtRequestHandler>();
  /** Nodes that sent us a request, to be pinged in the next batch (c-toxcore's `to_ping`). */
  private readonly toPing: NearestNodes;
  /** Nodes learned from responses that would fit the close list (c-toxcore's `to_bootstrap`). */
  private readonly toBootstrap: NearestNodes;
  private lastToPing = -Infinity;
  private readonly bootstrapNodes: PendingNode[] = [];
  private lastBootstrap = -Infinity;
  /** The close list's random getnodes (`close_lastgetnodes`, `close_bootstrap_times`); each searched key keeps its own on its entry. */
  private readonly closeSearch: SearchState = { lastGetNode: -Infinity, bootstrapTimes: 0 };
  private tick: Timer | undefined;
  private closed = false;

  constructor(options: DhtNodeOptions) {
    this.config = verifyDhtConfig({ ...defaultDhtConfig, ...options.config });
    const keys = options.keyPair ?? generateKeyPair();
    this.publicKey = keys.publicKey;
    this.secretKey = keys.secretKey;
    this.clock = options.clock;
    this.sender = options.sender;
    this.randomInt = options.randomInt ?? randomUniform;
    const c = this.config;
    this.closeList = new CloseList(this.publicKey, {
      bucketCount: c.closeListBuckets, bucketSize: c.closeListBucketSize, badTimeoutMs: c.badNodeTimeoutMs, killTimeoutMs: c.killNodeTimeoutMs,
    });
    this.friends = new DhtFriendTable(c.maxFriends);
    this.sharedKeys = new SharedKeyCache(this.secretKey, { capacity: c.sharedKeyCacheSize, timeoutMs: c.sharedKeyTimeoutMs });
    this.nodesRequests = new PingArray(c.pingArraySize, c.pingTimeoutMs, () => randomBytes(8));
    this.pingRequests = new PingArray(c.pingArraySize, c.pingTimeoutMs, () => randomBytes(8));
    this.toPing = new NearestNodes(this.publicKey, c.maxToPing);
    this.toBootstrap = new NearestNodes(this.publicKey, c.maxCloseToBootstrap);
    this.verified = new VerifiedSources(c.maxVerifiedSources, c.badNodeTimeoutMs);
    this.limiter = new RateLimiter({ ratePerSecond: c.requestsPerSecondPerSource, burst: c.requestBurstPerSource, maxSources: c.rateLimitSources });
    // Two searches for random keys (DHT_FAKE_FRIEND_NUMBER), as c-toxcore starts with: they
    // spread our knowledge beyond our own neighbourhood and give the onion unrelated nodes.
    this.onRequest(CryptoPacket.NAT_PING, (payload, sender, source) => this.onNatPing(payload, sender, source));
    for (let i = 0; i < c.fakeFriendNumber; i++) {
      this.friends.add(new Uint8Array(32).map(() => this.randomInt(256)));
    }
    this.tick = this.clock.setTimer(0, () => this.onTick());
  }

  // ---- public API ----------------------------------------------------------------------

  /**
   * Joins the DHT through a known node: asks it for the nodes closest to our own key
   * (`dht_bootstrap`). Bootstrapping from our own key is a no-op.
   */
  bootstrap(address: IpPort, publicKey: Uint8Array): void {
    this.assertOpen();
    if (samePublicKey(publicKey, this.publicKey)) return;
    const node = { publicKey: publicKey.slice(), ipPort: normalize(address) };
    // Remembered (bounded) and asked again while we know no good node: a first request or its
    // answer can be lost, and a busy bootstrap node may not ping us back.
    if (!this.bootstrapNodes.some((b) => samePublicKey(b.publicKey, publicKey) && sameIpPort(b.ipPort, node.ipPort))) {
      if (this.bootstrapNodes.length >= this.config.maxBootstrapNodes) this.bootstrapNodes.shift();
      this.bootstrapNodes.push(node);
    }
    this.lastBootstrap = this.clock.now();
    this.sendNodesRequest(node.ipPort, publicKey, this.publicKey);
  }

  /**
   * Asks the node at `address` with key `publicKey` for the nodes it knows closest to
   * `target` (`dht_getnodes`). The answer, if any, is reported through 'node' events.
   */
  requestNodes(address: IpPort, publicKey: Uint8Array, target: Uint8Array): void {
    this.assertOpen();
    this.sendNodesRequest(normalize(address), publicKey, target);
  }

  /**
   * Starts searching for `publicKey` (a friend's DHT key) and keeps the nodes closest to it
   * (`dht_addfriend`). Reference-counted: each call needs one {@link removeFriend}. The
   * friend's address is reported through `events` ('friend-address') when a node answers
   * for it or the friend itself answers us.
   */
  addFriend(publicKey: Uint8Array): void {
    this.assertOpen();
    const entry = this.friends.add(publicKey);
    // Seed the search with what we already know, as c-toxcore does.
    for (const node of this.closest(publicKey, this.config.maxSentNodes)) this.queueFriendBootstrap(entry, node);
  }

  /** Drops one reference to a searched key; the search stops with the last. */
  removeFriend(publicKey: Uint8Array): boolean {
    const removed = this.friends.remove(publicKey);
    if (!this.friends.get(publicKey)) this.natStates.delete(keyId(publicKey));
    return removed;
  }

  /** The friend's address, if a node answered for it and the answer is still good. */
  friendAddress(publicKey: Uint8Array): IpPort | undefined {
    return this.friends.get(publicKey)?.directAddress(this.clock.now());
  }

  /** Up to `n` good nodes closest to `key`, from the close list and every search. */
  closeNodes(key: Uint8Array, n: number): PackedNode[] {
    return this.closest(key, n, true);
  }

  /** Handles DHT requests (0x20) of one kind addressed to us (DHT public key announcements: 156). */
  onRequest(requestId: number, handler: DhtRequestHandler): void {
    this.requestHandlers.set(requestId, handler);
  }

  /**
   * Sends a DHT request to `receiverPublicKey` through up to `fanOut` nodes that answered for
   * it (`route_to_friend`), or directly if we know its address. Returns how many copies went
   * out.
   */
  sendRequest(receiverPublicKey: Uint8Array, requestId: number, payload: Uint8Array, fanOut = this.config.maxFriendClients): number {
    const shared = this.sharedKeys.get(receiverPublicKey, this.clock.now());
    if (!shared) return 0;
    const packet = encodeDhtRequest(receiverPublicKey, this.publicKey, shared, randomNonce(), requestId, payload);
    const targets = this.routeTargets(receiverPublicKey).slice(0, fanOut);
    for (const to of targets) this.send(to, packet);
    return targets.length;
  }

  /** Whether any node in the close list is good. */
  get isConnected(): boolean {
    const now = this.clock.now();
    for (const e of this.closeList.entries()) if (isGood(e, now, this.config.badNodeTimeoutMs)) return true;
    return false;
  }

  /** Stops the node's timers; it sends nothing afterwards. Idempotent. */
  close(): void {
    this.closed = true;
    this.tick?.cancel();
    this.tick = undefined;
  }

  // ---- receive path --------------------------------------------------------------------

  /**
   * Handles one datagram if it is a DHT packet (ping, nodes, DHT request); returns false
   * for other kinds so the caller can hand it elsewhere. Never throws: a bad packet is
   * counted by reason and dropped.
   */
  receive(data: Uint8Array, from: Address): boolean {
    if (this.closed || data.length === 0) return false;
    const kind = data[0]!;
    const source = normalize(from);
    try {
      switch (kind) {
        case NetPacket.PING_REQUEST: this.onPingRequest(data, source); return true;
        case NetPacket.PING_RESPONSE: this.onPingResponse(data, source); return true;
        case NetPacket.GET_NODES: this.onNodesRequest(data, source); return true;
        case NetPacket.SEND_NODES_IPV6: this.onNodesResponse(data, source); return true;
        case NetPacket.CRYPTO: this.onDhtRequest(data, source); return true;
        default: return false;
      }
    } catch (error) {
      if (error instanceof DecodeError) this.drop(`malformed-${error.code}`);
      else { this.drop('internal-error'); this.events.emit('error', error as Error); }
      return true;
    }
  }

  private drop(reason: DhtDropReason): void {
    this.stats.drop(reason);
  }

  /** Opens a ping or nodes packet; undefined (counted) if it is ours or does not open. */
  private open(data: Uint8Array): { sender: Uint8Array; plain: Uint8Array; shared: Uint8Array } | undefined {
    const env = decodeDhtEnvelope(data);
    if (samePublicKey(env.senderPublicKey, this.publicKey)) { this.drop('from-self'); return undefined; }
    const shared = this.sharedKeys.get(env.senderPublicKey, this.clock.now());
    if (!shared) { this.drop('bad-key'); return undefined; }
    const plain = openDhtPacket(env, shared);
    if (!plain) { this.drop('bad-mac'); return undefined; }
    return { sender: env.senderPublicKey.slice(), plain, shared };
  }

  /** Whether `key` has answered us from exactly `address` recently (close list or a search list). */
  private isVerified(key: Uint8Array, address: IpPort): boolean {
    const now = this.clock.now();
    if (this.closeList.hasGood(key, address, now, true)) return true;
    // The bounded record of who answered is one lookup; every search list is one each.
    if (this.verified.has(`${keyId(key)}@${address.host}:${address.port}`, now)) return true;
    if (this.friends.holders(keyId(key)) === 0) return false;
    for (const friend of this.friends.values()) if (friend.hasGood(key, address, now, true)) return true;
    return false;
  }

  private allowRequest(source: IpPort): boolean {
    if (this.limiter.allow(source.host, this.clock.now())) return true;
    this.drop('rate-limited');
    return false;
  }

  private onPingRequest(data: Uint8Array, source: IpPort): void {
    if (data.length !== DHT_PING_SIZE) { this.drop('bad-size'); return; }
    if (!this.allowRequest(source)) return;
    const opened = this.open(data);
    if (!opened) return;
    const pingId = decodePingPlain('request', opened.plain);
    this.stats.received('ping-request');
    this.send(source, encodePing('response', this.publicKey, opened.shared, randomNonce(), pingId));
    this.addToPing(opened.sender, source);
  }

  private onPingResponse(data: Uint8Array, source: IpPort): void {
    if (data.length !== DHT_PING_SIZE) { this.drop('bad-size'); return; }
    const opened = this.open(data);
    if (!opened) return;
    const pingId = decodePingPlain('response', opened.plain);
    const asked = this.pingRequests.check(pingId, this.clock.now());
    if (!asked) { this.drop('unsolicited'); return; }
    if (!samePublicKey(asked.publicKey, opened.sender) || !sameIpPort(asked.ipPort, source)) { this.drop('unsolicited'); return; }
    this.stats.received('ping-response');
    this.heardFrom(opened.sender, source);
  }

  private onNodesRequest(data: Uint8Array, source: IpPort): void {
    if (data.length !== NODES_REQUEST_SIZE) { this.drop('bad-size'); return; }
    if (!this.allowRequest(source)) return;
    const opened = this.open(data);
    if (!opened) return;
    const { target, sendback } = decodeNodesRequestPlain(opened.plain);
    this.stats.received('nodes-request');
    // Unlike c-toxcore, never name the requester itself: it knows where it is, and the slot
    // is better spent on a node it may not know.
    this.addToPing(opened.sender, source);
    // No amplification: four nodes (up to 286 bytes) are 2.5 times a 113-byte request, so a
    // requester that has not answered us from this very address (which a spoofed source
    // cannot do) gets only the closest node: 121 bytes (IPv4) or 133 (IPv6), the least
    // c-toxcore accepts. It is pinged (above); once it answers, it gets four. c-toxcore
    // gives everyone four.
    const verified = this.config.answerUnverified || this.isVerified(opened.sender, source);
    if (!verified) this.stats.unverifiedRequests++;
    const count = verified ? this.config.maxSentNodes : 1;
    const nodes = this.closest(target, count, isLanAddress(source.host), opened.sender);
    // c-toxcore refuses a nodes response with no nodes, so sending one would be wasted.
    if (nodes.length > 0) this.send(source, encodeNodesResponse(this.publicKey, opened.shared, randomNonce(), nodes, sendback));
  }

  private onNodesResponse(data: Uint8Array, source: IpPort): void {
    const opened = this.open(data);
    if (!opened) return;
    const { nodes, sendback } = decodeNodesResponsePlain(opened.plain);
    const asked = this.nodesRequests.check(sendback, this.clock.now());
    if (!asked || !samePublicKey(asked.publicKey, opened.sender) || !sameIpPort(asked.ipPort, source)) {
      this.drop('unsolicited');
      return;
    }
    this.stats.received('nodes-response');
    this.heardFrom(opened.sender, source);
    const now = this.clock.now();
    for (const node of nodes) {
      // c-toxcore skips nodes without a usable address (`ipport_isset`) but accepts the packet.
      if (node.ipPort.port === 0 || node.ipPort.host === '0.0.0.0' || node.ipPort.host === '::') continue;
      const at = normalize(node.ipPort);
      this.considerNode(node.publicKey, at);
      // `returnedip_ports`: what the responder says about us or a searched key.
      if (samePublicKey(node.publicKey, this.publicKey)) this.closeList.reported(opened.sender, at, now);
      else this.friends.get(node.publicKey)?.reported(opened.sender, at, now);
      this.events.emit('node', { node: { publicKey: node.publicKey, ipPort: at, protocol: 'udp' }, reporter: opened.sender, reporterAddress: source });
    }
  }

  private onDhtRequest(data: Uint8Array, source: IpPort): void {
    const header = decodeDhtRequestHeader(data);
    if (!samePublicKey(header.receiverPublicKey, this.publicKey)) {
      // Not for us: forward it unchanged to the receiver if it is in our close list.
      const to = this.closeList.get(header.receiverPublicKey);
      const assoc = to?.v6 ?? to?.v4;
      if (!assoc) { this.drop('unroutable'); return; }
      this.stats.received('routed');
      this.send(assoc.ipPort, data);
      return;
    }
    if (samePublicKey(header.senderPublicKey, this.publicKey)) { this.drop('from-self'); return; }
    const shared = this.sharedKeys.get(header.senderPublicKey, this.clock.now());
    if (!shared) { this.drop('bad-key'); return; }
    const opened = openDhtRequest(header, shared);
    if (!opened) { this.drop('bad-mac'); return; }
    const handler = this.requestHandlers.get(opened.requestId);
    if (!handler) { this.drop('unknown-request'); return; }
    this.stats.received('dht-request');
    handler(opened.payload, header.senderPublicKey.slice(), source);
  }

  // ---- lists ---------------------------------------------------------------------------

  /** A node answered us from `source`: it goes into every list it fits (`addto_lists`). */
  private heardFrom(publicKey: Uint8Array, source: IpPort): void {
    const now = this.clock.now();
    this.verified.add(`${keyId(publicKey)}@${source.host}:${source.port}`, now);
    const wasNew = !this.closeList.get(publicKey);
    this.closeList.heard(publicKey, source, now);
    const key = keyId(publicKey);
    const searched = this.friends.get(publicKey);
    const at = checkHeard(publicKey, source);
    for (const friend of this.friends.values()) {
      const kept = friend.heardChecked(publicKey, at, now, key);
      if (kept && friend === searched) {
        this.events.emit('friend-address', { publicKey: friend.publicKey, ipPort: source });
      }
    }
    if (wasNew && this.closeList.get(publicKey)) this.events.emit('close-node', { publicKey, ipPort: source, protocol: 'udp' });
  }

  /** A node learned from a response: ask it for nodes next round if it would fit a list. */
  private considerNode(publicKey: Uint8Array, ipPort: IpPort): void {
    if (samePublicKey(publicKey, this.publicKey)) return;
    const now = this.clock.now();
    const inClose = this.closeList.get(publicKey);
    if (!inClose && this.closeList.wouldAdd(publicKey, now)) {
      this.toBootstrap.add(publicKey, ipPort);
    }
    const key = keyId(publicKey);
    // Every list holds it already (the usual case for a node heard again): nothing to queue.
    if (this.friends.holders(key) >= this.friends.size) return;
    for (const friend of this.friends.values()) {
      if (friend.get(publicKey, key) === undefined && friend.wouldAdd(publicKey, now)) {
        this.queueFriendBootstrap(friend, { publicKey, ipPort, protocol: 'udp' });
      }
    }
  }

  private queueFriendBootstrap(friend: DhtFriendEntry, node: PackedNode): void {
    friend.toBootstrap.add(node.publicKey, node.ipPort);
  }

  private readonly natStates = new Map<string, NatState>();
  private readonly verified: VerifiedSources;

  /** A node sent us a request: ping it soon, so it can prove its address (`ping_add`). */
  private addToPing(publicKey: Uint8Array, source: IpPort): void {
    const now = this.clock.now();
    // A searched key whose address we do not know yet is pinged at once, whether or not it
    // would fit the close list (c-toxcore asks that first): its request may be the only way
    // to reach it, from behind a NAT that lets only answers to its own packets in.
    const friend = this.friends.get(publicKey);
    if (friend && !this.friendAddress(publicKey)) { this.sendPingRequest(source, publicKey); return; }
    if (!this.closeList.wouldAdd(publicKey, now)) return;
    const known = this.closeList.get(publicKey);
    if (known) {
      const assoc = source.host.includes(':') ? known.v6 : known.v4;
      if (assoc && sameIpPort(assoc.ipPort, source) && now - assoc.lastHeard < this.config.badNodeTimeoutMs) return;
    }
    this.toPing.add(publicKey, source);
  }

  private closest(target: Uint8Array, n: number, includeLan = true, exclude?: Uint8Array): PackedNode[] {
    const now = this.clock.now();
    const out: PackedNode[] = [];
    const seen = new Set<string>(exclude ? [keyId(exclude)] : []);
    for (const node of this.closeList.closest(target, n + 1, now, { includeLan })) {
      const key = keyId(node.publicKey);
      if (!seen.has(key) && insertByDistance(target, out, node, n)) seen.add(key);
    }
    for (const friend of this.friends.values()) friend.mergeClosest(out, seen, target, n, now, includeLan);
    return out;
  }

  /** Where to send a DHT request for `key`: its own address if known, else nodes that answered for it. */
  private routeTargets(key: Uint8Array): IpPort[] {
    const direct = this.friendAddress(key) ?? assocAddress(this.closeList.get(key));
    if (direct) return [direct];
    const friend = this.friends.get(key);
    if (!friend) return [];
    const now = this.clock.now();
    const out: IpPort[] = [];
    for (const client of friend.clients()) {
      for (const assoc of [client.v4, client.v6]) {
        if (assoc?.retIpPort && assoc.retHeard !== undefined && now - assoc.retHeard < this.config.badNodeTimeoutMs
            && now - assoc.lastHeard < this.config.badNodeTimeoutMs) out.push(assoc.ipPort);
      }
    }
    return out;
  }

  // ---- NAT hole punching ----------------------------------------------------------------

  private natState(friendKey: Uint8Array): NatState {
    const id = keyId(friendKey);
    let state = this.natStates.get(id);
    if (!state) {
      state = newNatState(randomBytes(8));
      this.natStates.set(id, state);
    }
    return state;
  }

  /**
   * Sends a NAT ping to a searched key through the nodes that reported an address for it:
   * a request through each of them (`route_to_friend`, which needs at least 2 reports), a
   * response through one chosen at random (`routeone_to_friend`).
   */
  private sendNatPing(friendKey: Uint8Array, kind: PingKind, pingId: Uint8Array): number {
    const friend = this.friends.get(friendKey);
    if (!friend) return 0;
    const now = this.clock.now();
    const via: IpPort[] = [];
    for (const client of friend.clients()) {
      for (const assoc of [client.v4, client.v6]) {
        if (assoc?.retIpPort && assoc.retHeard !== undefined && now - assoc.retHeard < this.config.badNodeTimeoutMs) via.push(assoc.ipPort);
      }
    }
    if (kind === 'request' && friend.reports(now).addresses.length < this.config.maxFriendClients / 4) return 0;
    if (via.length === 0) return 0;
    const shared = this.sharedKeys.get(friendKey, now);
    if (!shared) return 0;
    const packet = encodeDhtRequest(friendKey, this.publicKey, shared, randomNonce(), CryptoPacket.NAT_PING, encodeNatPing(kind, pingId));
    const targets = kind === 'request' ? via : [via[this.randomInt(via.length)]!];
    for (const to of targets) this.send(to, packet);
    return targets.length;
  }

  /** `handle_NATping`: answer a request through one node; a response with our id starts a punch. */
  private onNatPing(payload: Uint8Array, sender: Uint8Array, _source: IpPort): void {
    const ping = decodeNatPing(payload);
    if (!this.friends.get(sender)) { this.drop('unknown-request'); return; }
    const state = this.natState(sender);
    if (ping.kind === 'request') {
      this.sendNatPing(sender, 'response', ping.pingId);
      state.pingReceivedAt = this.clock.now();
    } else if (samePublicKey(ping.pingId, state.pingId)) {
      state.pingId = randomBytes(8);
      state.answered = true;
    } else {
      this.drop('unsolicited');
    }
  }

  /**
   * `do_NAT`, each tick: for every searched key that at least 4 nodes report at an address
   * but that has not answered us itself, send a NAT ping request every punch interval; once
   * it answered, and it also pinged us within two intervals (both sides are trying), ping
   * its most commonly reported IP at the reported and guessed ports.
   */
  private doNat(): void {
    const now = this.clock.now();
    const c = this.config;
    for (const friend of this.friends.values()) {
      const reports = friend.reports(now);
      if (reports.direct || reports.addresses.length < c.maxFriendClients / 2) continue;
      const state = this.natState(friend.publicKey);
      if (now - state.pingSentAt > c.punchIntervalMs) {
        this.sendNatPing(friend.publicKey, 'request', state.pingId);
        state.pingSentAt = now;
      }
      if (state.answered && now - state.punchedAt > c.punchIntervalMs && now - state.pingReceivedAt <= 2 * c.punchIntervalMs) {
        const host = commonHost(reports.addresses, c.maxFriendClients / 2);
        if (host === undefined) continue;
        if (now - state.punchedAt > c.punchResetTimeMs) { state.tries = 0; state.index = 0; state.sweepIndex = 0; }
        const ports = punchPorts(portsAt(reports.addresses, host), state, { maxPorts: c.maxPunchingPorts, maxNormalTries: c.maxNormalPunchingTries });
        for (const port of ports) this.sendPingRequest({ host, port }, friend.publicKey);
        this.stats.punched(ports.length);
        state.punchedAt = now;
        state.answered = false;
      }
    }
  }

  // ---- send path -----------------------------------------------------------------------

  private send(to: IpPort, packet: Uint8Array): void {
    this.stats.sent(packet.length);
    this.sender.send(to, packet);
  }

  private sendNodesRequest(to: IpPort, publicKey: Uint8Array, target: Uint8Array): void {
    if (samePublicKey(publicKey, this.publicKey)) return;
    const shared = this.sharedKeys.get(publicKey, this.clock.now());
    if (!shared) return;
    const sendback = this.nodesRequests.add({ publicKey: publicKey.slice(), ipPort: to }, this.clock.now());
    this.send(to, encodeNodesRequest(this.publicKey, shared, randomNonce(), target, sendback));
  }

  private sendPingRequest(to: IpPort, publicKey: Uint8Array): void {
    if (samePublicKey(publicKey, this.publicKey)) return;
    const shared = this.sharedKeys.get(publicKey, this.clock.now());
    if (!shared) return;
    const pingId = this.pingRequests.add({ publicKey: publicKey.slice(), ipPort: to }, this.clock.now());
    this.send(to, encodePing('request', this.publicKey, shared, randomNonce(), pingId));
  }

  // ---- timers --------------------------------------------------------------------------

  private onTick(): void {
    if (this.closed) return;
    try {
      this.doClose();
      this.doFriends();
      if (this.config.holePunching) this.doNat();
      this.pingIterate();
    } finally {
      if (!this.closed) this.tick = this.clock.setTimer(this.config.tickMs, () => this.onTick());
    }
  }

  /** `do_Close`: ask new candidates, keep pinging live nodes, ask a random good node for nodes. */
  private doClose(): void {
    const now = this.clock.now();
    if (this.bootstrapNodes.length > 0 && now - this.lastBootstrap >= this.config.bootstrapRetryMs && !this.isConnected) {
      this.lastBootstrap = now;
      for (const node of this.bootstrapNodes) this.sendNodesRequest(node.ipPort, node.publicKey, this.publicKey);
    }
    for (const node of this.toBootstrap.drain()) this.sendNodesRequest(node.ipPort, node.publicKey, this.publicKey);
    const alive = this.pingAndAsk(this.closeList.alive(this.clock.now()), this.publicKey, this.closeSearch);
    if (alive === 0) this.closeList.reviveAll(this.clock.now());
  }

  /**
   * `do_dht_friends`: the same, for each searched key. Runs every tick over every key, so it
   * allocates nothing per key: the list is walked in place (`pingAndAsk` skips dead
   * addresses itself) and the search state lives on the entry.
   */
  private doFriends(): void {
    for (const friend of this.friends.values()) {
      if (friend.toBootstrap.size > 0) {
        for (const node of friend.toBootstrap.drain()) this.sendNodesRequest(node.ipPort, node.publicKey, friend.publicKey);
      }
      this.pingAndAsk(friend.entries(), friend.publicKey, friend);
    }
  }

  /**
   * `do_ping_and_sendnode_requests`: every live address gets a nodes request for `target`
   * every PING_INTERVAL; one random good node gets one every GET_NODE_INTERVAL, or every
   * tick for the first MAX_BOOTSTRAP_TIMES rounds. Returns the number of live addresses.
   */
  private pingAndAsk(entries: Iterable<ClientEntry>, target: Uint8Array, state: SearchState): number {
    const now = this.clock.now();
    const c = this.config;
    let good: Array<{ entry: ClientEntry; ipPort: IpPort }> | undefined;
    let alive = 0;
    for (const entry of entries) {
      // IPv6 first, then IPv4: the order the random pick below sees them in.
      for (let i = 0; i < 2; i++) {
        const assoc = i === 0 ? entry.v6 : entry.v4;
        if (!assoc || now - assoc.lastHeard >= c.killNodeTimeoutMs) continue;
        alive++;
        if (now - assoc.lastPinged >= c.pingIntervalMs) {
          this.sendNodesRequest(assoc.ipPort, entry.publicKey, target);
          assoc.lastPinged = now;
        }
        if (now - assoc.lastHeard < c.badNodeTimeoutMs) (good ??= []).push({ entry, ipPort: assoc.ipPort });
      }
    }
    if (good !== undefined && (now - state.lastGetNode >= c.getNodeIntervalMs || state.bootstrapTimes < c.maxBootstrapTimes)) {
      const pick = good[this.randomInt(good.length)]!;
      this.sendNodesRequest(pick.ipPort, pick.entry.publicKey, target);
      state.lastGetNode = now;
      state.bootstrapTimes++;
    }
    return alive;
  }

  /** `ping_iterate`: ping the queued senders of requests, every TIME_TO_PING. */
  private pingIterate(): void {
    const now = this.clock.now();
    if (this.toPing.size === 0 || now - this.lastToPing < this.config.timeToPingMs) return;
    for (const node of this.toPing.drain()) {
      if (this.closeList.wouldAdd(node.publicKey, now)) this.sendPingRequest(node.ipPort, node.publicKey);
    }
    this.lastToPing = now;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('DhtNode is closed');
  }
}

function normalize(ip: IpPort): IpPort {
  const host = unmapIpv4(ip.host);
  return host === ip.host ? ip : { host, port: ip.port };
}

function assocAddress(entry: ClientEntry | undefined): IpPort | undefined {
  return entry?.v6?.ipPort ?? entry?.v4?.ipPort;
}
