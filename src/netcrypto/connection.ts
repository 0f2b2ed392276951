/**
 * One net_crypto session with one peer: the handshake state machine (cookie requesting →
 * handshake sent → not confirmed → established), then the data packets both ways —
 * lossless payloads in order, lossy payloads at once, request packets, the kill packet.
 *
 * A {@link CryptoConnection} is made by its {@link NetCrypto} node (`connect`, or a
 * handshake the node's accept callback said yes to) and is driven by it: the node hands it
 * the packets that belong to it and gives it the clock. It sends over its peer's UDP
 * address and, when one is set, a relay path; it never opens a socket.
 *
 * @see spec/netcrypto.md#the-session
 * @module
 */
import { type Address, type Clock, type Timer, sameAddress } from '../io/index.ts';
import { type KeyPair, NONCE_SIZE, incrementNonce, precompute, randomBytes, randomNonce } from '../crypto/index.ts';
import { DecodeError, NetPacket, slabCopy } from '../wire/index.ts';
import type { NetCryptoConfig } from './config.ts';
import { sealCookie, cookieTime } from './cookie.ts';
import { encodeCookieRequest } from './cookie-request.ts';
import { answersRequest, decodeCookieResponse, openCookieResponse } from './cookie-response.ts';
import { type Handshake, encodeHandshake } from './handshake.ts';
import { checkPayload, decodeDataPacket, encodeDataPacket, openDataPacketInPlace, payloadKind } from './data-packet.ts';
import { encodeRequestPayload } from './request-packet.ts';
import { NetCryptoError } from './errors.ts';
import { Emitter } from './events.ts';
import { LosslessSender } from './lossless-sender.ts';
import { ReceiveBuffer } from './receive-buffer.ts';
import { ECHO_ID_SIZE } from './packet-sizes.ts';
import { UDP_DIRECT_TIMEOUT_MS } from './config.ts';
import { DataPacket } from '../wire/index.ts';
import type { SessionDropReason } from './stats.ts';
import { SessionStats } from './stats.ts';

/** Where a session stands. */
export type ConnectionState =
  /** We asked the peer's DHT node for a cookie. */
  | 'cookie-requesting'
  /** We sent our handshake and wait for the peer's. */
  | 'handshake-sent'
  /** Both handshakes are done; no data packet from the peer has opened yet. */
  | 'not-confirmed'
  /** A data packet from the peer opened: the session is up. */
  | 'established'
  /** Over: killed, timed out, replaced or closed. */
  | 'closed';

/** Why a session ended. */
export type CloseReason =
  /** `close()` was called here. */
  | 'local'
  /** The peer sent a kill packet. */
  | 'killed-by-peer'
  /** A handshake phase went unanswered for 8 sends. */
  | 'handshake-timeout'
  /** The peer made a new session (it restarted: a handshake with a new DHT key). */
  | 'replaced'
  /** The node was closed. */
  | 'node-closed';

/** The events of a {@link CryptoConnection}. */
export interface CryptoConnectionEvents {
  /** A data packet from the peer opened: the session is up (once). */
  established: undefined;
  /** A lossless payload, in order, each once (id byte first). The array is the caller's. */
  lossless: Uint8Array;
  /** A lossy payload, as it arrived (id byte first). */
  lossy: Uint8Array;
  /** The send queue fell below its high-water mark after `sendLossless` returned false. */
  drain: undefined;
  /** The session ended (once); nothing more is emitted. */
  closed: CloseReason;
}

/** Which path a packet came by. */
export interface PacketSource {
  /** The UDP address it came from; absent for a relay. */
  readonly udp?: Address | undefined;
  /** For a packet that came through a relay: how to send back the same way. */
  readonly relay?: ((packet: Uint8Array) => void) | undefined;
}

/**
 * What a session needs of its node. Internal: the node builds it.
 *
 * @internal
 */
