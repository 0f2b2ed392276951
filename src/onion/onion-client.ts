/**
 * The onion client (c-toxcore 0.2.18's `Onion_Client`): a sans-IO state machine that keeps
 * our real key announced at the nodes closest to it ({@link AnnounceClient}), searches for
 * each offline friend's announcement ({@link FriendSearch}), and exchanges onion data with
 * friends — our DHT key and relays every 30 s through the onion and every 20 s through the
 * DHT, friend requests on demand — over onion paths ({@link OnionPaths}).
 *
 * It is handed announce responses (0x84) and onion data responses (0x86) by
 * {@link OnionClient.receive} (or, from a TCP relay that was hop 1, `receiveFromRelay`), and
 * DHT-routed DHT key announcements through the DHT node's request handler; it sends through
 * the DHT's {@link DatagramSender} and, without UDP, through a TCP relay.
 *
 * Its timing is c-toxcore's, but for toxlink's fast start: for the first 10 s it announces
 * and searches as soon as the DHT has a node, on 1 s intervals and 250 ms rounds, and it
 * sends a friend our DHT key as soon as a search node reports the friend (see
 * `OnionClientConfig.fastStartMs`).
 *
 * @see spec/onion.md#the-onion-client
 * @see spec/onion.md#being-online
 * @see spec/onion.md#fast-start
 * @module
 */
import { type Address, type Clock, Emitter, type Timer } from '../io/index.ts';
import { type KeyPair, PUBLIC_KEY_SIZE, generateKeyPair, precompute, randomBytes, randomNonce, randomUniform } from '../crypto/index.ts';
import { CryptoPacket, DecodeError, NetPacket, type IpPort, type PackedNode, unmapIpv4 } from '../wire/index.ts';
import { type DatagramSender, type DhtNode, SharedKeyCache } from '../dht/index.ts';
import { type OnionClientConfig, MAX_ANNOUNCED_RELAYS, onionClientConfig } from './client-config.ts';
import { OnionClientError } from './client-errors.ts';
import { OnionClientStats, type OnionClientSendKind } from './client-stats.ts';
import type { OnionClientEventMap } from './client-events.ts';
import { SendbackTable } from './sendback-table.ts';
import { OnionInbox, keyId } from './client-inbox.ts';
import { type OnionTcpPath, type PickedPath, OnionPaths, PathNodeStore } from './onion-paths.ts';
import { AnnounceClient } from './announce-client.ts';
import { type FastSearch, FriendSearch } from './friend-search.ts';
import { type PathNode, encodeOnionRequest, encodeTcpOnionRequest } from './onion-request.ts';
import { encodeAnnounceRequest } from './announce-request.ts';
import { AnnounceStatus, decodeAnnounceResponse, openAnnounceResponse } from './announce-response.ts';
import { encodeOnionDataRequest, sealOnionData } from './onion-data.ts';
import { encodeDhtPkAnnounce, sealRoutedDhtPk } from './dht-pk-announce.ts';
import { encodeFriendRequest } from './friend-request.ts';
import { ANNOUNCE_MAX_NODES, FRIEND_REQUEST_ONION_MESSAGE_MAX, ONION_PING_ID_SIZE } from './packet-sizes.ts';

/** What an {@link OnionClient} is built with. */
export interface OnionClientOptions {
  readonly clock: Clock;
  /** Where UDP onion requests go: the DHT node's socket. */
  readonly sender: DatagramSender;
  /** The DHT node: path nodes, UDP connectivity, the DHT-routed DHT key announcement. */
  readonly dht: DhtNode;
  /** Our long-term key pair (the start of our Tox ID). */
  readonly realKeyPair: KeyPair;
  /** The DHT node's key pair: hop 1 of every path sees its public key. */
  readonly dhtKeyPair: KeyPair;
  readonly config?: Partial<OnionClientConfig>;
  /** A TCP relay connection to use as hop 1 while the DHT has no UDP connection. */
  readonly tcp?: OnionTcpPath;
  /** Uniform integer in `[0, n)` for random choices; libsodium's CSPRNG by default. */
  readonly randomInt?: (n: number) => number;
}

