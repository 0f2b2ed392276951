/**
 * The frame of c-toxcore's savedata (`state.c`): an 8-byte file header, then sections, each
 * an 8-byte header and a body. Unlike the network protocol, every number of the frame is
 * little-endian.
 *
 * File header:
 *
 * | Length | Type       | Contents                                   |
 * |--------|------------|--------------------------------------------|
 * | 4      | `uint32_t` | 0                                          |
 * | 4      | `uint32_t` | `STATE_COOKIE_GLOBAL` 0x15ed1b1f, LE       |
 *
 * Section header:
 *
 * | Length | Type       | Contents                                   |
 * |--------|------------|--------------------------------------------|
 * | 4      | `uint32_t` | body length, LE                            |
 * | 2      | `uint16_t` | section type, LE                           |
 * | 2      | `uint16_t` | section cookie, LE: 0x01ce (0x11ce inside the DHT section) |
 *
 * @see spec/messenger.md#the-frame-file-header-and-sections
 * @module
 */
import { type PackedNode, PACKED_NODE_SIZE_IPV6, PUBLIC_KEY_SIZE, DecodeError, unpackNodes } from '../wire/index.ts';
import { ToxSaveError } from './save-errors.ts';

/** The largest savedata toxlink reads (64 MiB: about 30 000 friends). */
export const MAX_TOX_SAVE_SIZE = 64 * 1024 * 1024;
/** `NUM_SAVED_TCP_RELAYS`. */
export const MAX_SAVED_TCP_RELAYS = 8;
/** `NUM_SAVED_PATH_NODES`. */
export const MAX_SAVED_PATH_NODES = 8;
/** `MAX_SAVED_DHT_NODES`: ((2 fake friends × 8) + 1024 close nodes) × 2. */
export const MAX_SAVED_DHT_NODES = 2080;
/** Bytes c-toxcore reserves for each of the TCP_RELAY and PATH_NODE sections: 8 IPv6 nodes. */
export const NODE_SECTION_RESERVE = 8 * PACKED_NODE_SIZE_IPV6;
/** Unknown sections kept to write back; c-toxcore ignores them all, toxlink drops those past this. */
export const MAX_UNKNOWN_SECTIONS = 64;
/** Bytes of the NOSPAMKEYS body: nospam, public key, secret key. */
export const NOSPAMKEYS_SIZE = 4 + 2 * PUBLIC_KEY_SIZE;

/** `STATE_COOKIE_GLOBAL`: the second u32 of every savedata. */
export const TOX_SAVE_COOKIE = 0x15ed1b1f;
/** `STATE_COOKIE_TYPE`: the high half of every top-level section's type word. */
export const SECTION_COOKIE = 0x01ce;
/** `DHT_STATE_COOKIE_GLOBAL`: the first u32 of the DHT section's body. */
export const DHT_STATE_COOKIE = 0x0159000d;
/** `DHT_STATE_COOKIE_TYPE`: the section cookie of the sections inside the DHT section. */
export const DHT_SECTION_COOKIE = 0x11ce;
/** `DHT_STATE_TYPE_NODES`: the DHT sub-section that holds packed nodes. */
export const DHT_SECTION_NODES = 4;

/** Bytes of the file header. */
export const FILE_HEADER_SIZE = 8;
/** Bytes of a section header. */
export const SECTION_HEADER_SIZE = 8;

/** `State_Type`: the top-level sections c-toxcore 0.2.18 writes, in the order it writes them. */
export const ToxSaveSection = {
  /** Nospam, long-term public key, long-term secret key. */
  NOSPAMKEYS: 1,
  /** The DHT's nodes, in a frame of its own. */
  DHT: 2,
  /** The friend list: 2216-byte records. */
  FRIENDS: 3,
  /** Our name. */
  NAME: 4,
  /** Our status message. */
  STATUSMESSAGE: 5,
  /** Our user status (1 byte). */
  STATUS: 6,
  /** TCP relays, packed nodes. */
  TCP_RELAY: 10,
  /** Onion path nodes, packed nodes. */
  PATH_NODE: 11,
  /** Conferences (the old group chats). toxlink keeps the body as it is. */
  CONFERENCES: 20,
  /** The last section; its body is empty. */
  END: 255,
} as const;

/** The magic of a savedata encrypted by toxencryptsave (`TOX_ENC_SAVE_MAGIC_NUMBER`). */
export const ENCRYPTED_SAVE_MAGIC = new TextEncoder().encode('toxEsave');

