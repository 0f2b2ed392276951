/**
 * The Messenger's state as others see it: a friend's snapshot for the API, the
 * {@link Profile} that a toxlink node saves, and the way back from a profile to friends.
 *
 * @see spec/messenger.md#the-friend-list
 * @see spec/messenger.md#the-messengers-state
 * @module
 */
import type { KeyPair } from '../crypto/index.ts';
import { type FriendConnections, FriendError } from '../friend/index.ts';
import type { RelayEndpoint } from '../relay/index.ts';
import { type PackedNode, isIpAddress } from '../wire/index.ts';
import type { MessengerConfig } from './config.ts';
import { MessengerError } from './errors.ts';
import type { ConnectionStatus } from './events.ts';
import { type FriendList, type MessengerFriend, newMessengerFriend } from './friend-list.ts';
import type { SelfInfo } from './messenger-machine.ts';
import { MAX_FRIEND_RELAYS, type Profile, type ProfileFriend } from './profile.ts';
import type { UserStatus } from './tox-save.ts';

/** A friend as `Messenger.friend` reports it. */
export interface MessengerFriendInfo {
  readonly friendNumber: number;
  readonly publicKey: Uint8Array;
  /**
   * c-toxcore's `Friend_Status`: `added` (our request is to be sent), `requested` (sent,
   * waiting), `confirmed` (a friend, offline), `online` (its online packet came).
   */
  readonly status: 'added' | 'requested' | 'confirmed' | 'online';
  readonly connection: ConnectionStatus;
  readonly name: Uint8Array;
  readonly statusMessage: Uint8Array;
  readonly userStatus: UserStatus;
  /** Whether the friend is typing to us, and whether we told it we are typing to it. */
  readonly typing: boolean;
  readonly ownTyping: boolean;
  /** When it was last online, Unix seconds (0: never, or no wall clock). */
  readonly lastSeen: bigint;
  /** Our request, while the friend has not come online yet. */
  readonly request: { readonly message: Uint8Array; readonly nospam: number; readonly sent: boolean } | undefined;
  /** Its DHT key as the friend layer knows it, or as last known. */
  readonly dhtPublicKey: Uint8Array | undefined;
  /** The relays the friend layer remembers for it, oldest first. */
  readonly relays: readonly RelayEndpoint[];
  /** Messages sent to it that await a receipt. */
  readonly pendingReceipts: number;
}

/** What a profile holds that the Messenger does not use, carried from `restore` to `state`. */
export type ProfileExtras = Pick<Profile, 'dhtNodes' | 'tcpRelays' | 'pathNodes' | 'toxSaveExtra'>;

/** @internal The snapshot of a friend. */
export function friendInfoOf(f: MessengerFriend, friends: FriendConnections): MessengerFriendInfo {
  const below = friends.friend(f.publicKey);
  const r = f.request;
  return {
    friendNumber: f.number,
    publicKey: f.publicKey.slice(),
    status: f.online ? 'online' : r === undefined ? 'confirmed' : r.state,
    connection: f.connection,
    name: f.name.slice(),
    statusMessage: f.statusMessage.slice(),
    userStatus: f.userStatus,
    typing: f.typing,
    ownTyping: f.ownTyping,
    lastSeen: f.lastSeen,
    request: r === undefined ? undefined : { message: r.message.slice(), nospam: r.nospam, sent: r.sent },
    dhtPublicKey: (below?.dhtPublicKey ?? f.lastDhtKey)?.slice(),
    relays: below?.relays ?? f.savedRelays,
    pendingReceipts: f.receipts.length,
  };
}

/** @internal The profile of a Messenger now. */
export function profileOf(
  keyPair: KeyPair, self: SelfInfo, list: readonly MessengerFriend[], friends: FriendConnections, extras: ProfileExtras,
): Profile {
  return {
    secretKey: keyPair.secretKey.slice(),
    nospam: self.nospam,
    name: self.name.slice(),
    statusMessage: self.statusMessage.slice(),
    userStatus: self.userStatus,
    friends: list.map((f) => profileFriendOf(f, friends)),
    dhtNodes: extras.dhtNodes,
    tcpRelays: extras.tcpRelays,
    pathNodes: extras.pathNodes,
    toxSaveExtra: extras.toxSaveExtra,
  };
}

function profileFriendOf(f: MessengerFriend, friends: FriendConnections): ProfileFriend {
  const info = friendInfoOf(f, friends);
  const relays = info.relays
    .filter((r) => isIpAddress(r.address.host))
    .slice(-MAX_FRIEND_RELAYS)
    .map((r): PackedNode => ({ protocol: 'tcp', ipPort: { host: r.address.host, port: r.address.port }, publicKey: r.publicKey.slice() }));
  return {
    publicKey: info.publicKey,
    ...(info.request === undefined ? {} : { request: info.request }),
    name: info.name,
    statusMessage: info.statusMessage,
    userStatus: info.userStatus,
    lastSeen: info.lastSeen,
    ...(info.dhtPublicKey === undefined ? {} : { dhtPublicKey: info.dhtPublicKey }),
    relays,
  };
}

/** @internal What `restoreFriends` works with. */
export interface RestoreContext {
  readonly friends: FriendConnections;
  readonly list: FriendList;
  readonly config: MessengerConfig;
  readonly now: number;
  /** Takes a new record, locked in the friend layer already, into the list. */
  add(f: MessengerFriend): void;
}

/**
 * @internal A profile's friends, in its order (friend numbers 0, 1, …): each locked in the
 * friend layer, with its remembered relays and then its last DHT key handed down. A friend
 * with a request is to send it again, as c-toxcore does after loading (`FRIEND_ADDED`).
 */
export function restoreFriends(saved: readonly ProfileFriend[], ctx: RestoreContext): void {
  saved.forEach((pf, number) => {
    try {
      ctx.friends.lock(pf.publicKey);
    } catch (error) {
      if (error instanceof FriendError && error.code === 'too-many-friends') {
        throw new MessengerError('malloc', `restoring friend ${number}: ${error.message}`, { cause: error });
      }
      throw error;
    }
    const f = newMessengerFriend(number, pf.publicKey);
    if (pf.request !== undefined) {
      f.request = {
        message: pf.request.message.slice(), nospam: pf.request.nospam, state: 'added', sent: pf.request.sent,
        lastSentAt: -Infinity, timeoutMs: ctx.config.friendRequestTimeoutMs,
      };
      f.requestRetryAt = ctx.now;
    }
    f.name = pf.name.slice();
    f.statusMessage = pf.statusMessage.slice();
    f.userStatus = pf.userStatus;
    f.lastSeen = pf.lastSeen;
    f.lastDhtKey = pf.dhtPublicKey?.slice();
    f.savedRelays = pf.relays.map((n) => ({ address: { host: n.ipPort.host, port: n.ipPort.port }, publicKey: n.publicKey.slice() }));
    ctx.add(f);
    ctx.friends.addRelays(f.publicKey, f.savedRelays);
    if (pf.dhtPublicKey !== undefined) ctx.friends.setDhtKey(f.publicKey, pf.dhtPublicKey);
  });
}
