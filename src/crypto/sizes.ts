/**
 * Sizes of the crypto primitives, named as c-toxcore names them (`crypto_core.h`).
 *
 * @see spec/crypto.md#sizes
 * @module
 */

/** `CRYPTO_PUBLIC_KEY_SIZE`: an X25519 public key. */
export const PUBLIC_KEY_SIZE = 32;
/** `CRYPTO_SECRET_KEY_SIZE`: an X25519 secret key. */
export const SECRET_KEY_SIZE = 32;
/** `CRYPTO_SHARED_KEY_SIZE`: a precomputed key (`crypto_box_beforenm`) or a symmetric key. */
export const SHARED_KEY_SIZE = 32;
/** `CRYPTO_SYMMETRIC_KEY_SIZE`: a key for `secretBox`. */
export const SYMMETRIC_KEY_SIZE = 32;
/** `CRYPTO_NONCE_SIZE`: an XSalsa20 nonce. */
export const NONCE_SIZE = 24;
/** `CRYPTO_MAC_SIZE`: the Poly1305 tag that precedes every ciphertext. */
export const MAC_SIZE = 16;
/** `CRYPTO_SHA512_SIZE`. */
export const SHA512_SIZE = 64;
