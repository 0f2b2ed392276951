/**
 * The friend layer, c-toxcore's `friend_connection.c`: one record per friend, keyed by its
 * real public key, that glues the onion, the DHT, net_crypto and the relay manager
 * together. For each friend it searches through the onion while the friend is offline;
 * puts the friend's DHT key, once learned, into the DHT's search list; makes a net_crypto
 * session over the friend's UDP address and its relays; keeps the session alive with alive
 * packets and kills it when they stop; retries for 122 s, then forgets the DHT key and
 * goes back to the onion; and shares relays with the friend.
 *
 * ```ts
 * let friends: FriendConnections;
 * const netCrypto = new NetCrypto({ clock, sender: socket, realKeyPair, dhtKeyPair, accept: (o) => friends.accept(o) });
 * friends = new FriendConnections({ clock, dht, netCrypto, onion, tcp });
 * friends.on('status', ({ realPublicKey, online, path }) => …);
 * friends.on('lossless', ({ realPublicKey, id, data }) => …);
 * friends.lock(friendRealKey);                        // held until unlock()
 * ```
 *
 * It routes the relay manager's packets to net_crypto (`receiveRelayed`): whoever builds
 * it must not do that too. Datagrams from the UDP socket are the caller's to hand to the
 * DHT and to net_crypto.
 *
 * @see spec/friend.md#the-friend-layer
 * @see spec/friend.md#friend-requests
 * @module
 */