export interface ConnectionHost {
  readonly clock: Clock;
  readonly config: NetCryptoConfig;
  readonly realKeyPair: KeyPair;
  readonly dhtPublicKey: Uint8Array;
  readonly cookieKey: Uint8Array;
  sessionSecrets(): { readonly keyPair: KeyPair; readonly baseNonce: Uint8Array };
  sendUdp(to: Address, packet: Uint8Array): void;
  dhtSharedKey(peerDhtPublicKey: Uint8Array): Uint8Array | undefined;
  realSharedKey(peerRealPublicKey: Uint8Array): Uint8Array | undefined;
  addressChanged(connection: CryptoConnection, old: Address | undefined): void;
  closed(connection: CryptoConnection): void;
  drop(reason: SessionDropReason): void;
  error(error: Error): void;
}

/** A net_crypto session. Made by a `NetCrypto` node; see the module comment. */
export class CryptoConnection {
  /** The peer's real (long-term) public key. */
  readonly peerRealPublicKey: Uint8Array;
  /** The peer's DHT public key, the one the session was made with. */
  readonly peerDhtPublicKey: Uint8Array;
  /** Counters of this session. */
  readonly stats = new SessionStats();
  readonly #host: ConnectionHost;
  readonly #events: Emitter<CryptoConnectionEvents>;
  #state: ConnectionState;
  readonly #session: KeyPair;
  readonly #sendNonce: Uint8Array;
  #receiveNonce: Uint8Array | undefined;
  /** The full nonce of the data packet being opened (scratch, rewritten for each). */
  readonly #packetNonce = new Uint8Array(NONCE_SIZE);
  #sessionKey: Uint8Array | undefined;
  readonly #echoId: Uint8Array = randomBytes(ECHO_ID_SIZE);
  #temp: Uint8Array | undefined;
  #tempSends = 0;
  #tempSentAt = -Infinity;
  #cookieRequestedAt = -1;
  #udp: Address | undefined;
  #udpHeardAt = -Infinity;
  #relay: ((packet: Uint8Array) => void) | undefined;
  readonly #sender: LosslessSender;
  readonly #receive: ReceiveBuffer;
  #ackPending = 0;
  #lastRequestAt = -Infinity;
  #lastProgressAt = 0;
  #timeouts = 0;
  #needDrain = false;
  #tick: Timer | undefined;
  #tickAt = Infinity;
  #pumpTimer: Timer | undefined;
  #pumpAt = Infinity;
  #ackTimer: Timer | undefined;
  readonly #recentLossy = new Set<number>();
  readonly #recentLossyOrder: number[] = [];

  /** @internal Made by `NetCrypto`. */
  constructor(host: ConnectionHost, peerRealPublicKey: Uint8Array, peerDhtPublicKey: Uint8Array, state: ConnectionState) {
    this.#host = host;
    this.peerRealPublicKey = Uint8Array.from(peerRealPublicKey);
    this.peerDhtPublicKey = Uint8Array.from(peerDhtPublicKey);
    this.#state = state;
    const secrets = host.sessionSecrets();
    this.#session = secrets.keyPair;
    this.#sendNonce = Uint8Array.from(secrets.baseNonce);
    this.#events = new Emitter((e) => host.error(e));
    this.#sender = new LosslessSender(host.config, (p) => this.#sendData(p.number, p.payload));
    this.#receive = new ReceiveBuffer(host.config.receiveWindowPackets);
    this.#lastProgressAt = host.clock.now();
    this.#armTick();
  }

  /** The session's state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The peer's UDP address, if known. */
  get address(): Address | undefined {
    return this.#udp;
  }

  /** The path packets go by now: direct UDP, the relay, or none known. */
  get path(): 'udp' | 'relay' | 'none' {
    if (this.#udp !== undefined && (this.#host.clock.now() - this.#udpHeardAt < UDP_DIRECT_TIMEOUT_MS || this.#relay === undefined)) return 'udp';
    return this.#relay !== undefined ? 'relay' : 'none';
  }

  /** Lossless packets held for sending: unsent, or sent and not known to have arrived. */
  get queued(): number {
    return this.#sender.queued;
  }

  /** Whether `sendLossless` would return true. */
  get writable(): boolean {
    return this.#state !== 'closed' && this.#belowHighWater();
  }

  /**
   * Fewer than `sendHighWaterPackets` unsent, and room for as many again in the numbers the
   * queue spans (lost packets keep the span open while they are resent).
   */
  #belowHighWater(): boolean {
    const config = this.#host.config;
    return this.#sender.unsent < config.sendHighWaterPackets
      && this.#sender.span < config.sendQueuePackets - config.sendHighWaterPackets;
  }

