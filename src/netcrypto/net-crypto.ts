/**
 * A net_crypto node: it answers cookie requests for our DHT key without keeping state,
 * makes sessions to peers (`connect`), offers the sessions peers make to us to the layer
 * above (the accept callback), and hands every cookie response, handshake and data packet
 * to the session it belongs to. One per Tox identity; it shares the UDP socket of the DHT
 * node, whose DHT key it uses.
 *
 * @see spec/netcrypto.md#the-node
 * @module
 */
import { type Address, type Clock, formatAddress } from '../io/index.ts';
import { type KeyPair, PUBLIC_KEY_SIZE, constantTimeEqual, generateKeyPair, randomBytes, randomNonce } from '../crypto/index.ts';
import { DecodeError, NetPacket, toHex } from '../wire/index.ts';
import { type NetCryptoConfig, netCryptoConfig } from './config.ts';
import { cookieTime, sealCookie } from './cookie.ts';
import { decodeCookieRequest, openCookieRequest } from './cookie-request.ts';
import { encodeCookieResponse } from './cookie-response.ts';
import { type Handshake, readHandshake } from './handshake.ts';
import { type ConnectionHost, CryptoConnection, type PacketSource } from './connection.ts';
import { NetCryptoError } from './errors.ts';
import { Emitter } from './events.ts';
import { SharedKeys } from './key-cache.ts';
import { DropCounts, type NodeDropReason, type SessionDropReason } from './stats.ts';
import { TokenBucket } from './token-bucket.ts';

/** Where the node's datagrams go: a bound UDP socket satisfies it. */
export interface DatagramSender {
  send(to: Address, data: Uint8Array): void;
}

/** Where a packet that came through a TCP relay came from, and how to answer it. */
export interface RelayedFrom {
  /** The DHT key of the peer that sent it (the relay's routing or out-of-band sender). */
  readonly peerDhtPublicKey: Uint8Array;
  /** Sends a packet back to that peer the same way (routed, or out of band). */
  readonly reply: (packet: Uint8Array) => void;
}

/** A session a peer wants to make with us, for the accept callback to judge. */
export interface ConnectionOffer {
  /** The peer's real (long-term) public key, proven by its handshake. */
  readonly realPublicKey: Uint8Array;
  /** The peer's DHT public key, as its cookie request named it. */
  readonly dhtPublicKey: Uint8Array;
  /** Where the handshake came from, for UDP. */
  readonly address: Address | undefined;
}

/** What a {@link NetCrypto} node is built from. */
export interface NetCryptoOptions {
  readonly clock: Clock;
  readonly sender: DatagramSender;
  /** Our long-term key pair: the one a Tox ID names. */
  readonly realKeyPair: KeyPair;
  /** Our DHT key pair (the DHT node's): cookie requests are sealed to it. */
  readonly dhtKeyPair: KeyPair;
  /**
   * Says whether a peer may make a session with us. Without it every new session is
   * refused: only peers the layer above knows (friends) get in.
   */
  readonly accept?: (offer: ConnectionOffer) => boolean;
  readonly config?: Partial<NetCryptoConfig>;
  /**
   * The 32-byte key our cookies are sealed with; random by default. Given only to replay a
   * recorded session (test vectors): anyone who knows it can forge our cookies.
   */
  readonly cookieKey?: Uint8Array;
  /**
   * Makes each session's key pair and base nonce; fresh random ones by default. Given only
   * to replay a recorded session (test vectors).
   */
  readonly sessionSecrets?: () => SessionSecrets;
}

/** A session's own secrets: its key pair and the base nonce of what it sends. */
export interface SessionSecrets {
  readonly keyPair: KeyPair;
  readonly baseNonce: Uint8Array;
}

/** The events of a {@link NetCrypto} node. */
export interface NetCryptoEvents {
  /** A session a peer made was accepted; it is `not-confirmed` and will be established soon. */
  connection: CryptoConnection;
  /** A bug: an exception inside the node or a listener. */
  error: Error;
}

/** Counters of a node. */
export interface NetCryptoStats {
  cookieResponsesSent: number;
  readonly dropped: DropCounts<NodeDropReason | SessionDropReason>;
}

