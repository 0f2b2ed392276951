/**
 * Forward request (10) and forwarding (11): c-toxcore's relays carry group-chat announce
 * traffic (`forwarding.c`) in these. toxlink has no use for them yet: it reads their type
 * and keeps the body opaque, and its relay and client drop them, counted.
 *
 * | Length | Type      | Contents                                                   |
 * |--------|-----------|------------------------------------------------------------|
 * | 1      | `uint8_t` | 10 (`TCP_PACKET_FORWARD_REQUEST`) or 11 (`TCP_PACKET_FORWARDING`) |
 * | rest   | bytes     | not read                                                   |
 *
 * @see spec/relay.md#forwarding
 * @module
 */
import { TcpPacket } from '../wire/index.ts';
import { expectFrame } from './packet-ids.ts';
import { withType } from './onion-packets.ts';
import { MAX_FRAME_PLAIN_SIZE } from './packet-sizes.ts';

/** `[10][body]` or `[11][body]`. */
export interface Forwarding {
  readonly kind: 'forward-request' | 'forwarding';
  /** Everything after the type, unread, a view into the frame. */
  readonly body: Uint8Array;
}

/** `[10 or 11][body]`, for tests. */
export function encodeForwarding(kind: Forwarding['kind'], body: Uint8Array): Uint8Array {
  return withType(kind === 'forward-request' ? TcpPacket.FORWARD_REQUEST : TcpPacket.FORWARDING, body, 'a forwarding');
}

/** Reads a forward request or forwarding frame: the type and at least one byte. */
export function decodeForwarding(plain: Uint8Array): Forwarding {
  const request = plain[0] === TcpPacket.FORWARD_REQUEST;
  expectFrame(plain, request ? TcpPacket.FORWARD_REQUEST : TcpPacket.FORWARDING, 2, MAX_FRAME_PLAIN_SIZE, 'forwarding');
  return { kind: request ? 'forward-request' : 'forwarding', body: plain.subarray(1) };
}