  /** Round-trip time, congestion window and pacing rate, as the sender sees them. */
  get congestion(): { rttMs: number; minRttMs: number; windowPackets: number; packetsPerMs: number; inFlight: number; phase: string } {
    const cc = this.#sender.cc;
    return {
      rttMs: cc.srttMs, minRttMs: cc.minRttMs, windowPackets: cc.window, packetsPerMs: cc.pacingRate,
      inFlight: this.#sender.inFlight, phase: cc.phase,
    };
  }

  /** Where the lossless numbers stand, both ways (for status displays and tests). */
  get buffers(): { sendStart: number; sendEnd: number; unsent: number; receiveStart: number; receiveEnd: number; receiveHeld: number } {
    const send = this.#sender.buffer;
    const receive = this.#receive;
    return {
      sendStart: send.start, sendEnd: send.end, unsent: send.unsent,
      receiveStart: receive.start, receiveEnd: receive.end, receiveHeld: receive.held,
    };
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof CryptoConnectionEvents>(event: K, listener: (value: CryptoConnectionEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Resolves when the session is established; rejects with the close reason if it ends first. */
  established(): Promise<void> {
    if (this.#state === 'established') return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(new NetCryptoError('connection-closed', 'the session is closed'));
    return new Promise((resolve, reject) => {
      const offs = [
        this.on('established', () => { offs.forEach((f) => f()); resolve(); }),
        this.on('closed', (reason) => {
          offs.forEach((f) => f());
          reject(new NetCryptoError('connection-closed', `the session closed before it was established: ${reason}`));
        }),
      ];
    });
  }

  /** Resolves when `sendLossless` would return true again; rejects if the session closes. */
  whenWritable(): Promise<void> {
    if (this.writable) return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(new NetCryptoError('connection-closed', 'the session is closed'));
    this.#needDrain = true;
    return new Promise((resolve, reject) => {
      const offs = [
        this.on('drain', () => { offs.forEach((f) => f()); resolve(); }),
        this.on('closed', (reason) => {
          offs.forEach((f) => f());
          reject(new NetCryptoError('connection-closed', `the session closed: ${reason}`));
        }),
      ];
    });
  }

  /** Sets (or moves) the peer's UDP address; cookie requests and handshakes go there at once. */
  setAddress(address: Address): void {
    if (this.#state === 'closed') return;
    const old = this.#udp;
    if (old !== undefined && sameAddress(old, address)) return;
    this.#udp = { host: address.host, port: address.port };
    this.#host.addressChanged(this, old);
    // A new address gets the pending cookie request or handshake now, even if it went out
    // before through a relay (which may not have carried it): not at the next resend.
    if (this.#temp !== undefined) this.#sendTemp();
  }

  /**
   * Sets the relay path: a function that carries a packet to the peer some other way (a TCP
   * relay). Used when UDP is unknown or has been quiet for 8 s; `undefined` removes it.
   */
  setRelay(send: ((packet: Uint8Array) => void) | undefined): void {
    this.#relay = send;
    if (send !== undefined && this.#temp !== undefined && this.#tempSends === 0) this.#sendTemp();
  }

  /**
   * Queues a lossless payload (id 16–191, 1 to 1373 bytes). Returns false when the queue is
   * at its high-water mark: wait for 'drain' (or `whenWritable()`). Throws a
   * `NetCryptoError`: `queue-full` when the queue spans `sendQueuePackets` numbers,
   * `connection-closed`, or a payload error. Payloads queued before the session is up go out
   * when it is.
   */
  sendLossless(payload: Uint8Array): boolean {
    checkPayload('lossless', payload);
    if (this.#state === 'closed') throw new NetCryptoError('connection-closed', 'the session is closed');
    const config = this.#host.config;
    if (this.#sender.span >= config.sendQueuePackets) {
      throw new NetCryptoError('queue-full', `the send queue holds ${config.sendQueuePackets} packets: wait for 'drain'`);
    }
    // Slab memory: the copy is let go once the peer acknowledges it.
    this.#sender.queue(slabCopy(payload));
    if (this.#state === 'established') this.#pump();
    const writable = this.#belowHighWater();
    if (!writable) this.#needDrain = true;
    return writable;
  }

  /**
   * Sends a lossy payload (id 192–254) now, once. Returns false when the session is not
   * established (nothing is sent). Throws a `NetCryptoError` for a payload error.
   */
  sendLossy(payload: Uint8Array): boolean {
    checkPayload('lossy', payload);
    if (this.#state !== 'established') return false;
    this.#sendData(this.#sender.buffer.end, payload);
    this.stats.lossySent++;
    return true;
  }

  /** Ends the session: sends a kill packet if the peer may be listening, then closes. */
  close(): void {
    this.#end('local');
  }

  // ---- driven by the node ----

  /** @internal Starts an outgoing session: the cookie request goes out when there is a path. */
  startCookieRequest(): void {
    const shared = this.#host.dhtSharedKey(this.peerDhtPublicKey);
    if (shared === undefined) {
      this.#end('handshake-timeout');
      return;
    }
    this.#setTemp(encodeCookieRequest(this.#host.dhtPublicKey, shared, randomNonce(), this.#host.realKeyPair.publicKey, this.#echoId));
  }

  /** @internal Accepts an incoming session from a handshake the node has checked. */
  acceptHandshake(handshake: Handshake, source: PacketSource): void {
    this.#takePeerSession(handshake);
    this.#state = 'not-confirmed';
    if (source.udp !== undefined) this.#heardVia(source.udp);
    if (source.relay !== undefined && this.#relay === undefined) this.#relay = source.relay;
    this.#setTemp(this.#handshakeFor(handshake.otherCookie));
    this.#sendRequest();
  }

  /** @internal A cookie response, handshake or data packet for this session. */
  receive(packet: Uint8Array, source: PacketSource): boolean {
    if (this.#state === 'closed') return false;
    switch (packet[0]) {
      case NetPacket.COOKIE_RESPONSE: return this.#onCookieResponse(packet, source);
      case NetPacket.CRYPTO_DATA: return this.#onData(packet, source);
      default: return this.#drop('unexpected-packet');
    }
  }

  /**
   * @internal A handshake the node checked, from this session's peer with this session's
   * DHT key: the peer's session key and base nonce are taken (again, if it repeats), and
   * our handshake goes out if we had not sent one. Refused once the session is up.
   */
  takeHandshake(hs: Handshake, source: PacketSource): boolean {
    if (this.#state === 'closed') return false;
    if (this.#state === 'established') return this.#drop('handshake-replayed');
    this.#takePeerSession(hs);
    if (source.udp !== undefined) this.#heardVia(source.udp);
    if (source.relay !== undefined && this.#relay === undefined) this.#relay = source.relay;
    if (this.#state === 'cookie-requesting') this.#setTemp(this.#handshakeFor(hs.otherCookie));
    this.#state = 'not-confirmed';
    this.#sendRequest();
    return true;
  }

  /** @internal Closes, telling the peer only if `tellPeer`. */
  end(reason: CloseReason, tellPeer: boolean): void {
    this.#end(reason, tellPeer);
  }

  // ---- handshake ----

  #onCookieResponse(packet: Uint8Array, source: PacketSource): boolean {
    if (this.#state !== 'cookie-requesting') return this.#drop('unexpected-packet');
    let envelope;
    try {
      envelope = decodeCookieResponse(packet);
    } catch (error) {
      return this.#drop(decodeReason(error));
    }
    const shared = this.#host.dhtSharedKey(this.peerDhtPublicKey);
    const response = shared === undefined ? undefined : openCookieResponse(envelope, shared);
    if (response === undefined) return this.#drop('bad-mac');
    if (!answersRequest(response, this.#echoId)) return this.#drop('cookie-echo-mismatch');
    const now = this.#host.clock.now();
    if (this.#cookieRequestedAt >= 0) this.#sender.cc.onRtt(now, now - this.#cookieRequestedAt);
    if (source.udp !== undefined) this.#heardVia(source.udp);
    this.#setTemp(this.#handshakeFor(response.cookie));
    this.#state = 'handshake-sent';
    return true;
  }

  #handshakeFor(cookie: Uint8Array): Uint8Array {
    const host = this.#host;
    const shared = host.realSharedKey(this.peerRealPublicKey);
    if (shared === undefined) throw new Error('bug: real shared key of a checked peer key');
    const otherCookie = sealCookie(host.cookieKey, randomNonce(), {
      timestamp: cookieTime(host.clock.now()), realPublicKey: this.peerRealPublicKey, dhtPublicKey: this.peerDhtPublicKey,
    });
    return encodeHandshake(shared, randomNonce(), cookie, this.#sendNonce, this.#session.publicKey, otherCookie);
  }

  #takePeerSession(hs: Handshake): void {
    this.#receiveNonce = hs.baseNonce.slice();
    this.#sessionKey = precompute(hs.sessionPublicKey, this.#session.secretKey);
  }

  #setTemp(packet: Uint8Array): void {
    this.#temp = packet;
    this.#tempSends = 0;
    this.#tempSentAt = -Infinity;
    this.#sendTemp();
  }

  #sendTemp(): void {
    if (this.#temp === undefined) return;
    if (this.#transmit(this.#temp)) {
      this.#tempSends++;
      this.#tempSentAt = this.#host.clock.now();
      if (this.#temp[0] === NetPacket.COOKIE_REQUEST && this.#cookieRequestedAt < 0) this.#cookieRequestedAt = this.#tempSentAt;
    }
  }

  // ---- data ----

  #onData(packet: Uint8Array, source: PacketSource): boolean {
    if (this.#state !== 'not-confirmed' && this.#state !== 'established') return this.#drop('unexpected-packet');
    let opened;
    try {
      opened = openDataPacketInPlace(decodeDataPacket(packet), this.#sessionKey!, this.#receiveNonce!, this.#packetNonce);
    } catch (error) {
      return this.#drop(decodeReason(error));
    }
    if (opened === undefined) return this.#drop('bad-mac');
    const now = this.#host.clock.now();
    if (source.udp !== undefined) this.#heardVia(source.udp);
    this.stats.packetsReceived++;
    const ack = this.#sender.acknowledge(opened.bufferStart, now);
    if (ack === 'invalid') return this.#drop('ack-out-of-window');
    const { payload } = opened;
    const kind = payloadKind(payload[0]!);
    if (kind === 'kill') {
      this.#end('killed-by-peer', false);
      return true;
    }
    if (this.#state === 'not-confirmed') this.#confirm();
    if (this.#state !== 'established') return true; // a listener closed it
    switch (kind) {
      case 'request':
        if (ack === 'stale') return this.#drop('stale-request');
        try {
          this.#sender.onRequest(payload, now);
        } catch (error) {
          return this.#drop(decodeReason(error));
        }
        // The peer's numbers go further than we knew: the tail of a burst was lost. Say so
        // now rather than at the next tick.
        if (this.#receive.extendTo(opened.packetNumber) && this.#receive.missing > 0) this.#ackSoon(true);
        break;
      case 'lossless':
        this.#onLossless(opened.packetNumber, payload);
        break;
      case 'lossy':
        this.#receive.extendTo(opened.packetNumber);
        if (this.#seenLossy(this.#packetNonce)) return this.#drop('duplicate');
        this.stats.lossyReceived++;
        this.#events.emit('lossy', payload.slice());
        break;
      default:
        return this.#drop('unknown-packet-id');
    }
    this.#afterAck(now);
    return true;
  }

  #confirm(): void {
    this.#state = 'established';
    this.#temp = undefined;
    this.#lastProgressAt = this.#host.clock.now();
    this.#events.emit('established', undefined);
    if (this.#state === 'established') this.#pump();
  }

  #onLossless(number: number, payload: Uint8Array): void {
    const before = this.#receive.end;
    const refusal = this.#receive.store(number, payload);
    if (refusal !== undefined) {
      this.#drop(refusal);
      // A duplicate means our acknowledgement did not get through: say it again.
      this.#ackPending++;
      this.#ackSoon(true);
      return;
    }
    const gap = number !== before;
    for (let p = this.#receive.shift(); p !== undefined; p = this.#receive.shift()) {
      this.stats.losslessReceived++;
      this.stats.bytesReceived += p.length;
      this.#events.emit('lossless', p);
      if (this.#state !== 'established') return;
    }
    this.#ackPending++;
    this.#ackSoon(gap || this.#ackPending >= this.#host.config.ackEveryPackets);
  }

  #seenLossy(nonce: Uint8Array): boolean {
    const id = ((nonce[20]! << 24) | (nonce[21]! << 16) | (nonce[22]! << 8) | nonce[23]!) >>> 0;
    if (this.#recentLossy.has(id)) return true;
    this.#recentLossy.add(id);
    this.#recentLossyOrder.push(id);
    if (this.#recentLossyOrder.length > 1024) this.#recentLossy.delete(this.#recentLossyOrder.shift()!);
    return false;
  }

  /**
   * Acknowledges with a request packet: now if `urgent` (a gap or a duplicate) and the last
   * one is a quarter of a round trip old, else after `ackDelayMs`.
   */
  #ackSoon(urgent: boolean): void {
    const now = this.#host.clock.now();
    if (urgent && now - this.#lastRequestAt >= Math.max(0.25, this.#sender.cc.srttMs / 4)) {
      this.#ackTimer?.cancel();
      this.#ackTimer = undefined;
      this.#sendRequest();
      return;
    }
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = this.#host.clock.setTimer(this.#host.config.ackDelayMs, () => {
      this.#ackTimer = undefined;
      // A data packet sent meanwhile (an echo, say) carried the acknowledgement already;
      // a request packet is still owed if something is missing.
      if (this.#ackPending === 0 && this.#receive.missing === 0) return;
      if (this.#state === 'established') this.#sendRequest();
    });
  }

  #afterAck(now: number): void {
    if (this.#sender.cc.delivered !== this.stats.delivered) {
      this.stats.delivered = this.#sender.cc.delivered;
      this.#lastProgressAt = now;
      this.#timeouts = 0;
    }
    this.#pump();
    if (this.#needDrain && this.writable) {
      this.#needDrain = false;
      this.#events.emit('drain', undefined);
    }
  }

  #pump(): void {
    if (this.#state !== 'established') return;
    const now = this.#host.clock.now();
    this.#sender.cc.relayPath = this.#relay !== undefined && !(this.#udp !== undefined && now - this.#udpHeardAt < UDP_DIRECT_TIMEOUT_MS);
    const { sent, retryInMs } = this.#sender.pump(now);
    if (sent > 0) this.#tightenTick();
    if (retryInMs === undefined) return;
    const at = now + retryInMs;
    if (this.#pumpTimer !== undefined && this.#pumpAt <= at) return;
    this.#pumpTimer?.cancel();
    this.#pumpAt = at;
    this.#pumpTimer = this.#host.clock.setTimer(retryInMs, () => {
      this.#pumpTimer = undefined;
      this.#pumpAt = Infinity;
      this.#pump();
    });
  }

  /** Seals and sends one data packet; every data packet carries our acknowledgement. */
  #sendData(number: number, payload: Uint8Array): void {
    const packet = encodeDataPacket(this.#sessionKey!, this.#sendNonce, this.#receive.start, number, payload);
    incrementNonce(this.#sendNonce);
    this.#ackPending = 0;
    this.stats.packetsSent++;
    this.#transmit(packet);
  }

  #sendRequest(): void {
    if (this.#sessionKey === undefined || this.#receiveNonce === undefined) return;
    const r = this.#receive;
    const payload = encodeRequestPayload(r.start, r.end, (n) => r.has(n));
    this.#sendData(this.#sender.numbersEnd, payload);
    this.#lastRequestAt = this.#host.clock.now();
    this.stats.requestsSent++;
  }

  #transmit(packet: Uint8Array): boolean {
    const udp = this.#udp;
    const now = this.#host.clock.now();
    const udpFresh = udp !== undefined && now - this.#udpHeardAt < UDP_DIRECT_TIMEOUT_MS;
    let sent = false;
    if (udp !== undefined) {
      this.#host.sendUdp(udp, packet);
      sent = true;
    }
    if (this.#relay !== undefined && !udpFresh) {
      this.#relay(packet);
      sent = true;
    }
    return sent;
  }

  #heardVia(address: Address): void {
    this.#udpHeardAt = this.#host.clock.now();
    const old = this.#udp;
    if (old !== undefined && sameAddress(old, address)) return;
    this.#udp = { host: address.host, port: address.port };
    this.#host.addressChanged(this, old);
  }

  // ---- timers ----

  #armTick(): void {
    const interval = Math.min(this.#host.config.tempPacketIntervalMs, this.#host.config.requestIntervalMs);
    const busy = this.#state === 'established' && this.#sender.inFlight > 0;
    const period = busy ? Math.min(interval, this.#probeDelay()) : interval;
    this.#tickAt = this.#host.clock.now() + period;
    this.#tick = this.#host.clock.setTimer(period, () => this.#onTick());
  }

  /** With packets in flight, the tick must come within a probe delay. */
  #tightenTick(): void {
    if (this.#sender.inFlight === 0 || this.#state !== 'established') return;
    if (this.#tickAt <= this.#host.clock.now() + this.#probeDelay()) return;
    this.#tick?.cancel();
    this.#armTick();
  }

  #probeDelay(): number {
    const cc = this.#sender.cc;
    return Math.min(1000, Math.max(10, 2 * cc.srttMs) * 2 ** this.#timeouts);
  }

  #onTick(): void {
    this.#tick = undefined;
    if (this.#state === 'closed') return;
    const now = this.#host.clock.now();
    const config = this.#host.config;
    if (this.#temp !== undefined && now - this.#tempSentAt >= config.tempPacketIntervalMs) {
      if (this.#tempSends >= config.tempPacketTries) {
        this.#end('handshake-timeout');
        return;
      }
      this.#sendTemp();
    }
    if (this.#state === 'not-confirmed' || this.#state === 'established') {
      if (now - this.#lastRequestAt >= config.requestIntervalMs) this.#sendRequest();
      if (this.#state === 'established' && this.#sender.inFlight > 0 && now - this.#lastProgressAt >= this.#probeDelay()) {
        this.#timeouts = Math.min(this.#timeouts + 1, 10);
        this.#lastProgressAt = now;
        this.#sender.onTimeout(now);
        this.#sendRequest();
        this.#pump();
      }
    }
    this.#armTick();
  }

  #end(reason: CloseReason, tellPeer = reason === 'local'): void {
    if (this.#state === 'closed') return;
    const wasUp = this.#state === 'established' || this.#state === 'not-confirmed';
    if (tellPeer && wasUp && this.#sessionKey !== undefined) {
      this.#sendData(this.#sender.buffer.end, Uint8Array.of(DataPacket.KILL));
    }
    this.#state = 'closed';
    this.#tick?.cancel();
    this.#pumpTimer?.cancel();
    this.#ackTimer?.cancel();
    this.#temp = undefined;
    this.#host.closed(this);
    this.#events.emit('closed', reason);
  }

  #drop(reason: SessionDropReason): false {
    this.stats.drop(reason);
    this.#host.drop(reason);
    return false;
  }
}

function decodeReason(error: unknown): SessionDropReason {
  if (error instanceof DecodeError) return error.code === 'truncated' || error.code === 'trailing-bytes' ? error.code : 'malformed';
  throw error;
}
