/**
 * The friend layer's state machine: what happens to each friend when the layers below
 * report something (an onion report, a DHT address, a session a friend made, a relayed
 * packet), when a session goes up or down, and when one of the friend's timers is due.
 * `FriendConnections` is its face; this class is internal.
 *
 * @see spec/friend.md#finding-the-friend
 * @see spec/friend.md#dht-key-rotation
 * @see spec/friend.md#the-session-and-its-path
 * @see spec/friend.md#alive-packets
 * @see spec/friend.md#the-retry-window
 * @module
 */
import type { Clock, Timer } from '../io/index.ts';
import { PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import type { CryptoConnection, NetCrypto } from '../netcrypto/index.ts';
import type { RelayedPacket, RelayEndpoint } from '../relay/index.ts';
import { DataPacket, DecodeError, toHex } from '../wire/index.ts';
import type { FriendConnectionsConfig } from './config.ts';
import type { DhtKeySource, FriendEmitter, FriendConnectionsEvents, FriendPath } from './events.ts';
import type { FriendRecord } from './friend-record.ts';
import type { FriendAddressReport, FriendDht, FriendOnion, FriendOnionEvents } from './lower-layers.ts';
import { decodeFriendRequestPacket, encodeAlive } from './packets.ts';
import type { RelaySharing } from './relay-sharing.ts';
import type { FriendConnectionsStats } from './stats.ts';

/** @internal What the machine works with; `FriendConnections` hands it over. */
export interface FriendMachineParts {
  readonly clock: Clock;
  readonly dht: FriendDht;
  readonly netCrypto: NetCrypto;
  readonly onion: FriendOnion;
  readonly relays: RelaySharing;
  readonly config: FriendConnectionsConfig;
  readonly stats: FriendConnectionsStats;
  readonly events: FriendEmitter<FriendConnectionsEvents>;
}

/** @internal The friend layer's state machine; see the module comment. */
export class FriendMachine {
  /** Every friend held, by the hex of its real key. */
  readonly friends = new Map<string, FriendRecord>();
  /** Set once the layer is closed: nothing more is done. */
  closed = false;
  readonly #clock: Clock;
  readonly #dht: FriendDht;
  readonly #nc: NetCrypto;
  readonly #onion: FriendOnion;
  readonly #relays: RelaySharing;
  readonly #config: FriendConnectionsConfig;
  readonly #stats: FriendConnectionsStats;
  readonly #events: FriendEmitter<FriendConnectionsEvents>;
  readonly #byDht = new Map<string, Set<FriendRecord>>();
  /** The relay a stranger's packet came through, while net_crypto reads it. */
  #strangerRelay: RelayEndpoint | undefined;
  /** The one timer of the path check of every online friend, set while a friend is online. */
  #pathSweep: Timer | undefined;

  constructor(parts: FriendMachineParts) {
    this.#clock = parts.clock;
    this.#dht = parts.dht;
    this.#nc = parts.netCrypto;
    this.#onion = parts.onion;
    this.#relays = parts.relays;
    this.#config = parts.config;
    this.#stats = parts.stats;
    this.#events = parts.events;
  }

  // ─── From the layers below ────────────────────────────────────────────────

  /** An onion report of a friend's DHT key and relays (`dht_pk_callback`, `tcp_relay_node_callback`). */
  onOnionKey(e: FriendOnionEvents['dht-key']): void {
    if (this.closed) return;
    const f = this.friends.get(toHex(e.realPublicKey));
    if (f === undefined) return this.#stats.dropped.add('dht-key-not-friend');
    if (!(e.dhtPublicKey instanceof Uint8Array) || e.dhtPublicKey.length !== PUBLIC_KEY_SIZE) return this.#stats.dropped.add('bad-dht-key');
    this.learnDhtKey(f, e.dhtPublicKey, e.via);
    for (const node of e.relays) {
      if (node.protocol === 'tcp') this.#relays.remember(f, node.ipPort, node.publicKey, f.address);
    }
  }

  /** A friend request that came over the onion. */
  onOnionRequest(e: FriendOnionEvents['friend-request']): void {
    if (this.closed) return;
    this.#stats.friendRequestsReceived++;
    this.#events.emit('friend-request', {
      realPublicKey: Uint8Array.from(e.realPublicKey), nospam: e.nospam, message: Uint8Array.from(e.message), via: 'onion',
    });
  }

  /** The DHT found the friend's DHT node (`dht_ip_callback`). */
  onAddress(report: FriendAddressReport): void {
    const set = this.#byDht.get(toHex(report.publicKey));
    if (set === undefined) return;
    const now = this.#clock.now();
    for (const f of set) {
      f.address = { host: report.ipPort.host, port: report.ipPort.port };
      f.addressAt = now;
      if (f.conn !== undefined) f.conn.setAddress(f.address);
      else this.#openSession(f);
      this.#arm(f);
    }
  }

  /** A packet from the relay manager, for net_crypto; a stranger's relay is remembered while net_crypto reads it. */
  onRelayed(p: RelayedPacket): void {
    this.#strangerRelay = p.known ? undefined : p.relay;
    try {
      this.#nc.receiveRelayed(p.data, p);
    } finally {
      this.#strangerRelay = undefined;
    }
  }

  // ─── DHT keys ─────────────────────────────────────────────────────────────

  /** A DHT key from the onion, the DHT route or the API (`dht_pk_callback`). */
  learnDhtKey(f: FriendRecord, key: Uint8Array, source: DhtKeySource): void {
    const now = this.#clock.now();
    if (f.dhtKeyHex === toHex(key)) {
      f.dhtKeyAt = Math.max(f.dhtKeyAt, now);
      if (f.conn === undefined) this.#openSession(f);
      this.#arm(f);
      return;
    }
    if (f.conn !== undefined) {
      // The session was made with the old key: it goes, and the friend with it.
      const old = f.conn;
      this.#detach(f);
      old.close();
      if (f.online) this.#wentOffline(f);
    }
    this.#replaceDhtKey(f, key, source);
    this.#openSession(f);
    this.#arm(f);
  }

  /** The one place a friend's DHT key changes: the DHT search, the relay manager and the onion follow, once. */
  #replaceDhtKey(f: FriendRecord, key: Uint8Array, source: DhtKeySource): void {
    this.#dropDhtKey(f);
    f.dhtKey = Uint8Array.from(key);
    f.dhtKeyHex = toHex(key);
    f.dhtKeyAt = this.#clock.now();
    this.#dht.addFriend(f.dhtKey);
    f.inDht = true;
    let set = this.#byDht.get(f.dhtKeyHex);
    if (set === undefined) this.#byDht.set(f.dhtKeyHex, (set = new Set()));
    set.add(f);
    this.#relays.trackPeer(f);
    this.#onion.setFriendDhtKey(f.realPublicKey, f.dhtKey);
    this.#stats.dhtKeyChanges++;
    this.#events.emit('dht-key', { realPublicKey: f.realPublicKey.slice(), dhtPublicKey: f.dhtKey.slice(), source });
  }

  /** Takes the friend's DHT key out of the DHT search and the relay manager. */
  #dropDhtKey(f: FriendRecord): void {
    if (f.dhtKey === undefined || f.dhtKeyHex === undefined) return;
    if (f.inDht) this.#dht.removeFriend(f.dhtKey);
    f.inDht = false;
    const set = this.#byDht.get(f.dhtKeyHex);
    set?.delete(f);
    if (set?.size === 0) this.#byDht.delete(f.dhtKeyHex);
    this.#relays.untrackPeer(f.dhtKey);
    f.dhtKey = undefined;
    f.dhtKeyHex = undefined;
  }

  /** The retry window closed: the friend is left to the onion. */
  #windowClosed(f: FriendRecord): void {
    if (f.conn !== undefined) {
      const conn = f.conn;
      this.#detach(f);
      conn.close();
    }
    this.#dropDhtKey(f);
    f.address = undefined;
    this.#stats.dhtKeysForgotten++;
    this.#events.emit('dht-key', { realPublicKey: f.realPublicKey.slice(), dhtPublicKey: undefined, source: 'timeout' });
  }

  // ─── Sessions ─────────────────────────────────────────────────────────────

  /** Makes a session with the friend's DHT key, if it has one and no session (`friend_new_connection`). */
  #openSession(f: FriendRecord): void {
    if (this.closed || f.dhtKey === undefined || f.conn !== undefined) return;
    const now = this.#clock.now();
    const address = f.address !== undefined && now - f.addressAt < this.#config.dhtTimeoutMs
      ? f.address
      : this.#dht.friendAddress(f.dhtKey);
    let conn: CryptoConnection;
    try {
      conn = this.#nc.connect(f.realPublicKey, f.dhtKey, address);
    } catch {
      // A key X25519 refuses, a full or closed node: try again later, within the window.
      this.#stats.dropped.add('session-refused');
      f.retryAt = now + this.#config.retryDelayMs;
      return;
    }
    this.#stats.sessionsOpened++;
    if (conn.state === 'closed') {
      f.retryAt = now + this.#config.retryDelayMs;
      return;
    }
    this.#attach(f, conn);
  }

  /** A session a friend made to us (`handle_new_connections`); its DHT key is the friend's now. */
  adopt(conn: CryptoConnection): void {
    const f = this.friends.get(toHex(conn.peerRealPublicKey));
    if (f === undefined || this.closed || conn.state === 'closed') return;
    if (f.conn !== undefined && f.conn !== conn) {
      const old = f.conn;
      this.#detach(f);
      old.close();
      if (f.online) this.#wentOffline(f);
    }
    this.#stats.sessionsAccepted++;
    if (f.dhtKeyHex !== toHex(conn.peerDhtPublicKey)) this.#replaceDhtKey(f, conn.peerDhtPublicKey, 'handshake');
    else f.dhtKeyAt = this.#clock.now();
    if (conn.address !== undefined) {
      f.address = conn.address;
      f.addressAt = this.#clock.now();
    }
    if (this.#strangerRelay !== undefined) this.#relays.link(f, this.#strangerRelay);
    this.#attach(f, conn);
  }

  #attach(f: FriendRecord, conn: CryptoConnection): void {
    f.conn = conn;
    f.connOffs = [
      conn.on('established', () => this.guard(() => this.#wentOnline(f, conn))),
      conn.on('lossless', (data) => this.guard(() => this.#onLossless(f, conn, data))),
      conn.on('lossy', (data) => this.guard(() => {
        if (f.conn === conn && f.online) this.#events.emit('lossy', { realPublicKey: f.realPublicKey.slice(), id: data[0]!, data });
      })),
      conn.on('closed', () => this.guard(() => this.#onClosed(f, conn))),
    ];
    this.#relays.attach(f, conn);
    if (f.address !== undefined && conn.address === undefined && this.#clock.now() - f.addressAt < this.#config.dhtTimeoutMs) {
      conn.setAddress(f.address);
    }
    if (conn.state === 'established') this.#wentOnline(f, conn);
    else this.#arm(f);
  }

  #detach(f: FriendRecord): void {
    for (const off of f.connOffs.splice(0)) off();
    f.conn = undefined;
  }

  #wentOnline(f: FriendRecord, conn: CryptoConnection): void {
    if (f.conn !== conn || f.online || !this.#held(f)) return;
    const now = this.#clock.now();
    f.online = true;
    f.aliveReceivedAt = now;
    f.shareDueAt = now;
    f.path = pathOf(conn);
    this.#stats.wentOnline++;
    this.#onion.setFriendOnline(f.realPublicKey, true);
    this.#sendAlive(f);
    this.#relays.setDirect(f, f.path === 'udp');
    this.#events.emit('status', { realPublicKey: f.realPublicKey.slice(), online: true, path: f.path });
    if (this.#held(f) && f.conn === conn) this.#service(f);
    this.#armPathSweep();
  }

  #onClosed(f: FriendRecord, conn: CryptoConnection): void {
    if (f.conn !== conn) return;
    this.#detach(f);
    if (f.online) this.#wentOffline(f);
    f.retryAt = this.#clock.now() + this.#config.retryDelayMs;
    this.#arm(f);
  }

  /** `handle_status(false)`: the window starts again now, and the onion searches again. */
  #wentOffline(f: FriendRecord): void {
    f.online = false;
    f.path = 'none';
    f.dhtKeyAt = this.#clock.now();
    this.#stats.wentOffline++;
    this.#onion.setFriendOnline(f.realPublicKey, false);
    this.#relays.setDirect(f, false);
    this.#events.emit('status', { realPublicKey: f.realPublicKey.slice(), online: false, path: 'none' });
  }

  #onLossless(f: FriendRecord, conn: CryptoConnection, data: Uint8Array): void {
    if (f.conn !== conn) return;
    switch (data[0]) {
      case DataPacket.ALIVE:
        f.aliveReceivedAt = this.#clock.now();
        this.#stats.aliveReceived++;
        return;
      case DataPacket.SHARE_RELAYS:
        this.#relays.receive(f, data, conn.address ?? f.address);
        return;
      case DataPacket.FRIEND_REQUESTS: {
        let request;
        try {
          request = decodeFriendRequestPacket(data);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
          return this.#stats.dropped.add('friend-request-malformed');
        }
        this.#stats.friendRequestsReceived++;
        this.#events.emit('friend-request', { realPublicKey: f.realPublicKey.slice(), ...request, via: 'session' });
        return;
      }
      default:
        if (f.online) this.#events.emit('lossless', { realPublicKey: f.realPublicKey.slice(), id: data[0]!, data });
    }
  }

  #sendAlive(f: FriendRecord): void {
    const now = this.#clock.now();
    try {
      f.conn!.sendLossless(encodeAlive());
      f.aliveSentAt = now;
      this.#stats.aliveSent++;
    } catch {
      // The queue is full: try again soon, not at once.
      f.aliveSentAt = now - this.#config.pingIntervalMs + this.#config.retryDelayMs;
    }
  }

  // ─── Timers ───────────────────────────────────────────────────────────────

  /** Everything due for one friend (c-toxcore's `do_friend_connections`, per friend), then the next timer. */
  #service(f: FriendRecord): void {
    // Called by the timer, or directly (coming online): a timer still armed must not outlive it.
    f.timer?.cancel();
    f.timer = undefined;
    f.timerAt = Infinity;
    if (!this.#held(f)) return;
    const now = this.#clock.now();
    const c = this.#config;
    if (f.online && f.conn !== undefined) {
      if (now - f.aliveReceivedAt >= c.connectionTimeoutMs) {
        this.#stats.timeouts++;
        f.conn.close(); // its 'closed' event takes the friend offline and arms the retry
        return;
      }
      if (now - f.aliveSentAt >= c.pingIntervalMs) this.#sendAlive(f);
      if (now >= f.shareDueAt) this.#relays.share(f, f.conn, now);
      this.#checkPath(f);
    } else {
      if (f.dhtKey !== undefined && now - f.dhtKeyAt >= c.dhtTimeoutMs) this.#windowClosed(f);
      if (f.address !== undefined && now - f.addressAt >= c.dhtTimeoutMs) f.address = undefined;
      if (f.dhtKey !== undefined && f.conn === undefined && now >= f.retryAt) this.#openSession(f);
    }
    this.#arm(f);
  }

  /** Sets the friend's one timer for the next thing due. */
  #arm(f: FriendRecord): void {
    if (!this.#held(f)) return;
    const c = this.#config;
    let at = Infinity;
    if (f.online) {
      // The path check is not here: one sweep does it for every online friend (`#pathSweep`).
      at = Math.min(f.aliveSentAt + c.pingIntervalMs, f.aliveReceivedAt + c.connectionTimeoutMs, f.shareDueAt);
    } else {
      if (f.dhtKey !== undefined) at = Math.min(at, f.dhtKeyAt + c.dhtTimeoutMs, f.conn === undefined ? f.retryAt : Infinity);
      if (f.address !== undefined) at = Math.min(at, f.addressAt + c.dhtTimeoutMs);
    }
    if (f.timer !== undefined && f.timerAt === at) return;
    f.timer?.cancel();
    f.timer = undefined;
    f.timerAt = Infinity;
    if (at === Infinity) return;
    f.timerAt = at;
    f.timer = this.#clock.setTimer(at - this.#clock.now(), () => this.guard(() => this.#service(f)));
  }

  /**
   * Every `pathCheckMs` while a friend is online, one timer for all of them checks each
   * online friend's path, instead of a timer per friend each second: the process wakes once
   * for the lot. It stops when no friend is online, and starts again with the next one.
   */
  #armPathSweep(): void {
    if (this.#pathSweep !== undefined || this.closed) return;
    this.#pathSweep = this.#clock.setTimer(this.#config.pathCheckMs, () => {
      this.#pathSweep = undefined;
      if (this.closed) return;
      let online = false;
      for (const f of this.friends.values()) {
        if (!f.online || f.conn === undefined) continue;
        online = true;
        this.guard(() => this.#checkPath(f));
      }
      if (online) this.#armPathSweep();
    });
  }

  /** Stops the path sweep (the layer is closing). */
  stopPathSweep(): void {
    this.#pathSweep?.cancel();
    this.#pathSweep = undefined;
  }

  /** The path of an online friend now: reported when it changes, and told to the relay manager. */
  #checkPath(f: FriendRecord): void {
    const conn = f.conn;
    if (conn === undefined || !f.online) return;
    const path = pathOf(conn);
    if (path === 'udp' && conn.address !== undefined) {
      f.address = conn.address;
      f.addressAt = this.#clock.now();
    }
    this.#relays.setDirect(f, path === 'udp');
    if (path === f.path) return;
    f.path = path;
    this.#events.emit('status', { realPublicKey: f.realPublicKey.slice(), online: true, path });
  }

  // ─── Internals ────────────────────────────────────────────────────────────

  /** Forgets a friend: its session, onion search, DHT search and relay links end. */
  forget(f: FriendRecord): void {
    f.timer?.cancel();
    f.timer = undefined;
    this.friends.delete(f.keyHex);
    if (f.conn !== undefined) {
      const conn = f.conn;
      this.#detach(f);
      conn.close();
    }
    this.#dropDhtKey(f);
    f.online = false;
    this.#onion.removeFriend(f.realPublicKey);
  }

  #held(f: FriendRecord): boolean {
    return !this.closed && this.friends.get(f.keyHex) === f;
  }

  /** Runs `fn`, reporting what it throws as an `error` event. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#events.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function pathOf(conn: CryptoConnection): FriendPath {
  const p = conn.path;
  return p === 'udp' ? 'udp' : p === 'relay' ? 'tcp' : 'none';
}
