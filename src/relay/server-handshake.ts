/**
 * The relay's handshake: its 96-byte answer to a client handshake. Boxed with the same key
 * as the client's (the client's public key and the relay's long-term key), it carries the
 * relay's own temporary public key and the base nonce of the frames the relay will send.
 *
 * | Length | Type       | Contents                                          |
 * |--------|------------|---------------------------------------------------|
 * | 24     | nonce      | random nonce of the box                           |
 * | 16     | MAC        | of the box                                        |
 * | 32     | public key | (encrypted) the relay's temporary public key      |
 * | 24     | nonce      | (encrypted) the base nonce of the relay's frames  |
 *
 * Exactly 96 bytes (`TCP_SERVER_HANDSHAKE_SIZE`). That the box opens is what proves to the
 * client that it reached the relay whose key it was given.
 *
 * @see spec/relay.md#relay-handshake
 * @module
 */
import { NONCE_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, DecodeError } from '../wire/index.ts';
import { type HandshakeContents, handshakePlain, openHandshakePlain } from './client-handshake.ts';
import { expectLength } from './errors.ts';
import { TCP_SERVER_HANDSHAKE_SIZE } from './packet-sizes.ts';

/** A relay handshake whose box is still closed. */
export interface ServerHandshakeEnvelope {
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** MAC and ciphertext, a view into the input. */
  readonly box: Uint8Array;
}

/**
 * A whole relay handshake, 96 bytes, as c-toxcore's `handle_TCP_handshake` writes it:
 * `[nonce][box([temp public key][base nonce])]`, with the shared key of the client handshake.
 */
export function encodeServerHandshake(sharedKey: Uint8Array, nonce: Uint8Array, contents: HandshakeContents): Uint8Array {
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  return new ByteWriter(TCP_SERVER_HANDSHAKE_SIZE)
    .bytes(nonce)
    .bytes(encryptPrecomputed(sharedKey, nonce, handshakePlain(contents)))
    .finish();
}

/** Splits a relay handshake; any length but 96 is refused (`truncated`, `trailing-bytes`). */
export function decodeServerHandshake(bytes: Uint8Array): ServerHandshakeEnvelope {
  if (bytes.length < TCP_SERVER_HANDSHAKE_SIZE) {
    throw new DecodeError('truncated', `relay handshake: ${bytes.length} bytes, need ${TCP_SERVER_HANDSHAKE_SIZE}`);
  }
  if (bytes.length > TCP_SERVER_HANDSHAKE_SIZE) {
    throw new DecodeError('trailing-bytes', `relay handshake: ${bytes.length} bytes, want ${TCP_SERVER_HANDSHAKE_SIZE}`);
  }
  const r = new ByteReader(bytes);
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { nonce, box: r.rest() };
}

/** Opens a relay handshake with the client's shared key; `undefined` if the box does not open. */
export function openServerHandshake(envelope: ServerHandshakeEnvelope, sharedKey: Uint8Array): HandshakeContents | undefined {
  return openHandshakePlain(decryptPrecomputed(sharedKey, envelope.nonce, envelope.box));
}
