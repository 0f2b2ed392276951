/**
 * Cookie request (0x18): "I want to talk to your owner; give me a cookie." Sent to a peer's
 * DHT key, boxed with the key the two DHT keys share, so only that DHT node can read which
 * real key is asking.
 *
 * | Length | Type        | Contents                                     |
 * |--------|-------------|----------------------------------------------|
 * | 1      | `uint8_t`   | 0x18                                         |
 * | 32     | public key  | sender's DHT public key                      |
 * | 24     | nonce       | random nonce                                 |
 * | 16     | MAC         | of the box                                   |
 * | 32     | public key  | (encrypted) sender's real public key         |
 * | 32     | padding     | (encrypted) zeros; the receiver ignores them |
 * | 8      | echo id     | (encrypted) opaque, echoed by the response   |
 *
 * Exactly 145 bytes (`COOKIE_REQUEST_LENGTH`).
 *
 * @see spec/netcrypto.md#cookie-request-0x18
 * @module
 */
import { NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, NetPacket } from '../wire/index.ts';
import { expectLength, expectPacket } from './errors.ts';
import { COOKIE_DATA_LENGTH, COOKIE_REQUEST_LENGTH, COOKIE_REQUEST_PLAIN_LENGTH, ECHO_ID_SIZE } from './packet-sizes.ts';

/** A cookie request whose box is still closed. */
export interface CookieRequestEnvelope {
  /** The sender's DHT public key (a copy): the receiver's shared key is computed from it. */
  readonly senderDhtPublicKey: Uint8Array;
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** MAC and ciphertext, a view into the packet. */
  readonly box: Uint8Array;
}

/** What an opened cookie request says. */
export interface CookieRequest {
  /** The real public key the sender wants a cookie for (a copy). */
  readonly senderRealPublicKey: Uint8Array;
  /** Opaque bytes the response must carry back (a copy). */
  readonly echoId: Uint8Array;
}

/**
 * A whole cookie request, 145 bytes, as c-toxcore's `create_cookie_request` writes it:
 * `[0x18][sender DHT key][nonce][box([real key][32 zeros][echo id])]`. `sharedKey` is the
 * key of the sender's DHT secret key and the receiver's DHT public key.
 */
export function encodeCookieRequest(
  senderDhtPublicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, senderRealPublicKey: Uint8Array,
  echoId: Uint8Array,
): Uint8Array {
  expectLength(senderDhtPublicKey, PUBLIC_KEY_SIZE, 'sender DHT public key');
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(senderRealPublicKey, PUBLIC_KEY_SIZE, 'sender real public key');
  expectLength(echoId, ECHO_ID_SIZE, 'echo id');
  const plain = new Uint8Array(COOKIE_REQUEST_PLAIN_LENGTH);
  plain.set(senderRealPublicKey, 0);
  plain.set(echoId, COOKIE_DATA_LENGTH);
  return new ByteWriter(COOKIE_REQUEST_LENGTH)
    .u8(NetPacket.COOKIE_REQUEST)
    .bytes(senderDhtPublicKey)
    .bytes(nonce)
    .bytes(encryptPrecomputed(sharedKey, nonce, plain))
    .finish();
}

/**
 * Splits a cookie request. Like `handle_cookie_request`, refuses any length but 145
 * (`truncated`, `trailing-bytes`); also refuses a first byte other than 0x18 (`bad-value`),
 * which c-toxcore's dispatch never hands it.
 */
export function decodeCookieRequest(packet: Uint8Array): CookieRequestEnvelope {
  expectPacket(packet, COOKIE_REQUEST_LENGTH, NetPacket.COOKIE_REQUEST, 'cookie request');
  const r = new ByteReader(packet);
  r.u8('packet id');
  const senderDhtPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'sender DHT public key').slice();
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { senderDhtPublicKey, nonce, box: r.rest() };
}

/**
 * Opens a cookie request with the key of our DHT secret key and the sender's DHT key;
 * `undefined` if the box does not open. The 32 bytes between the real key and the echo id
 * are not looked at: c-toxcore answers whatever they hold.
 */
export function openCookieRequest(envelope: CookieRequestEnvelope, sharedKey: Uint8Array): CookieRequest | undefined {
  const plain = decryptPrecomputed(sharedKey, envelope.nonce, envelope.box);
  if (plain === undefined || plain.length !== COOKIE_REQUEST_PLAIN_LENGTH) return undefined;
  return {
    senderRealPublicKey: plain.slice(0, PUBLIC_KEY_SIZE),
    echoId: plain.slice(COOKIE_DATA_LENGTH),
  };
}
