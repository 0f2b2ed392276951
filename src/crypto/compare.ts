/**
 * Constant-time comparison.
 *
 * @see spec/crypto.md#constant-time-comparison
 * @module
 */
import { sodium } from './sodium.ts';

/**
 * Whether `a` and `b` hold the same bytes, in time that depends only on their length
 * (`pk_equal`, `crypto_sha512_eq`). Arrays of different lengths are unequal.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  return sodium.memcmp(a, b);
}
