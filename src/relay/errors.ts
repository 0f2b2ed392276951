/**
 * Typed errors of the relay layer, for what an API user can get wrong: a key of the wrong
 * size, a payload too long, a connection id that is not routed, a bad setting, a call on a
 * closed client. Nothing that arrives from the network throws one: decoders throw wire's
 * `DecodeError`, and the server and client drop, count and close instead.
 *
 * @see spec/relay.md#errors
 * @module
 */
import { EncodeError } from '../wire/index.ts';

/** Why a relay call was refused. */
export type RelayErrorCode =
  /** A public key that is not 32 bytes, or one X25519 refuses. */
  | 'bad-key'
  /** A payload that is empty or longer than its frame allows. */
  | 'bad-length'
  /** A connection id outside 16–255, or one that is not routed (online) right now. */
  | 'bad-connection-id'
  /** The client is not connected yet, or no longer. */
  | 'not-connected'
  /** The client or server is closed. */
  | 'closed'
  /** A configuration value out of range; the message names it. */
  | 'bad-config'
  /** The relay manager holds as many relays, or peers, as its config allows. */
  | 'too-many'
  /** The relay manager knows no peer with that key. */
  | 'unknown-peer';

/** A relay call that cannot be done. `code` is stable; the message says what to fix. */
export class RelayError extends Error {
  override readonly name: string = 'RelayError';
  constructor(readonly code: RelayErrorCode, message: string) {
    super(message);
  }
}

/**
 * Throws an {@link EncodeError} unless `bytes` is a `Uint8Array` of `size` bytes: for
 * arguments the caller got wrong (a key, a nonce), never for network input.
 *
 * @internal
 */
export function expectLength(bytes: Uint8Array, size: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new EncodeError(`${what} must be ${size} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
}

/**
 * `value` if it is an integer from 0 to 255, else an {@link EncodeError}.
 *
 * @internal
 */
export function expectByte(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new EncodeError(`${what} must be a byte, got ${value}`);
  return value;
}
