/**
 * Hashing.
 *
 * @see spec/crypto.md#hashing
 * @module
 */
import { sodium } from './sodium.ts';

/**
 * SHA-512 (`crypto_sha512`). libsodium's generic `crypto_hash` is SHA-512, which lets the
 * non-sumo build serve.
 */
export function sha512(data: Uint8Array): Uint8Array {
  return sodium.crypto_hash(data);
}
