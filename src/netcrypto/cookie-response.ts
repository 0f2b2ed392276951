/**
 * Cookie response (0x19): "here is your cookie", boxed with the same DHT shared key as the
 * request it answers, and carrying that request's echo id, so the requester knows it
 * answers its own question.
 *
 * | Length | Type      | Contents                                      |
 * |--------|-----------|-----------------------------------------------|
 * | 1      | `uint8_t` | 0x19                                          |
 * | 24     | nonce     | random nonce                                  |
 * | 16     | MAC       | of the box                                    |
 * | 112    | cookie    | (encrypted) the cookie, see `cookie.ts`       |
 * | 8      | echo id   | (encrypted) the request's echo id             |
 *
 * Exactly 161 bytes (`COOKIE_RESPONSE_LENGTH`). The sender's DHT key is not in it: the
 * requester knows whom it asked.
 *
 * @see spec/netcrypto.md#cookie-response-0x19
 * @module
 */
import { NONCE_SIZE, SHARED_KEY_SIZE, constantTimeEqual, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, NetPacket } from '../wire/index.ts';
import { expectLength, expectPacket } from './errors.ts';
import { COOKIE_LENGTH, COOKIE_RESPONSE_LENGTH, COOKIE_RESPONSE_PLAIN_LENGTH, ECHO_ID_SIZE } from './packet-sizes.ts';

/** A cookie response whose box is still closed. */
export interface CookieResponseEnvelope {
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** MAC and ciphertext, a view into the packet. */
  readonly box: Uint8Array;
}

/** What an opened cookie response holds. */
export interface CookieResponse {
  /** The cookie, 112 opaque bytes to put in our handshake (a copy). */
  readonly cookie: Uint8Array;
  /** The echo id of the request it answers (a copy). */
  readonly echoId: Uint8Array;
}

/**
 * A whole cookie response, 161 bytes, as c-toxcore's `create_cookie_response` writes it:
 * `[0x19][nonce][box([cookie][echo id])]`, with the shared key of the request.
 */
export function encodeCookieResponse(
  sharedKey: Uint8Array, nonce: Uint8Array, cookie: Uint8Array, echoId: Uint8Array,
): Uint8Array {
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(cookie, COOKIE_LENGTH, 'cookie');
  expectLength(echoId, ECHO_ID_SIZE, 'echo id');
  const plain = new Uint8Array(COOKIE_RESPONSE_PLAIN_LENGTH);
  plain.set(cookie, 0);
  plain.set(echoId, COOKIE_LENGTH);
  return new ByteWriter(COOKIE_RESPONSE_LENGTH)
    .u8(NetPacket.COOKIE_RESPONSE)
    .bytes(nonce)
    .bytes(encryptPrecomputed(sharedKey, nonce, plain))
    .finish();
}

/**
 * Splits a cookie response. Like `handle_cookie_response`, refuses any length but 161
 * (`truncated`, `trailing-bytes`), and a first byte other than 0x19 (`bad-value`).
 */
export function decodeCookieResponse(packet: Uint8Array): CookieResponseEnvelope {
  expectPacket(packet, COOKIE_RESPONSE_LENGTH, NetPacket.COOKIE_RESPONSE, 'cookie response');
  const r = new ByteReader(packet);
  r.u8('packet id');
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { nonce, box: r.rest() };
}

/**
 * Opens a cookie response with the shared key of the request; `undefined` if the box does
 * not open. Whether its echo id is the one we sent is {@link answersRequest}'s question;
 * the cookie itself is opaque to us.
 */
export function openCookieResponse(envelope: CookieResponseEnvelope, sharedKey: Uint8Array): CookieResponse | undefined {
  const plain = decryptPrecomputed(sharedKey, envelope.nonce, envelope.box);
  if (plain === undefined || plain.length !== COOKIE_RESPONSE_PLAIN_LENGTH) return undefined;
  return { cookie: plain.slice(0, COOKIE_LENGTH), echoId: plain.slice(COOKIE_LENGTH) };
}

/**
 * Whether a response answers the request we sent with `echoId`
 * (`handle_packet_cookie_response` compares the numbers); compared in constant time.
 */
export function answersRequest(response: CookieResponse, echoId: Uint8Array): boolean {
  return constantTimeEqual(response.echoId, echoId);
}
