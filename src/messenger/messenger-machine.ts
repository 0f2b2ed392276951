/**
 * The Messenger's state machine: what happens when the friend layer reports something (a
 * friend's session up or down, a packet, a friend request, a DHT key), and when a friend's
 * timer is due (our friend request to send again, our name or status to send again). The
 * `Messenger` class is its face; this class is internal.
 *
 * @see spec/messenger.md#coming-online
 * @see spec/messenger.md#friend-requests-we-send
 * @see spec/messenger.md#friend-requests-we-receive
 * @see spec/messenger.md#read-receipts
 * @module
 */
import type { Clock, Timer } from '../io/index.ts';
import type { CryptoConnection } from '../netcrypto/index.ts';
import type { FriendConnections, FriendConnectionsEvents } from '../friend/index.ts';
import { DecodeError, toHex } from '../wire/index.ts';
import type { MessengerConfig } from './config.ts';
import { type ConnectionStatus, type FriendRef, type MessengerEmitter, type MessengerEvents, textOf } from './events.ts';
import { type FriendList, type MessengerFriend, ReceivedRequests } from './friend-list.ts';
import {
  decodeMessengerPacket, encodeName, encodeOffline, encodeOnline, encodeStatusMessage, encodeTyping, encodeUserStatus, isCustomLossyId,
} from './packets.ts';
import type { MessengerStats } from './stats.ts';
import type { UserStatus } from './tox-save.ts';

/** @internal What we show friends: ours to set, theirs to be told. */
export interface SelfInfo {
  nospam: number;
  name: Uint8Array;
  statusMessage: Uint8Array;
  userStatus: UserStatus;
}

/** @internal What the machine works with; the `Messenger` hands it over. */
export interface MessengerMachineParts {
  readonly clock: Clock;
  readonly friends: FriendConnections;
  readonly config: MessengerConfig;
  readonly stats: MessengerStats;
  readonly events: MessengerEmitter<MessengerEvents>;
  readonly list: FriendList;
  readonly self: SelfInfo;
  readonly wallClock: (() => number) | undefined;
}

/** @internal The Messenger's state machine; see the module comment. */
export class MessengerMachine {
  closed = false;
  readonly received: ReceivedRequests;
  readonly #clock: Clock;
  readonly #friends: FriendConnections;
  readonly #config: MessengerConfig;
  readonly #stats: MessengerStats;
  readonly #events: MessengerEmitter<MessengerEvents>;
  readonly #list: FriendList;
  readonly #self: SelfInfo;
  readonly #wallClock: (() => number) | undefined;
  /** Friends with messages awaiting a receipt, and the one timer that looks at them. */
  readonly #receiptFriends = new Set<MessengerFriend>();
  #receiptTimer: Timer | undefined;
  /** Whether each friend's session is up, as the friend layer last said (by key hex). */
  readonly #sessionUp = new Set<string>();
  /** Called after anything a waiter may be waiting for changed. */
  readonly waiters = new Set<() => void>();

  constructor(parts: MessengerMachineParts) {
    this.#clock = parts.clock;
    this.#friends = parts.friends;
    this.#config = parts.config;
    this.#stats = parts.stats;
    this.#events = parts.events;
    this.#list = parts.list;
    this.#self = parts.self;
    this.#wallClock = parts.wallClock;
    this.received = new ReceivedRequests(parts.config.maxReceivedRequests);
  }

  /** Who an event is about. */
  ref(f: MessengerFriend): FriendRef {
    return { friendNumber: f.number, publicKey: f.publicKey.slice() };
  }

  // ─── From the friend layer ────────────────────────────────────────────────

  /** A friend's session went up or down, or changed path (`m_handle_status`, `check_friend_tcp_udp`). */
  onStatus(e: FriendConnectionsEvents['status']): void {
    const f = this.#list.byKeyHex(toHex(e.realPublicKey));
    if (f === undefined || this.closed) return;
    if (!e.online) {
      this.#sessionUp.delete(f.keyHex);
      if (f.online) this.wentOffline(f);
      return;
    }
    if (!this.#sessionUp.has(f.keyHex)) {
      this.#sessionUp.add(f.keyHex);
      this.#sendOnline(f);
    } else if (f.online && e.path !== 'none' && e.path !== f.connection) {
      f.connection = e.path;
      this.#emitConnection(f);
    }
  }