/** Nodes whose shared key with our real key the self-announce keeps (64: the 8 we announce to come and go as closer ones answer). */
const ANNOUNCE_SHARED_KEYS = 64;

/** What a sendback names: the request it was given with. */
interface SendbackData {
  /** The friend searched for, or undefined for a self-announce. */
  readonly friend: FriendSearch | undefined;
  readonly node: PathNode;
  readonly pathNum: number;
  /** The key the request was sealed with, which opens the response. */
  readonly sharedKey: Uint8Array;
}

/** How a friend's search stands (for tests and diagnostics). */
export interface FriendSearchState {
  readonly runCount: number;
  /** Milliseconds between two requests to one node. */
  readonly intervalMs: number;
  /** Alive search nodes. */
  readonly alive: number;
  /** Alive search nodes holding the friend's announcement. */
  readonly found: number;
  readonly dhtPublicKey: Uint8Array | undefined;
  /** Shared keys with search nodes worked out for the search requests (an X25519 each), and taken from the search's cache. */
  readonly sharedKeysWorkedOut: number;
  readonly sharedKeysReused: number;
}

function checkKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_SIZE) {
    throw new OnionClientError('bad-key', `${what} must be ${PUBLIC_KEY_SIZE} bytes`);
  }
}

/** The onion client of one Tox instance. */
export class OnionClient {
  readonly events = new Emitter<OnionClientEventMap>();
  readonly stats = new OnionClientStats();
  readonly config: OnionClientConfig;
  /** Our data key pair, new every start (`temp_public_key`): friends seal onion data to it. */
  readonly dataKeyPair: KeyPair;
  readonly pathNodes: PathNodeStore;
  readonly selfPaths: OnionPaths;
  readonly friendPaths: OnionPaths;
  readonly announce: AnnounceClient;

  readonly #clock: Clock;
  readonly #sender: DatagramSender;
  readonly #dht: DhtNode;
  readonly #real: KeyPair;
  /** Shared keys of our real key with the nodes we announce to: a request each, an X25519 each otherwise. */
  readonly #announceKeys: SharedKeyCache;
  readonly #tcp: OnionTcpPath | undefined;
  readonly #randomInt: (n: number) => number;
  readonly #sendbacks: SendbackTable<SendbackData>;
  readonly #friends = new Map<string, FriendSearch>();
  readonly #inbox: OnionInbox;
  #ownRelays: PackedNode[] = [];
  readonly #firstRun: number;
  /** Whether announcing has begun (3 s after the first round, or sooner during the fast start). */
  #announcing = false;
  /** When the connected rounds were last counted: once per `tickMs`, also during the fast start. */
  #lastCounted = -Infinity;
  #lastPacketReceived = -Infinity;
  #lastTimeConnected = -Infinity;
  #onionConnected = 0;
  #wasConnected = false;
  #tick: Timer | undefined;
  #closed = false;

