/**
 * The frame types of the relay protocol, and the checks every frame decoder shares. The ids
 * themselves live in wire's one table of packet ids (`TcpPacket`); this file adds the
 * connection-id arithmetic and the helpers the per-packet decoders use.
 *
 * @see spec/relay.md#frame-types
 * @module
 */
import { DecodeError } from '../wire/index.ts';
import { LAST_CONNECTION_ID, NUM_RESERVED_PORTS } from './packet-sizes.ts';

/** Whether `id` names a routed connection (16–255), the first byte of a data frame. */
export function isConnectionId(id: number): boolean {
  return Number.isInteger(id) && id >= NUM_RESERVED_PORTS && id <= LAST_CONNECTION_ID;
}

/**
 * Throws a `DecodeError` unless `plain` starts with `type` and is at least `min` and at most
 * `max` bytes long.
 *
 * @internal
 */
export function expectFrame(plain: Uint8Array, type: number, min: number, max: number, what: string): void {
  if (plain.length === 0) throw new DecodeError('truncated', `${what}: empty frame`);
  if (plain[0] !== type) throw new DecodeError('bad-value', `${what}: frame type ${plain[0]}, want ${type}`);
  if (plain.length < min) throw new DecodeError('truncated', `${what}: ${plain.length} bytes, need ${min}`);
  if (plain.length > max) throw new DecodeError('trailing-bytes', `${what}: ${plain.length} bytes, at most ${max}`);
}
