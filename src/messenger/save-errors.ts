/**
 * Typed errors of saving and loading: {@link ToxSaveError} for c-toxcore's savedata format,
 * {@link ProfileError} for toxlink's own profile file. A file that cannot be read as either
 * always ends in one of these, never in a `TypeError` or `RangeError`.
 *
 * @see spec/messenger.md#errors-of-saving-and-loading
 * @module
 */

/** Why c-toxcore savedata could not be read or written. */
export type ToxSaveErrorCode =
  /** The data starts with `toxEsave`: encrypted with a password by toxencryptsave. */
  | 'encrypted'
  /** Shorter than 8 bytes, or the first 8 are not c-toxcore's state cookie. */
  | 'not-a-tox-save'
  /** A section says it is longer than what is left, or 1 to 7 bytes are left over. */
  | 'truncated'
  /** A section header without c-toxcore's section cookie (0x01ce). */
  | 'bad-section'
  /** The NOSPAMKEYS section is not 68 bytes, or its public key is not its secret key's. */
  | 'bad-keys'
  /** No NOSPAMKEYS section: the file holds no identity. */
  | 'no-keys'
  /** The FRIENDS section is not a whole number of 2216-byte friend records. */
  | 'bad-friends'
  /** The END section has a body. */
  | 'bad-end'
  /** Larger than `MAX_TOX_SAVE_SIZE`. */
  | 'too-large'
  /** Writing: a value c-toxcore cannot load (a name too long, too many relays, ...). */
  | 'invalid-value';

/** c-toxcore savedata that toxlink refuses; `code` is stable, `message` says what is wrong. */
export class ToxSaveError extends Error {
  override readonly name = 'ToxSaveError';
  constructor(readonly code: ToxSaveErrorCode, message: string) {
    super(message);
  }
}

/** Why a toxlink profile could not be read or written. */
export type ProfileErrorCode =
  /** No file at the path. */
  | 'not-found'
  /** The file system refused a read (permissions, I/O error); `cause` has the system error. */
  | 'read-failed'
  /** The file system refused a write; the old file, if any, is untouched. `cause` has the system error. */
  | 'write-failed'
  /** Larger than `MAX_PROFILE_BYTES`. */
  | 'too-large'
  /** Not JSON, or JSON without `"format": "toxlink-profile"`. */
  | 'not-a-profile'
  /** Written by a newer toxlink (a version this one does not know). */
  | 'unknown-version'
  /** A profile of a known version with a field missing, of the wrong type or out of range. */
  | 'corrupt'
  /** Writing: a value out of range (a name too long, too many friends, a duplicate friend). */
  | 'invalid-value';

/** A toxlink profile that could not be read or written; `code` is stable, `message` says what to do. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(readonly code: ProfileErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
