/**
 * One friend as the friend layer holds it (c-toxcore's `Friend_Conn`), and the snapshot of
 * it that the layer hands out. Internal state only: the logic is in `FriendConnections`.
 *
 * @see spec/friend.md#the-friend-record
 * @module
 */
import type { Address, Timer } from '../io/index.ts';
import type { ConnectionState, CryptoConnection } from '../netcrypto/index.ts';
import type { RelayEndpoint } from '../relay/index.ts';
import { toHex } from '../wire/index.ts';
import type { FriendPath } from './events.ts';
import { RelayBook } from './relay-book.ts';

/** A friend as {@link FriendConnections.friend} reports it. */
export interface FriendInfo {
  /** Its real (long-term) public key, the one its Tox ID starts with. */
  readonly realPublicKey: Uint8Array;
  /** How many users above hold it (`lock` minus `unlock`). */
  readonly locks: number;
  /** Whether a session with it is up. */
  readonly online: boolean;
  /** How packets reach it: `none` while offline. */
  readonly path: FriendPath;
  /** Its DHT key, while known: from the onion, the DHT, a handshake or `setDhtKey`. */
  readonly dhtPublicKey: Uint8Array | undefined;
  /** Its UDP address, while known (the DHT's report or the session's). */
  readonly address: Address | undefined;
  /** The state of the session being made or up, `none` if there is none. */
  readonly session: ConnectionState | 'none';
  /** The relays remembered for it, oldest first. */
  readonly relays: readonly RelayEndpoint[];
}

/** @internal The mutable record; see the module comment. */
export interface FriendRecord {
  readonly realPublicKey: Uint8Array;
  readonly keyHex: string;
  locks: number;
  online: boolean;
  path: FriendPath;
  dhtKey: Uint8Array | undefined;
  dhtKeyHex: string | undefined;
  /** Whether `dhtKey` is in the DHT's friend list (one reference of ours). */
  inDht: boolean;
  /** Start of the retry window: the last DHT key, or the last time the friend went offline. */
  dhtKeyAt: number;
  address: Address | undefined;
  addressAt: number;
  conn: CryptoConnection | undefined;
  connOffs: Array<() => void>;
  /** When a failed session may be made again. */
  retryAt: number;
  aliveSentAt: number;
  aliveReceivedAt: number;
  shareDueAt: number;
  /** What the relay manager was last told of the friend's DHT key (`setPeerDirect`); undefined after a new one. */
  directTold: boolean | undefined;
  readonly relays: RelayBook;
  timer: Timer | undefined;
  timerAt: number;
}

/** @internal A new record: offline, no DHT key, no session. */
export function newFriendRecord(realPublicKey: Uint8Array, maxStoredRelays: number): FriendRecord {
  const key = Uint8Array.from(realPublicKey);
  return {
    realPublicKey: key,
    keyHex: toHex(key),
    locks: 1,
    online: false,
    path: 'none',
    dhtKey: undefined,
    dhtKeyHex: undefined,
    inDht: false,
    dhtKeyAt: -Infinity,
    address: undefined,
    addressAt: -Infinity,
    conn: undefined,
    connOffs: [],
    retryAt: -Infinity,
    aliveSentAt: -Infinity,
    aliveReceivedAt: -Infinity,
    shareDueAt: Infinity,
    directTold: undefined,
    relays: new RelayBook(maxStoredRelays),
    timer: undefined,
    timerAt: Infinity,
  };
}

/** @internal The snapshot of a record. */
export function friendInfo(f: FriendRecord): FriendInfo {
  return {
    realPublicKey: f.realPublicKey.slice(),
    locks: f.locks,
    online: f.online,
    path: f.online ? f.path : 'none',
    dhtPublicKey: f.dhtKey?.slice(),
    address: f.address,
    session: f.conn?.state ?? 'none',
    relays: f.relays.all(),
  };
}
