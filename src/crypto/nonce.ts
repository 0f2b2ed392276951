/**
 * Nonce arithmetic. Tox nonces are 24-byte big-endian counters; libsodium's own
 * `sodium_increment` is little-endian and must not be used.
 *
 * @see spec/crypto.md#nonce-increment
 * @module
 */
import { expectSize } from './check.ts';
import { NONCE_SIZE } from './sizes.ts';

/**
 * Adds 1 to a 24-byte big-endian nonce in place (`increment_nonce`), carrying from the last
 * byte towards the first; all-ones wraps to all-zeros. Runs in constant time.
 */
export function incrementNonce(nonce: Uint8Array): void {
  expectSize(nonce, NONCE_SIZE, 'nonce', 'bad-nonce-size');
  let carry = 1;
  for (let i = NONCE_SIZE - 1; i >= 0; i--) {
    carry += nonce[i]!;
    nonce[i] = carry & 0xff;
    carry >>>= 8;
  }
}

/**
 * Adds an unsigned 32-bit `increment` to a 24-byte big-endian nonce in place
 * (`increment_nonce_number`), with carry across all 24 bytes.
 */
export function incrementNonceBy(nonce: Uint8Array, increment: number): void {
  expectSize(nonce, NONCE_SIZE, 'nonce', 'bad-nonce-size');
  if (!Number.isInteger(increment) || increment < 0 || increment > 0xffffffff) {
    throw new RangeError(`nonce increment must be a u32, got ${increment}`);
  }
  let carry = 0;
  let add = increment;
  // Stops as soon as nothing is left to add: a small increment touches two or three bytes.
  for (let i = NONCE_SIZE - 1; i >= 0 && (add !== 0 || carry !== 0); i--) {
    carry += nonce[i]! + (add & 0xff);
    add = (add - (add & 0xff)) / 256;
    nonce[i] = carry & 0xff;
    carry >>>= 8;
  }
}
