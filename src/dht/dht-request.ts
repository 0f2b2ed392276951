/**
 * DHT request (`NET_PACKET_CRYPTO`, 0x20): a box addressed to a DHT key rather than to an
 * address. A node that is not the receiver but has the receiver in its close list forwards
 * the packet unchanged; that is how NAT pings and DHT-key announcements reach a friend
 * whose address nobody has told us.
 *
 * | Length | Type        | Contents                                |
 * |--------|-------------|-----------------------------------------|
 * | 1      | `uint8_t`   | 0x20                                    |
 * | 32     | public key  | receiver's DHT public key               |
 * | 32     | public key  | sender's DHT public key                 |
 * | 24     | nonce       | random nonce                            |
 * | 16     | MAC         | of the box                              |
 * | 1      | `uint8_t`   | (encrypted) request id (`CryptoPacket`) |
 * | 1 … 918 | bytes      | (encrypted) payload                     |
 *
 * @see spec/dht.md#dht-request-0x20
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, DecodeError, EncodeError, NetPacket } from '../wire/index.ts';
import { expectLength } from './dht-packet.ts';
import {
  CRYPTO_SIZE, DHT_REQUEST_MIN_SIZE, MAX_CRYPTO_REQUEST_DATA_SIZE, MAX_CRYPTO_REQUEST_SIZE,
} from './packet-sizes.ts';

/** A DHT request whose box is still closed: enough to decide whether it is for us. */
export interface DhtRequestHeader {
  /** Whom the request is for (a copy). If it is not our key, the packet is for routing. */
  readonly receiverPublicKey: Uint8Array;
  /** Who sent it (a copy); the receiver derives the shared key from it. */
  readonly senderPublicKey: Uint8Array;
  /** The nonce the box was sealed with (a copy). */
  readonly nonce: Uint8Array;
  /** MAC and ciphertext, a view into the packet. */
  readonly box: Uint8Array;
}

/** An opened DHT request. */
export interface DhtRequest {
  /** Which handler the payload is for (`CryptoPacket.NAT_PING`, `CryptoPacket.DHTPK` …). */
  readonly requestId: number;
  /** The payload, at least one byte. */
  readonly payload: Uint8Array;
}

/** The box of the longest request a receiver takes: 1024 − 89 = 935 bytes. */
const MAX_BOX_SIZE = MAX_CRYPTO_REQUEST_SIZE - CRYPTO_SIZE;

/**
 * Reads the clear part of a DHT request. Throws a `DecodeError` if the first byte is not
 * 0x20 (`bad-value`), if the packet is shorter than 106 bytes, where the box cannot hold
 * the request id (`truncated`), or longer than `MAX_CRYPTO_REQUEST_SIZE`, 1024
 * (`trailing-bytes`): c-toxcore's receiver refuses those (`handle_request`), and toxlink
 * does not forward them either.
 */
export function decodeDhtRequestHeader(packet: Uint8Array): DhtRequestHeader {
  const r = new ByteReader(packet);
  const id = r.u8('packet id');
  if (id !== NetPacket.CRYPTO) {
    throw new DecodeError('bad-value', `DHT request: packet id 0x${id.toString(16).padStart(2, '0')}, want 0x20`);
  }
  if (packet.length < DHT_REQUEST_MIN_SIZE) {
    throw new DecodeError('truncated', `DHT request: ${packet.length} bytes, need at least ${DHT_REQUEST_MIN_SIZE}`);
  }
  if (packet.length > MAX_CRYPTO_REQUEST_SIZE) {
    throw new DecodeError('trailing-bytes', `DHT request: ${packet.length} bytes, at most ${MAX_CRYPTO_REQUEST_SIZE}`);
  }
  const receiverPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'receiver public key').slice();
  const senderPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'sender public key').slice();
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { receiverPublicKey, senderPublicKey, nonce, box: r.rest() };
}

/**
 * A whole DHT request, `[0x20][receiver][sender][nonce][box([request id][payload])]`, as
 * c-toxcore's `create_request` writes it: 107 … 1024 bytes. The payload must be 1 … 918
 * bytes (c-toxcore's receiver drops an empty one).
 */
export function encodeDhtRequest(
  receiverPublicKey: Uint8Array, senderPublicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array,
  requestId: number, payload: Uint8Array,
): Uint8Array {
  expectLength(receiverPublicKey, PUBLIC_KEY_SIZE, 'receiver public key');
  expectLength(senderPublicKey, PUBLIC_KEY_SIZE, 'sender public key');
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  if (payload.length < 1 || payload.length > MAX_CRYPTO_REQUEST_DATA_SIZE) {
    throw new EncodeError(`a DHT request payload is 1 to ${MAX_CRYPTO_REQUEST_DATA_SIZE} bytes, not ${payload.length}`);
  }
  const plain = new ByteWriter(1 + payload.length).u8(requestId).bytes(payload).finish();
  const box = encryptPrecomputed(sharedKey, nonce, plain);
  return new ByteWriter(CRYPTO_SIZE + box.length)
    .u8(NetPacket.CRYPTO)
    .bytes(receiverPublicKey)
    .bytes(senderPublicKey)
    .bytes(nonce)
    .bytes(box)
    .finish();
}

/**
 * Opens a DHT request addressed to us, with the key we share with its sender. Returns
 * `undefined` when the MAC does not verify. Throws a `DecodeError` (`truncated`) when the
 * box holds a request id but no payload: c-toxcore's `handle_request` opens such a box
 * and `cryptopacket_handle` then drops it, so toxlink refuses it here, before decrypting
 * (and `trailing-bytes` for a header longer than {@link decodeDhtRequestHeader} allows).
 */
export function openDhtRequest(header: DhtRequestHeader, sharedKey: Uint8Array): DhtRequest | undefined {
  if (header.box.length < MAC_SIZE + 2) {
    throw new DecodeError('truncated', 'DHT request: no payload after the request id');
  }
  if (header.box.length > MAX_BOX_SIZE) {
    throw new DecodeError('trailing-bytes', `DHT request: box of ${header.box.length} bytes, at most ${MAX_BOX_SIZE}`);
  }
  const plain = decryptPrecomputed(sharedKey, header.nonce, header.box);
  if (plain === undefined) return undefined;
  return { requestId: plain[0]!, payload: plain.subarray(1) };
}
