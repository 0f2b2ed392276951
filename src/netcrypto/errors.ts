/**
 * Typed errors of the net_crypto layer, for what an API user can get wrong: a payload that
 * is empty, too long, or whose first byte is outside the range of the kind it is sent as.
 * Nothing that arrives from the network throws one: decoders throw wire's `DecodeError`,
 * and return `undefined` when a box does not open.
 *
 * @see spec/netcrypto.md#errors
 * @module
 */
import { DecodeError, EncodeError } from '../wire/index.ts';

/** Why a payload was refused. */
export type NetCryptoErrorCode =
  /** An empty payload: every payload starts with its packet id. */
  | 'payload-empty'
  /** A payload over `MAX_CRYPTO_DATA_SIZE` (1373) bytes, id included. */
  | 'payload-too-long'
  /**
   * A first byte outside the kind's range (lossless 16–191, lossy 192–254), or 0, which the
   * receiver would strip as padding.
   */
  | 'bad-packet-id'
  /** The session is closed: nothing more can be sent on it. */
  | 'connection-closed'
  /** The send queue holds `sendQueuePackets`: wait for 'drain'. */
  | 'queue-full'
  /** The node holds `maxConnections` sessions. */
  | 'too-many-connections'
  /** The node is closed. */
  | 'node-closed'
  /** A key that is not a valid public key. */
  | 'bad-key';

/** A payload net_crypto cannot send. `code` is stable; the message says what to fix. */
export class NetCryptoError extends Error {
  override readonly name: string = 'NetCryptoError';
  constructor(readonly code: NetCryptoErrorCode, message: string) {
    super(message);
  }
}

/**
 * Throws an {@link EncodeError} unless `bytes` is a `Uint8Array` of `size` bytes: for
 * arguments the caller got wrong (a key, a nonce, a cookie), never for network input.
 *
 * @internal
 */
export function expectLength(bytes: Uint8Array, size: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new EncodeError(`${what} must be ${size} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
}

/**
 * Throws an {@link EncodeError} unless `value` is an unsigned 32-bit integer.
 *
 * @internal
 */
export function expectU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new EncodeError(`${what} must be a u32, got ${value}`);
  }
}

/**
 * Checks a packet's length against `size` and its first byte against `id`; `what` names it
 * in the message. Shared by the fixed-size net_crypto packets.
 *
 * @internal
 */
export function expectPacket(packet: Uint8Array, size: number, id: number, what: string): void {
  if (packet.length < size) throw new DecodeError('truncated', `${what}: ${packet.length} bytes, need ${size}`);
  if (packet.length > size) throw new DecodeError('trailing-bytes', `${what}: ${packet.length} bytes, want ${size}`);
  if (packet[0] !== id) {
    throw new DecodeError('bad-value', `${what}: packet id 0x${packet[0]!.toString(16).padStart(2, '0')}`);
  }
}
