/**
 * Typed errors of the crypto floor.
 *
 * @see spec/crypto.md#errors
 * @module
 */

/** Why a crypto call was refused. */
export type CryptoErrorCode = 'bad-key-size' | 'bad-nonce-size' | 'empty-plaintext' | 'bad-public-key';

/**
 * A crypto call that was given arguments it cannot accept (a key of the wrong size, an
 * empty plaintext). These are programming errors of the caller, never caused by network
 * input: the decrypt functions return `undefined` for bad ciphertext instead.
 */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(readonly code: CryptoErrorCode, message: string) {
    super(message);
  }
}
