/**
 * Randomness from libsodium's CSPRNG.
 *
 * @see spec/crypto.md#randomness
 * @module
 */
import { sodium } from './sodium.ts';
import { NONCE_SIZE } from './sizes.ts';

/** `n` random bytes (`random_bytes`). */
export function randomBytes(n: number): Uint8Array {
  return n === 0 ? new Uint8Array(0) : sodium.randombytes_buf(n);
}

/** A random 24-byte nonce (`random_nonce`). */
export function randomNonce(): Uint8Array {
  return sodium.randombytes_buf(NONCE_SIZE);
}

/** A uniform random integer in `[0, upperBound)` (`random_range_u32`); `upperBound` ≥ 1. */
export function randomUniform(upperBound: number): number {
  return sodium.randombytes_uniform(upperBound);
}

/** A random unsigned 64-bit integer (`random_u64`). */
export function randomU64(): bigint {
  const b = sodium.randombytes_buf(8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}
