/**
 * Randomness from the operating system's CSPRNG.
 *
 * libsodium-wrappers' `randombytes_buf` calls back into JavaScript for every 4 bytes, which
 * made a 24-byte nonce cost about 50 µs; toxlink draws from Node's `randomFillSync` (the
 * same OS source libsodium would use) through a pool refilled 4 KiB at a time, so a nonce
 * costs a copy. Bytes handed out are never handed out again.
 *
 * @see spec/crypto.md#randomness
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { NONCE_SIZE } from './sizes.ts';

const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let used = POOL_SIZE;

/** `n` random bytes (`random_bytes`), in a new array. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomBytes: bad length ${n}`);
  if (n > POOL_SIZE / 4) return randomFillSync(new Uint8Array(n));
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.slice(used, used + n);
  pool.fill(0, used, used + n);
  used += n;
  return out;
}

/** A random 24-byte nonce (`random_nonce`). */
export function randomNonce(): Uint8Array {
  return randomBytes(NONCE_SIZE);
}

/**
 * A uniform random integer in `[0, upperBound)` (`random_range_u32`), without modulo bias:
 * draws below the largest multiple of `upperBound` are kept.
 */
export function randomUniform(upperBound: number): number {
  if (!Number.isInteger(upperBound) || upperBound < 1 || upperBound > 0x1_0000_0000) {
    throw new RangeError(`randomUniform: upper bound must be an integer in 1..2^32, got ${upperBound}`);
  }
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % upperBound);
  let v = 0;
  // Each draw is kept with probability above 1/2, so 64 rejections in a row never happen in
  // practice; the bound only keeps the loop finite by construction.
  for (let i = 0; i < 64; i++) {
    const b = randomBytes(4);
    v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (v < limit) break;
  }
  return v % upperBound;
}

/** A random unsigned 64-bit integer (`random_u64`). */
export function randomU64(): bigint {
  const b = randomBytes(8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}
