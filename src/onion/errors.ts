/**
 * The argument checks the onion codecs share. The onion floor has no error class of its
 * own: a caller's mistake (a key of the wrong size, a payload too long for the onion) is
 * wire's `EncodeError`; bytes from the network that do not parse are wire's `DecodeError`;
 * a box that does not open is `undefined`.
 *
 * @see spec/onion.md#errors
 * @module
 * @internal
 */
import { DecodeError, EncodeError } from '../wire/index.ts';

/**
 * Throws an {@link EncodeError} unless `bytes` is a `Uint8Array` of `size` bytes: for
 * arguments the caller got wrong, never for network input.
 *
 * @internal
 */
export function expectLength(bytes: Uint8Array, size: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new EncodeError(`${what} must be ${size} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
}

/**
 * Throws an {@link EncodeError} unless `bytes` holds `min` to `max` bytes.
 *
 * @internal
 */
export function expectLengthBetween(bytes: Uint8Array, min: number, max: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length < min || bytes.length > max) {
    throw new EncodeError(`${what} must be ${min} to ${max} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
}

/**
 * Throws a {@link DecodeError} unless `packet` is longer than `minExclusive` and no longer
 * than `max` bytes: c-toxcore writes most of its onion bounds as `length <= MIN` refusals.
 *
 * @internal
 */
export function expectSizeAbove(packet: Uint8Array, minExclusive: number, max: number, what: string): void {
  if (packet.length <= minExclusive) {
    throw new DecodeError('truncated', `${what}: ${packet.length} bytes, need more than ${minExclusive}`);
  }
  if (packet.length > max) throw new DecodeError('trailing-bytes', `${what}: ${packet.length} bytes, at most ${max}`);
}

/**
 * Throws a {@link DecodeError} (`bad-value`) unless the first byte of `packet` is one of `ids`.
 *
 * @internal
 */
export function expectId(packet: Uint8Array, ids: readonly number[], what: string): number {
  const id = packet[0];
  if (id === undefined) throw new DecodeError('truncated', `${what}: empty`);
  if (!ids.includes(id)) throw new DecodeError('bad-value', `${what}: packet id 0x${hex(id)}, want ${ids.map((i) => `0x${hex(i)}`).join(' or ')}`);
  return id;
}

/** Two lower-case hex digits. @internal */
export function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
