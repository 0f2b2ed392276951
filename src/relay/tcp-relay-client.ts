/**
 * A client of one TCP relay: one TCP connection, one handshake, then frames. It pings the
 * relay every 30 s and gives up when a pong is 10 s late, answers the relay's pings, asks
 * the relay for routes to peers by public key and reports what becomes of them, and sends
 * and receives data on routes, OOB payloads and onion packets.
 *
 * ```ts
 * const client = new TcpRelayClient({ network, clock, keyPair: dhtKeys, relay: { address, publicKey } });
 * client.on('connected', () => client.routingRequest(peerDhtKey));
 * client.on('routing-response', (r) => console.log('route', r.connectionId, 'for', toHex(r.publicKey)));
 * client.on('status', (s) => { if (s.online) client.sendData(s.connectionId, packet); });
 * client.on('data', (d) => handle(d.publicKey, d.data));
 * ```
 *
 * Like the rest of toxlink it is handed a `Network` and a `Clock` and never reads the wall
 * clock or sets a timer of its own. Events run after the state they report is updated.
 *
 * @see spec/relay.md#the-client
 * @module
 */
import type { Address, Clock, Network, StreamConnection, Timer } from '../io/index.ts';
import { type KeyPair, NONCE_SIZE, PUBLIC_KEY_SIZE, constantTimeEqual, randomBytes } from '../crypto/index.ts';
import { DecodeError } from '../wire/index.ts';
import { type RelayClientConfig, relayClientConfig } from './config.ts';
import { encodeData } from './data-packet.ts';
import { RelayError, expectLength } from './errors.ts';
import { Emitter } from './events.ts';
import { FrameSender, type SendOutcome, WriteBatch } from './frame-sender.ts';
import { encodeDisconnectNotification } from './notification-packets.ts';
import { encodeOnionRequest } from './onion-packets.ts';
import { encodeOobSend } from './oob-packets.ts';
import { type RelayPacket, decodeRelayPacket } from './packet.ts';
import { isConnectionId } from './packet-ids.ts';
import { NUM_CLIENT_CONNECTIONS, PING_ID_SIZE } from './packet-sizes.ts';
import { encodePing, encodePong, isZeroPingId } from './ping-packets.ts';
import { connectionIdOf, slotOf } from './route-table.ts';
import { ROUTING_REFUSED, encodeRoutingRequest } from './routing-packets.ts';
import { type HandshakeSecrets, SecureStream } from './secure-stream.ts';
import { type RelayCloseReason, RelayClientStats, type RelayDropReason } from './stats.ts';

/** The relay to connect to. */
export interface RelayEndpoint {
  readonly address: Address;
  /** The relay's long-term public key (a c-toxcore node's DHT key). */
  readonly publicKey: Uint8Array;
}

/** What a {@link TcpRelayClient} is built from. */
export interface TcpRelayClientOptions {
  readonly network: Network;
  readonly clock: Clock;
  readonly relay: RelayEndpoint;
  /** The key pair the relay and its other clients know us by (c-toxcore uses its DHT key pair). */
  readonly keyPair: KeyPair;
  readonly config?: Partial<RelayClientConfig>;
  /** This connection's temporary key pair and nonces; fresh random ones by default (given only to replay a recording). */
  readonly secrets?: HandshakeSecrets;
}

/** Where a client is. */
export type RelayClientState = 'connecting' | 'handshaking' | 'connected' | 'closed';

/** A route, as the client knows it. */
export interface RelayRoute {
  /** 16–255. */
  readonly connectionId: number;
  readonly publicKey: Uint8Array;
  /** True between a connect notification and a disconnect notification. */
  readonly online: boolean;
}

