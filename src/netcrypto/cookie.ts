/**
 * The cookie: a node's sealed note to itself, saying "at this time a peer with this real key
 * and this DHT key asked me for a cookie". It goes out in a cookie response, comes back as
 * the first field of the peer's handshake, and lets the node answer cookie requests without
 * keeping any state: only the node that made a cookie can open it.
 *
 * | Length | Type        | Contents                                            |
 * |--------|-------------|-----------------------------------------------------|
 * | 24     | nonce       | random nonce                                        |
 * | 16     | MAC         | of the box, sealed with the node's cookie key       |
 * | 8      | timestamp   | (encrypted) whole seconds, little-endian            |
 * | 32     | public key  | (encrypted) the peer's real public key              |
 * | 32     | public key  | (encrypted) the peer's DHT public key               |
 *
 * 112 bytes (`COOKIE_LENGTH`).
 *
 * @see spec/netcrypto.md#cookie
 * @module
 */
import { NONCE_SIZE, PUBLIC_KEY_SIZE, SYMMETRIC_KEY_SIZE, secretBox, secretBoxOpen } from '../crypto/index.ts';
import { DecodeError, EncodeError } from '../wire/index.ts';
import { expectLength } from './errors.ts';
import { COOKIE_CONTENTS_LENGTH, COOKIE_LENGTH, COOKIE_TIMEOUT, COOKIE_TIMESTAMP_SIZE } from './packet-sizes.ts';

/** What a cookie vouches for. */
export interface CookieContents {
  /** When the cookie was made, in whole seconds of its maker's clock. */
  readonly timestamp: number;
  /** The real (long-term) public key of the peer the cookie was made for. */
  readonly realPublicKey: Uint8Array;
  /** The DHT public key of that peer. */
  readonly dhtPublicKey: Uint8Array;
}

/**
 * How old a cookie is at a given time: `fresh` from its timestamp to 15 s after,
 * `expired` later, `future` before (`open_cookie`).
 */
export type CookieAge = 'fresh' | 'expired' | 'future';

/**
 * The cookie clock: whole seconds of a millisecond clock (c-toxcore's `mono_time_get`).
 * Only the node that makes a cookie reads its timestamp, so any clock that does not run
 * backwards serves.
 */
export function cookieTime(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

/**
 * Seals a cookie with the node's 32-byte cookie key, as c-toxcore's `create_cookie` does:
 * `[nonce][box([timestamp LE u64][real key][DHT key])]`, 112 bytes. The nonce is the
 * caller's (random in use, fixed in tests).
 */
export function sealCookie(cookieKey: Uint8Array, nonce: Uint8Array, contents: CookieContents): Uint8Array {
  expectLength(cookieKey, SYMMETRIC_KEY_SIZE, 'cookie key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(contents.realPublicKey, PUBLIC_KEY_SIZE, 'real public key');
  expectLength(contents.dhtPublicKey, PUBLIC_KEY_SIZE, 'DHT public key');
  if (!Number.isSafeInteger(contents.timestamp) || contents.timestamp < 0) {
    throw new EncodeError(`cookie timestamp must be a non-negative integer of seconds, got ${contents.timestamp}`);
  }
  const plain = new Uint8Array(COOKIE_CONTENTS_LENGTH);
  new DataView(plain.buffer).setBigUint64(0, BigInt(contents.timestamp), true);
  plain.set(contents.realPublicKey, COOKIE_TIMESTAMP_SIZE);
  plain.set(contents.dhtPublicKey, COOKIE_TIMESTAMP_SIZE + PUBLIC_KEY_SIZE);
  const cookie = new Uint8Array(COOKIE_LENGTH);
  cookie.set(nonce, 0);
  cookie.set(secretBox(cookieKey, nonce, plain), NONCE_SIZE);
  return cookie;
}

/**
 * Opens a cookie with the node's cookie key; `undefined` if it does not open (another
 * node's cookie, or bytes changed on the way). Throws a `DecodeError` unless the cookie
 * is 112 bytes. Does not look at the time: see {@link cookieAge}.
 */
export function openCookie(cookieKey: Uint8Array, cookie: Uint8Array): CookieContents | undefined {
  expectLength(cookieKey, SYMMETRIC_KEY_SIZE, 'cookie key');
  if (cookie.length < COOKIE_LENGTH) {
    throw new DecodeError('truncated', `cookie: ${cookie.length} bytes, need ${COOKIE_LENGTH}`);
  }
  if (cookie.length > COOKIE_LENGTH) {
    throw new DecodeError('trailing-bytes', `cookie: ${cookie.length} bytes, want ${COOKIE_LENGTH}`);
  }
  const plain = secretBoxOpen(cookieKey, cookie.subarray(0, NONCE_SIZE), cookie.subarray(NONCE_SIZE));
  if (plain === undefined || plain.length !== COOKIE_CONTENTS_LENGTH) return undefined;
  // A u64 beyond 2^53 can only come from a cookie key shared with someone careless; it
  // rounds to a time so far ahead that the cookie is never fresh.
  const timestamp = Number(new DataView(plain.buffer, plain.byteOffset, plain.length).getBigUint64(0, true));
  return {
    timestamp,
    realPublicKey: plain.slice(COOKIE_TIMESTAMP_SIZE, COOKIE_TIMESTAMP_SIZE + PUBLIC_KEY_SIZE),
    dhtPublicKey: plain.slice(COOKIE_TIMESTAMP_SIZE + PUBLIC_KEY_SIZE),
  };
}

/**
 * Whether a cookie made at `timestamp` may be used at `nowSeconds` (both whole seconds of
 * the maker's clock), with c-toxcore's rule from `open_cookie`: refused when
 * `timestamp + 15 < now` (`expired`) or `now < timestamp` (`future`), so a cookie is good
 * for 16 whole-second readings, its own second included.
 */
export function cookieAge(timestamp: number, nowSeconds: number): CookieAge {
  if (nowSeconds < timestamp) return 'future';
  if (timestamp + COOKIE_TIMEOUT < nowSeconds) return 'expired';
  return 'fresh';
}