/** One section: its type and a view of its body. */
export interface Section {
  readonly type: number;
  readonly body: Uint8Array;
}

/** How {@link readSections} ended. */
export interface SectionWalk {
  /** Where the walk stopped: after the `stopType` section's header, or at the end of the input. */
  readonly consumed: number;
  /** The body of the `stopType` section that ended the walk, if one did. */
  readonly stop?: Uint8Array;
  /** Set when the walk hit a broken frame; the sections before it were visited. */
  readonly error?: ToxSaveError;
}

function le32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
}

/**
 * Reads sections back to back as c-toxcore's `state_load` does, handing each to `visit` in
 * file order: while 8 bytes are left, a header; a body longer than the rest, or a cookie
 * other than `cookie`, is an error; a section of type `stopType` ends the walk (it is not
 * visited; the caller checks its body); 1 to 7 bytes left at the end are an error. Returns
 * the error instead of throwing it; what `visit` throws goes through.
 */
export function readSections(data: Uint8Array, cookie: number, stopType: number | undefined, visit: (section: Section) => void): SectionWalk {
  let at = 0;
  while (data.length - at >= SECTION_HEADER_SIZE) {
    const length = le32(data, at);
    const typeWord = le32(data, at + 4);
    const bodyAt = at + SECTION_HEADER_SIZE;
    if (length > data.length - bodyAt) {
      const error = new ToxSaveError('truncated', `section at offset ${at} says ${length} bytes, ${data.length - bodyAt} are left`);
      return { consumed: at, error };
    }
    if (typeWord >>> 16 !== cookie) {
      const found = (typeWord >>> 16).toString(16).padStart(4, '0');
      const error = new ToxSaveError('bad-section', `section at offset ${at} has cookie 0x${found}, not 0x${cookie.toString(16).padStart(4, '0')}`);
      return { consumed: at, error };
    }
    const type = typeWord & 0xffff;
    const body = data.subarray(bodyAt, bodyAt + length);
    if (type === stopType) return { consumed: bodyAt, stop: body };
    visit({ type, body });
    at = bodyAt + length;
  }
  if (at !== data.length) {
    const error = new ToxSaveError('truncated', `${data.length - at} bytes after the last section are too few for a section header`);
    return { consumed: at, error };
  }
  return { consumed: at };
}

/** Whether `data` starts with c-toxcore's file header. */
export function hasFileHeader(data: Uint8Array): boolean {
  return data.length >= FILE_HEADER_SIZE && le32(data, 0) === 0 && le32(data, 4) === TOX_SAVE_COOKIE;
}

/** Whether `data` is a savedata encrypted by toxencryptsave (it starts with `toxEsave`). */
export function isEncryptedToxSave(data: Uint8Array): boolean {
  if (data.length < ENCRYPTED_SAVE_MAGIC.length) return false;
  return ENCRYPTED_SAVE_MAGIC.every((b, i) => data[i] === b);
}

/** Writes little-endian u32 `value` at `at`. */
export function putLe32(out: Uint8Array, at: number, value: number): void {
  new DataView(out.buffer, out.byteOffset + at, 4).setUint32(0, value >>> 0, true);
}

/** Writes a section header (`state_write_section_header`) at `at`; returns the offset after it. */
export function putSectionHeader(out: Uint8Array, at: number, cookie: number, type: number, length: number): number {
  putLe32(out, at, length);
  putLe32(out, at + 4, ((cookie << 16) | type) >>> 0);
  return at + SECTION_HEADER_SIZE;
}

/** Writes the 8-byte file header at offset 0. */
export function putFileHeader(out: Uint8Array): void {
  putLe32(out, 0, 0);
  putLe32(out, 4, TOX_SAVE_COOKIE);
}

/**
 * Nodes of a saved node list as c-toxcore's `unpack_nodes` reads them: at most `max`, bytes
 * after the `max`-th ignored, and `undefined` (the whole list ignored) when any node is
 * malformed. The length c-toxcore passes is a `uint16_t`, so only the first
 * `length mod 65536` bytes count.
 */
export function unpackSaved(body: Uint8Array, max: number, allowTcp: boolean): PackedNode[] | undefined {
  try {
    return unpackNodes(body.subarray(0, body.length & 0xffff), max, { allowTcp }).nodes;
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}