/** The events of a {@link TcpRelayClient}. */
export interface TcpRelayClientEvents {
  /** The relay answered our handshake: frames can go both ways. */
  connected: { readonly relayPublicKey: Uint8Array };
  /** The relay answered a routing request: `connectionId` 16–255, or `undefined` when it refused. */
  'routing-response': { readonly connectionId: number | undefined; readonly publicKey: Uint8Array };
  /** A route's peer came online (connect notification) or went offline (disconnect notification). */
  status: RelayRoute;
  /** Data on a route. */
  data: { readonly connectionId: number; readonly publicKey: Uint8Array; readonly data: Uint8Array };
  /** An OOB payload from another client of the relay. */
  oob: { readonly publicKey: Uint8Array; readonly data: Uint8Array };
  /** An onion response (the relay was our first onion hop). */
  'onion-response': { readonly data: Uint8Array };
  /** A pong answered our ping; `rttMs` is the round trip. */
  pong: { readonly rttMs: number };
  /** After a send returned false: the socket takes data again. */
  drain: undefined;
  /** The connection is gone, for good; `error` is what broke the TCP connection, if anything. */
  closed: { readonly reason: RelayCloseReason; readonly error: Error | undefined };
  /** A bug: an exception inside the client or a listener. */
  error: Error;
}

interface ClientRoute {
  readonly publicKey: Uint8Array;
  online: boolean;
}

/** A client of one relay; see the module comment. */
export class TcpRelayClient {
  readonly config: RelayClientConfig;
  readonly stats = new RelayClientStats();
  readonly relay: RelayEndpoint;
  readonly #clock: Clock;
  readonly #stream: SecureStream;
  readonly #events: Emitter<TcpRelayClientEvents>;
  readonly #routes: Array<ClientRoute | undefined> = new Array<ClientRoute | undefined>(NUM_CLIENT_CONNECTIONS).fill(undefined);
  #state: RelayClientState = 'connecting';
  #conn: StreamConnection | undefined;
  #sender: FrameSender | undefined;
  #timer: Timer | undefined;
  #pingId: Uint8Array | undefined;
  #pingSentAt = 0;
  #closeReason: RelayCloseReason | undefined;
  /** Open while a chunk is handled: what listeners send in answer goes out in one write. */
  readonly #batch = new WriteBatch();

  /** Starts connecting at once. Throws a `RelayError` for a bad key or setting. */
  constructor(options: TcpRelayClientOptions) {
    this.config = relayClientConfig(options.config);
    expectKey(options.relay.publicKey, 'relay public key');
    this.relay = { address: options.relay.address, publicKey: Uint8Array.from(options.relay.publicKey) };
    this.#clock = options.clock;
    this.#events = new Emitter((error) => this.#events.emit('error', error));
    this.#stream = SecureStream.client(options.keyPair, this.relay.publicKey, options.secrets);
    this.#timer = this.#clock.setTimer(this.config.connectTimeoutMs, () => this.#close('handshake-timeout', undefined));
    options.network.connectTcp(this.relay.address).then(
      (conn) => this.#attach(conn),
      (error: unknown) => this.#close('connect-failed', error instanceof Error ? error : new Error(String(error))),
    );
  }

  get state(): RelayClientState {
    return this.#state;
  }

  /** Why the client closed, once it has. */
  get closeReason(): RelayCloseReason | undefined {
    return this.#closeReason;
  }