/** A net_crypto node; see the module comment. */
export class NetCrypto {
  readonly config: NetCryptoConfig;
  readonly stats: NetCryptoStats = { cookieResponsesSent: 0, dropped: new DropCounts() };
  readonly #clock: Clock;
  readonly #sender: DatagramSender;
  readonly #realKeyPair: KeyPair;
  readonly #dhtKeyPair: KeyPair;
  readonly #accept: ((offer: ConnectionOffer) => boolean) | undefined;
  readonly #cookieKey: Uint8Array;
  readonly #dhtKeys: SharedKeys;
  readonly #realKeys: SharedKeys;
  readonly #cookieRate: TokenBucket;
  readonly #handshakeRate: TokenBucket;
  readonly #byReal = new Map<string, CryptoConnection>();
  readonly #byAddress = new Map<string, CryptoConnection>();
  readonly #byDht = new Map<string, CryptoConnection>();
  readonly #events: Emitter<NetCryptoEvents>;
  readonly #host: ConnectionHost;
  #closed = false;

  constructor(options: NetCryptoOptions) {
    this.config = netCryptoConfig(options.config);
    this.#clock = options.clock;
    this.#sender = options.sender;
    this.#realKeyPair = options.realKeyPair;
    this.#dhtKeyPair = options.dhtKeyPair;
    this.#accept = options.accept;
    this.#cookieKey = options.cookieKey !== undefined ? Uint8Array.from(options.cookieKey) : randomBytes(32);
    if (this.#cookieKey.length !== 32) throw new NetCryptoError('bad-key', 'the cookie key must be 32 bytes');
    this.#dhtKeys = new SharedKeys(this.#dhtKeyPair.secretKey, this.config.sharedKeyCacheSize);
    this.#realKeys = new SharedKeys(this.#realKeyPair.secretKey, this.config.sharedKeyCacheSize);
    this.#cookieRate = new TokenBucket(this.config.cookieRequestsPerSecond);
    this.#handshakeRate = new TokenBucket(this.config.newHandshakesPerSecond);
    this.#events = new Emitter((error) => this.#events.emit('error', error));
    this.#host = {
      clock: this.#clock,
      config: this.config,
      realKeyPair: this.#realKeyPair,
      dhtPublicKey: this.#dhtKeyPair.publicKey,
      cookieKey: this.#cookieKey,
      sessionSecrets: options.sessionSecrets ?? (() => ({ keyPair: generateKeyPair(), baseNonce: randomNonce() })),
      sendUdp: (to, packet) => this.#sender.send(to, packet),
      dhtSharedKey: (pk) => this.#dhtKeys.get(pk),
      realSharedKey: (pk) => this.#realKeys.get(pk),
      addressChanged: (conn, old) => this.#reindex(conn, old),
      closed: (conn) => this.#forget(conn),
      drop: (reason) => this.stats.dropped.add(reason),
      error: (error) => this.#events.emit('error', error),
    };
  }

  /** Our real public key. */
  get publicKey(): Uint8Array {
    return this.#realKeyPair.publicKey;
  }

