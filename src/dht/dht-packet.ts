/**
 * The envelope that ping and nodes packets share: an unencrypted kind byte, the sender's
 * DHT public key and a nonce, then a box sealed with the key sender and receiver share.
 *
 * | Length | Type        | Contents                                        |
 * |--------|-------------|-------------------------------------------------|
 * | 1      | `uint8_t`   | kind (0x00, 0x01, 0x02, 0x04)                   |
 * | 32     | public key  | sender's DHT public key                         |
 * | 24     | nonce       | random nonce                                    |
 * | ≥ 17   | box         | MAC 16, then the encrypted plaintext (≥ 1 byte) |
 *
 * @see spec/dht.md#dht-packet-envelope
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, DecodeError, EncodeError } from '../wire/index.ts';
import { DHT_PACKET_HEADER_SIZE, DHT_PACKET_MIN_SIZE } from './packet-sizes.ts';

/** A DHT packet whose box is still closed. */
export interface DhtEnvelope {
  /** The first byte: which packet this is (`NetPacket.PING_REQUEST` …). */
  readonly kind: number;
  /** The sender's DHT public key (a copy), from which the receiver derives the shared key. */
  readonly senderPublicKey: Uint8Array;
  /** The nonce the box was sealed with (a copy). */
  readonly nonce: Uint8Array;
  /** MAC and ciphertext, a view into the packet. */
  readonly box: Uint8Array;
}

/**
 * Throws an {@link EncodeError} unless `bytes` is `size` bytes long: for arguments the
 * caller got wrong, never for network input.
 *
 * @internal
 */
export function expectLength(bytes: Uint8Array, size: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new EncodeError(`${what} must be ${size} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
}

/**
 * Splits a DHT packet into kind, sender key, nonce and box. Throws a `DecodeError`
 * (`truncated`) if it is shorter than 74 bytes, which cannot hold a box with one byte of
 * plaintext. The kind is not checked: the caller dispatches on it, and each packet's own
 * decoder checks the plaintext.
 */
export function decodeDhtEnvelope(packet: Uint8Array): DhtEnvelope {
  if (packet.length < DHT_PACKET_MIN_SIZE) {
    throw new DecodeError('truncated', `DHT packet: ${packet.length} bytes, need at least ${DHT_PACKET_MIN_SIZE}`);
  }
  const r = new ByteReader(packet);
  const kind = r.u8('kind');
  const senderPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'sender public key').slice();
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { kind, senderPublicKey, nonce, box: r.rest() };
}

/**
 * Seals `plain` and writes `[kind][sender public key][nonce][box]`, as c-toxcore's
 * `dht_create_packet` does. The packet is 73 bytes longer than `plain`.
 */
export function sealDhtPacket(
  kind: number, senderPublicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array,
): Uint8Array {
  expectLength(senderPublicKey, PUBLIC_KEY_SIZE, 'sender public key');
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  if (plain.length === 0) throw new EncodeError('a DHT packet needs at least one byte of plaintext');
  const box = encryptPrecomputed(sharedKey, nonce, plain);
  return new ByteWriter(DHT_PACKET_HEADER_SIZE + MAC_SIZE + plain.length)
    .u8(kind)
    .bytes(senderPublicKey)
    .bytes(nonce)
    .bytes(box)
    .finish();
}

/** Opens the box of a DHT packet; `undefined` when the MAC does not verify. */
export function openDhtPacket(envelope: DhtEnvelope, sharedKey: Uint8Array): Uint8Array | undefined {
  return decryptPrecomputed(sharedKey, envelope.nonce, envelope.box);
}
