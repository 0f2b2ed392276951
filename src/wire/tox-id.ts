/**
 * The Tox ID (c-toxcore's "address"): what a user shares so that others can send a
 * friend request.
 *
 * | Length | Type       | Contents                                                  |
 * |--------|------------|-----------------------------------------------------------|
 * | 32     | public key | the long-term public key                                  |
 * | 4      | `uint32_t` | nospam, network order                                     |
 * | 2      | bytes      | checksum: byte `i % 2` XORs every byte `i` of the first 36 |
 *
 * Written as 76 hex digits; c-toxcore prints upper case and accepts either.
 *
 * @see spec/wire.md#tox-id
 * @module
 */
import { ToxIdError } from './errors.ts';
import { fromHex, toHex } from './hex.ts';
import { PUBLIC_KEY_SIZE } from './sizes.ts';

/** `NOSPAM_SIZE`. */
export const NOSPAM_SIZE = 4;
/** `CHECKSUM_SIZE` of the address. */
export const CHECKSUM_SIZE = 2;
/** `TOX_ADDRESS_SIZE`: 38 bytes. */
export const TOX_ID_SIZE = PUBLIC_KEY_SIZE + NOSPAM_SIZE + CHECKSUM_SIZE;
/** A Tox ID in hex: 76 characters. */
export const TOX_ID_HEX_LENGTH = 2 * TOX_ID_SIZE;

/** The parts of a Tox ID. */
export interface ToxId {
  /** The long-term public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** The nospam value, as `tox_self_get_nospam` returns it. */
  readonly nospam: number;
  /** The two checksum bytes read as a big-endian number (informational). */
  readonly checksum: number;
}

/**
 * The two checksum bytes of `data` (`data_checksum`): byte 0 is the XOR of the bytes at even
 * offsets, byte 1 the XOR of those at odd offsets. Returned big-endian as one number.
 */
export function toxIdChecksum(data: Uint8Array): number {
  let even = 0, odd = 0;
  for (let i = 0; i < data.length; i++) {
    if (i % 2 === 0) even ^= data[i]!;
    else odd ^= data[i]!;
  }
  return (even << 8) | odd;
}

/** The 38 bytes of a Tox ID from its key and nospam, checksum included. */
export function toxIdBytes(publicKey: Uint8Array, nospam: number): Uint8Array {
  if (publicKey.length !== PUBLIC_KEY_SIZE) throw new RangeError(`public key must be ${PUBLIC_KEY_SIZE} bytes`);
  if (!Number.isInteger(nospam) || nospam < 0 || nospam > 0xffffffff) throw new RangeError(`nospam must be a u32, got ${nospam}`);
  const out = new Uint8Array(TOX_ID_SIZE);
  out.set(publicKey, 0);
  new DataView(out.buffer).setUint32(PUBLIC_KEY_SIZE, nospam);
  const sum = toxIdChecksum(out.subarray(0, PUBLIC_KEY_SIZE + NOSPAM_SIZE));
  out[TOX_ID_SIZE - 2] = sum >> 8;
  out[TOX_ID_SIZE - 1] = sum & 0xff;
  return out;
}

/** Upper-case hex of a Tox ID, as c-toxcore clients show it. */
export function formatToxId(id: Pick<ToxId, 'publicKey' | 'nospam'>): string {
  return toHex(toxIdBytes(id.publicKey, id.nospam)).toUpperCase();
}

/**
 * Parses a Tox ID typed or pasted by a user. Surrounding white space is ignored; hex
 * digits may be either case. Throws a {@link ToxIdError} that says what is wrong: the
 * length (`bad-length`), a character that is not hex (`bad-hex`) or a checksum that does
 * not match, which usually means a typo (`bad-checksum`), or a public key that c-toxcore
 * would refuse, its last byte 0x80 or more (`bad-key`; c-toxcore's `tox_friend_add` reports
 * this as a bad checksum).
 */
export function parseToxId(text: string): ToxId {
  const s = text.trim();
  if (s.length !== TOX_ID_HEX_LENGTH) {
    throw new ToxIdError('bad-length', `a Tox ID has ${TOX_ID_HEX_LENGTH} hex characters, this one has ${s.length}`);
  }
  const bad = /[^0-9a-fA-F]/.exec(s);
  if (bad) {
    throw new ToxIdError('bad-hex', `a Tox ID is hex (0-9, A-F); character ${bad.index + 1} is ${JSON.stringify(bad[0])}`);
  }
  const bytes = fromHex(s);
  const expected = toxIdChecksum(bytes.subarray(0, PUBLIC_KEY_SIZE + NOSPAM_SIZE));
  const checksum = (bytes[TOX_ID_SIZE - 2]! << 8) | bytes[TOX_ID_SIZE - 1]!;
  if (checksum !== expected) {
    throw new ToxIdError('bad-checksum', 'the Tox ID checksum does not match: check it for a typo');
  }
  if (bytes[PUBLIC_KEY_SIZE - 1]! >= 0x80) {
    throw new ToxIdError('bad-key', 'the public key in this Tox ID is not valid (its last byte is 0x80 or more): check it for a typo');
  }
  const nospam = new DataView(bytes.buffer).getUint32(PUBLIC_KEY_SIZE);
  return { publicKey: bytes.slice(0, PUBLIC_KEY_SIZE), nospam, checksum };
}