import type { Clock } from '../io/index.ts';
import { PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import type { ConnectionOffer, CryptoConnection, NetCrypto } from '../netcrypto/index.ts';
import type { RelayEndpoint, TcpConnections } from '../relay/index.ts';
import { DataPacket, toHex } from '../wire/index.ts';
import { type FriendConnectionsConfig, friendConnectionsConfig } from './config.ts';
import { FriendError } from './errors.ts';
import { FriendEmitter, type FriendConnectionsEvents, type FriendPath } from './events.ts';
import { type FriendInfo, type FriendRecord, friendInfo, newFriendRecord } from './friend-record.ts';
import { FriendMachine } from './friend-machine.ts';
import type { FriendDht, FriendOnion } from './lower-layers.ts';
import { encodeFriendRequestPacket } from './packets.ts';
import { RelaySharing } from './relay-sharing.ts';
import { FriendConnectionsStats } from './stats.ts';

/** What a {@link FriendConnections} is built from. */
export interface FriendConnectionsOptions {
  readonly clock: Clock;
  /** The DHT node (its `DhtNode`), where friends' DHT keys are searched. */
  readonly dht: FriendDht;
  /** The net_crypto node. Its `accept` callback must call {@link FriendConnections.accept}. */
  readonly netCrypto: NetCrypto;
  /** The onion client, which finds friends' DHT keys and carries friend requests. */
  readonly onion: FriendOnion;
  /** The relay manager, keyed by our DHT key pair; without it friends are reached over UDP only. */
  readonly tcp?: TcpConnections;
  readonly config?: Partial<FriendConnectionsConfig>;
}

/** How a friend request went out: over the friend's session, or through the onion on `paths` paths (0: not yet). */
export type FriendRequestRoute = { readonly via: 'session' } | { readonly via: 'onion'; readonly paths: number };

/** The friend layer; see the module comment. */
export class FriendConnections {
  readonly config: FriendConnectionsConfig;
  readonly stats = new FriendConnectionsStats();
  readonly #onion: FriendOnion;
  readonly #events: FriendEmitter<FriendConnectionsEvents>;
  readonly #m: FriendMachine;
  readonly #relays: RelaySharing;
  readonly #offs: Array<() => void> = [];

  /** Throws a `FriendError` (`bad-config`) for a bad setting. */
  constructor(options: FriendConnectionsOptions) {
    this.config = friendConnectionsConfig(options.config);
    const { clock, dht, netCrypto, onion, tcp } = options;
    this.#onion = onion;
    this.#events = new FriendEmitter<FriendConnectionsEvents>();
    const relays = new RelaySharing(tcp, this.config, this.stats, onion);
    this.#relays = relays;
    const m = new FriendMachine({ clock, dht, netCrypto, onion, relays, config: this.config, stats: this.stats, events: this.#events });
    this.#m = m;
    this.#offs.push(
      netCrypto.on('connection', (conn) => m.guard(() => m.adopt(conn))),
      dht.events.on('friend-address', (report) => m.guard(() => m.onAddress(report))),
      onion.events.on('dht-key', (e) => m.guard(() => m.onOnionKey(e))),
      onion.events.on('friend-request', (e) => m.guard(() => m.onOnionRequest(e))),
    );
    if (tcp !== undefined) {
      this.#offs.push(
        tcp.on('packet', (p) => m.guard(() => m.onRelayed(p))),
        tcp.on('relay', () => m.guard(() => relays.announceOwnRelays())),
      );
      relays.announceOwnRelays();
    }
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof FriendConnectionsEvents>(event: K, listener: (value: FriendConnectionsEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * For net_crypto's `accept` callback: a session a peer makes is taken if its real key is
   * a friend's (c-toxcore's `handle_new_connections`).
   */
  accept(offer: ConnectionOffer): boolean {
    return !this.#m.closed && this.#m.friends.has(toHex(offer.realPublicKey));
  }

  // ─── Friends ──────────────────────────────────────────────────────────────

  /**
   * Holds a friend (`new_friend_connection`, `friend_connection_lock`): the first lock makes
   * its record and starts the onion search; each further lock needs one more `unlock`.
   * Returns the number of locks. Throws a `FriendError`: `bad-key`, `too-many-friends`,
   * `too-many-locks`, `closed`.
   */
  lock(realPublicKey: Uint8Array): number {
    this.#expectOpen();
    const keyHex = keyHexOf(realPublicKey, 'real public key');
    const known = this.#m.friends.get(keyHex);
    if (known !== undefined) {
      if (known.locks >= this.config.maxLocks) throw new FriendError('too-many-locks', `the friend is locked ${known.locks} times (maxLocks)`);
      return ++known.locks;
    }
    if (this.#m.friends.size >= this.config.maxFriends) {
      throw new FriendError('too-many-friends', `the friend layer holds ${this.config.maxFriends} friends (maxFriends)`);
    }
    const f = newFriendRecord(realPublicKey, this.config.maxStoredRelays);
    this.#m.friends.set(keyHex, f);
    this.#onion.addFriend(f.realPublicKey);
    return 1;
  }

  /**
   * Drops one lock (`kill_friend_connection`); the last one forgets the friend: its
   * session is closed (a kill packet if it was up), its onion search, DHT search and relay
   * links end. No `status` event follows. Returns true when the friend was forgotten,
   * false while locks remain or if it was not held.
   */
  unlock(realPublicKey: Uint8Array): boolean {
    const f = this.#m.friends.get(keyHexOf(realPublicKey, 'real public key'));
    if (f === undefined) return false;
    if (--f.locks > 0) return false;
    this.#m.forget(f);
    return true;
  }

  /** Whether the friend is held. */
  has(realPublicKey: Uint8Array): boolean {
    return this.#m.friends.has(keyHexOf(realPublicKey, 'real public key'));
  }

  /** A snapshot of the friend, if held. */
  friend(realPublicKey: Uint8Array): FriendInfo | undefined {
    const f = this.#m.friends.get(keyHexOf(realPublicKey, 'real public key'));
    return f === undefined ? undefined : friendInfo(f);
  }

  /** Snapshots of every friend held. */
  friends(): FriendInfo[] {
    return [...this.#m.friends.values()].map(friendInfo);
  }

  /** Friends held. */
  get size(): number {
    return this.#m.friends.size;
  }

  /** The friend's path: `none` while it is offline or not held. */
  path(realPublicKey: Uint8Array): FriendPath {
    const f = this.#m.friends.get(keyHexOf(realPublicKey, 'real public key'));
    return f?.online === true ? f.path : 'none';
  }

  /** The friend's session while it is online (for a channel carrier, or statistics). */
  connection(realPublicKey: Uint8Array): CryptoConnection | undefined {
    const f = this.#m.friends.get(keyHexOf(realPublicKey, 'real public key'));
    return f?.online === true ? f.conn : undefined;
  }

  /**
   * Learns a friend's DHT key from elsewhere (`set_dht_temp_pk`: a saved state): as if the
   * onion had told it. Throws a `FriendError` (`bad-key`, `unknown-friend`).
   */
  setDhtKey(realPublicKey: Uint8Array, dhtPublicKey: Uint8Array): void {
    const f = this.#friend(realPublicKey);
    keyHexOf(dhtPublicKey, 'DHT public key');
    this.#m.learnDhtKey(f, dhtPublicKey, 'api');
  }

  /**
   * Remembers relays the friend was reached through before (a saved state), oldest first,
   * as if the friend had told us about them. Throws a `FriendError` (`bad-key`, `unknown-friend`).
   */
  addRelays(realPublicKey: Uint8Array, relays: readonly RelayEndpoint[]): void {
    const f = this.#friend(realPublicKey);
    for (const r of relays) this.#relays.remember(f, r.address, r.publicKey, undefined);
  }

  // ─── Sending ──────────────────────────────────────────────────────────────

  /**
   * Sends a lossless packet (id 19 to 191 first: 16 to 18 are this layer's) to an online
   * friend. Returns false when the session's queue is at its high-water mark (the packet is
   * queued; wait for the session's `drain`). Throws a `FriendError` (`unknown-friend`,
   * `not-connected`, `bad-payload`), or net_crypto's `queue-full`.
   */
  sendLossless(realPublicKey: Uint8Array, data: Uint8Array): boolean {
    const conn = this.#online(realPublicKey);
    const id = data[0];
    if (id === undefined || id <= DataPacket.FRIEND_REQUESTS || id > 191) {
      throw new FriendError('bad-payload', `a lossless packet for a friend starts with an id from 19 to 191, got ${id}`);
    }
    return conn.sendLossless(data);
  }

  /**
   * Sends a lossy packet (id 192 to 254 first) to an online friend, now, once. Throws a
   * `FriendError` (`unknown-friend`, `not-connected`, `bad-payload`).
   */
  sendLossy(realPublicKey: Uint8Array, data: Uint8Array): boolean {
    const conn = this.#online(realPublicKey);
    const id = data[0];
    if (id === undefined || id < 192 || id > 254) {
      throw new FriendError('bad-payload', `a lossy packet starts with an id from 192 to 254, got ${id}`);
    }
    return conn.sendLossy(data);
  }

  /**
   * Sends a friend request (`send_friend_request_packet`): over the friend's session (id
   * 18) while it is online, else through the onion. `nospam` is the u32 of the friend's
   * Tox ID; the message is 1 to 1016 bytes. Throws a `FriendError` (`unknown-friend`,
   * `bad-request`); through the onion, whatever the onion client throws for what it will
   * not send (the OnionClient takes at most 943 bytes, what a 0.2.18 receiver reads).
   */
  sendFriendRequest(realPublicKey: Uint8Array, nospam: number, message: Uint8Array): FriendRequestRoute {
    const f = this.#friend(realPublicKey);
    let packet: Uint8Array;
    try {
      packet = encodeFriendRequestPacket({ nospam, message });
    } catch (error) {
      throw new FriendError('bad-request', (error as Error).message);
    }
    this.stats.friendRequestsSent++;
    if (f.online && f.conn !== undefined) {
      f.conn.sendLossless(packet);
      return { via: 'session' };
    }
    return { via: 'onion', paths: Math.max(0, this.#onion.sendFriendRequest(f.realPublicKey, nospam, message)) };
  }

  /** Forgets every friend (closing their sessions) and stops listening to the layers below. Idempotent. */
  close(): void {
    if (this.#m.closed) return;
    this.#m.closed = true;
    this.#m.stopPathSweep();
    for (const f of [...this.#m.friends.values()]) this.#m.forget(f);
    for (const off of this.#offs.splice(0)) off();
  }

  // ─── Internals ────────────────────────────────────────────────────────────

  #friend(realPublicKey: Uint8Array): FriendRecord {
    const f = this.#m.friends.get(keyHexOf(realPublicKey, 'real public key'));
    if (f === undefined) throw new FriendError('unknown-friend', 'no friend with that real public key is held (lock it first)');
    return f;
  }

  #online(realPublicKey: Uint8Array): CryptoConnection {
    const f = this.#friend(realPublicKey);
    if (!f.online || f.conn === undefined) throw new FriendError('not-connected', 'the friend is offline');
    return f.conn;
  }

  #expectOpen(): void {
    if (this.#m.closed) throw new FriendError('closed', 'the friend layer is closed');
  }
}

function keyHexOf(key: Uint8Array, what: string): string {
  if (!(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_SIZE) {
    throw new FriendError('bad-key', `the ${what} must be ${PUBLIC_KEY_SIZE} bytes`);
  }
  return toHex(key);
}