  /** A lossless packet from a friend's session (`m_handle_packet`). */
  onLossless(e: FriendConnectionsEvents['lossless']): void {
    const f = this.#list.byKeyHex(toHex(e.realPublicKey));
    if (f === undefined || this.closed) return;
    let p;
    try {
      p = decodeMessengerPacket(e.data);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      return this.#stats.dropped.add(`malformed-${error.code}`);
    }
    if (!f.online) {
      if (p.kind === 'online') return this.#wentOnline(f);
      return this.#stats.dropped.add('not-online');
    }
    const ref = this.ref(f);
    switch (p.kind) {
      case 'online':
        return; // the friend's answer to ours: it is online already
      case 'offline':
        return this.wentOffline(f);
      case 'name':
        f.name = p.name;
        return this.#events.emit('friend-name', { ...ref, name: p.name.slice(), text: textOf(p.name) });
      case 'status-message':
        f.statusMessage = p.statusMessage;
        return this.#events.emit('friend-status-message', { ...ref, statusMessage: p.statusMessage.slice(), text: textOf(p.statusMessage) });
      case 'user-status':
        f.userStatus = p.userStatus;
        return this.#events.emit('friend-status', { ...ref, userStatus: p.userStatus });
      case 'typing':
        f.typing = p.typing;
        return this.#events.emit('friend-typing', { ...ref, typing: p.typing });
      case 'message':
        this.#stats.messagesReceived++;
        return this.#events.emit('friend-message', { ...ref, type: p.type, message: p.message, text: textOf(p.message) });
      case 'custom-lossless':
        this.#stats.customLosslessReceived++;
        return this.#events.emit('custom-lossless', { ...ref, id: p.id, data: p.data });
      case 'unknown':
        return this.#stats.dropped.add('unknown-id');
    }
  }

  /** A lossy packet (`m_handle_lossy_packet`): custom ids to the application, whether or not the online packet came yet. */
  onLossy(e: FriendConnectionsEvents['lossy']): void {
    const f = this.#list.byKeyHex(toHex(e.realPublicKey));
    if (f === undefined || this.closed) return;
    if (!isCustomLossyId(e.id)) return this.#stats.dropped.add('lossy-av');
    this.#stats.customLossyReceived++;
    this.#events.emit('custom-lossy', { ...this.ref(f), id: e.id, data: e.data.slice() });
  }

