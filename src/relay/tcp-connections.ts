/**
 * The relay manager, c-toxcore's `TCP_connection.c`: one {@link TcpRelayClient} per relay,
 * several relays, and per peer (named by its DHT key) the relays it can be reached through.
 * It asks each relay for a route to each of its peers, sends a peer's packets on a relay
 * where the peer is online and falls back to OOB on relays where it is only registered,
 * and reports every packet that comes in, routed or OOB, as one `packet` event whose shape
 * is what `NetCrypto.receiveRelayed` takes.
 *
 * ```ts
 * const tcp = new TcpConnections({ network, clock, keyPair: dhtKeys });
 * tcp.addPeer(friendDhtKey);
 * tcp.addPeerRelay(friendDhtKey, { address: { host: '192.0.2.1', port: 33445 }, publicKey: relayKey });
 * tcp.on('packet', (p) => netCrypto.receiveRelayed(p.data, p));
 * netCrypto.connect(friendRealKey, friendDhtKey).setRelay((packet) => tcp.send(friendDhtKey, packet));
 * ```
 *
 * It keeps its relays in use and no more: relays reserved for the onion while UDP is not
 * available (`setOnion`), relays whose every online peer is reachable directly put to sleep
 * and woken when one is not (`setPeerDirect`), connected relays nobody uses closed down to
 * three, and relays that drop reconnected after a growing wait. Everything is bounded by
 * {@link TcpConnectionsConfig}; every timer runs on the `Clock` it was given.
 *
 * @see spec/relay.md#the-relay-manager
 * @see spec/relay.md#sending-and-receiving
 * @see spec/relay.md#sleeping-and-unused-relays
 * @see spec/relay.md#reconnecting
 * @module
 */
