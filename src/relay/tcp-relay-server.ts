/**
 * A TCP relay: what `tox-bootstrapd` and every c-toxcore instance with a TCP port run. It
 * accepts clients, knows each by the public key of its handshake (one connection per key;
 * a newer one replaces the older), routes between clients that asked for each other,
 * passes data along routes and OOB payloads to connected keys, pings every client and
 * closes the silent ones, and hands onion requests to an onion hop if it has one.
 *
 * ```ts
 * const relay = new TcpRelayServer({ network: host, clock, keyPair: dhtKeys });
 * await relay.listen({ host: '0.0.0.0', port: 33445 });
 * relay.on('client', (c) => console.log('client', toHex(c.publicKey)));
 * ```
 *
 * It is sans-IO in the sense of the rest of toxlink: it is given a `Network` to listen on
 * (or connections, through `accept`) and a `Clock`, and never touches a socket or the wall
 * clock itself.
 *
 * @see spec/relay.md#the-server
 * @see spec/relay.md#routing
 * @module
 */
import type { Clock, DatagramTransport, Network, StreamConnection, StreamListener, Address } from '../io/index.ts';
import { type KeyPair, PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { DecodeError, TcpPacket, toHex } from '../wire/index.ts';
import { type RelayServerConfig, relayServerConfig } from './config.ts';
import { RelayError } from './errors.ts';
import { Emitter } from './events.ts';
import { NOTIFICATION_SIZE, encodeConnectNotification, encodeDisconnectNotification } from './notification-packets.ts';
import { OnionUdpHop, type RelayOnionHandler } from './onion-hop.ts';
import { encodeOnionResponse } from './onion-packets.ts';
import { encodeOobReceive } from './oob-packets.ts';
import { type RelayPacket, decodeRelayPacket } from './packet.ts';
import { MIN_ONION_REQUEST_FRAME_SIZE } from './packet-sizes.ts';
import { encodePong, isZeroPingId } from './ping-packets.ts';
import { connectionIdOf, slotOf } from './route-table.ts';
import { ROUTING_REFUSED, encodeRoutingResponse } from './routing-packets.ts';
import { type HandshakeSecrets, randomHandshakeSecrets } from './secure-stream.ts';
import { ServerClient, type ServerClientHost } from './server-client.ts';
import { type RelayCloseReason, type RelayDropReason, RelayServerStats } from './stats.ts';

/** What a {@link TcpRelayServer} is built from. */
export interface TcpRelayServerOptions {
  /** Where `listen` listens. Not needed if connections come only through `accept`. */
  readonly network?: Network;
  readonly clock: Clock;
  /** The relay's long-term key pair (a c-toxcore node uses its DHT key pair). */
  readonly keyPair: KeyPair;
  readonly config?: Partial<RelayServerConfig>;
  /** Takes onion requests; without it (and without `onionSocket`) they are dropped and counted. */
  readonly onion?: RelayOnionHandler;
  /**
   * A UDP socket for a built-in first onion hop ({@link OnionUdpHop}): onion requests go
   * out on it to their second hop, and answers come back on it. Not with `onion`. The relay
   * takes its receive handler but does not close it: that is the caller's.
   */
  readonly onionSocket?: DatagramTransport;
  /**
   * Makes each connection's temporary key pair and nonces; fresh random ones by default.
   * Given only to replay a recorded session (test vectors).
   */
  readonly secrets?: () => HandshakeSecrets;
}

/** A client of the relay, as the events report it. */
export interface RelayClientInfo {
  readonly publicKey: Uint8Array;
  /** The client's address as the relay sees it. */
  readonly address: Address;
  /** The relay's number for this connection; a new connection gets a new one. */
  readonly serial: number;
}

/** The events of a {@link TcpRelayServer}. */
export interface TcpRelayServerEvents {
  /** A client is confirmed: its handshake and first frame were good. */
  client: RelayClientInfo;
  /** A confirmed client is gone. */
  'client-closed': RelayClientInfo & { readonly reason: RelayCloseReason };
  /** A bug: an exception inside the relay or a listener. */
  error: Error;
}

/** A TCP relay; see the module comment. */
export class TcpRelayServer {
  readonly config: RelayServerConfig;
  readonly stats = new RelayServerStats();
  /** The built-in onion hop, when built with `onionSocket`. */
  readonly onionHop: OnionUdpHop | undefined;
  readonly #network: Network | undefined;
  readonly #clock: Clock;
  readonly #keyPair: KeyPair;
  readonly #onion: RelayOnionHandler | undefined;
  readonly #events: Emitter<TcpRelayServerEvents>;
  readonly #pending = new Set<ServerClient>();
  readonly #clients = new Map<string, ServerClient>();
  readonly #bySerial = new Map<number, ServerClient>();
  readonly #listeners: StreamListener[] = [];
  readonly #host: ServerClientHost;
  #nextSerial = 1;
  #closed = false;

  constructor(options: TcpRelayServerOptions) {
    this.config = relayServerConfig(options.config);
    if (options.keyPair.publicKey.length !== PUBLIC_KEY_SIZE) throw new RelayError('bad-key', 'the relay key pair must be an X25519 key pair');
    if (options.onion !== undefined && options.onionSocket !== undefined) {
      throw new RelayError('bad-config', 'give the relay an onion handler or an onion socket, not both');
    }
    this.#network = options.network;
    this.#clock = options.clock;
    this.#keyPair = options.keyPair;
    this.#events = new Emitter((error) => this.#events.emit('error', error));
    this.onionHop = options.onionSocket === undefined ? undefined : new OnionUdpHop({
      socket: options.onionSocket,
      clock: options.clock,
      deliver: (serial, response) => this.sendOnionResponse(serial, response),
    });
    this.#onion = options.onion ?? this.onionHop;
    this.#host = {
      clock: this.#clock,
      config: this.config,
      keyPair: this.#keyPair,
      secrets: options.secrets ?? randomHandshakeSecrets,
      handshaken: () => this.stats.handshakes++,
      frame: (client, plain) => this.#frame(client, plain),
      closed: (client, reason) => this.#forget(client, reason),
      sent: () => this.stats.framesSent++,
      drop: (reason) => this.stats.dropped.add(reason),
      error: (error) => this.#events.emit('error', error),
    };
  }

  /** The relay's public key: what clients must be given to connect. */
  get publicKey(): Uint8Array {
    return this.#keyPair.publicKey;
  }

  /** Confirmed clients. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Connections accepted and not yet confirmed. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof TcpRelayServerEvents>(event: K, listener: (value: TcpRelayServerEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Whether a client with this key is connected (confirmed). */
  hasClient(publicKey: Uint8Array): boolean {
    return this.#clients.has(toHex(publicKey));
  }

  /** The routes of the client with this key: connection id, peer key, online. For tests and diagnostics. */
  routesOf(publicKey: Uint8Array): Array<{ connectionId: number; publicKey: Uint8Array; online: boolean }> {
    const client = this.#clients.get(toHex(publicKey));
    if (client === undefined) return [];
    return [...client.routes.entries()].map(([i, r]) => ({ connectionId: connectionIdOf(i), publicKey: r.publicKey, online: r.peer !== undefined }));
  }

  /** Listens on `address` of the network the relay was given; resolves with the listener. */
  async listen(address: Address): Promise<StreamListener> {
    if (this.#network === undefined) throw new RelayError('bad-config', 'the relay was built without a network to listen on');
    if (this.#closed) throw new RelayError('closed', 'the relay is closed');
    const listener = await this.#network.listenTcp(address, (conn) => this.accept(conn));
    this.#listeners.push(listener);
    return listener;
  }

  /** Takes a new TCP connection from a client. Over `maxPendingConnections` it is closed at once. */
  accept(conn: StreamConnection): void {
    this.stats.accepted++;
    if (this.#closed || this.#pending.size >= this.config.maxPendingConnections) {
      this.stats.closed.add(this.#closed ? 'closed' : 'too-many-pending');
      conn.destroy();
      return;
    }
    const client = new ServerClient(this.#host, this.#nextSerial++, conn);
    this.#pending.add(client);
  }

  /**
   * Sends an onion response to the client whose connection has `serial` (what the onion hop
   * was given with its request). False if that connection is gone or its socket is full.
   */
  sendOnionResponse(serial: number, response: Uint8Array): boolean {
    const client = this.#bySerial.get(serial);
    if (client === undefined || response.length === 0) return false;
    const sent = client.send(encodeOnionResponse(response), false) === 'sent';
    if (sent) this.stats.onionResponses++;
    else this.stats.dropped.add('send-buffer-full');
    return sent;
  }

  /** Stops listening and closes every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const listeners = this.#listeners.splice(0);
    for (const client of [...this.#pending, ...this.#clients.values()]) client.close('closed');
    await Promise.all(listeners.map((l) => l.close()));
  }

  // ─── Per-frame logic ───────────────────────────────────────────────────────

  #frame(client: ServerClient, plain: Uint8Array): void {
    this.stats.framesReceived++;
    if (client.status === 'unconfirmed' && !this.#confirm(client)) return;
    // c-toxcore's relay takes a connect notification of the right length from a client and
    // ignores it, whatever its id; the decoder would refuse ids below 16.
    if (plain[0] === TcpPacket.CONNECTION_NOTIFICATION && plain.length === NOTIFICATION_SIZE) return this.#drop('ignored-notification');
    let packet: RelayPacket;
    try {
      packet = decodeRelayPacket(plain);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      client.close('malformed');
      return;
    }
    switch (packet.kind) {
      case 'routing-request': return this.#routingRequest(client, packet.publicKey);
      case 'disconnect-notification': return this.#disconnect(client, packet.connectionId);
      case 'connect-notification': return this.#drop('ignored-notification');
      case 'ping':
        if (isZeroPingId(packet.pingId)) return this.#drop('zero-ping-id');
        client.send(encodePong(packet.pingId), true);
        return;
      case 'pong': return client.pong(packet.pingId);
      case 'oob-send': return this.#oob(client, packet.publicKey, packet.data);
      case 'onion-request': return this.#onionRequest(client, packet, plain.length);
      case 'forward-request': return this.#drop('forwarding');
      case 'data': return this.#data(client, packet.connectionId, plain);
      case 'routing-response':
      case 'oob-receive':
      case 'onion-response':
      case 'forwarding':
        client.close('unexpected-packet');
        return;
    }
  }

  /** The first frame after the handshake: the client is in, replacing an older connection with its key. */
  #confirm(client: ServerClient): boolean {
    this.#pending.delete(client);
    const keyHex = client.keyHex!;
    const old = this.#clients.get(keyHex);
    if (old !== undefined) old.close('replaced');
    if (this.#clients.size >= this.config.maxClients) {
      client.close('too-many-clients');
      return false;
    }
    this.#clients.set(keyHex, client);
    this.#bySerial.set(client.serial, client);
    client.confirm();
    this.stats.confirmed++;
    this.#events.emit('client', this.#info(client));
    return client.status === 'confirmed';
  }

  /**
   * `handle_TCP_routing_req`: answer with the slot already used for that key, else the first
   * free one, else 0 (as for our own key). A new slot whose peer is connected and has a slot
   * waiting for us goes online at both ends, each told by a connect notification.
   */
  #routingRequest(client: ServerClient, publicKey: Uint8Array): void {
    const keyHex = toHex(publicKey);
    if (keyHex === client.keyHex) {
      client.send(encodeRoutingResponse(ROUTING_REFUSED, publicKey), true);
      return;
    }
    const existing = client.routes.find(keyHex);
    if (existing >= 0) {
      client.send(encodeRoutingResponse(connectionIdOf(existing), publicKey), true);
      return;
    }
    const index = client.routes.firstFree();
    if (client.send(encodeRoutingResponse(index < 0 ? ROUTING_REFUSED : connectionIdOf(index), publicKey), true) !== 'sent' || index < 0) {
      return;
    }
    const route = client.routes.add(index, publicKey);
    const other = this.#clients.get(keyHex);
    if (other === undefined) return;
    const otherIndex = other.routes.find(client.keyHex!);
    const otherRoute = other.routes.get(otherIndex);
    if (otherRoute === undefined || otherRoute.peer !== undefined) return;
    route.peer = other;
    route.peerIndex = otherIndex;
    otherRoute.peer = client;
    otherRoute.peerIndex = index;
    client.send(encodeConnectNotification(connectionIdOf(index)), true);
    other.send(encodeConnectNotification(connectionIdOf(otherIndex)), true);
  }

  /** `rm_connection_index`: the client gives up a route; a route not in use closes it, as in c-toxcore. */
  #disconnect(client: ServerClient, connectionId: number): void {
    const index = slotOf(connectionId);
    if (client.routes.get(index) === undefined) {
      client.close('bad-connection-id');
      return;
    }
    this.#removeRoute(client, index);
  }

  /** Frees a slot; if it was online, the peer's slot goes back to waiting and the peer is told. */
  #removeRoute(client: ServerClient, index: number): void {
    const route = client.routes.remove(index);
    const peer = route?.peer;
    if (peer === undefined) return;
    const peerRoute = peer.routes.get(route!.peerIndex);
    if (peerRoute !== undefined && peerRoute.peer === client) {
      peerRoute.peer = undefined;
      peerRoute.peerIndex = -1;
      peer.send(encodeDisconnectNotification(connectionIdOf(route!.peerIndex)), true);
    }
  }

  /**
   * Data on a route: passed on with the peer's connection id, if the route is online and the
   * peer's socket takes it. `plain` is the whole frame plaintext, ours to change: its first
   * byte is rewritten to the peer's id and it is sealed again as it is, with no copy.
   */
  #data(client: ServerClient, connectionId: number, plain: Uint8Array): void {
    const route = client.routes.get(slotOf(connectionId));
    if (route === undefined) {
      client.close('bad-connection-id');
      return;
    }
    if (route.peer === undefined) return this.#drop('route-offline');
    plain[0] = connectionIdOf(route.peerIndex);
    const outcome = route.peer.send(plain, false);
    if (outcome === 'sent') this.stats.dataRelayed++;
    else this.#drop('send-buffer-full');
  }

  /** `handle_TCP_oob_send`: to the destination if it is connected, else nowhere. */
  #oob(client: ServerClient, destination: Uint8Array, data: Uint8Array): void {
    const to = this.#clients.get(toHex(destination));
    if (to === undefined) return this.#drop('oob-no-destination');
    if (to.send(encodeOobReceive(client.publicKey!, data), false) === 'sent') this.stats.oobRelayed++;
    else this.#drop('send-buffer-full');
  }

  #onionRequest(client: ServerClient, packet: Extract<RelayPacket, { kind: 'onion-request' }>, frameLength: number): void {
    if (this.#onion === undefined) return this.#drop('onion-disabled');
    if (frameLength < MIN_ONION_REQUEST_FRAME_SIZE) {
      client.close('onion-request-too-short');
      return;
    }
    if (this.#onion.request(packet, { serial: client.serial, publicKey: client.publicKey! })) this.stats.onionRequests++;
    else this.#drop('onion-refused');
  }

  #drop(reason: RelayDropReason): void {
    this.stats.dropped.add(reason);
  }

  /** A connection is closed: out of the tables, its online routes' peers told. */
  #forget(client: ServerClient, reason: RelayCloseReason): void {
    this.stats.closed.add(reason);
    this.#pending.delete(client);
    if (this.#bySerial.get(client.serial) !== client) return;
    this.#bySerial.delete(client.serial);
    if (this.#clients.get(client.keyHex!) === client) this.#clients.delete(client.keyHex!);
    for (const [index] of [...client.routes.entries()]) this.#removeRoute(client, index);
    this.#events.emit('client-closed', { ...this.#info(client), reason });
  }

  #info(client: ServerClient): RelayClientInfo {
    return { publicKey: client.publicKey!, address: client.conn.remote, serial: client.serial };
  }
}