  /** A friend request, over the onion or a session (`friendreq_handlepacket`, in its order). */
  onFriendRequest(e: FriendConnectionsEvents['friend-request']): void {
    if (this.closed) return;
    const hex = toHex(e.realPublicKey);
    if (this.received.has(hex)) return this.#stats.dropped.add('request-repeated');
    if (e.nospam !== this.#self.nospam) return this.#stats.dropped.add('request-wrong-nospam');
    if (this.#list.byKeyHex(hex) !== undefined) return this.#stats.dropped.add('request-from-friend');
    const request = { publicKey: Uint8Array.from(e.realPublicKey), message: Uint8Array.from(e.message), via: e.via };
    this.received.add(hex, request);
    this.#stats.friendRequestsReceived++;
    this.#events.emit('friend-request', { ...request, publicKey: request.publicKey.slice(), message: request.message.slice(), text: textOf(request.message) });
  }

  /** A friend's DHT key changed: remembered for the saved state, even after the friend layer forgets it. */
  onDhtKey(e: FriendConnectionsEvents['dht-key']): void {
    const f = this.#list.byKeyHex(toHex(e.realPublicKey));
    if (f !== undefined && e.dhtPublicKey !== undefined) f.lastDhtKey = Uint8Array.from(e.dhtPublicKey);
  }

  // ─── Online and offline ───────────────────────────────────────────────────

  /** A friend record was just made: if the friend layer has its session up already, say we are online (`init_new_friend`). */
  adopted(f: MessengerFriend): void {
    if (this.#friends.friend(f.publicKey)?.online !== true) return;
    this.#sessionUp.add(f.keyHex);
    this.#sendOnline(f);
  }

  /** The friend's online packet arrived (`set_friend_status(FRIEND_ONLINE)`): tell it everything it should know. */
  #wentOnline(f: MessengerFriend): void {
    f.online = true;
    f.request = undefined;
    f.unsent = { name: true, statusMessage: true, userStatus: true, typing: true };
    const path = this.#friends.path(f.publicKey);
    f.connection = path === 'none' ? 'udp' : path;
    this.#touchLastSeen(f);
    this.#stats.wentOnline++;
    this.#sendOnline(f);
    this.flushInfo(f);
    this.#emitConnection(f);
  }

  /** The session went down, or the friend sent an offline packet: receipts are lost (`clear_receipts`). */
  wentOffline(f: MessengerFriend): void {
    if (!f.online) return;
    f.online = false;
    f.connection = 'none';
    f.receipts = [];
    this.#receiptFriends.delete(f);
    this.#touchLastSeen(f);
    this.#stats.wentOffline++;
    this.arm(f);
    this.#emitConnection(f);
  }

  /** The friend is being removed (`m_delfriend`): an offline packet if its session is up, and its timers go. */
  removeFriend(f: MessengerFriend): void {
    if (this.#sessionUp.has(f.keyHex)) this.#trySend(f, encodeOffline());
    this.forget(f);
  }

  /** Forgets the friend's session state when it is removed. */
  forget(f: MessengerFriend): void {
    f.timer?.cancel();
    f.timer = undefined;
    f.timerAt = Infinity;
    f.receipts = [];
    this.#receiptFriends.delete(f);
    this.#sessionUp.delete(f.keyHex);
  }

  #sendOnline(f: MessengerFriend): void {
    this.#trySend(f, encodeOnline());
  }

  #emitConnection(f: MessengerFriend, status: ConnectionStatus = f.connection): void {
    this.#events.emit('friend-connection', { ...this.ref(f), status });
    this.wake();
  }

  #touchLastSeen(f: MessengerFriend): void {
    if (this.#wallClock !== undefined) f.lastSeen = BigInt(Math.max(0, Math.floor(this.#wallClock() / 1000)));
  }

  /** The last-seen time of every online friend, now (c-toxcore updates it every iteration). */
  touchOnline(): void {
    for (const f of this.#list.all()) if (f.online) this.#touchLastSeen(f);
  }

  // ─── What we send ─────────────────────────────────────────────────────────

  /** Sends the friend what it has not been told yet (`do_friends`); what the queue refuses is tried again later. */
  flushInfo(f: MessengerFriend): void {
    if (!f.online) return;
    const u = f.unsent;
    if (u.name && this.#trySend(f, encodeName(this.#self.name))) u.name = false;
    if (u.statusMessage && this.#trySend(f, encodeStatusMessage(this.#self.statusMessage))) u.statusMessage = false;
    if (u.userStatus && this.#trySend(f, encodeUserStatus(this.#self.userStatus))) u.userStatus = false;
    if (u.typing && this.#trySend(f, encodeTyping(f.ownTyping))) u.typing = false;
    this.arm(f);
  }

  /** Queues a packet on the friend's session; false if there is none or its queue is full. */
  #trySend(f: MessengerFriend, packet: Uint8Array): boolean {
    try {
      this.#friends.sendLossless(f.publicKey, packet);
      return true;
    } catch {
      return false;
    }
  }

  /** Our friend request: sent when due, sent again when the friend did not come online in time (`do_friends`). */
  #serviceRequest(f: MessengerFriend, now: number): void {
    const r = f.request;
    if (r === undefined) return;
    if (r.state === 'requested' && now >= r.lastSentAt + r.timeoutMs) {
      r.state = 'added';
      r.timeoutMs = Math.min(2 * r.timeoutMs, this.#config.friendRequestMaxTimeoutMs);
    }
    if (r.state !== 'added' || now < f.requestRetryAt) return;
    let sent = false;
    try {
      const route = this.#friends.sendFriendRequest(f.publicKey, r.nospam, r.message);
      sent = route.via === 'session' || route.paths > 0;
    } catch {
      // The onion refuses what it cannot carry (a message over 943 bytes); the session may later.
    }
    if (sent) {
      r.state = 'requested';
      r.sent = true;
      r.lastSentAt = now;
      this.#stats.friendRequestsSent++;
    } else {
      f.requestRetryAt = now + this.#config.friendRequestRetryMs;
    }
  }

  // ─── Timers ───────────────────────────────────────────────────────────────

  /** Sets the friend's one timer for the next thing due. */
  arm(f: MessengerFriend): void {
    if (this.closed || this.#list.byNumber(f.number) !== f) return;
    let at = Infinity;
    const r = f.request;
    if (r !== undefined) at = r.state === 'added' ? f.requestRetryAt : r.lastSentAt + r.timeoutMs;
    const u = f.unsent;
    if (f.online && (u.name || u.statusMessage || u.userStatus || u.typing)) at = Math.min(at, f.infoRetryAt);
    if (f.timer !== undefined && f.timerAt === at) return;
    f.timer?.cancel();
    f.timer = undefined;
    f.timerAt = Infinity;
    if (at === Infinity) return;
    f.timerAt = at;
    f.timer = this.#clock.setTimer(at - this.#clock.now(), () => this.guard(() => this.#service(f)));
  }

  #service(f: MessengerFriend): void {
    f.timer = undefined;
    f.timerAt = Infinity;
    if (this.closed || this.#list.byNumber(f.number) !== f) return;
    const now = this.#clock.now();
    this.#serviceRequest(f, now);
    f.infoRetryAt = now + this.#config.infoRetryMs;
    this.flushInfo(f);
    this.arm(f);
  }

  // ─── Read receipts ────────────────────────────────────────────────────────

  /** A message went out as lossless packet `packetNumber` of `conn`: its receipt is awaited. */
  awaitReceipt(f: MessengerFriend, conn: CryptoConnection, packetNumber: number, messageId: number): void {
    if (f.receiptConn !== conn) {
      f.receipts = [];
      f.receiptConn = conn;
    }
    f.receipts.push({ packetNumber, messageId });
    this.#receiptFriends.add(f);
    if (this.#receiptTimer === undefined) {
      this.#receiptTimer = this.#clock.setTimer(this.#config.receiptCheckMs, () => this.guard(() => this.#checkReceipts()));
    }
  }

  /**
   * `do_receipts`: a message whose packet number fell below the session's send-buffer start
   * was acknowledged by the friend's net_crypto (`cryptpacket_received`): its receipt is due.
   */
  #checkReceipts(): void {
    this.#receiptTimer = undefined;
    if (this.closed) return;
    for (const f of [...this.#receiptFriends]) {
      const conn = this.#friends.connection(f.publicKey);
      if (conn === undefined || conn !== f.receiptConn || !f.online) {
        f.receipts = [];
        this.#receiptFriends.delete(f);
        continue;
      }
      const { sendStart, sendEnd } = conn.buffers;
      const span = (sendEnd - sendStart) >>> 0;
      let done = 0;
      while (done < f.receipts.length && ((f.receipts[done]!.packetNumber - sendStart) >>> 0) >= span) done++;
      if (done === 0) continue;
      const delivered = f.receipts.splice(0, done);
      if (f.receipts.length === 0) this.#receiptFriends.delete(f);
      const ref = this.ref(f);
      for (const r of delivered) {
        this.#stats.receiptsDelivered++;
        this.#events.emit('read-receipt', { ...ref, messageId: r.messageId });
      }
    }
    if (this.#receiptFriends.size > 0 && !this.closed) {
      this.#receiptTimer = this.#clock.setTimer(this.#config.receiptCheckMs, () => this.guard(() => this.#checkReceipts()));
    }
    this.wake();
  }

  // ─── Internals ────────────────────────────────────────────────────────────

  /** Lets every waiter look again. */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Stops every timer. */
  stop(): void {
    this.closed = true;
    this.#receiptTimer?.cancel();
    this.#receiptTimer = undefined;
    for (const f of this.#list.all()) this.forget(f);
    this.wake();
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
