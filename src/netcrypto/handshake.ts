/**
 * Handshake (0x1a): "here is your cookie back, and here is my session". It proves the
 * sender holds the real key the receiver's cookie names (only that key opens the box), and
 * carries the sender's session public key and base nonce, from which the data packets'
 * session key and nonces follow.
 *
 * | Length | Type        | Contents                                                       |
 * |--------|-------------|----------------------------------------------------------------|
 * | 1      | `uint8_t`   | 0x1a                                                           |
 * | 112    | cookie      | the cookie the receiver made (from its cookie response)        |
 * | 24     | nonce       | random nonce                                                   |
 * | 16     | MAC         | of the box, sealed with the two real keys' shared key          |
 * | 24     | nonce       | (encrypted) the sender's base nonce                            |
 * | 32     | public key  | (encrypted) the sender's session public key                    |
 * | 64     | SHA-512     | (encrypted) hash of the 112-byte cookie above                  |
 * | 112    | cookie      | (encrypted) a cookie the sender made for the receiver          |
 *
 * Exactly 385 bytes (`HANDSHAKE_PACKET_LENGTH`).
 *
 * @see spec/netcrypto.md#handshake-0x1a
 * @module
 */
import {
  NONCE_SIZE, PUBLIC_KEY_SIZE, SECRET_KEY_SIZE, SHA512_SIZE, SHARED_KEY_SIZE, SYMMETRIC_KEY_SIZE,
  constantTimeEqual, decryptPrecomputed, encryptPrecomputed, precompute, sha512,
} from '../crypto/index.ts';
import { ByteReader, ByteWriter, NetPacket } from '../wire/index.ts';
import { type CookieContents, cookieAge, openCookie } from './cookie.ts';
import { expectLength, expectPacket } from './errors.ts';
import { COOKIE_LENGTH, HANDSHAKE_PACKET_LENGTH, HANDSHAKE_PLAIN_LENGTH } from './packet-sizes.ts';

/** A handshake whose box is still closed. */
export interface HandshakeEnvelope {
  /** The cookie in clear: one the receiver made (a copy). */
  readonly cookie: Uint8Array;
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** MAC and ciphertext, a view into the packet. */
  readonly box: Uint8Array;
}

/** What the box of a handshake holds. */
export interface HandshakeContents {
  /** The sender's base nonce: its first data packet is sealed with it (a copy). */
  readonly baseNonce: Uint8Array;
  /** The sender's session public key (a copy). */
  readonly sessionPublicKey: Uint8Array;
  /** SHA-512 of the cookie in clear, as the sender computed it (a copy). */
  readonly cookieHash: Uint8Array;
  /** The cookie the sender made for us, to send back in our handshake (a copy). */
  readonly otherCookie: Uint8Array;
}

/** A handshake that passed every check of `handle_crypto_handshake`. */
export interface Handshake extends HandshakeContents {
  /** The peer's real public key, from our cookie. */
  readonly peerRealPublicKey: Uint8Array;
  /** The peer's DHT public key, from our cookie. */
  readonly peerDhtPublicKey: Uint8Array;
  /** When we made the cookie, in whole seconds. */
  readonly cookieTimestamp: number;
}

/** Why {@link readHandshake} refused a handshake that had the right length. */
export type HandshakeRefusal =
  /** The cookie in clear does not open with our cookie key: not ours, or changed. */
  | 'cookie-bad-mac'
  /** Our cookie is more than 15 s old. */
  | 'cookie-expired'
  /** Our cookie is dated after now. */
  | 'cookie-future'
  /** The cookie names another real key than the one the connection expects. */
  | 'unexpected-peer'
  /** The box does not open with the shared key of our real key and the cookie's. */
  | 'bad-mac'
  /** The SHA-512 in the box is not that of the cookie in clear. */
  | 'cookie-hash';

/** The verdict of {@link readHandshake}. */
export type HandshakeVerdict =
  | { readonly ok: true; readonly handshake: Handshake }
  | { readonly ok: false; readonly reason: HandshakeRefusal };

/** What {@link readHandshake} needs of the receiving node. */
export interface HandshakeReader {
  /** Our real secret key: the box is sealed to our real public key. */
  readonly realSecretKey: Uint8Array;
  /** Our cookie key: the cookie in clear must be one we made. */
  readonly cookieKey: Uint8Array;
  /** Now, in whole seconds of the clock our cookies are stamped with. */
  readonly nowSeconds: number;
  /**
   * The real key this handshake must come from, when it arrives on an existing connection
   * (`expected_real_pk` of `handle_crypto_handshake`); absent for a new connection.
   */
  readonly expectedRealPublicKey?: Uint8Array | undefined;
  /**
   * The shared key of our real secret key and a peer's real public key; defaults to
   * computing it (`precompute`). A node with many peers passes its cache.
   */
  readonly sharedKeyOf?: ((peerRealPublicKey: Uint8Array) => Uint8Array | undefined) | undefined;
}

/**
 * A whole handshake, 385 bytes, as c-toxcore's `create_crypto_handshake` writes it:
 * `[0x1a][cookie][nonce][box([base nonce][session key][SHA-512(cookie)][other cookie])]`.
 * `cookie` is the one the peer gave us; `otherCookie` one we sealed for the peer
 * (`sealCookie` with the peer's real and DHT keys); `sharedKey` that of our real secret
 * key and the peer's real public key.
 */
