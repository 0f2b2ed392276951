/**
 * Ping (4) and pong (5): either side asks whether the other is still there, every 30 s; the
 * other answers with the same 8-byte id. A connection whose pong does not come back within
 * 10 s is closed.
 *
 * | Length | Type      | Contents                                      |
 * |--------|-----------|-----------------------------------------------|
 * | 1      | `uint8_t` | 4 (`TCP_PACKET_PING`) or 5 (`TCP_PACKET_PONG`) |
 * | 8      | ping id   | opaque, never all zero when sent              |
 *
 * Exactly 9 bytes. c-toxcore copies a `uint64_t` in host byte order, so the id is 8 opaque
 * bytes to be echoed, not a number to be read. A zero id is never sent: c-toxcore's client
 * does not answer a ping with id 0, and both sides close the connection on a pong with id 0.
 * The decoders accept a zero id; what to do with it is the receiver's business.
 *
 * @see spec/relay.md#ping-and-pong
 * @module
 */
import { TcpPacket } from '../wire/index.ts';
import { expectLength } from './errors.ts';
import { expectFrame } from './packet-ids.ts';
import { PING_ID_SIZE } from './packet-sizes.ts';

/** `[4][ping id]`. */
export interface Ping {
  readonly kind: 'ping';
  /** 8 bytes (a copy). */
  readonly pingId: Uint8Array;
}

/** `[5][ping id]`. */
export interface Pong {
  readonly kind: 'pong';
  /** 8 bytes (a copy), the id of the ping it answers. */
  readonly pingId: Uint8Array;
}

/** A ping's or pong's size (9). */
export const PING_SIZE = 1 + PING_ID_SIZE;

/** `[4][ping id]`. */
export function encodePing(pingId: Uint8Array): Uint8Array {
  return withId(TcpPacket.PING, pingId);
}

/** `[5][ping id]`. */
export function encodePong(pingId: Uint8Array): Uint8Array {
  return withId(TcpPacket.PONG, pingId);
}

/** Reads a ping: exactly 9 bytes. */
export function decodePing(plain: Uint8Array): Ping {
  expectFrame(plain, TcpPacket.PING, PING_SIZE, PING_SIZE, 'ping');
  return { kind: 'ping', pingId: plain.slice(1) };
}

/** Reads a pong: exactly 9 bytes. */
export function decodePong(plain: Uint8Array): Pong {
  expectFrame(plain, TcpPacket.PONG, PING_SIZE, PING_SIZE, 'pong');
  return { kind: 'pong', pingId: plain.slice(1) };
}

/** Whether a ping id is all zero: never sent, never answered. */
export function isZeroPingId(pingId: Uint8Array): boolean {
  return pingId.every((b) => b === 0);
}

function withId(type: number, pingId: Uint8Array): Uint8Array {
  expectLength(pingId, PING_ID_SIZE, 'ping id');
  const out = new Uint8Array(PING_SIZE);
  out[0] = type;
  out.set(pingId, 1);
  return out;
}