import type { Clock, Network, Timer } from '../io/index.ts';
import { type KeyPair, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { toHex } from '../wire/index.ts';
import { reconnectDelayMs } from './backoff.ts';
import { type RelayClientConfig, type TcpConnectionsConfig, relayClientConfig, tcpConnectionsConfig } from './config.ts';
import { RelayError, expectLength } from './errors.ts';
import { Emitter } from './events.ts';
import { MAX_DATA_PAYLOAD_SIZE, TCP_MAX_OOB_DATA_LENGTH } from './packet-sizes.ts';
import { type RelayCloseReason, TcpConnectionsStats } from './stats.ts';
import { type RelayEndpoint, type RelayRoute, TcpRelayClient } from './tcp-relay-client.ts';

/** What a {@link TcpConnections} is built from. */
export interface TcpConnectionsOptions {
  readonly network: Network;
  readonly clock: Clock;
  /** Our DHT key pair: relays and peers know us by its public key. */
  readonly keyPair: KeyPair;
  readonly config?: Partial<TcpConnectionsConfig>;
  /** Settings of each relay client (timeouts, held bytes). */
  readonly clientConfig?: Partial<RelayClientConfig>;
}

/**
 * Where a relay is:
 * - `connecting`: TCP connect and handshake under way;
 * - `connected`: frames flow; routing requests have gone out for its peers;
 * - `sleeping`: closed on purpose, because only directly connected peers used it; woken when needed;
 * - `waiting`: the connection dropped; a reconnect is due after the back-off.
 */
export type ManagedRelayState = 'connecting' | 'connected' | 'sleeping' | 'waiting';

/** Why a relay left the manager. */
export type RelayRemoveReason =
  /** `removeRelay` was called. */
  | 'removed'
  /** Connected, used by no online peer, beyond the recommended count. */
  | 'unused'
  /** `maxReconnectAttempts` failures in a row. */
  | 'gave-up';

/**
 * A peer's standing on one relay (`TCP_CONNECTIONS_STATUS_*`): `none` (no route yet),
 * `registered` (the relay gave us a route; the peer has not asked for us, or is not
 * connected: OOB may still reach it), `online` (both asked: data flows on the route).
 */
export type PeerRelayStatus = 'none' | 'registered' | 'online';

/** A packet that came through a relay, routed or OOB: what `NetCrypto.receiveRelayed` takes, and more. */
export interface RelayedPacket {
  /** The DHT key of the peer that sent it. */
  readonly peerDhtPublicKey: Uint8Array;
  /** The relay it came through. */
  readonly relay: RelayEndpoint;
  readonly data: Uint8Array;
  /** On a route, or out of band. */
  readonly via: 'routed' | 'oob';
  /**
   * Whether the sender is a peer of ours that this relay is one of. When not (an OOB packet
   * from a stranger, such as a new friend's first handshake), `reply` answers out of band
   * on this relay; the layer above may then `addPeer` and `addPeerRelay` with `relay`.
   */
  readonly known: boolean;
  /** Sends a packet back: through `send` for a known peer, else OOB on this relay. */
  readonly reply: (packet: Uint8Array) => void;
}

/** A relay as {@link TcpConnections.relays} reports it. */
export interface ManagedRelayInfo {
  readonly relay: RelayEndpoint;
  readonly state: ManagedRelayState;
  /** Reserved for onion traffic. */
  readonly onion: boolean;
  /** Peers that use it, and those online on it. */
  readonly peers: number;
  readonly onlinePeers: number;
  /** Failed connections in a row. */
  readonly failures: number;
}

/** One of a peer's relays, as {@link TcpConnections.peerRelays} reports it. */
export interface PeerRelayInfo {
  readonly relay: RelayEndpoint;
  readonly status: PeerRelayStatus;
  /** The route's id on our connection to the relay, once registered. */
  readonly connectionId: number | undefined;
}

/** The events of a {@link TcpConnections}. */
export interface TcpConnectionsEvents {
  /** A packet from a peer, routed or OOB. */
  packet: RelayedPacket;
  /** An onion response: the relay was our first onion hop. */
  'onion-response': { readonly relay: RelayEndpoint; readonly data: Uint8Array };
  /**
   * A relay changed state, or left (`removed`). `reason` says why a connection was lost
   * (`waiting`) or why the relay left.
   */
  relay: {
    readonly relay: RelayEndpoint;
    readonly state: ManagedRelayState | 'removed';
    readonly reason: RelayCloseReason | RelayRemoveReason | undefined;
  };
  /** A peer's standing on one of its relays changed. */
  'peer-status': { readonly peerDhtPublicKey: Uint8Array; readonly relay: RelayEndpoint; readonly status: PeerRelayStatus };
  /** A bug: an exception inside the manager, a client or a listener. */
  error: Error;
}

interface Link {
  status: PeerRelayStatus;
  connectionId: number | undefined;
}

interface Peer {
  readonly publicKey: Uint8Array;
  readonly keyHex: string;
  /** Reachable without a relay (its UDP path is up): relays it alone uses may sleep. */
  direct: boolean;
  /** Its relays, in the order they were added. */
  readonly links: Map<Relay, Link>;
  /** `send` to this peer, bound once. */
  readonly reply: (packet: Uint8Array) => void;
}

interface Relay {
  readonly endpoint: RelayEndpoint;
  readonly keyHex: string;
  state: ManagedRelayState;
  client: TcpRelayClient | undefined;
  /** Peers that use this relay. */
  readonly peers: Set<Peer>;
  onion: boolean;
  /** End of the announce window (c-toxcore's `connected_time` + 10 s); 0 when no peer was asked for. */
  announceUntil: number;
  connectedSince: number;
  failures: number;
  timer: Timer | undefined;
}

type Emit = { [K in keyof TcpConnectionsEvents]: [K, TcpConnectionsEvents[K]] }[keyof TcpConnectionsEvents];

/** The relay manager; see the module comment. */
export class TcpConnections {
  readonly config: TcpConnectionsConfig;
  readonly clientConfig: RelayClientConfig;
  readonly stats = new TcpConnectionsStats();
  readonly #network: Network;
  readonly #clock: Clock;
  readonly #keyPair: KeyPair;
  readonly #events: Emitter<TcpConnectionsEvents>;
  readonly #relays = new Map<string, Relay>();
  readonly #peers = new Map<string, Peer>();
  #onion = false;
  #onionCursor = 0;
  #shareCursor = 0;
  #maintainTimer: Timer | undefined;
  #maintainAt = Infinity;
  #closed = false;

  /** Throws a `RelayError` (`bad-config`, `bad-key`) for a bad setting or key pair. */
  constructor(options: TcpConnectionsOptions) {
    this.config = tcpConnectionsConfig(options.config);
    this.clientConfig = relayClientConfig(options.clientConfig);
    expectKey(options.keyPair.publicKey, 'our public key');
    this.#network = options.network;
    this.#clock = options.clock;
    this.#keyPair = options.keyPair;
    this.#events = new Emitter((error) => this.#events.emit('error', error));
  }

  /** Our DHT public key, the one relays and peers know us by. */
  get publicKey(): Uint8Array {
    return this.#keyPair.publicKey;
  }

  /** Whether relays are reserved for onion traffic. */
  get onion(): boolean {
    return this.#onion;
  }

  /** Relays held, in any state. */
  get relayCount(): number {
    return this.#relays.size;
  }

  /** Relays connected now (`tcp_connected_relays_count`). */
  get connectedRelayCount(): number {
    let n = 0;
    for (const relay of this.#relays.values()) if (relay.state === 'connected') n++;
    return n;
  }

  /** Peers held. */
  get peerCount(): number {
    return this.#peers.size;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof TcpConnectionsEvents>(event: K, listener: (value: TcpConnectionsEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  // ─── Relays ───────────────────────────────────────────────────────────────

  /**
   * Adds a relay and starts connecting to it (`add_tcp_relay_global`): one to use for the
   * onion, or to offer to peers. False if a relay with that key is held already. Throws a
   * `RelayError`: `too-many` at `maxRelays`, `bad-key`, `closed`.
   */
  addRelay(endpoint: RelayEndpoint): boolean {
    this.#expectOpen();
    if (this.#relays.has(keyHexOf(endpoint.publicKey, 'relay public key'))) return false;
    this.#addRelay(endpoint);
    this.#scheduleMaintain(0);
    return true;
  }

  /** Closes and forgets a relay (`kill_tcp_relay_connection`); its peers lose it. False if not held. */
  removeRelay(relayPublicKey: Uint8Array): boolean {
    const relay = this.#relays.get(keyHexOf(relayPublicKey, 'relay public key'));
    if (relay === undefined) return false;
    this.#flush(this.#remove(relay, 'removed'));
    return true;
  }

  /** Every relay held, in the order added. */
  relays(): ManagedRelayInfo[] {
    return [...this.#relays.values()].map((r) => ({
      relay: r.endpoint,
      state: r.state,
      onion: r.onion,
      peers: r.peers.size,
      onlinePeers: onlineOn(r),
      failures: r.failures,
    }));
  }

  /** The state of the relay with this key, if held. */
  relayState(relayPublicKey: Uint8Array): ManagedRelayState | undefined {
    return this.#relays.get(keyHexOf(relayPublicKey, 'relay public key'))?.state;
  }

  /**
   * Up to `max` connected relays, starting from a rotating point so that different callers
   * get different ones (`tcp_copy_connected_relays`): what to tell a peer about.
   */
  connectedRelays(max = this.config.recommendedRelays): RelayEndpoint[] {
    const connected = [...this.#relays.values()].filter((r) => r.state === 'connected');
    const out: RelayEndpoint[] = [];
    const start = connected.length === 0 ? 0 : this.#shareCursor++ % connected.length;
    for (let i = 0; i < connected.length && out.length < max; i++) out.push(connected[(start + i) % connected.length]!.endpoint);
    return out;
  }

  // ─── Peers ────────────────────────────────────────────────────────────────

  /**
   * Starts tracking a peer by its DHT key (`new_tcp_connection_to`). False if it is tracked
   * already. Throws a `RelayError`: `too-many` at `maxPeers`, `bad-key`, `closed`.
   */
  addPeer(peerDhtPublicKey: Uint8Array): boolean {
    this.#expectOpen();
    const keyHex = keyHexOf(peerDhtPublicKey, 'peer public key');
    if (this.#peers.has(keyHex)) return false;
    if (this.#peers.size >= this.config.maxPeers) {
      throw new RelayError('too-many', `the relay manager holds ${this.config.maxPeers} peers (maxPeers)`);
    }
    const publicKey = Uint8Array.from(peerDhtPublicKey);
    const peer: Peer = { publicKey, keyHex, direct: false, links: new Map(), reply: (packet) => void this.send(publicKey, packet) };
    this.#peers.set(keyHex, peer);
    return true;
  }

  /**
   * Stops tracking a peer (`kill_tcp_connection_to`): its routes are given up at each relay.
   * False if it was not tracked.
   */
  removePeer(peerDhtPublicKey: Uint8Array): boolean {
    const peer = this.#peers.get(keyHexOf(peerDhtPublicKey, 'peer public key'));
    if (peer === undefined) return false;
    for (const [relay, link] of peer.links) {
      if (link.connectionId !== undefined && relay.client?.state === 'connected') this.#giveUpRoute(relay.client, link.connectionId);
      relay.peers.delete(peer);
    }
    peer.links.clear();
    this.#peers.delete(peer.keyHex);
    this.#scheduleMaintain(0);
    return true;
  }

  /** Whether the peer with this DHT key is tracked. */
  hasPeer(peerDhtPublicKey: Uint8Array): boolean {
    return this.#peers.has(keyHexOf(peerDhtPublicKey, 'peer public key'));
  }

  /**
   * Adds a relay through which to reach a peer (`add_tcp_relay_connection`); both peers
   * should add the same relay. A relay already held is linked to the peer (up to
   * `maxRelaysPerPeer`); a new one is added only while the peer is online on fewer than
   * `recommendedRelays`. If connected, the relay is asked for a route at once; if asleep
   * and the peer is not direct, it is woken. False when nothing was added. Throws a
   * `RelayError`: `unknown-peer`, `too-many` (a new relay at `maxRelays`), `bad-key`,
   * `closed`.
   */
  addPeerRelay(peerDhtPublicKey: Uint8Array, endpoint: RelayEndpoint): boolean {
    this.#expectOpen();
    const peer = this.#peer(peerDhtPublicKey);
    const known = this.#relays.get(keyHexOf(endpoint.publicKey, 'relay public key'));
    if (peer.links.size >= this.config.maxRelaysPerPeer) return false;
    if (known !== undefined) return this.#link(peer, known);
    if (onlineLinks(peer) >= this.config.recommendedRelays) return false;
    return this.#link(peer, this.#addRelay(endpoint));
  }

  /**
   * Tells the manager whether the peer is reachable without a relay now (its UDP path is up):
   * net_crypto's `set_tcp_connection_to_status(!direct)`. A relay whose every online peer
   * is direct goes to sleep once its announce window is over; a peer that is no longer
   * direct wakes its sleeping relays. Throws a `RelayError` (`unknown-peer`).
   */
  setPeerDirect(peerDhtPublicKey: Uint8Array, direct: boolean): void {
    const peer = this.#peer(peerDhtPublicKey);
    if (peer.direct === direct) return;
    peer.direct = direct;
    const emits: Emit[] = [];
    if (!direct) for (const relay of peer.links.keys()) if (relay.state === 'sleeping') this.#wake(relay, emits);
    this.#flush(emits);
    this.#scheduleMaintain(0);
  }

  /** The peer's relays and its standing on each. Throws a `RelayError` (`unknown-peer`). */
  peerRelays(peerDhtPublicKey: Uint8Array): PeerRelayInfo[] {
    const peer = this.#peer(peerDhtPublicKey);
    return [...peer.links].map(([relay, link]) => ({ relay: relay.endpoint, status: link.status, connectionId: link.connectionId }));
  }

  /** On how many relays the peer is online (`tcp_connection_to_online_tcp_relays`); 0 for a peer not tracked. */
  onlineRelays(peerDhtPublicKey: Uint8Array): number {
    const peer = this.#peers.get(keyHexOf(peerDhtPublicKey, 'peer public key'));
    return peer === undefined ? 0 : onlineLinks(peer);
  }

  // ─── Sending ──────────────────────────────────────────────────────────────

  /**
   * Sends a packet (1–2031 bytes, a net_crypto packet as over UDP) to a peer
   * (`send_packet_tcp_connection`): on the first of its relays where it is online and the
   * socket takes it; if it is online nowhere, out of band on every relay where it is
   * registered. When it is online somewhere but every such socket is full, nothing is sent
   * (as in c-toxcore: OOB would only add to the load). True if it went out somewhere.
   * False, counted, for a peer not tracked. Throws a `RelayError` (`bad-length`).
   */
  send(peerDhtPublicKey: Uint8Array, packet: Uint8Array): boolean {
    if (!(packet instanceof Uint8Array) || packet.length === 0 || packet.length > MAX_DATA_PAYLOAD_SIZE) {
      throw new RelayError('bad-length', `a relayed packet must be 1 to ${MAX_DATA_PAYLOAD_SIZE} bytes`);
    }
    const peer = this.#peers.get(keyHexOf(peerDhtPublicKey, 'peer public key'));
    if (peer === undefined) {
      this.stats.dropped.add('unknown-peer');
      return false;
    }
    let full = false;
    for (const [relay, link] of peer.links) {
      if (link.status !== 'online' || relay.client?.state !== 'connected') continue;
      if (relay.client.sendData(link.connectionId!, packet)) {
        this.stats.sentRouted++;
        return true;
      }
      full = true;
    }
    if (full) {
      this.stats.dropped.add('send-buffer-full');
      return false;
    }
    let sent = false;
    let registered = false;
    for (const [relay, link] of peer.links) {
      if (link.status !== 'registered' || relay.client?.state !== 'connected') continue;
      registered = true;
      if (packet.length > TCP_MAX_OOB_DATA_LENGTH) break;
      if (relay.client.sendOob(peer.publicKey, packet)) sent = true;
    }
    if (sent) this.stats.sentOob++;
    else this.stats.dropped.add(!registered ? 'no-route' : packet.length > TCP_MAX_OOB_DATA_LENGTH ? 'oob-too-long' : 'send-buffer-full');
    return sent;
  }

  /**
   * Sends a packet (1–1024 bytes) out of band to `peerDhtPublicKey` through the relay with
   * `relayPublicKey` (`tcp_send_oob_packet_using_relay`), peer tracked or not. False if the
   * relay is not held or not connected, or its socket is full.
   */
  sendOob(relayPublicKey: Uint8Array, peerDhtPublicKey: Uint8Array, packet: Uint8Array): boolean {
    expectKey(peerDhtPublicKey, 'peer public key');
    if (!(packet instanceof Uint8Array) || packet.length === 0 || packet.length > TCP_MAX_OOB_DATA_LENGTH) {
      throw new RelayError('bad-length', `an OOB packet must be 1 to ${TCP_MAX_OOB_DATA_LENGTH} bytes`);
    }
    const relay = this.#relays.get(keyHexOf(relayPublicKey, 'relay public key'));
    if (relay?.client?.state !== 'connected') return false;
    return relay.client.sendOob(peerDhtPublicKey, packet);
  }

  // ─── Onion ────────────────────────────────────────────────────────────────

  /**
   * Reserves relays for onion traffic, or stops (`set_tcp_onion_status`): on while UDP is not
   * available. Up to `onionRelays` connected relays are reserved (they never sleep nor count
   * as unused); if fewer are connected, sleeping relays are woken to make up the number.
   */
  setOnion(enabled: boolean): void {
    if (this.#onion === enabled) return;
    this.#onion = enabled;
    const emits: Emit[] = [];
    if (enabled) {
      let short = this.config.onionRelays - this.#reserveOnion();
      for (const relay of this.#relays.values()) {
        if (short <= 0) break;
        if (relay.state === 'sleeping') {
          this.#wake(relay, emits);
          short--;
        }
      }
    } else {
      for (const relay of this.#relays.values()) relay.onion = false;
    }
    this.#flush(emits);
    this.#scheduleMaintain(0);
  }

  /** The connected relays reserved for onion traffic. */
  onionRelays(): RelayEndpoint[] {
    return [...this.#relays.values()].filter((r) => r.onion && r.state === 'connected').map((r) => r.endpoint);
  }

  /**
   * The next onion relay to use, in turn (c-toxcore picks at random:
   * `get_random_tcp_onion_conn_number`); `undefined` when none is connected.
   */
  nextOnionRelay(): RelayEndpoint | undefined {
    const relays = this.onionRelays();
    if (relays.length === 0) return undefined;
    return relays[this.#onionCursor++ % relays.length];
  }

  /**
   * Sends an onion request through a connected relay, which is its first hop
   * (`tcp_send_onion_request`): the onion packet's nonce and `[second hop IP_Port][the rest]`.
   * False if the relay is not held or not connected, or its socket is full.
   */
  sendOnionRequest(relayPublicKey: Uint8Array, nonce: Uint8Array, payload: Uint8Array): boolean {
    expectLength(nonce, NONCE_SIZE, 'nonce');
    const relay = this.#relays.get(keyHexOf(relayPublicKey, 'relay public key'));
    if (relay?.client?.state !== 'connected') return false;
    if (!relay.client.sendOnionRequest(nonce, payload)) return false;
    this.stats.onionRequests++;
    return true;
  }

  /** Closes every relay connection and forgets every relay and peer; no events follow. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#maintainTimer?.cancel();
    this.#maintainTimer = undefined;
    for (const relay of this.#relays.values()) this.#stop(relay);
    this.#relays.clear();
    this.#peers.clear();
  }

  // ─── Internals ────────────────────────────────────────────────────────────

  #expectOpen(): void {
    if (this.#closed) throw new RelayError('closed', 'the relay manager is closed');
  }

  #peer(publicKey: Uint8Array): Peer {
    const peer = this.#peers.get(keyHexOf(publicKey, 'peer public key'));
    if (peer === undefined) throw new RelayError('unknown-peer', 'the relay manager tracks no peer with that key (addPeer first)');
    return peer;
  }

  #addRelay(endpoint: RelayEndpoint): Relay {
    if (this.#relays.size >= this.config.maxRelays) {
      throw new RelayError('too-many', `the relay manager holds ${this.config.maxRelays} relays (maxRelays)`);
    }
    const relay: Relay = {
      endpoint: { address: endpoint.address, publicKey: Uint8Array.from(endpoint.publicKey) },
      keyHex: toHex(endpoint.publicKey),
      state: 'connecting',
      client: undefined,
      peers: new Set(),
      onion: false,
      announceUntil: 0,
      connectedSince: 0,
      failures: 0,
      timer: undefined,
    };
    this.#relays.set(relay.keyHex, relay);
    this.#connect(relay);
    return relay;
  }

  /** `add_tcp_number_relay_connection`. */
  #link(peer: Peer, relay: Relay): boolean {
    if (peer.links.has(relay) || peer.links.size >= this.config.maxRelaysPerPeer) return false;
    peer.links.set(relay, { status: 'none', connectionId: undefined });
    relay.peers.add(peer);
    const emits: Emit[] = [];
    if (!peer.direct && relay.state === 'sleeping') this.#wake(relay, emits);
    if (relay.state === 'connected' && relay.client!.routingRequest(peer.publicKey)) {
      relay.announceUntil = this.#clock.now() + this.config.announceTimeoutMs;
    }
    this.#flush(emits);
    return true;
  }

  /** A new client for the relay; its events are ignored once it is no longer the relay's client. */
  #connect(relay: Relay): void {
    relay.timer?.cancel();
    relay.timer = undefined;
    relay.state = 'connecting';
    this.stats.connects++;
    const client = new TcpRelayClient({
      network: this.#network, clock: this.#clock, keyPair: this.#keyPair, relay: relay.endpoint, config: this.clientConfig,
    });
    relay.client = client;
    const mine = (): boolean => relay.client === client;
    client.on('connected', () => mine() && this.#connected(relay));
    client.on('routing-response', (r) => mine() && this.#routingResponse(relay, r.connectionId, r.publicKey));
    client.on('status', (route) => mine() && this.#status(relay, route));
    client.on('data', (d) => mine() && this.#routed(relay, d.publicKey, d.data));
    client.on('oob', (o) => mine() && this.#oob(relay, o.publicKey, o.data));
    client.on('onion-response', (o) => {
      if (!mine()) return;
      this.stats.onionResponses++;
      this.#events.emit('onion-response', { relay: relay.endpoint, data: o.data });
    });
    client.on('closed', (c) => mine() && this.#lost(relay, c.reason));
    client.on('error', (error) => this.#events.emit('error', error));
  }

  /** `tcp_relay_on_online`: route requests for every peer of the relay; an onion slot if one is free. */
  #connected(relay: Relay): void {
    const now = this.#clock.now();
    relay.state = 'connected';
    relay.connectedSince = now;
    this.stats.connected++;
    let asked = false;
    for (const peer of relay.peers) if (relay.client!.routingRequest(peer.publicKey)) asked = true;
    relay.announceUntil = asked ? now + this.config.announceTimeoutMs : 0;
    if (this.#onion && this.#onionCount() < this.config.onionRelays) relay.onion = true;
    this.#flush([['relay', { relay: relay.endpoint, state: 'connected', reason: undefined }]]);
    this.#scheduleMaintain(0);
  }

  /** `tcp_response_callback`. A route for a peer we no longer track (or not on this relay) is given up. */
  #routingResponse(relay: Relay, connectionId: number | undefined, publicKey: Uint8Array): void {
    if (connectionId === undefined) {
      this.stats.dropped.add('routing-refused');
      return;
    }
    const peer = this.#peers.get(toHex(publicKey));
    const link = peer?.links.get(relay);
    if (link === undefined) {
      this.#giveUpRoute(relay.client!, connectionId);
      return;
    }
    if (link.status !== 'none') return;
    link.status = 'registered';
    link.connectionId = connectionId;
    this.#flush([['peer-status', { peerDhtPublicKey: peer!.publicKey, relay: relay.endpoint, status: 'registered' }]]);
  }

  /** `tcp_status_callback`: the peer came online on the route, or went. */
  #status(relay: Relay, route: RelayRoute): void {
    const peer = this.#peers.get(toHex(route.publicKey));
    const link = peer?.links.get(relay);
    if (link === undefined) return;
    const status: PeerRelayStatus = route.online ? 'online' : 'registered';
    if (link.status === status) return;
    link.status = status;
    link.connectionId = route.connectionId;
    this.#flush([['peer-status', { peerDhtPublicKey: peer!.publicKey, relay: relay.endpoint, status }]]);
    this.#scheduleMaintain(0);
  }

  #routed(relay: Relay, publicKey: Uint8Array, data: Uint8Array): void {
    const peer = this.#peers.get(toHex(publicKey));
    if (peer === undefined || !peer.links.has(relay)) {
      this.stats.dropped.add('unknown-route');
      return;
    }
    this.stats.receivedRouted++;
    this.#events.emit('packet', { peerDhtPublicKey: peer.publicKey, relay: relay.endpoint, data, via: 'routed', known: true, reply: peer.reply });
  }

  /** `tcp_conn_oob_callback`: from a peer that uses this relay, as if routed; from anyone else, answered out of band. */
  #oob(relay: Relay, publicKey: Uint8Array, data: Uint8Array): void {
    const peer = this.#peers.get(toHex(publicKey));
    if (peer !== undefined && peer.links.has(relay)) {
      this.stats.receivedOob++;
      this.#events.emit('packet', { peerDhtPublicKey: peer.publicKey, relay: relay.endpoint, data, via: 'oob', known: true, reply: peer.reply });
      return;
    }
    this.stats.receivedOobUnknown++;
    const reply = (packet: Uint8Array): void => void this.sendOob(relay.endpoint.publicKey, publicKey, packet);
    this.#events.emit('packet', { peerDhtPublicKey: publicKey, relay: relay.endpoint, data, via: 'oob', known: false, reply });
  }

  /** The connection dropped: routes are gone; reconnect after the back-off, or give the relay up. */
  #lost(relay: Relay, reason: RelayCloseReason): void {
    const now = this.#clock.now();
    const lasted = relay.state === 'connected' && now - relay.connectedSince >= this.config.reconnectResetMs;
    relay.client = undefined;
    this.stats.lost++;
    const emits = this.#unroute(relay);
    if (lasted) relay.failures = 0;
    relay.failures++;
    if (relay.failures >= this.config.maxReconnectAttempts) {
      this.stats.gaveUp++;
      emits.push(...this.#remove(relay, 'gave-up'));
    } else {
      relay.state = 'waiting';
      relay.timer = this.#clock.setTimer(reconnectDelayMs(relay.failures, this.config), () => this.#reconnect(relay));
      emits.unshift(['relay', { relay: relay.endpoint, state: 'waiting', reason }]);
    }
    this.#flush(emits);
    this.#scheduleMaintain(0);
  }

  #reconnect(relay: Relay): void {
    relay.timer = undefined;
    if (this.#closed || this.#relays.get(relay.keyHex) !== relay || relay.state !== 'waiting') return;
    this.#connect(relay);
    this.#flush([['relay', { relay: relay.endpoint, state: 'connecting', reason: undefined }]]);
  }

  /** Every peer's standing on the relay back to `none` (the relay's routes are gone); the events to emit. */
  #unroute(relay: Relay): Emit[] {
    const emits: Emit[] = [];
    relay.onion = false;
    relay.announceUntil = 0;
    for (const peer of relay.peers) {
      const link = peer.links.get(relay)!;
      const was = link.status;
      link.status = 'none';
      link.connectionId = undefined;
      if (was !== 'none') emits.push(['peer-status', { peerDhtPublicKey: peer.publicKey, relay: relay.endpoint, status: 'none' }]);
    }
    return emits;
  }

  /** Closes the relay's client, if any, without reacting to its `closed`; cancels its timer. */
  #stop(relay: Relay): void {
    relay.timer?.cancel();
    relay.timer = undefined;
    const client = relay.client;
    relay.client = undefined;
    client?.close();
  }

  /** `sleep_tcp_relay_connection`. */
  #sleep(relay: Relay, emits: Emit[]): void {
    this.#stop(relay);
    emits.push(...this.#unroute(relay));
    relay.state = 'sleeping';
    relay.failures = 0;
    this.stats.slept++;
    emits.unshift(['relay', { relay: relay.endpoint, state: 'sleeping', reason: undefined }]);
  }

  /** `unsleep_tcp_relay_connection`. */
  #wake(relay: Relay, emits: Emit[]): void {
    if (relay.state !== 'sleeping') return;
    this.stats.woken++;
    this.#connect(relay);
    emits.push(['relay', { relay: relay.endpoint, state: 'connecting', reason: undefined }]);
  }

  /** Closes and forgets a relay; its peers lose it. The events to emit. */
  #remove(relay: Relay, reason: RelayRemoveReason): Emit[] {
    this.#stop(relay);
    const emits = this.#unroute(relay);
    for (const peer of relay.peers) peer.links.delete(relay);
    relay.peers.clear();
    this.#relays.delete(relay.keyHex);
    emits.unshift(['relay', { relay: relay.endpoint, state: 'removed', reason }]);
    return emits;
  }

  #giveUpRoute(client: TcpRelayClient, connectionId: number): void {
    if (client.state !== 'connected' || client.routes().every((r) => r.connectionId !== connectionId)) return;
    client.disconnect(connectionId);
  }

  #onionCount(): number {
    let n = 0;
    for (const relay of this.#relays.values()) if (relay.onion) n++;
    return n;
  }

  /** Reserves connected relays for the onion up to `onionRelays`; returns how many are reserved. */
  #reserveOnion(): number {
    let count = this.#onionCount();
    for (const relay of this.#relays.values()) {
      if (count >= this.config.onionRelays) break;
      if (relay.state === 'connected' && !relay.onion) {
        relay.onion = true;
        count++;
      }
    }
    return count;
  }

  /** Runs `#maintain` at `at` (ms on the clock; 0 for as soon as possible), unless it runs sooner already. */
  #scheduleMaintain(at: number): void {
    if (this.#closed || at >= this.#maintainAt) return;
    this.#maintainTimer?.cancel();
    this.#maintainAt = at;
    this.#maintainTimer = this.#clock.setTimer(at - this.#clock.now(), () => this.#maintain());
  }

  /**
   * `do_tcp_conns` and `kill_nonused_tcp`, run when something changed and when an announce
   * window ends: onion reservations topped up; relays whose every online peer is direct put
   * to sleep; connected relays that no online peer uses closed down to `recommendedRelays`.
   */
  #maintain(): void {
    this.#maintainTimer = undefined;
    this.#maintainAt = Infinity;
    if (this.#closed) return;
    const now = this.#clock.now();
    let next = Infinity;
    const emits: Emit[] = [];
    if (this.#onion) this.#reserveOnion();
    for (const relay of this.#relays.values()) {
      if (relay.state !== 'connected' || relay.onion) continue;
      let online = 0;
      let direct = 0;
      for (const peer of relay.peers) {
        if (peer.links.get(relay)!.status !== 'online') continue;
        online++;
        if (peer.direct) direct++;
      }
      if (online === 0 || direct !== online) continue;
      if (now < relay.announceUntil) next = Math.min(next, relay.announceUntil);
      else this.#sleep(relay, emits);
    }
    const connected = this.connectedRelayCount;
    let excess = connected - this.config.recommendedRelays;
    for (const relay of [...this.#relays.values()]) {
      if (excess <= 0) break;
      if (relay.state !== 'connected' || relay.onion || onlineOn(relay) > 0) continue;
      if (now < relay.announceUntil) {
        next = Math.min(next, relay.announceUntil);
        continue;
      }
      this.stats.removedUnused++;
      emits.push(...this.#remove(relay, 'unused'));
      excess--;
    }
    if (next < Infinity) this.#scheduleMaintain(next);
    this.#flush(emits);
  }

  #flush(emits: Emit[]): void {
    for (const [event, value] of emits) this.#events.emit(event, value as never);
  }
}

function onlineOn(relay: Relay): number {
  let n = 0;
  for (const peer of relay.peers) if (peer.links.get(relay)!.status === 'online') n++;
  return n;
}

function onlineLinks(peer: Peer): number {
  let n = 0;
  for (const link of peer.links.values()) if (link.status === 'online') n++;
  return n;
}

function expectKey(publicKey: Uint8Array, what: string): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_SIZE) {
    throw new RelayError('bad-key', `${what} must be ${PUBLIC_KEY_SIZE} bytes`);
  }
}

function keyHexOf(publicKey: Uint8Array, what: string): string {
  expectKey(publicKey, what);
  return toHex(publicKey);
}