  /** Our DHT public key, the one peers address cookie requests to. */
  get dhtPublicKey(): Uint8Array {
    return this.#dhtKeyPair.publicKey;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof NetCryptoEvents>(event: K, listener: (value: NetCryptoEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** The session with the peer whose real key this is, if any. */
  connection(realPublicKey: Uint8Array): CryptoConnection | undefined {
    return this.#byReal.get(toHex(realPublicKey));
  }

  /** Every session, in any state but closed. */
  connections(): CryptoConnection[] {
    return [...this.#byReal.values()];
  }

  /**
   * Makes a session to the peer with real key `realPublicKey` whose DHT key is
   * `dhtPublicKey`. If one to that real key exists with that DHT key, returns it (as
   * c-toxcore does); with another DHT key (the peer restarted), closes it with `replaced`
   * (a kill packet if it was up) and makes a new one. With
   * `address`, the cookie request goes out at once; else when `setAddress` or `setRelay`
   * gives it a path. Throws a `NetCryptoError` (`node-closed`, `too-many-connections`,
   * `bad-key`).
   */
  connect(realPublicKey: Uint8Array, dhtPublicKey: Uint8Array, address?: Address): CryptoConnection {
    if (this.#closed) throw new NetCryptoError('node-closed', 'the net_crypto node is closed');
    checkKey(realPublicKey, 'real public key');
    checkKey(dhtPublicKey, 'DHT public key');
    const existing = this.connection(realPublicKey);
    if (existing !== undefined) {
      if (constantTimeEqual(existing.peerDhtPublicKey, dhtPublicKey)) return existing;
      existing.end('replaced', true);
    }
    if (this.#byReal.size >= this.config.maxConnections) {
      throw new NetCryptoError('too-many-connections', `the node holds ${this.config.maxConnections} sessions`);
    }
    if (this.#realKeys.get(realPublicKey) === undefined || this.#dhtKeys.get(dhtPublicKey) === undefined) {
      throw new NetCryptoError('bad-key', 'not a valid public key (X25519 refuses it)');
    }
    const conn = new CryptoConnection(this.#host, realPublicKey, dhtPublicKey, 'cookie-requesting');
    this.#byReal.set(toHex(realPublicKey), conn);
    this.#byDht.set(toHex(dhtPublicKey), conn);
    if (address !== undefined) conn.setAddress(address);
    conn.startCookieRequest();
    return conn;
  }

  /**
   * A datagram from UDP. Returns true if it was a net_crypto packet (0x18 to 0x1b), taken
   * or dropped and counted; false if it is not one, for the caller to route elsewhere.
   * Never throws for what it is given.
   */
  receive(packet: Uint8Array, from: Address): boolean {
    if (packet.length === 0) return false;
    const id = packet[0];
    if (id !== NetPacket.COOKIE_REQUEST && id !== NetPacket.COOKIE_RESPONSE && id !== NetPacket.CRYPTO_HS && id !== NetPacket.CRYPTO_DATA) {
      return false;
    }
    if (this.#closed) return true;
    try {
      const source: PacketSource = { udp: from };
      if (id === NetPacket.COOKIE_REQUEST) this.#answerCookieRequest(packet, (response) => this.#sender.send(from, response));
      else if (id === NetPacket.CRYPTO_HS) this.#onHandshake(packet, source);
      else {
        const conn = this.#byAddress.get(addressKey(from));
        if (conn === undefined) this.#drop('unknown-source');
        else conn.receive(packet, source);
      }
    } catch (error) {
      this.#events.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
    return true;
  }

  /**
   * A net_crypto packet that came through a TCP relay, routed or out of band, from the
   * peer with DHT key `from.peerDhtPublicKey`: a cookie request is answered through
   * `from.reply`; a handshake is checked as one from UDP, and a session it makes or
   * completes sends through `from.reply` until UDP works; a cookie response or data packet
   * goes to the session with that DHT key. Returns false for anything else.
   */
  receiveRelayed(packet: Uint8Array, from: RelayedFrom): boolean {
    if (packet.length === 0) return false;
    const id = packet[0];
    if (id !== NetPacket.COOKIE_REQUEST && id !== NetPacket.COOKIE_RESPONSE && id !== NetPacket.CRYPTO_HS && id !== NetPacket.CRYPTO_DATA) {
      return false;
    }
    if (this.#closed) return true;
    try {
      if (id === NetPacket.COOKIE_REQUEST) this.#answerCookieRequest(packet, from.reply);
      else if (id === NetPacket.CRYPTO_HS) this.#onHandshake(packet, { relay: from.reply });
      else {
        const conn = this.#byDht.get(toHex(from.peerDhtPublicKey));
        if (conn === undefined) this.#drop('unknown-source');
        else conn.receive(packet, { relay: from.reply });
      }
    } catch (error) {
      this.#events.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
    return true;
  }

  /** Closes every session (a kill packet to those that are up) and refuses new ones. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [...this.#byReal.values()]) conn.end('node-closed', true);
  }

  #answerCookieRequest(packet: Uint8Array, reply: (response: Uint8Array) => void): void {
    if (!this.#cookieRate.take(this.#clock.now())) return this.#drop('cookie-rate');
    let envelope;
    try {
      envelope = decodeCookieRequest(packet);
    } catch (error) {
      return this.#drop(decodeReason(error));
    }
    const shared = this.#dhtKeys.get(envelope.senderDhtPublicKey);
    const request = shared === undefined ? undefined : openCookieRequest(envelope, shared);
    if (shared === undefined || request === undefined) return this.#drop('bad-mac');
    const cookie = sealCookie(this.#cookieKey, randomNonce(), {
      timestamp: cookieTime(this.#clock.now()),
      realPublicKey: request.senderRealPublicKey,
      dhtPublicKey: envelope.senderDhtPublicKey,
    });
    reply(encodeCookieResponse(shared, randomNonce(), cookie, request.echoId));
    this.stats.cookieResponsesSent++;
  }

  #onHandshake(packet: Uint8Array, source: PacketSource): void {
    const known = source.udp !== undefined ? this.#byAddress.get(addressKey(source.udp)) : undefined;
    if (known === undefined && !this.#handshakeRate.take(this.#clock.now())) return this.#drop('handshake-rate');
    let verdict;
    try {
      verdict = readHandshake(packet, {
        realSecretKey: this.#realKeyPair.secretKey,
        cookieKey: this.#cookieKey,
        nowSeconds: cookieTime(this.#clock.now()),
        sharedKeyOf: (pk) => this.#realKeys.get(pk),
      });
    } catch (error) {
      return this.#drop(decodeReason(error));
    }
    if (!verdict.ok) return this.#drop(`handshake-${verdict.reason}`);
    const hs = verdict.handshake;
    const existing = this.connection(hs.peerRealPublicKey);
    if (existing !== undefined) {
      if (constantTimeEqual(existing.peerDhtPublicKey, hs.peerDhtPublicKey)) {
        existing.takeHandshake(hs, source);
        return;
      }
      // The peer restarted: a new DHT key for a real key we have a session with.
      existing.end('replaced', false);
    }
    this.#offer(hs, source);
  }

  #offer(hs: Handshake, source: PacketSource): void {
    const offer: ConnectionOffer = {
      realPublicKey: hs.peerRealPublicKey, dhtPublicKey: hs.peerDhtPublicKey, address: source.udp,
    };
    let yes = false;
    try {
      yes = this.#accept?.(offer) === true;
    } catch (error) {
      this.#events.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
    if (!yes) return this.#drop('not-accepted');
    if (this.#closed) return;
    if (this.#byReal.size >= this.config.maxConnections) return this.#drop('too-many-connections');
    const conn = new CryptoConnection(this.#host, hs.peerRealPublicKey, hs.peerDhtPublicKey, 'not-confirmed');
    this.#byReal.set(toHex(hs.peerRealPublicKey), conn);
    this.#byDht.set(toHex(hs.peerDhtPublicKey), conn);
    conn.acceptHandshake(hs, source);
    this.#events.emit('connection', conn);
  }

  #reindex(conn: CryptoConnection, old: Address | undefined): void {
    if (old !== undefined) {
      const key = addressKey(old);
      if (this.#byAddress.get(key) === conn) this.#byAddress.delete(key);
    }
    if (conn.address !== undefined) this.#byAddress.set(addressKey(conn.address), conn);
  }

  #forget(conn: CryptoConnection): void {
    const key = toHex(conn.peerRealPublicKey);
    if (this.#byReal.get(key) === conn) this.#byReal.delete(key);
    const dht = toHex(conn.peerDhtPublicKey);
    if (this.#byDht.get(dht) === conn) this.#byDht.delete(dht);
    if (conn.address !== undefined) {
      const a = addressKey(conn.address);
      if (this.#byAddress.get(a) === conn) this.#byAddress.delete(a);
    }
  }

  #drop(reason: NodeDropReason): void {
    this.stats.dropped.add(reason);
  }
}

function addressKey(address: Address): string {
  return formatAddress(address);
}

function checkKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_SIZE) {
    throw new NetCryptoError('bad-key', `${what} must be ${PUBLIC_KEY_SIZE} bytes`);
  }
}

function decodeReason(error: unknown): 'truncated' | 'trailing-bytes' | 'malformed' {
  if (error instanceof DecodeError) return error.code === 'truncated' || error.code === 'trailing-bytes' ? error.code : 'malformed';
  throw error;
}
