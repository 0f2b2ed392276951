/**
 * One friend in c-toxcore's FRIENDS section: `struct Saved_Friend` as `friend_save` copies it,
 * field by field with explicit padding, so the record is 2216 bytes on every platform.
 * Lengths and the last-seen time are big-endian (`net_htons`, `net_pack_u64`).
 *
 * | Offset | Length | Contents                                                        |
 * |--------|--------|-----------------------------------------------------------------|
 * | 0      | 1      | status: 1 added, 2 request sent, 3 confirmed (0: empty slot)    |
 * | 1      | 32     | the friend's long-term public key                               |
 * | 33     | 1024   | friend request message (status 1, 2), zero padded               |
 * | 1057   | 1      | padding                                                         |
 * | 1058   | 2      | request message length, BE                                      |
 * | 1060   | 128    | the friend's name (status 3), zero padded                       |
 * | 1188   | 2      | name length, BE                                                 |
 * | 1190   | 1007   | the friend's status message (status 3), zero padded             |
 * | 2197   | 1      | padding                                                         |
 * | 2198   | 2      | status message length, BE                                       |
 * | 2200   | 1      | the friend's user status                                        |
 * | 2201   | 3      | padding                                                         |
 * | 2204   | 4      | the nospam our request goes to, as the Tox ID has it (status 1, 2) |
 * | 2208   | 8      | last seen online, Unix seconds, BE (status 3)                   |
 *
 * @see spec/messenger.md#friends
 * @module
 */
import { constantTimeEqual, isValidPublicKey } from '../crypto/index.ts';
import { PUBLIC_KEY_SIZE, toHex } from '../wire/index.ts';
import type { SavedFriend } from './tox-save-types.ts';

/** `SAVED_FRIEND_REQUEST_SIZE`: room for the request message in a record. */
export const SAVED_REQUEST_SIZE = 1024;
/** `MAX_NAME_LENGTH`. */
export const MAX_NAME_LENGTH = 128;
/** `MAX_STATUSMESSAGE_LENGTH`. */
export const MAX_STATUS_MESSAGE_LENGTH = 1007;
/** `MAX_FRIEND_REQUEST_DATA_SIZE` (`TOX_MAX_FRIEND_REQUEST_LENGTH`): the longest request message. */
export const MAX_FRIEND_REQUEST_LENGTH = 1016;
/** Bytes of one friend record (`friend_size()`). */
export const FRIEND_RECORD_SIZE = 2216;

/** `Friend_Status` values as saved. */
export const SavedFriendStatus = {
  /** An empty slot; c-toxcore skips it. */
  NONE: 0,
  /** `FRIEND_ADDED`: our friend request is waiting to be sent. */
  ADDED: 1,
  /** `FRIEND_REQUESTED`: our friend request was sent, not yet accepted. */
  REQUESTED: 2,
  /** `FRIEND_CONFIRMED` (an online friend, 4, is saved as 3). */
  CONFIRMED: 3,
} as const;

const AT = {
  status: 0,
  publicKey: 1,
  request: 33,
  requestLength: 1058,
  name: 1060,
  nameLength: 1188,
  statusMessage: 1190,
  statusMessageLength: 2198,
  userStatus: 2200,
  nospam: 2204,
  lastSeen: 2208,
} as const;

/** A friend record as the bytes say, lengths not yet checked. */
export interface FriendRecord {
  readonly status: number;
  readonly publicKey: Uint8Array;
  /** The whole 1024-byte request area; `requestLength` says how much is the message. */
  readonly request: Uint8Array;
  readonly requestLength: number;
  /** The whole 128-byte name area. */
  readonly name: Uint8Array;
  readonly nameLength: number;
  /** The whole 1007-byte status message area. */
  readonly statusMessage: Uint8Array;
  readonly statusMessageLength: number;
  readonly userStatus: number;
  /** Big-endian reading of the four nospam bytes (`tox_self_get_nospam`'s convention). */
  readonly nospam: number;
  readonly lastSeen: bigint;
}

/** Reads the record at `at` of `data`; the caller has checked that 2216 bytes are there. */
export function readFriendRecord(data: Uint8Array, at: number): FriendRecord {
  const view = new DataView(data.buffer, data.byteOffset + at, FRIEND_RECORD_SIZE);
  const slice = (from: number, length: number): Uint8Array => data.slice(at + from, at + from + length);
  return {
    status: view.getUint8(AT.status),
    publicKey: slice(AT.publicKey, PUBLIC_KEY_SIZE),
    request: slice(AT.request, SAVED_REQUEST_SIZE),
    requestLength: view.getUint16(AT.requestLength),
    name: slice(AT.name, MAX_NAME_LENGTH),
    nameLength: view.getUint16(AT.nameLength),
    statusMessage: slice(AT.statusMessage, MAX_STATUS_MESSAGE_LENGTH),
    statusMessageLength: view.getUint16(AT.statusMessageLength),
    userStatus: view.getUint8(AT.userStatus),
    nospam: view.getUint32(AT.nospam),
    lastSeen: view.getBigUint64(AT.lastSeen),
  };
}

