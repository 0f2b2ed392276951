/**
 * The shapes of a c-toxcore savedata as toxlink reads it: the state, its friends, and the
 * sections kept as they are. Apart from the code that reads and writes them
 * (tox-save.ts) so that the friend-record and check modules can name them without an
 * import cycle.
 *
 * @see spec/messenger.md#c-toxcore-savedata
 * @module
 */
import type { PackedNode } from '../wire/index.ts';

/** `Userstatus`: 0 none (online), 1 away, 2 busy. */
export type UserStatus = 0 | 1 | 2;

/** A friend whose friend request (ours to them) is still unanswered: `FRIEND_ADDED` or `FRIEND_REQUESTED`. */
export interface SavedRequestFriend {
  readonly kind: 'request';
  readonly publicKey: Uint8Array;
  /** The request message, 1–1016 bytes (UTF-8 by convention; kept as bytes). */
  readonly message: Uint8Array;
  /** The nospam the request is addressed to, as `tox_self_get_nospam` would show it. */
  readonly nospam: number;
  /** Status 2: the request had been sent. c-toxcore sends it again after loading either way. */
  readonly requestSent: boolean;
}

/** A friend who accepted (status `FRIEND_CONFIRMED`). */
export interface SavedConfirmedFriend {
  readonly kind: 'confirmed';
  readonly publicKey: Uint8Array;
  /** Up to 128 bytes. */
  readonly name: Uint8Array;
  /** Up to 1007 bytes. */
  readonly statusMessage: Uint8Array;
  /** The friend's user status byte, as c-toxcore keeps it (0–2, or any value a peer sent). */
  readonly userStatus: number;
  /** When the friend was last online, Unix seconds; 0 if never. */
  readonly lastSeen: bigint;
}

/** One friend of a savedata, in friend-number order. */
export type SavedFriend = SavedRequestFriend | SavedConfirmedFriend;

/** A section toxlink does not interpret, kept to be written back. */
export interface OpaqueSection {
  readonly type: number;
  readonly data: Uint8Array;
}

/** The state a c-toxcore savedata holds. */
export interface ToxSave {
  /** Long-term secret key. */
  readonly secretKey: Uint8Array;
  /** Long-term public key (derived from the secret key; both are saved). */
  readonly publicKey: Uint8Array;
  /** Nospam, as `tox_self_get_nospam` returns it (the Tox ID's four nospam bytes, big-endian). */
  readonly nospam: number;
  /** Our name, up to 128 bytes. */
  readonly name: Uint8Array;
  /** Our status message, up to 1007 bytes. */
  readonly statusMessage: Uint8Array;
  readonly userStatus: UserStatus;
  readonly friends: readonly SavedFriend[];
  /** DHT nodes to bootstrap from (UDP). */
  readonly dhtNodes: readonly PackedNode[];
  /** TCP relays, at most 8. */
  readonly tcpRelays: readonly PackedNode[];
  /** Onion path nodes (UDP), at most 8. */
  readonly pathNodes: readonly PackedNode[];
  /** The CONFERENCES body, kept as it is (empty if none). */
  readonly conferences: Uint8Array;
  /** Sections of types c-toxcore 0.2.18 does not know, in file order, written back before END. */
  readonly unknownSections: readonly OpaqueSection[];
}