  constructor(o: OnionClientOptions) {
    this.config = onionClientConfig(o.config);
    checkKey(o.realKeyPair.publicKey, 'real public key');
    checkKey(o.dhtKeyPair.publicKey, 'DHT public key');
    if (keyId(o.dhtKeyPair.publicKey) !== keyId(o.dht.publicKey)) throw new OnionClientError('bad-key', 'dhtKeyPair must be the DHT node\'s key pair');
    this.#clock = o.clock;
    this.#sender = o.sender;
    this.#dht = o.dht;
    this.#real = o.realKeyPair;
    this.#announceKeys = new SharedKeyCache(o.realKeyPair.secretKey, { capacity: ANNOUNCE_SHARED_KEYS });
    this.#tcp = o.tcp;
    this.#randomInt = o.randomInt ?? randomUniform;
    this.dataKeyPair = generateKeyPair();
    const c = this.config;
    this.pathNodes = new PathNodeStore(c.maxPathNodes);
    const pathOptions = {
      config: c, dhtKeyPair: o.dhtKeyPair, store: this.pathNodes, randomInt: this.#randomInt,
      udpConnected: () => this.#dht.isConnected, tcp: o.tcp,
    };
    this.selfPaths = new OnionPaths(pathOptions);
    this.friendPaths = new OnionPaths(pathOptions);
    this.#sendbacks = new SendbackTable(c.sendbackArraySize, c.sendbackTimeoutMs, randomBytes);
    this.announce = new AnnounceClient({
      config: c, realPublicKey: this.#real.publicKey, dataPublicKey: this.dataKeyPair.publicKey, store: this.pathNodes,
      paths: this.selfPaths, randomInt: this.#randomInt, send: (node, pingId, pathNum) => this.#sendAnnounce(undefined, node, pingId, pathNum),
    });
    this.#inbox = new OnionInbox({
      friends: this.#friends, stats: this.stats, events: this.events, realKeyPair: this.#real, dataKeyPair: this.dataKeyPair,
      requestNodes: (ipPort, key, target) => this.#dht.requestNodes(ipPort, key, target), maxReceivedRequests: c.maxReceivedRequests,
    });
    this.#dht.onRequest(CryptoPacket.DHTPK, (payload, sender) => {
      if (!this.#closed) this.#guard(() => this.#inbox.onRoutedDhtPk(payload, sender));
    });
    this.#firstRun = this.#clock.now();
    this.#tick = this.#clock.setTimer(0, () => this.#onTick());
  }

  // ─── Public API ──────────────────────────────────────────────────────────

  /** `onion_connection_status`: connected for 3 rounds in a row (counted up to 6, down by one per round without). */
  get isConnected(): boolean {
    return this.#onionConnected >= this.config.connectionSeconds;
  }

  /**
   * Handles a datagram if it is for the onion client — an announce response (0x84) or an
   * onion data response (0x86) — and returns false for anything else. Never throws: a bad
   * packet is counted by reason and dropped.
   */
  receive(data: Uint8Array, from: Address): boolean {
    if (this.#closed || data.length === 0) return false;
    const id = data[0];
    if (id !== NetPacket.ANNOUNCE_RESPONSE_OLD && id !== NetPacket.ONION_DATA_RESPONSE) return false;
    const source = { host: unmapIpv4(from.host), port: from.port };
    this.#guard(() => (id === NetPacket.ANNOUNCE_RESPONSE_OLD ? this.#onAnnounceResponse(data, source) : this.#inbox.onDataResponse(data)));
    return true;
  }

  /** The same for an onion response a TCP relay passed on as our hop 1 (`handle_tcp_onion`). */
  receiveFromRelay(data: Uint8Array): boolean {
    if (this.#closed || data.length === 0) return false;
    const id = data[0];
    if (id !== NetPacket.ANNOUNCE_RESPONSE_OLD && id !== NetPacket.ONION_DATA_RESPONSE) return false;
    this.#guard(() => (id === NetPacket.ANNOUNCE_RESPONSE_OLD ? this.#onAnnounceResponse(data, undefined) : this.#inbox.onDataResponse(data)));
    return true;
  }

  /**
   * A node to draw paths from when no other is known (`onion_add_bs_path_node`): give the
   * nodes the DHT is bootstrapped from. False if it was known already.
   */
  addBootstrapNode(publicKey: Uint8Array, ipPort: IpPort): boolean {
    checkKey(publicKey, 'bootstrap node public key');
    return this.pathNodes.addBootstrap({ publicKey, ipPort: { host: unmapIpv4(ipPort.host), port: ipPort.port } });
  }

  /** Starts searching for a friend by its real key (`onion_addfriend`); adding one twice is a no-op. */
  addFriend(realPublicKey: Uint8Array): void {
    this.#assertOpen();
    checkKey(realPublicKey, 'friend real public key');
    const id = keyId(realPublicKey);
    if (this.#friends.has(id)) return;
    if (this.#friends.size >= this.config.maxFriends) throw new OnionClientError('too-many-friends', `at most ${this.config.maxFriends} friends`);
    const friend = new FriendSearch(realPublicKey, this.#real.secretKey, this.config);
    if (friend.realSharedKey === undefined) throw new OnionClientError('bad-key', 'libsodium refuses the friend\'s real public key');
    this.#friends.set(id, friend);
  }

  /** Stops searching for a friend (`onion_delfriend`); a later request from it is taken again. */
  removeFriend(realPublicKey: Uint8Array): boolean {
    this.#inbox.forget(realPublicKey);
    return this.#friends.delete(keyId(realPublicKey));
  }

  /**
   * Whether a friend is connected by other means (`onion_set_friend_online`): the search and
   * our DHT key announcements to it run only while it is offline; going offline starts its
   * run count and no-replay number again.
   */
  setFriendOnline(realPublicKey: Uint8Array, online: boolean): void {
    this.#friend(realPublicKey).setOnline(online);
  }

  /**
   * The friend's current DHT key, learned elsewhere (`onion_set_friend_DHT_pubkey`): our DHT
   * key announcement then also goes to it through the DHT. The DHT node must be searching
   * for that key (`DhtNode.addFriend`) for the request to find a route.
   */
  setFriendDhtKey(realPublicKey: Uint8Array, dhtPublicKey: Uint8Array): void {
    checkKey(dhtPublicKey, 'friend DHT public key');
    this.#friend(realPublicKey).dhtPublicKey = dhtPublicKey.slice();
  }

  /** The TCP relays we are connected to, put first (at most 2) in our DHT key announcements. */
  setOwnRelays(relays: readonly PackedNode[]): void {
    this.#ownRelays = relays.filter((r) => r.protocol === 'tcp').slice(0, MAX_ANNOUNCED_RELAYS)
      .map((r) => ({ protocol: r.protocol, ipPort: { ...r.ipPort }, publicKey: r.publicKey.slice() }));
  }

  /**
   * Sends a friend request to a friend added with `addFriend` (`send_friend_request_packet`
   * over the onion): one copy through each search node that holds the friend's announcement.
   * Returns the copies sent — 0 until the friend's announcement was found; the caller tries
   * again (c-toxcore's Messenger does every 5 s). The message is 1 to 943 bytes: a 0.2.18
   * receiver drops longer onion payloads. `nospam` is the friend's, as its Tox ID shows it.
   */
  sendFriendRequest(realPublicKey: Uint8Array, nospam: number, message: Uint8Array): number {
    this.#assertOpen();
    const friend = this.#friend(realPublicKey);
    if (!Number.isInteger(nospam) || nospam < 0 || nospam > 0xffff_ffff) throw new OnionClientError('bad-request', `nospam must be a u32, got ${nospam}`);
    if (!(message instanceof Uint8Array) || message.length < 1 || message.length > FRIEND_REQUEST_ONION_MESSAGE_MAX) {
      throw new OnionClientError('bad-request', `a friend request message must be 1 to ${FRIEND_REQUEST_ONION_MESSAGE_MAX} bytes`);
    }
    const nospamBytes = new Uint8Array(4);
    new DataView(nospamBytes.buffer).setUint32(0, nospam);
    return Math.max(0, this.#sendOnionData(friend, encodeFriendRequest({ nospam: nospamBytes, message })));
  }

  /** How the search for a friend stands, or undefined for a key not added. */
  friendSearch(realPublicKey: Uint8Array): FriendSearchState | undefined {
    const friend = this.#friends.get(keyId(realPublicKey));
    if (friend === undefined) return undefined;
    const now = this.#clock.now();
    return {
      runCount: friend.runCount, intervalMs: friend.interval, alive: friend.list.alive(now).length,
      found: friend.dataNodes(now).length, dhtPublicKey: friend.dhtPublicKey?.slice(),
      sharedKeysWorkedOut: friend.sharedKeysWorkedOut, sharedKeysReused: friend.sharedKeysReused,
    };
  }

  /** Stops the client's timer; it sends nothing and takes nothing afterwards. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#tick?.cancel();
    this.#tick = undefined;
  }

  // ─── Rounds ──────────────────────────────────────────────────────────────

  #onTick(): void {
    if (this.#closed) return;
    try {
      this.#guard(() => this.#round(this.#clock.now()));
    } finally {
      if (!this.#closed) this.#tick = this.#clock.setTimer(this.#isFast(this.#clock.now()) ? this.config.fastTickMs : this.config.tickMs, () => this.#onTick());
    }
  }

  /** Whether `now` is inside the fast start. */
  #isFast(now: number): boolean {
    return now < this.#firstRun + this.config.fastStartMs;
  }

  /**
   * `do_onion_client`, with toxlink's fast start: announcing begins as soon as the DHT has a
   * node that answered (c-toxcore: 3 s after the first round), friends are searched from
   * then on (c-toxcore: once onion-connected), and rounds come every 250 ms; the connected
   * rounds are still counted once a second.
   */
  #round(now: number): void {
    const c = this.config;
    const fast = this.#isFast(now);
    if (!this.#announcing && (this.#firstRun + c.connectionSeconds * 1000 <= now || (fast && this.#dht.isConnected))) this.#announcing = true;
    if (this.#announcing) {
      this.#populatePathNodes();
      this.announce.tick(now, fast ? { intervalMs: c.fastAnnounceIntervalMs, populateSpacingMs: c.tickMs } : undefined);
    }
    if (this.#lastCounted + c.tickMs <= now) {
      this.#lastCounted = now;
      if (this.announce.isConnected(this.#lastPacketReceived, now)) {
        if (this.#lastTimeConnected + c.connectedTimeoutMs <= now) for (const f of this.#friends.values()) f.runCount = 0;
        this.#lastTimeConnected = now;
        if (this.#onionConnected < c.connectionSeconds * 2) this.#onionConnected++;
      } else if (this.#onionConnected > 0) {
        this.#onionConnected--;
      }
    }
    if (this.#firstRun + c.connectionSeconds * 2000 <= now) this.#tcp?.setOnionStatus?.(!this.#dht.isConnected);
    if (this.isConnected || (fast && this.#announcing)) {
      const quick = fast ? { intervalMs: c.fastSearchIntervalMs, populateSpacingMs: c.tickMs, budget: c.fastSearchPerRound } : undefined;
      for (const friend of this.#friends.values()) this.#doFriend(friend, now, quick);
    }
    if (this.isConnected !== this.#wasConnected) {
      this.#wasConnected = this.isConnected;
      this.events.emit('connection', { connected: this.isConnected });
    }
  }

  /**
   * `populate_path_nodes`: up to 8 good DHT nodes become path nodes each round. c-toxcore
   * takes them from the lists of the DHT's two searches for random keys; toxlink asks the
   * DHT for the good nodes closest to a fresh random key, which is as unrelated to us.
   */
  #populatePathNodes(): void {
    const target = randomBytes(PUBLIC_KEY_SIZE);
    for (const node of this.#dht.closeNodes(target, 8)) {
      if (node.protocol === 'udp') this.pathNodes.add({ publicKey: node.publicKey, ipPort: node.ipPort });
    }
  }

  /** `do_friend`: our DHT key to an offline friend (onion every 30 s, DHT every 20 s), then the search. */
  #doFriend(friend: FriendSearch, now: number, fast: FastSearch | undefined): void {
    if (friend.isOnline) return;
    const c = this.config;
    if (friend.lastDhtPkOnionSent + c.onionDhtPkSendIntervalMs <= now && this.#sendDhtPkAnnounce(friend, 'onion', now) >= 1) {
      friend.lastDhtPkOnionSent = now;
    }
    if (friend.lastDhtPkDhtSent + c.dhtDhtPkSendIntervalMs <= now && this.#sendDhtPkAnnounce(friend, 'dht', now) >= 1) {
      friend.lastDhtPkDhtSent = now;
    }
    friend.tick(now, (node, pingId, pathNum) => this.#sendAnnounce(friend, node, pingId, pathNum), this.pathNodes, this.#randomInt, fast);
  }

  /**
   * toxlink's DHT key announcement on finding: a search node just reported the offline
   * friend's announcement, so our DHT key goes at once (c-toxcore waits for its next 30 s
   * turn) — at most `fastDhtPkSends` times per offline period, at least 1 s apart so that
   * each carries a higher no-replay number.
   */
  #sendDhtPkOnFind(friend: FriendSearch, now: number): void {
    if (friend.isOnline || friend.dhtPkSentOnFind >= this.config.fastDhtPkSends) return;
    if (friend.lastDhtPkOnionSent + 1000 > now) return;
    if (this.#sendDhtPkAnnounce(friend, 'onion', now) < 1) return;
    friend.lastDhtPkOnionSent = now;
    friend.dhtPkSentOnFind++;
    this.stats.dhtPkSentOnFind++;
  }

  // ─── Sending ─────────────────────────────────────────────────────────────

  /**
   * `client_send_announce_request`: a self-announce (`friend` undefined: sealed with our real
   * key, with our data key) or a search for `friend` (sealed with its temporary key, data key
   * zeros), over a self or friend path.
   */
  #sendAnnounce(friend: FriendSearch | undefined, node: PathNode, pingId: Uint8Array | undefined, pathNum: number | undefined): boolean {
    if (this.#closed) return false;
    const now = this.#clock.now();
    const picked = (friend === undefined ? this.selfPaths : this.friendPaths).pick(pathNum, now);
    if (picked === undefined) {
      this.stats.noPath++;
      return false;
    }
    const keys = friend === undefined ? this.#real : friend.tempKeyPair;
    const sharedKey = (friend === undefined ? this.#announceKeys : friend.sharedKeys).get(node.publicKey, now);
    if (sharedKey === undefined) return false;
    const sendback = this.#sendbacks.add({ friend, node: { publicKey: node.publicKey.slice(), ipPort: { ...node.ipPort } }, pathNum: picked.pathNum, sharedKey }, now);
    if (sendback === undefined) return false;
    const request = encodeAnnounceRequest('old', sharedKey, keys.publicKey, randomNonce(), {
      pingId: pingId ?? new Uint8Array(ONION_PING_ID_SIZE),
      searchPublicKey: friend === undefined ? this.#real.publicKey : friend.realPublicKey,
      dataPublicKey: friend === undefined ? this.dataKeyPair.publicKey : new Uint8Array(PUBLIC_KEY_SIZE),
      sendback,
    });
    return this.#sendOnion(picked, node.ipPort, request, friend === undefined ? 'announce' : 'search');
  }

  /** `send_onion_packet_tcp_udp`: the onion request to hop 1 over UDP, or through the TCP relay that is hop 1. */
  #sendOnion(picked: PickedPath, destination: IpPort, payload: Uint8Array, kind: OnionClientSendKind): boolean {
    const nonce = randomNonce();
    if (picked.tcpRelay !== undefined) {
      const body = encodeTcpOnionRequest(picked.path, nonce, destination, payload);
      if (this.#tcp === undefined || !this.#tcp.sendOnionRequest(picked.tcpRelay, nonce, body.subarray(nonce.length))) return false;
      this.stats.tcpRequests++;
      this.stats.sent(kind, body.length);
      return true;
    }
    const packet = encodeOnionRequest(picked.path, nonce, destination, payload);
    this.stats.sent(kind, packet.length);
    this.#sender.send(picked.path.hops[0].node.ipPort, packet);
    return true;
  }

  /**
   * `send_onion_data`: `payload` sealed to the friend, one copy through each search node
   * that holds its announcement, each on a random friend path. -1 when too few nodes do.
   */
  #sendOnionData(friend: FriendSearch, payload: Uint8Array): number {
    const now = this.#clock.now();
    const nodes = friend.dataNodes(now);
    if (nodes.length === 0) return -1;
    const nonce = randomNonce();
    const sealed = sealOnionData(friend.realSharedKey!, nonce, this.#real.publicKey, payload);
    let sent = 0;
    for (const node of nodes) {
      const picked = this.friendPaths.pick(undefined, now);
      if (picked === undefined) { this.stats.noPath++; continue; }
      const ephemeral = generateKeyPair();
      const dataShared = precompute(node.dataPublicKey!, ephemeral.secretKey);
      if (dataShared === undefined) continue;
      const request = encodeOnionDataRequest(friend.realPublicKey, nonce, ephemeral.publicKey, dataShared, sealed);
      if (this.#sendOnion(picked, node.ipPort, request, 'onion-data')) sent++;
    }
    return sent;
  }

  /**
   * `send_dhtpk_announce`: our DHT key, up to 2 of our TCP relays and DHT nodes close to us
   * (4 nodes in all), with our clock in seconds as the no-replay number; through the onion
   * or routed through the DHT (only once the friend's DHT key is known).
   */
  #sendDhtPkAnnounce(friend: FriendSearch, via: 'onion' | 'dht', now: number): number {
    const nodes: PackedNode[] = [...this.#ownRelays];
    nodes.push(...this.#dht.closeNodes(this.#dht.publicKey, ANNOUNCE_MAX_NODES - nodes.length));
    const announcement = encodeDhtPkAnnounce({
      noReplay: BigInt(Math.floor(now / 1000) + this.config.noReplayOffsetS), dhtPublicKey: this.#dht.publicKey, nodes,
    });
    if (via === 'onion') return this.#sendOnionData(friend, announcement);
    if (friend.dhtPublicKey === undefined) return -1;
    const routed = sealRoutedDhtPk(friend.realSharedKey!, randomNonce(), this.#real.publicKey, announcement);
    const sent = this.#dht.sendRequest(friend.dhtPublicKey, CryptoPacket.DHTPK, routed);
    for (let i = 0; i < sent; i++) this.stats.sent('dht-key-dht', routed.length);
    return sent;
  }

  // ─── Receiving ───────────────────────────────────────────────────────────

  /** `handle_announce_response`. */
  #onAnnounceResponse(data: Uint8Array, source: IpPort | undefined): void {
    const now = this.#clock.now();
    const envelope = decodeAnnounceResponse(data);
    const issued = this.#sendbacks.peek(envelope.sendback, now);
    if (issued === undefined) return this.stats.drop('unknown-sendback');
    const friend = issued.friend;
    if (friend !== undefined && this.#friends.get(keyId(friend.realPublicKey)) !== friend) {
      this.#sendbacks.spend(envelope.sendback);
      return this.stats.drop('friend-gone');
    }
    const response = openAnnounceResponse(envelope, issued.sharedKey);
    if (response === undefined) return this.stats.drop('bad-mac');
    this.#sendbacks.spend(envelope.sendback);
    const pathUsed = (friend === undefined ? this.selfPaths : this.friendPaths).answered(issued.pathNum, now);
    if (friend === undefined) {
      this.announce.onResponse(issued.node, response.isStored, response.pingIdOrKey, pathUsed, response.nodes, source, now);
      this.stats.received('announce-response');
    } else {
      const send = (node: PathNode, pingId: Uint8Array | undefined, pathNum: number | undefined): boolean => this.#sendAnnounce(friend, node, pingId, pathNum);
      if (!friend.onResponse(issued.node, response.isStored, response.pingIdOrKey, pathUsed, response.nodes, source, this.pathNodes, send, now)) {
        return this.stats.drop('bad-status');
      }
      this.stats.received('search-response');
      if (response.isStored === AnnounceStatus.FOUND) this.#sendDhtPkOnFind(friend, now);
    }
    if (response.nodesError !== undefined) return this.stats.drop('bad-nodes');
    this.#lastPacketReceived = now;
  }

  // ─── Helpers ─────────────────────────────────────────────────────────────

  #friend(realPublicKey: Uint8Array): FriendSearch {
    const friend = this.#friends.get(keyId(realPublicKey));
    if (friend === undefined) throw new OnionClientError('not-a-friend', 'not a friend of the onion client: call addFriend first');
    return friend;
  }

  /** Runs `fn`; a `DecodeError` is a dropped packet, anything else a bug reported through 'error'. Never throws. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      if (error instanceof DecodeError) {
        this.stats.drop(`malformed-${error.code}` as 'malformed-truncated');
      } else {
        this.stats.drop('internal-error');
        this.events.emit('error', error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new OnionClientError('closed', 'the onion client is closed');
  }
}
