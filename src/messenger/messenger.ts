/**
 * The Messenger, c-toxcore's `Messenger.c` as the tox API shows it: an identity and its Tox
 * ID, a friend list, friend requests both ways, messages with read receipts, our name,
 * status message, user status and typing sent to friends, and custom packets, on one friend
 * layer (`FriendConnections`) that keeps each friend's session up.
 *
 * ```ts
 * const messenger = new Messenger({ clock, friends, identity: { realKeyPair, nospam } });
 * messenger.on('friend-request', ({ publicKey }) => messenger.acceptRequest(publicKey));
 * messenger.on('friend-message', ({ friendNumber, text }) => messenger.sendMessage(friendNumber, `echo: ${text}`));
 * const bob = messenger.addFriend(bobToxId, 'hello, it is Alice');
 * await messenger.waitOnline(bob, { timeoutMs: 60_000 });
 * ```
 *
 * @see spec/messenger.md#the-messenger
 * @see spec/messenger.md#the-friend-list
 * @see spec/messenger.md#messages-and-read-receipts
 * @see spec/messenger.md#custom-packets
 * @see spec/messenger.md#waiting
 * @module
 */
import type { KeyPair } from '../crypto/index.ts';
import { type FriendConnections, FriendError } from '../friend/index.ts';
import type { Clock } from '../io/index.ts';
import { PUBLIC_KEY_SIZE, formatToxId, toHex, toxIdBytes } from '../wire/index.ts';
import { isValidPublicKey } from '../crypto/index.ts';
import { type MessengerConfig, messengerConfig } from './config.ts';
import { MessengerError, SetNewNospamError } from './errors.ts';
import { type ConnectionStatus, MessengerEmitter, type MessengerEvents } from './events.ts';
import { FriendList, type MessengerFriend, type ReceivedRequest, newMessengerFriend } from './friend-list.ts';
import { bytesOf, checkNospam, equalBytes, parseAddress, sendError } from './messenger-input.ts';
import { MessengerMachine, type SelfInfo } from './messenger-machine.ts';
import { type MessengerFriendInfo, type ProfileExtras, friendInfoOf, profileOf, restoreFriends } from './messenger-state.ts';
import {
  MAX_CUSTOM_PACKET_SIZE, MAX_MESSAGE_LENGTH, type MessageType, encodeMessage, isCustomLosslessId, isCustomLossyId,
} from './packets.ts';
import { type Profile, checkProfile, profileKeyPair } from './profile.ts';
import { MessengerStats } from './stats.ts';
import type { UserStatus } from './tox-save.ts';
import { MAX_FRIEND_REQUEST_LENGTH, MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from './tox-save-friend.ts';
import { type WaitOptions, waitFor } from './waiting.ts';

/** A friend, by its friend number or its long-term public key. */
export type FriendHandle = number | Uint8Array;

/** Who we are: the long-term key pair (the one the friend layer's net_crypto was made with) and the nospam. */
export interface MessengerIdentity {
  readonly realKeyPair: KeyPair;
  readonly nospam: number;
}

/** What a {@link Messenger} is built from. */
export interface MessengerOptions {
  readonly clock: Clock;
  /** The friend layer; the Messenger locks a friend there for each of its own. */
  readonly friends: FriendConnections;
  readonly identity: MessengerIdentity;
  readonly config?: Partial<MessengerConfig>;
  /** Unix time in ms, for friends' last-seen times; without it they keep what they were restored with. */
  readonly wallClock?: () => number;
}

/** The Messenger; see the module comment. */
export class Messenger {
  readonly config: MessengerConfig;
  readonly stats = new MessengerStats();
  readonly #clock: Clock;
  readonly #friends: FriendConnections;
  readonly #keyPair: KeyPair;
  readonly #self: SelfInfo;
  readonly #list = new FriendList();
  readonly #events: MessengerEmitter<MessengerEvents>;
  readonly #m: MessengerMachine;
  readonly #offs: Array<() => void>;
  #extras: ProfileExtras = { dhtNodes: [], tcpRelays: [], pathNodes: [], toxSaveExtra: { conferences: new Uint8Array(0), unknownSections: [] } };

  /** Throws a `MessengerError` (`bad-config`, `bad-value` for a nospam that is not a u32). */
  constructor(options: MessengerOptions) {
    this.config = messengerConfig(options.config);
    this.#clock = options.clock;
    this.#friends = options.friends;
    this.#keyPair = options.identity.realKeyPair;
    this.#self = { nospam: checkNospam(options.identity.nospam), name: new Uint8Array(0), statusMessage: new Uint8Array(0), userStatus: 0 };
    this.#events = new MessengerEmitter<MessengerEvents>();
    const m = new MessengerMachine({
      clock: this.#clock, friends: this.#friends, config: this.config, stats: this.stats, events: this.#events,
      list: this.#list, self: this.#self, wallClock: options.wallClock,
    });
    this.#m = m;
    this.#offs = [
      this.#friends.on('status', (e) => m.guard(() => m.onStatus(e))),
      this.#friends.on('lossless', (e) => m.guard(() => m.onLossless(e))),
      this.#friends.on('lossy', (e) => m.guard(() => m.onLossy(e))),
      this.#friends.on('friend-request', (e) => m.guard(() => m.onFriendRequest(e))),
      this.#friends.on('dht-key', (e) => m.guard(() => m.onDhtKey(e))),
    ];
  }

  /**
   * A Messenger with a saved profile's identity, name, status and friends (in the profile's
   * order, so friend numbers are the same); each friend's last DHT key and relays are handed
   * to the friend layer to try first. Throws a `ProfileError` (`invalid-value`) for a
   * profile out of range.
   */
  static restore(options: Omit<MessengerOptions, 'identity'> & { readonly profile: Profile }): Messenger {
    const { profile } = options;
    checkProfile(profile, 'invalid-value');
    const messenger = new Messenger({ ...options, identity: { realKeyPair: profileKeyPair(profile), nospam: profile.nospam } });
    try {
      messenger.#restore(profile);
    } catch (error) {
      messenger.close();
      throw error;
    }
    return messenger;
  }

  #restore(profile: Profile): void {
    this.#self.name = profile.name.slice();
    this.#self.statusMessage = profile.statusMessage.slice();
    this.#self.userStatus = profile.userStatus;
    this.#extras = { dhtNodes: profile.dhtNodes, tcpRelays: profile.tcpRelays, pathNodes: profile.pathNodes, toxSaveExtra: profile.toxSaveExtra };
    restoreFriends(profile.friends, {
      friends: this.#friends, list: this.#list, config: this.config, now: this.#clock.now(),
      add: (f) => this.#adopt(f),
    });
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof MessengerEvents>(event: K, listener: (value: MessengerEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  // ─── Identity ─────────────────────────────────────────────────────────────

  /** Our long-term public key. */
  get publicKey(): Uint8Array {
    return this.#keyPair.publicKey.slice();
  }

  /** Our nospam (`tox_self_get_nospam`). */
  get nospam(): number {
    return this.#self.nospam;
  }

  /**
   * Sets the nospam (`tox_self_set_nospam`): requests made from our old Tox ID are refused
   * from now on. Throws `bad-value` for a number that is not a u32.
   */
  setNospam(nospam: number): void {
    this.#self.nospam = checkNospam(nospam);
  }

  /** Our Tox ID as 76 upper-case hex digits, what a user shares (`tox_self_get_address`). */
  toxId(): string {
    return formatToxId({ publicKey: this.#keyPair.publicKey, nospam: this.#self.nospam });
  }

  /** Our Tox ID's 38 bytes. */
  toxIdBytes(): Uint8Array {
    return toxIdBytes(this.#keyPair.publicKey, this.#self.nospam);
  }

  // ─── What friends see of us ───────────────────────────────────────────────

  get name(): Uint8Array {
    return this.#self.name.slice();
  }

  get statusMessage(): Uint8Array {
    return this.#self.statusMessage.slice();
  }

  get userStatus(): UserStatus {
    return this.#self.userStatus;
  }

  /** Sets our name, 0 to 128 bytes (UTF-8 for a string); online friends are told at once, the others when they come online. Throws `too-long`, `null`. */
  setName(name: string | Uint8Array): void {
    const bytes = bytesOf(name, 'the name');
    if (bytes.length > MAX_NAME_LENGTH) throw new MessengerError('too-long', `a name is at most ${MAX_NAME_LENGTH} bytes, got ${bytes.length}`);
    if (equalBytes(bytes, this.#self.name)) return;
    this.#self.name = bytes.slice();
    this.#tellAll('name');
  }

  /** Sets our status message, 0 to 1007 bytes. Throws `too-long`, `null`. */
  setStatusMessage(statusMessage: string | Uint8Array): void {
    const bytes = bytesOf(statusMessage, 'the status message');
    if (bytes.length > MAX_STATUS_MESSAGE_LENGTH) {
      throw new MessengerError('too-long', `a status message is at most ${MAX_STATUS_MESSAGE_LENGTH} bytes, got ${bytes.length}`);
    }
    if (equalBytes(bytes, this.#self.statusMessage)) return;
    this.#self.statusMessage = bytes.slice();
    this.#tellAll('statusMessage');
  }

  /** Sets our user status: 0 none (available), 1 away, 2 busy. Throws `bad-value`. */
  setStatus(userStatus: UserStatus): void {
    if (userStatus !== 0 && userStatus !== 1 && userStatus !== 2) throw new MessengerError('bad-value', `a user status is 0, 1 or 2, got ${String(userStatus)}`);
    if (userStatus === this.#self.userStatus) return;
    this.#self.userStatus = userStatus;
    this.#tellAll('userStatus');
  }

  /** Says whether we are typing to a friend (`tox_self_set_typing`). Throws `friend-not-found`. */
  setTyping(friend: FriendHandle, typing: boolean): void {
    const f = this.#friend(friend);
    if (f.ownTyping === typing) return;
    f.ownTyping = typing;
    f.unsent.typing = true;
    this.#m.flushInfo(f);
  }

  #tellAll(what: 'name' | 'statusMessage' | 'userStatus'): void {
    for (const f of this.#list.all()) {
      f.unsent[what] = true;
      this.#m.flushInfo(f);
    }
  }

  // ─── Friends ──────────────────────────────────────────────────────────────

  /**
   * Adds a friend by Tox ID with a friend request (`tox_friend_add`, `m_addfriend`): the
   * request goes out at once, over the onion, and again after 5 s, 10 s, 20 s, … until the
   * friend comes online. Returns the friend number. Throws a `MessengerError` with the code
   * of c-toxcore's error in c-toxcore's order: `null`, `too-long` (over 1016 bytes),
   * `bad-address` (not 76 hex digits or 38 bytes), `bad-checksum`, `no-message`, `own-key`,
   * `already-sent`, `set-new-nospam` (a {@link SetNewNospamError}: the request now goes to
   * this nospam), `malloc`; or `closed`.
   */
  addFriend(address: string | Uint8Array, message: string | Uint8Array): number {
    this.#expectOpen();
    if (typeof address !== 'string' && !(address instanceof Uint8Array)) throw new MessengerError('null', 'a Tox ID is needed');
    const msg = bytesOf(message, 'a friend request message');
    if (msg.length > MAX_FRIEND_REQUEST_LENGTH) {
      throw new MessengerError('too-long', `a friend request message is at most ${MAX_FRIEND_REQUEST_LENGTH} bytes, got ${msg.length}`);
    }
    const { publicKey, nospam } = parseAddress(address);
    if (msg.length < 1) throw new MessengerError('no-message', 'a friend request needs a message');
    if (equalBytes(publicKey, this.#keyPair.publicKey)) throw new MessengerError('own-key', 'that is our own Tox ID');
    const known = this.#list.byKeyHex(toHex(publicKey));
    if (known !== undefined) {
      if (known.request === undefined) throw new MessengerError('already-sent', `already a friend (friend ${known.number})`);
      if (known.request.nospam === nospam) throw new MessengerError('already-sent', `a friend request to that Tox ID is waiting already (friend ${known.number})`);
      known.request.nospam = nospam;
      throw new SetNewNospamError(known.number);
    }
    return this.#add(publicKey, { message: msg.slice(), nospam });
  }

  /**
   * Adds a friend by public key without a request (`tox_friend_add_norequest`): to accept a
   * request, or when both sides add each other. Throws `null`, `already-sent`,
   * `bad-checksum` (not a valid key), `own-key`, `malloc`, `closed`.
   */
  addFriendNoRequest(publicKey: Uint8Array): number {
    this.#expectOpen();
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_SIZE) {
      throw new MessengerError('null', `a public key of ${PUBLIC_KEY_SIZE} bytes is needed`);
    }
    const known = this.#list.byKeyHex(toHex(publicKey));
    if (known !== undefined) throw new MessengerError('already-sent', `already a friend (friend ${known.number})`);
    if (!isValidPublicKey(publicKey)) throw new MessengerError('bad-checksum', 'not a valid public key (its last byte is 0x80 or more)');
    if (equalBytes(publicKey, this.#keyPair.publicKey)) throw new MessengerError('own-key', 'that is our own key');
    return this.#add(publicKey, undefined);
  }

  /** Accepts a friend request that arrived (`friend-request` event): adds its sender without a request. Throws `no-request`, or as `addFriendNoRequest`. */
  acceptRequest(publicKey: Uint8Array): number {
    if (!(publicKey instanceof Uint8Array) || this.#m.received.get(toHex(publicKey)) === undefined) {
      throw new MessengerError('no-request', 'no friend request from that key is waiting');
    }
    return this.addFriendNoRequest(publicKey);
  }

  /** Friend requests that arrived and whose sender is not a friend (yet), oldest first; at most `maxReceivedRequests`. */
  pendingRequests(): ReceivedRequest[] {
    return this.#m.received.all()
      .filter((r) => this.#list.byKeyHex(toHex(r.publicKey)) === undefined)
      .map((r) => ({ publicKey: r.publicKey.slice(), message: r.message.slice(), via: r.via }));
  }

  /**
   * Removes a friend (`tox_friend_delete`): an offline packet if it is online, then its session
   * is closed. No `friend-connection` event follows. Its number is free for the next friend.
   * A new request from it is heard again. Throws `friend-not-found`.
   */
  removeFriend(friend: FriendHandle): void {
    const f = this.#friend(friend);
    this.#m.removeFriend(f);
    this.#m.received.remove(f.keyHex);
    this.#list.remove(f);
    this.#friends.unlock(f.publicKey);
    this.#m.wake();
  }

  /** The friend number of a public key, if it is a friend (`tox_friend_by_public_key`). */
  friendNumber(publicKey: Uint8Array): number | undefined {
    return publicKey instanceof Uint8Array ? this.#list.byKeyHex(toHex(publicKey))?.number : undefined;
  }

  /** Friend numbers, in order (`tox_self_get_friend_list`). */
  friendList(): number[] {
    return this.#list.all().map((f) => f.number);
  }

  /** What we know of a friend. Throws `friend-not-found`. */
  friend(friend: FriendHandle): MessengerFriendInfo {
    return friendInfoOf(this.#friend(friend), this.#friends);
  }

  /** What we know of every friend, in number order. */
  friends(): MessengerFriendInfo[] {
    return this.#list.all().map((f) => friendInfoOf(f, this.#friends));
  }

  /** A friend's connection: `none` until its online packet came, then `udp` or `tcp`. Throws `friend-not-found`. */
  connectionStatus(friend: FriendHandle): ConnectionStatus {
    return this.#friend(friend).connection;
  }

  #add(publicKey: Uint8Array, request: { message: Uint8Array; nospam: number } | undefined): number {
    const number = this.#list.nextNumber();
    try {
      this.#friends.lock(publicKey);
    } catch (error) {
      if (error instanceof FriendError && error.code === 'too-many-friends') throw new MessengerError('malloc', error.message, { cause: error });
      if (error instanceof FriendError && error.code === 'closed') throw new MessengerError('closed', error.message, { cause: error });
      throw error;
    }
    const f = newMessengerFriend(number, publicKey);
    if (request !== undefined) {
      f.request = { ...request, state: 'added', sent: false, lastSentAt: -Infinity, timeoutMs: this.config.friendRequestTimeoutMs };
      f.requestRetryAt = this.#clock.now();
    }
    this.#adopt(f);
    return number;
  }

  /** A new record (locked in the friend layer already) joins the list. */
  #adopt(f: MessengerFriend): void {
    this.#list.add(f);
    this.#m.adopted(f);
    this.#m.arm(f);
  }

  // ─── Sending ──────────────────────────────────────────────────────────────

  /**
   * Sends a message or an action (`tox_friend_send_message`), 1 to 1372 bytes (UTF-8 for a
   * string), to an online friend. Returns its message id (per friend, from 1), which the
   * `read-receipt` event gives back once the friend's side acknowledged it. Throws `null`,
   * `empty`, `bad-value` (type), `friend-not-found`, `too-long`, `friend-not-connected`,
   * `sendq` (the session's queue is full).
   */
  sendMessage(friend: FriendHandle, message: string | Uint8Array, type: MessageType = 'normal'): number {
    const bytes = bytesOf(message, 'a message');
    if (bytes.length === 0) throw new MessengerError('empty', 'a message is at least 1 byte');
    if (type !== 'normal' && type !== 'action') throw new MessengerError('bad-value', `a message type is normal or action, got ${String(type)}`);
    const f = this.#friend(friend);
    if (bytes.length > MAX_MESSAGE_LENGTH) throw new MessengerError('too-long', `a message is at most ${MAX_MESSAGE_LENGTH} bytes, got ${bytes.length}`);
    const conn = f.online ? this.#friends.connection(f.publicKey) : undefined;
    if (conn === undefined) throw new MessengerError('friend-not-connected', `friend ${f.number} is offline`);
    if (f.receipts.length >= this.config.maxPendingReceipts) {
      throw new MessengerError('sendq', `${f.receipts.length} messages to friend ${f.number} await a receipt (maxPendingReceipts)`);
    }
    const packetNumber = conn.buffers.sendEnd;
    this.#sendLossless(f, encodeMessage(type, bytes));
    const messageId = (f.messageId + 1) >>> 0;
    f.messageId = messageId;
    this.stats.messagesSent++;
    this.#m.awaitReceipt(f, conn, packetNumber, messageId);
    return messageId;
  }

  /**
   * Sends a custom lossless packet (`tox_friend_send_lossless_packet`): id 160 to 191 first,
   * 1373 bytes at most, in order and resent until it arrives. Returns false when the
   * session's queue is at its high-water mark (the packet is queued: wait with
   * {@link Messenger.whenWritable} before sending more). Throws `null`, `empty`,
   * `friend-not-found`, `too-long`, `bad-packet-id`, `friend-not-connected`, `sendq`.
   */
  sendCustomLossless(friend: FriendHandle, data: Uint8Array): boolean {
    const f = this.#customPacket(friend, data, isCustomLosslessId, '160 to 191');
    const writable = this.#sendLossless(f, Uint8Array.from(data));
    this.stats.customLosslessSent++;
    return writable;
  }

  /**
   * Sends a custom lossy packet (`tox_friend_send_lossy_packet`): id 200 to 254 first, 1373
   * bytes at most, once, now; it may be lost. Returns false if the session could not send it.
   * Throws as `sendCustomLossless`, but never `sendq`.
   */
  sendCustomLossy(friend: FriendHandle, data: Uint8Array): boolean {
    const f = this.#customPacket(friend, data, isCustomLossyId, '200 to 254');
    let sent: boolean;
    try {
      sent = this.#friends.sendLossy(f.publicKey, Uint8Array.from(data));
    } catch (error) {
      throw sendError(f, error);
    }
    if (sent) this.stats.customLossySent++;
    return sent;
  }

  #customPacket(friend: FriendHandle, data: Uint8Array, idOk: (id: number) => boolean, range: string): MessengerFriend {
    if (!(data instanceof Uint8Array)) throw new MessengerError('null', 'a packet is needed');
    if (data.length === 0) throw new MessengerError('empty', 'a packet is at least its id byte');
    const f = this.#friend(friend);
    if (data.length > MAX_CUSTOM_PACKET_SIZE) throw new MessengerError('too-long', `a custom packet is at most ${MAX_CUSTOM_PACKET_SIZE} bytes, got ${data.length}`);
    if (!idOk(data[0]!)) throw new MessengerError('bad-packet-id', `a custom packet here starts with an id from ${range}, got ${data[0]}`);
    if (!f.online) throw new MessengerError('friend-not-connected', `friend ${f.number} is offline`);
    return f;
  }

  #sendLossless(f: MessengerFriend, packet: Uint8Array): boolean {
    try {
      return this.#friends.sendLossless(f.publicKey, packet);
    } catch (error) {
      throw sendError(f, error);
    }
  }

  // ─── Waiting ──────────────────────────────────────────────────────────────

  /**
   * Resolves with the friend's connection (`udp` or `tcp`) once it is online (at once if it
   * is). Rejects with a `MessengerError`: `aborted`, `timeout`, `friend-not-found` (also
   * when the friend is removed meanwhile), `closed`.
   */
  async waitOnline(friend: FriendHandle, options: WaitOptions = {}): Promise<ConnectionStatus> {
    const f = this.#friend(friend);
    return waitFor(this.#clock, this.#m.waiters, `friend ${f.number} to come online`, options, () => {
      this.#expectOpen();
      if (this.#list.byNumber(f.number) !== f) throw new MessengerError('friend-not-found', `friend ${f.number} was removed`);
      return f.online ? f.connection : undefined;
    });
  }

  /**
   * Resolves when the friend's session takes lossless packets again (after
   * `sendCustomLossless` returned false). Rejects: `friend-not-connected` (also if the
   * session ends meanwhile), `friend-not-found`, `aborted`, `timeout`, `closed`.
   */
  async whenWritable(friend: FriendHandle, options: WaitOptions = {}): Promise<void> {
    const f = this.#friend(friend);
    const conn = f.online ? this.#friends.connection(f.publicKey) : undefined;
    if (conn === undefined) throw new MessengerError('friend-not-connected', `friend ${f.number} is offline`);
    if (conn.writable) return;
    let drained = false;
    let failed: unknown;
    conn.whenWritable().then(() => { drained = true; }, (error: unknown) => { failed = error; }).finally(() => this.#m.wake());
    await waitFor(this.#clock, this.#m.waiters, `friend ${f.number}'s session to drain`, options, () => {
      this.#expectOpen();
      if (failed !== undefined || !f.online) throw new MessengerError('friend-not-connected', `friend ${f.number} went offline`, { cause: failed });
      return drained ? true : undefined;
    });
  }

  // ─── State ────────────────────────────────────────────────────────────────

  /**
   * What a profile keeps (`Profile`): identity, name, status, friends with their last DHT
   * key and relays. The DHT nodes, TCP relays, path nodes and kept c-toxcore sections are
   * those it was restored with (the node that owns the DHT and relays fills in its own).
   */
  state(): Profile {
    this.#m.touchOnline();
    return profileOf(this.#keyPair, this.#self, this.#list.all(), this.#friends, this.#extras);
  }

  /** Stops every timer and lets go of every friend in the friend layer (their sessions close). Idempotent. */
  close(): void {
    if (this.#m.closed) return;
    this.#m.stop();
    for (const off of this.#offs.splice(0)) off();
    for (const f of this.#list.all()) this.#friends.unlock(f.publicKey);
  }

  // ─── Internals ────────────────────────────────────────────────────────────

  #friend(friend: FriendHandle): MessengerFriend {
    const f = typeof friend === 'number'
      ? this.#list.byNumber(friend)
      : friend instanceof Uint8Array ? this.#list.byKeyHex(toHex(friend)) : undefined;
    if (f === undefined) throw new MessengerError('friend-not-found', `no friend ${typeof friend === 'number' ? friend : 'with that key'}`);
    return f;
  }

  #expectOpen(): void {
    if (this.#m.closed) throw new MessengerError('closed', 'the Messenger is closed');
  }
}
