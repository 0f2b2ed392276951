/**
 * Typed errors of the wire floor.
 *
 * @see spec/wire.md#errors
 * @module
 */

/** Why bytes could not be decoded. Receive paths count drops by this code. */
export type DecodeErrorCode =
  | 'truncated'
  | 'trailing-bytes'
  | 'bad-family'
  | 'bad-value';

/**
 * Bytes that do not decode. Every parser in toxlink fails with this error and nothing
 * else, whatever the input: a receive path catches it, counts `code`, and drops the packet.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(readonly code: DecodeErrorCode, message: string) {
    super(message);
  }
}

/**
 * A value that cannot be encoded (a port out of range, a buffer too small). Always a
 * programming error of the caller, never caused by network input.
 */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}

/** Why a Tox ID was refused. */
export type ToxIdErrorCode = 'bad-length' | 'bad-hex' | 'bad-checksum' | 'bad-key';

/** A Tox ID, typed or pasted by a user, that is not valid. The message says what to fix. */
export class ToxIdError extends Error {
  override readonly name = 'ToxIdError';
  constructor(readonly code: ToxIdErrorCode, message: string) {
    super(message);
  }
}