  /** Whether a data, OOB or onion frame sent now would go out (the socket is not full). */
  get writable(): boolean {
    return this.#state === 'connected' && this.#sender!.writable;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof TcpRelayClientEvents>(event: K, listener: (value: TcpRelayClientEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** The routes the relay gave us. */
  routes(): RelayRoute[] {
    const out: RelayRoute[] = [];
    this.#routes.forEach((r, i) => {
      if (r !== undefined) out.push({ connectionId: connectionIdOf(i), publicKey: r.publicKey, online: r.online });
    });
    return out;
  }

  /** The route to the peer with this key, if the relay gave us one. */
  route(publicKey: Uint8Array): RelayRoute | undefined {
    return this.routes().find((r) => constantTimeEqual(r.publicKey, publicKey));
  }

  /** Asks the relay for a route to `publicKey`; the answer comes as a `routing-response` event. */
  routingRequest(publicKey: Uint8Array): boolean {
    expectKey(publicKey, 'public key');
    return this.#send(encodeRoutingRequest(publicKey), true);
  }

  /** Gives up a route: the slot is freed here and the relay is told. */
  disconnect(connectionId: number): boolean {
    this.#expectRoute(connectionId, false);
    this.#routes[slotOf(connectionId)] = undefined;
    return this.#send(encodeDisconnectNotification(connectionId), true);
  }

  /**
   * Sends data (1–2031 bytes) on an online route. False when the socket is full (the data is
   * dropped, as c-toxcore drops it; wait for `drain`).
   */
  sendData(connectionId: number, data: Uint8Array): boolean {
    this.#expectRoute(connectionId, true);
    return this.#send(encodeData(connectionId, data), false);
  }

  /** Sends an OOB payload (1–1024 bytes) to a client of the same relay. False when the socket is full. */
  sendOob(publicKey: Uint8Array, data: Uint8Array): boolean {
    expectKey(publicKey, 'public key');
    return this.#send(encodeOobSend(publicKey, data), false);
  }

  /**
   * Sends an onion request: the nonce of the onion packet and `[second hop IP_Port][the
   * rest]`, the relay being the first hop. False when the socket is full.
   */
  sendOnionRequest(nonce: Uint8Array, payload: Uint8Array): boolean {
    expectLength(nonce, NONCE_SIZE, 'nonce');
    return this.#send(encodeOnionRequest(nonce, payload), false);
  }

  /**
   * Holds what is sent from now on, until `uncork`, and writes it then in one write (or one
   * per 64 KiB): for a burst of sends, one system call instead of one per frame. Calls
   * nest; the outermost `uncork` writes. Sends return what they would have (a socket full
   * before the burst still drops data).
   */
  cork(): void {
    this.#batch.begin();
  }

  /** Ends a `cork`; the outermost one writes what was held. */
  uncork(): void {
    this.#batch.end();
  }

  /** Closes the connection; a `closed` event follows (reason `closed`). Idempotent. */
  close(): void {
    this.#close('closed', undefined);
  }

  // ─── Internals ────────────────────────────────────────────────────────────

  #attach(conn: StreamConnection): void {
    if (this.#state === 'closed') {
      conn.destroy();
      return;
    }
    this.#conn = conn;
    this.#sender = new FrameSender(conn, this.#stream, this.config, () => this.#events.emit('drain', undefined), this.#batch);
    this.#state = 'handshaking';
    conn.onData((chunk) => this.#receive(chunk));
    conn.onClose((error) => this.#close('peer-closed', error));
    if (this.#sender.writeRaw(this.#stream.hello) === 'closed') this.#close('peer-closed', undefined);
  }

  #expectRoute(connectionId: number, online: boolean): void {
    if (this.#state === 'closed') throw new RelayError('closed', 'the relay client is closed');
    const route = isConnectionId(connectionId) ? this.#routes[slotOf(connectionId)] : undefined;
    if (route === undefined || (online && !route.online)) {
      throw new RelayError('bad-connection-id', `connection id ${connectionId} is not ${online ? 'an online' : 'a'} route`);
    }
  }

  #send(plain: Uint8Array, control: boolean): boolean {
    if (this.#state === 'closed') throw new RelayError('closed', 'the relay client is closed');
    if (this.#state !== 'connected') throw new RelayError('not-connected', 'the relay has not answered the handshake yet');
    const outcome: SendOutcome = this.#sender!.send(plain, control);
    if (outcome === 'sent') this.stats.framesSent++;
    else if (outcome === 'overflow') this.#close('send-queue-full', undefined);
    else if (outcome === 'dropped') this.stats.dropped.add('send-buffer-full');
    return outcome === 'sent';
  }

  #schedule(delayMs: number, fn: () => void): void {
    this.#timer?.cancel();
    this.#timer = this.#clock.setTimer(delayMs, fn);
  }

  #ping(): void {
    if (this.#state !== 'connected') return;
    let id = randomBytes(PING_ID_SIZE);
    if (isZeroPingId(id)) id = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1);
    if (!this.#send(encodePing(id), true)) return;
    this.stats.pingsSent++;
    this.#pingId = id;
    this.#pingSentAt = this.#clock.now();
    this.#schedule(this.config.pingTimeoutMs, () => this.#close('ping-timeout', undefined));
  }

  /** Not closed (a method, so the compiler does not narrow the state across calls that change it). */
  #open(): boolean {
    return this.#state !== 'closed';
  }

  #receive(chunk: Uint8Array): void {
    if (this.#state === 'closed') return;
    this.#batch.begin();
    try {
      this.#stream.push(chunk);
      while (this.#open()) {
        const event = this.#stream.next();
        if (event === undefined) break;
        if (event.kind === 'failed') this.#close(event.reason, undefined);
        else if (event.kind === 'handshake') this.#connected();
        else this.#frame(event.plain);
      }
    } catch (error) {
      this.#events.emit('error', error instanceof Error ? error : new Error(String(error)));
      this.#close('internal-error', undefined);
    } finally {
      this.#batch.end();
    }
  }

  #connected(): void {
    this.#state = 'connected';
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#events.emit('connected', { relayPublicKey: this.relay.publicKey });
    // c-toxcore pings as soon as the handshake is done; the ping is also what confirms us at the relay.
    this.#ping();
  }

  #frame(plain: Uint8Array): void {
    this.stats.framesReceived++;
    let packet: RelayPacket;
    try {
      packet = decodeRelayPacket(plain);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.#close('malformed', undefined);
      return;
    }
    switch (packet.kind) {
      case 'routing-response': return this.#routingResponse(packet.connectionId, packet.publicKey);
      case 'connect-notification': return this.#notification(packet.connectionId, true);
      case 'disconnect-notification': return this.#notification(packet.connectionId, false);
      case 'ping':
        if (isZeroPingId(packet.pingId)) return this.#drop('zero-ping-id');
        if (this.#send(encodePong(packet.pingId), true)) this.stats.pingsAnswered++;
        return;
      case 'pong': return this.#pong(packet.pingId);
      case 'oob-receive':
        this.#events.emit('oob', { publicKey: packet.publicKey, data: packet.data });
        return;
      case 'onion-response':
        this.#events.emit('onion-response', { data: packet.data });
        return;
      case 'forwarding': return this.#drop('forwarding');
      case 'data': {
        const route = this.#routes[slotOf(packet.connectionId)];
        if (route === undefined) return this.#drop('unknown-connection-id');
        this.#events.emit('data', { connectionId: packet.connectionId, publicKey: route.publicKey, data: packet.data });
        return;
      }
      case 'routing-request':
      case 'oob-send':
      case 'onion-request':
      case 'forward-request':
        this.#close('unexpected-packet', undefined);
        return;
    }
  }

  /** `handle_TCP_client_routing_response`: 0 is a refusal, 1–15 and a slot already in use for another key are ignored. */
  #routingResponse(connectionId: number, publicKey: Uint8Array): void {
    if (connectionId === ROUTING_REFUSED) {
      this.#events.emit('routing-response', { connectionId: undefined, publicKey });
      return;
    }
    if (!isConnectionId(connectionId)) return this.#drop('bad-routing-response');
    const slot = slotOf(connectionId);
    const existing = this.#routes[slot];
    if (existing !== undefined && !constantTimeEqual(existing.publicKey, publicKey)) return this.#drop('bad-routing-response');
    if (existing === undefined) this.#routes[slot] = { publicKey, online: false };
    this.#events.emit('routing-response', { connectionId, publicKey });
  }

  #notification(connectionId: number, online: boolean): void {
    const route = this.#routes[slotOf(connectionId)];
    if (route === undefined) return this.#drop('unknown-connection-id');
    if (route.online === online) return;
    route.online = online;
    this.#events.emit('status', { connectionId, publicKey: route.publicKey, online });
  }

  #pong(pingId: Uint8Array): void {
    if (isZeroPingId(pingId)) {
      this.#close('zero-pong', undefined);
      return;
    }
    if (this.#pingId === undefined || !constantTimeEqual(pingId, this.#pingId)) return this.#drop('stale-pong');
    this.#pingId = undefined;
    this.stats.pongsReceived++;
    const now = this.#clock.now();
    this.#schedule(this.#pingSentAt + this.config.pingIntervalMs - now, () => this.#ping());
    this.#events.emit('pong', { rttMs: now - this.#pingSentAt });
  }

  #drop(reason: RelayDropReason): void {
    this.stats.dropped.add(reason);
  }

  #close(reason: RelayCloseReason, error: Error | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closeReason = reason;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#sender?.close();
    this.#conn?.destroy();
    for (let i = 0; i < this.#routes.length; i++) this.#routes[i] = undefined;
    this.#events.emit('closed', { reason, error });
  }
}

function expectKey(publicKey: Uint8Array, what: string): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_SIZE) {
    throw new RelayError('bad-key', `${what} must be ${PUBLIC_KEY_SIZE} bytes`);
  }
}
