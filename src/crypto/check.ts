/**
 * Argument checks shared by the crypto functions.
 *
 * @see spec/crypto.md#errors
 *
 * @module
 * @internal
 */
import { CryptoError, type CryptoErrorCode } from './errors.ts';

/** Throws a {@link CryptoError} unless `bytes` is exactly `size` long. */
export function expectSize(bytes: Uint8Array, size: number, what: string, code: CryptoErrorCode): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new CryptoError(code, `${what} must be ${size} bytes, got ${got}`);
  }
}
