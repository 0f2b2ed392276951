/**
 * Hexadecimal text for keys, Tox IDs and test vectors.
 *
 * @see spec/wire.md#hex
 * @module
 */
import { DecodeError } from './errors.ts';

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  // One flat string: appending two digits at a time builds a chain of ~2 string objects per
  // byte (a rope), which a long-lived map key (a friend's key hex) would keep (~1.6 KiB a key).
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Bytes of a hex string (either case); a {@link DecodeError} for odd length or a non-hex digit. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new DecodeError('bad-value', `hex string has odd length ${text.length}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new DecodeError('bad-value', `not a hex digit at position ${hi < 0 ? 2 * i : 2 * i + 1}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}
