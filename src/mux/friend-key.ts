/**
 * Friends' long-term keys as the manager checks and tables them: 32 bytes, keyed by their
 * hex. An open looks its friend up by key, so the last key's hex is kept (a hex string
 * made per open was a few per cent of an open's CPU).
 *
 * @see spec/mux.md#opening-a-channel
 * @module
 */
import { toHex } from '../wire/index.ts';
import { MuxError } from './errors.ts';

/** A long-term public key's length in bytes. */
export const KEY_SIZE = 32;

/** Throws a `bad-key` {@link MuxError} unless `key` is a 32-byte Uint8Array. */
export function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_SIZE) {
    throw new MuxError('bad-key', `a friend key is ${KEY_SIZE} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
}

/** The last key `keyOf` was asked about, and its hex: most calls ask about the same friend again. */
const lastKey = new Uint8Array(KEY_SIZE);
let lastHex = '';

/** `key` in hex, as the manager's tables key friends. */
export function keyOf(key: Uint8Array): string {
  if (key.length === KEY_SIZE && lastHex !== '') {
    let same = true;
    for (let i = 0; i < KEY_SIZE; i++) {
      if (key[i] !== lastKey[i]) {
        same = false;
        break;
      }
    }
    if (same) return lastHex;
  }
  const hex = toHex(key);
  if (key.length === KEY_SIZE) {
    lastKey.set(key);
    lastHex = hex;
  }
  return hex;
}
