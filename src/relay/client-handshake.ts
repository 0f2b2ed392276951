/**
 * The client's handshake: the first 128 bytes a client writes on a new TCP connection to a
 * relay. It names the client by its public key (the DHT key, for c-toxcore) and carries,
 * boxed with the key that public key shares with the relay's long-term key, a temporary
 * public key and the base nonce of the frames the client will send.
 *
 * | Length | Type       | Contents                                                   |
 * |--------|------------|------------------------------------------------------------|
 * | 32     | public key | the client's public key                                    |
 * | 24     | nonce      | random nonce of the box                                    |
 * | 16     | MAC        | of the box                                                 |
 * | 32     | public key | (encrypted) the client's temporary public key              |
 * | 24     | nonce      | (encrypted) the base nonce of the client's frames          |
 *
 * Exactly 128 bytes (`TCP_CLIENT_HANDSHAKE_SIZE`). There is no packet id: the relay knows it
 * is a handshake because it is the first thing on the connection.
 *
 * @see spec/relay.md#client-handshake
 * @module
 */
import { NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, DecodeError } from '../wire/index.ts';
import { expectLength } from './errors.ts';
import { TCP_CLIENT_HANDSHAKE_SIZE, TCP_HANDSHAKE_PLAIN_SIZE } from './packet-sizes.ts';

/** A client handshake whose box is still closed. */
export interface ClientHandshakeEnvelope {
  /** The client's public key (a copy): the relay's shared key is computed from it. */
  readonly clientPublicKey: Uint8Array;
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** MAC and ciphertext, a view into the input. */
  readonly box: Uint8Array;
}

/** What one side's handshake box holds (the client's and the relay's hold the same two fields). */
export interface HandshakeContents {
  /** The sender's temporary public key: the session key is made from it (a copy). */
  readonly tempPublicKey: Uint8Array;
  /** The nonce of the first frame the sender will send (a copy). */
  readonly baseNonce: Uint8Array;
}

/**
 * A whole client handshake, 128 bytes, as c-toxcore's `generate_handshake` writes it:
 * `[client public key][nonce][box([temp public key][base nonce])]`. `sharedKey` is the key
 * of the client's secret key and the relay's public key.
 */
export function encodeClientHandshake(
  clientPublicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, contents: HandshakeContents,
): Uint8Array {
  expectLength(clientPublicKey, PUBLIC_KEY_SIZE, 'client public key');
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  return new ByteWriter(TCP_CLIENT_HANDSHAKE_SIZE)
    .bytes(clientPublicKey)
    .bytes(nonce)
    .bytes(encryptPrecomputed(sharedKey, nonce, handshakePlain(contents)))
    .finish();
}

/**
 * Splits a client handshake. Like `handle_TCP_handshake`, refuses any length but 128
 * (`truncated`, `trailing-bytes`).
 */
export function decodeClientHandshake(bytes: Uint8Array): ClientHandshakeEnvelope {
  if (bytes.length < TCP_CLIENT_HANDSHAKE_SIZE) {
    throw new DecodeError('truncated', `client handshake: ${bytes.length} bytes, need ${TCP_CLIENT_HANDSHAKE_SIZE}`);
  }
  if (bytes.length > TCP_CLIENT_HANDSHAKE_SIZE) {
    throw new DecodeError('trailing-bytes', `client handshake: ${bytes.length} bytes, want ${TCP_CLIENT_HANDSHAKE_SIZE}`);
  }
  const r = new ByteReader(bytes);
  const clientPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'client public key').slice();
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { clientPublicKey, nonce, box: r.rest() };
}

/**
 * Opens a client handshake with the key of the relay's secret key and the client's public
 * key; `undefined` if the box does not open.
 */
export function openClientHandshake(envelope: ClientHandshakeEnvelope, sharedKey: Uint8Array): HandshakeContents | undefined {
  return openHandshakePlain(decryptPrecomputed(sharedKey, envelope.nonce, envelope.box));
}

/**
 * The 56 plaintext bytes of a handshake box: `[temp public key][base nonce]`.
 *
 * @internal
 */
export function handshakePlain(contents: HandshakeContents): Uint8Array {
  expectLength(contents.tempPublicKey, PUBLIC_KEY_SIZE, 'temporary public key');
  expectLength(contents.baseNonce, NONCE_SIZE, 'base nonce');
  const plain = new Uint8Array(TCP_HANDSHAKE_PLAIN_SIZE);
  plain.set(contents.tempPublicKey, 0);
  plain.set(contents.baseNonce, PUBLIC_KEY_SIZE);
  return plain;
}

/**
 * Reads an opened handshake box; `undefined` for one that did not open or is not 56 bytes.
 *
 * @internal
 */
export function openHandshakePlain(plain: Uint8Array | undefined): HandshakeContents | undefined {
  if (plain === undefined || plain.length !== TCP_HANDSHAKE_PLAIN_SIZE) return undefined;
  return { tempPublicKey: plain.slice(0, PUBLIC_KEY_SIZE), baseNonce: plain.slice(PUBLIC_KEY_SIZE) };
}