/** What a record to write holds; fields a status does not use are left zero, as c-toxcore leaves them. */
export interface FriendRecordFields {
  readonly status: number;
  readonly publicKey: Uint8Array;
  readonly request?: Uint8Array;
  readonly nospam?: number;
  readonly name?: Uint8Array;
  readonly statusMessage?: Uint8Array;
  readonly userStatus?: number;
  readonly lastSeen?: bigint;
}

/**
 * Writes one record at `at` of `out` (zero-filled). The caller has checked every length
 * against the limits above.
 */
export function writeFriendRecord(out: Uint8Array, at: number, f: FriendRecordFields): void {
  const view = new DataView(out.buffer, out.byteOffset + at, FRIEND_RECORD_SIZE);
  view.setUint8(AT.status, f.status);
  out.set(f.publicKey, at + AT.publicKey);
  if (f.request !== undefined) {
    out.set(f.request, at + AT.request);
    view.setUint16(AT.requestLength, f.request.length);
  }
  if (f.name !== undefined) {
    out.set(f.name, at + AT.name);
    view.setUint16(AT.nameLength, f.name.length);
  }
  if (f.statusMessage !== undefined) {
    out.set(f.statusMessage, at + AT.statusMessage);
    view.setUint16(AT.statusMessageLength, f.statusMessage.length);
  }
  view.setUint8(AT.userStatus, f.userStatus ?? 0);
  view.setUint32(AT.nospam, f.nospam ?? 0);
  view.setBigUint64(AT.lastSeen, f.lastSeen ?? 0n);
}

/**
 * The friend list as c-toxcore's `friends_list_load` builds it, one FRIENDS body at a time. A
 * confirmed record goes through `m_addfriend_norequest`, a request record through
 * `m_addfriend`, with their refusals: a key already listed, an invalid key (last byte 0x80
 * or more), our own key (`self`, if the keys are loaded yet), a request message empty or
 * over 1016 bytes. A request to a friend already waiting for one with another nospam only
 * moves that friend to the new nospam. A name or status message whose length is out of
 * range is left empty, as c-toxcore's setters refuse it.
 */
export class FriendListLoader {
  readonly friends: SavedFriend[] = [];
  readonly #index = new Map<string, number>();

  /** Adds the records of one FRIENDS body (a whole number of records). */
  load(body: Uint8Array, self: Uint8Array | undefined): void {
    const own = (key: Uint8Array): boolean => self !== undefined && constantTimeEqual(key, self);
    for (let at = 0; at + FRIEND_RECORD_SIZE <= body.length; at += FRIEND_RECORD_SIZE) {
      const r = readFriendRecord(body, at);
      const key = toHex(r.publicKey);
      const existing = this.#index.get(key);
      if (r.status >= SavedFriendStatus.CONFIRMED) {
        if (existing !== undefined || !isValidPublicKey(r.publicKey) || own(r.publicKey)) continue;
        this.#add(key, {
          kind: 'confirmed',
          publicKey: r.publicKey,
          name: r.nameLength > 0 && r.nameLength <= MAX_NAME_LENGTH ? r.name.slice(0, r.nameLength) : new Uint8Array(0),
          statusMessage: r.statusMessageLength <= MAX_STATUS_MESSAGE_LENGTH ? r.statusMessage.slice(0, r.statusMessageLength) : new Uint8Array(0),
          userStatus: r.userStatus,
          lastSeen: r.lastSeen,
        });
      } else if (r.status !== SavedFriendStatus.NONE) {
        const length = r.requestLength;
        if (length > MAX_FRIEND_REQUEST_LENGTH || !isValidPublicKey(r.publicKey) || length < 1 || own(r.publicKey)) continue;
        if (existing !== undefined) {
          const other = this.friends[existing]!;
          if (other.kind === 'request' && other.nospam !== r.nospam) this.friends[existing] = { ...other, nospam: r.nospam };
          continue;
        }
        this.#add(key, {
          kind: 'request',
          publicKey: r.publicKey,
          message: r.request.slice(0, length),
          nospam: r.nospam,
          requestSent: r.status === SavedFriendStatus.REQUESTED,
        });
      }
    }
  }

  #add(key: string, friend: SavedFriend): void {
    this.#index.set(key, this.friends.length);
    this.friends.push(friend);
  }
}