export function encodeHandshake(
  sharedKey: Uint8Array, nonce: Uint8Array, cookie: Uint8Array, baseNonce: Uint8Array, sessionPublicKey: Uint8Array,
  otherCookie: Uint8Array,
): Uint8Array {
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(cookie, COOKIE_LENGTH, 'cookie');
  expectLength(baseNonce, NONCE_SIZE, 'base nonce');
  expectLength(sessionPublicKey, PUBLIC_KEY_SIZE, 'session public key');
  expectLength(otherCookie, COOKIE_LENGTH, 'other cookie');
  const plain = new ByteWriter(HANDSHAKE_PLAIN_LENGTH)
    .bytes(baseNonce)
    .bytes(sessionPublicKey)
    .bytes(sha512(cookie))
    .bytes(otherCookie)
    .finish();
  return new ByteWriter(HANDSHAKE_PACKET_LENGTH)
    .u8(NetPacket.CRYPTO_HS)
    .bytes(cookie)
    .bytes(nonce)
    .bytes(encryptPrecomputed(sharedKey, nonce, plain))
    .finish();
}

/**
 * Splits a handshake. Like `handle_crypto_handshake`, refuses any length but 385
 * (`truncated`, `trailing-bytes`), and a first byte other than 0x1a (`bad-value`).
 */
export function decodeHandshake(packet: Uint8Array): HandshakeEnvelope {
  expectPacket(packet, HANDSHAKE_PACKET_LENGTH, NetPacket.CRYPTO_HS, 'handshake');
  const r = new ByteReader(packet);
  r.u8('packet id');
  const cookie = r.bytes(COOKIE_LENGTH, 'cookie').slice();
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { cookie, nonce, box: r.rest() };
}

/** Opens the box of a handshake; `undefined` if it does not open. Checks nothing else. */
export function openHandshakeBox(envelope: HandshakeEnvelope, sharedKey: Uint8Array): HandshakeContents | undefined {
  const plain = decryptPrecomputed(sharedKey, envelope.nonce, envelope.box);
  if (plain === undefined || plain.length !== HANDSHAKE_PLAIN_LENGTH) return undefined;
  const r = new ByteReader(plain);
  return {
    baseNonce: r.bytes(NONCE_SIZE, 'base nonce').slice(),
    sessionPublicKey: r.bytes(PUBLIC_KEY_SIZE, 'session public key').slice(),
    cookieHash: r.bytes(SHA512_SIZE, 'cookie hash').slice(),
    otherCookie: r.bytes(COOKIE_LENGTH, 'other cookie').slice(),
  };
}

/** Whether `hash` is the SHA-512 of `cookie`, compared in constant time (`crypto_sha512_eq`). */
export function cookieHashMatches(cookie: Uint8Array, hash: Uint8Array): boolean {
  return constantTimeEqual(sha512(cookie), hash);
}

/**
 * Reads a handshake with every check of c-toxcore's `handle_crypto_handshake`: exactly
 * 385 bytes (else a `DecodeError`); the cookie in clear opens with our cookie key and is
 * fresh; when `expectedRealPublicKey` is given, the cookie names that key; the box opens
 * with the shared key of our real key and the real key the cookie names; the box holds the
 * SHA-512 of that cookie. The inner cookie is not checked: only the peer can open it.
 */
export function readHandshake(packet: Uint8Array, reader: HandshakeReader): HandshakeVerdict {
  expectLength(reader.realSecretKey, SECRET_KEY_SIZE, 'real secret key');
  expectLength(reader.cookieKey, SYMMETRIC_KEY_SIZE, 'cookie key');
  const envelope = decodeHandshake(packet);
  const cookie: CookieContents | undefined = openCookie(reader.cookieKey, envelope.cookie);
  if (cookie === undefined) return { ok: false, reason: 'cookie-bad-mac' };
  const age = cookieAge(cookie.timestamp, reader.nowSeconds);
  if (age !== 'fresh') return { ok: false, reason: age === 'expired' ? 'cookie-expired' : 'cookie-future' };
  if (reader.expectedRealPublicKey !== undefined && !constantTimeEqual(cookie.realPublicKey, reader.expectedRealPublicKey)) {
    return { ok: false, reason: 'unexpected-peer' };
  }
  const sharedKey = reader.sharedKeyOf !== undefined
    ? reader.sharedKeyOf(cookie.realPublicKey)
    : precompute(cookie.realPublicKey, reader.realSecretKey);
  const contents = sharedKey === undefined ? undefined : openHandshakeBox(envelope, sharedKey);
  if (contents === undefined) return { ok: false, reason: 'bad-mac' };
  if (!cookieHashMatches(envelope.cookie, contents.cookieHash)) return { ok: false, reason: 'cookie-hash' };
  return {
    ok: true,
    handshake: {
      ...contents,
      peerRealPublicKey: cookie.realPublicKey,
      peerDhtPublicKey: cookie.dhtPublicKey,
      cookieTimestamp: cookie.timestamp,
    },
  };
}
