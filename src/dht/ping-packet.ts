/**
 * DHT ping request (0x00) and response (0x01): "are you there?", answered with the same
 * 8-byte ping id. The plaintext repeats the kind, so a box cut from a request cannot be
 * passed off as a response.
 *
 * | Length | Type        | Contents                               |
 * |--------|-------------|----------------------------------------|
 * | 1      | `uint8_t`   | 0x00 request / 0x01 response           |
 * | 32     | public key  | sender's DHT public key                |
 * | 24     | nonce       | random nonce                           |
 * | 16     | MAC         | of the box                             |
 * | 1      | `uint8_t`   | (encrypted) the kind again             |
 * | 8      | ping id     | (encrypted) opaque, echoed by the response |
 *
 * 82 bytes, no more and no less (`DHT_PING_SIZE`).
 *
 * @see spec/dht.md#ping-request-and-response-0x00-0x01
 * @module
 */
import { ByteReader, DecodeError, NetPacket } from '../wire/index.ts';
import { expectLength, sealDhtPacket } from './dht-packet.ts';
import { PING_ID_SIZE, PING_PLAIN_SIZE } from './packet-sizes.ts';

/** Which way a ping goes. NAT pings use the same two words. */
export type PingKind = 'request' | 'response';

/** The packet id of each ping kind; the plaintext's first byte repeats it. */
const PING_PACKET_ID: Readonly<Record<PingKind, number>> = {
  request: NetPacket.PING_REQUEST,
  response: NetPacket.PING_RESPONSE,
};

/** The ping kind of a DHT packet's first byte, or `undefined` if it is not a ping. */
export function pingKindOf(packetId: number): PingKind | undefined {
  if (packetId === NetPacket.PING_REQUEST) return 'request';
  if (packetId === NetPacket.PING_RESPONSE) return 'response';
  return undefined;
}

/**
 * A whole ping packet, 82 bytes: `[kind][sender public key][nonce][box([kind][ping id])]`,
 * as c-toxcore's `ping_send_request` and `ping_send_response` write it.
 */
export function encodePing(
  kind: PingKind, senderPublicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, pingId: Uint8Array,
): Uint8Array {
  expectLength(pingId, PING_ID_SIZE, 'ping id');
  const plain = new Uint8Array(PING_PLAIN_SIZE);
  plain[0] = PING_PACKET_ID[kind];
  plain.set(pingId, 1);
  return sealDhtPacket(PING_PACKET_ID[kind], senderPublicKey, sharedKey, nonce, plain);
}

/**
 * Reads an opened ping plaintext and returns a copy of its ping id. Like c-toxcore's
 * `handle_ping_request` / `handle_ping_response`, it refuses any size but 9 (`truncated`,
 * `trailing-bytes`; the whole packet is then not 82 bytes) and an inner kind that differs
 * from the outer one, `kind` (`bad-value`).
 */
export function decodePingPlain(kind: PingKind, plain: Uint8Array): Uint8Array {
  if (plain.length < PING_PLAIN_SIZE) {
    throw new DecodeError('truncated', `ping plaintext: ${plain.length} bytes, need ${PING_PLAIN_SIZE}`);
  }
  if (plain.length > PING_PLAIN_SIZE) {
    throw new DecodeError('trailing-bytes', `ping plaintext: ${plain.length} bytes, want ${PING_PLAIN_SIZE}`);
  }
  const r = new ByteReader(plain);
  const inner = r.u8('ping kind');
  if (inner !== PING_PACKET_ID[kind]) {
    throw new DecodeError('bad-value', `ping ${kind} packet holds inner kind 0x${inner.toString(16).padStart(2, '0')}`);
  }
  return r.bytes(PING_ID_SIZE, 'ping id').slice();
}
