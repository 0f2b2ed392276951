/**
 * Authenticated encryption: XSalsa20-Poly1305 with the MAC first, exactly as c-toxcore's
 * `encrypt_data_symmetric` / `decrypt_data_symmetric` lay it out.
 *
 * @see spec/crypto.md#box
 * @module
 */
import { sodium } from './sodium.ts';
import { expectSize } from './check.ts';
import { CryptoError } from './errors.ts';
import { MAC_SIZE, NONCE_SIZE, SHARED_KEY_SIZE } from './sizes.ts';
import { precompute } from './keys.ts';

function checkSeal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): void {
  expectSize(key, SHARED_KEY_SIZE, 'shared key', 'bad-key-size');
  expectSize(nonce, NONCE_SIZE, 'nonce', 'bad-nonce-size');
  if (plain.length === 0) {
    throw new CryptoError('empty-plaintext', 'c-toxcore refuses to encrypt an empty plaintext');
  }
}

/**
 * Seals `plain` with a precomputed or symmetric key: `MAC(16) || ciphertext`, 16 bytes
 * longer than `plain`. An empty plaintext is refused, as c-toxcore refuses it.
 */
export function encryptPrecomputed(sharedKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  checkSeal(sharedKey, nonce, plain);
  return sodium.crypto_box_easy_afternm(plain, nonce, sharedKey);
}

/**
 * Opens a box made by {@link encryptPrecomputed}. Returns `undefined` when the MAC does not
 * verify or the box is too short to hold a non-empty plaintext (c-toxcore refuses boxes of
 * 16 bytes or fewer, so toxlink does too). Never throws for bad ciphertext.
 */
export function decryptPrecomputed(sharedKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  expectSize(sharedKey, SHARED_KEY_SIZE, 'shared key', 'bad-key-size');
  expectSize(nonce, NONCE_SIZE, 'nonce', 'bad-nonce-size');
  if (box.length <= MAC_SIZE) return undefined;
  try {
    return sodium.crypto_box_open_easy_afternm(box, nonce, sharedKey);
  } catch {
    return undefined;
  }
}

/**
 * One-shot public-key box (`encrypt_data`): precompute, then seal. Throws a
 * `CryptoError` if `publicKey` is a key libsodium refuses.
 */
export function encrypt(publicKey: Uint8Array, secretKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  const shared = precompute(publicKey, secretKey);
  if (shared === undefined) throw new CryptoError('bad-public-key', 'public key refused by libsodium (low-order point)');
  return encryptPrecomputed(shared, nonce, plain);
}

/** One-shot open (`decrypt_data`); `undefined` on any failure, including a refused key. */
export function decrypt(publicKey: Uint8Array, secretKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  const shared = precompute(publicKey, secretKey);
  return shared === undefined ? undefined : decryptPrecomputed(shared, nonce, box);
}

/**
 * Seals with a 32-byte symmetric key (cookies, onion return paths). On the wire this is
 * byte-identical to {@link encryptPrecomputed}; the separate name says what kind of key it
 * takes.
 */
export function secretBox(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  checkSeal(key, nonce, plain);
  return sodium.crypto_secretbox_easy(plain, nonce, key);
}

/** Opens a {@link secretBox}; `undefined` on failure. */
export function secretBoxOpen(key: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  return decryptPrecomputed(key, nonce, box);
}
