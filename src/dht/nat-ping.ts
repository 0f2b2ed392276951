/**
 * NAT ping: the payload of a DHT request with request id `CryptoPacket.NAT_PING` (254).
 * It travels to a friend through the nodes that know the friend, and tells both sides
 * that the other wants to punch a hole now.
 *
 * | Length | Type      | Contents                                |
 * |--------|-----------|-----------------------------------------|
 * | 1      | `uint8_t` | `NAT_PING_REQUEST` 0 / `NAT_PING_RESPONSE` 1 |
 * | 8      | ping id   | opaque; the response echoes the request's |
 *
 * @see spec/dht.md#nat-ping
 * @module
 */
import { ByteReader, DecodeError } from '../wire/index.ts';
import { expectLength } from './dht-packet.ts';
import type { PingKind } from './ping-packet.ts';
import { NAT_PING_REQUEST, NAT_PING_RESPONSE, NAT_PING_SIZE, PING_ID_SIZE } from './packet-sizes.ts';

/** A decoded NAT ping. */
export interface NatPing {
  readonly kind: PingKind;
  /** 8 opaque bytes (a copy). */
  readonly pingId: Uint8Array;
}

/** The 9-byte NAT ping payload, as c-toxcore's `send_NATping` lays it out. */
export function encodeNatPing(kind: PingKind, pingId: Uint8Array): Uint8Array {
  expectLength(pingId, PING_ID_SIZE, 'ping id');
  const payload = new Uint8Array(NAT_PING_SIZE);
  payload[0] = kind === 'request' ? NAT_PING_REQUEST : NAT_PING_RESPONSE;
  payload.set(pingId, 1);
  return payload;
}

/**
 * Reads a NAT ping payload with `handle_NATping`'s rules: exactly 9 bytes (`truncated`,
 * `trailing-bytes`), first byte 0 or 1 (`bad-value`; c-toxcore ignores any other).
 */
export function decodeNatPing(payload: Uint8Array): NatPing {
  if (payload.length > NAT_PING_SIZE) {
    throw new DecodeError('trailing-bytes', `NAT ping: ${payload.length} bytes, want ${NAT_PING_SIZE}`);
  }
  const r = new ByteReader(payload);
  const type = r.u8('NAT ping kind');
  const pingId = r.bytes(PING_ID_SIZE, 'NAT ping id').slice();
  if (type === NAT_PING_REQUEST) return { kind: 'request', pingId };
  if (type === NAT_PING_RESPONSE) return { kind: 'response', pingId };
  throw new DecodeError('bad-value', `NAT ping kind ${type}, want ${NAT_PING_REQUEST} or ${NAT_PING_RESPONSE}`);
}
