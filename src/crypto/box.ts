/**
 * Authenticated encryption: XSalsa20-Poly1305 with the MAC first, exactly as c-toxcore's
 * `encrypt_data_symmetric` / `decrypt_data_symmetric` lay it out.
 *
 * @see spec/crypto.md#box
 * @module
 */
import { type NativeSodium, nativeSodium, sodium } from './sodium.ts';
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
  return active.seal(sharedKey, nonce, plain);
}

/**
 * Like {@link encryptPrecomputed}, but writes the box into `out` at `at` (it needs
 * `plain.length + 16` bytes there), so a packet can be built without copying its box.
 */
export function encryptPrecomputedInto(
  out: Uint8Array, at: number, sharedKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array,
): void {
  checkSeal(sharedKey, nonce, plain);
  if (!Number.isInteger(at) || at < 0 || at + plain.length + MAC_SIZE > out.length) {
    throw new RangeError(`no room for a ${plain.length + MAC_SIZE}-byte box at ${at} in ${out.length} bytes`);
  }
  active.sealInto(out.subarray(at, at + plain.length + MAC_SIZE), sharedKey, nonce, plain);
}

/**
 * One implementation of the symmetric box: a box with a precomputed key is byte for byte
 * a secretbox with that key, so one pair of functions serves both.
 */
export interface BoxBackend {
  readonly name: 'libsodium-wrappers' | 'sodium-native';
  seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array;
  /** Seals into `out`, exactly `plain.length + 16` bytes. */
  sealInto(out: Uint8Array, key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): void;
  /** `undefined` when the MAC does not verify. */
  open(key: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined;
  /** Opens into `out`, exactly `box.length - 16` bytes; false when the MAC does not verify. */
  openInto(out: Uint8Array, key: Uint8Array, nonce: Uint8Array, box: Uint8Array): boolean;
}

const wasmBox: BoxBackend = {
  name: 'libsodium-wrappers',
  seal: (key, nonce, plain) => sodium.crypto_secretbox_easy(plain, nonce, key),
  sealInto: (out, key, nonce, plain) => out.set(sodium.crypto_secretbox_easy(plain, nonce, key)),
  open: (key, nonce, box) => {
    try {
      return sodium.crypto_secretbox_open_easy(box, nonce, key);
    } catch {
      return undefined;
    }
  },
  openInto: (out, key, nonce, box) => {
    const plain = wasmBox.open(key, nonce, box);
    if (plain !== undefined) out.set(plain);
    return plain !== undefined;
  },
};

function nativeBox(native: NativeSodium): BoxBackend {
  return {
    name: 'sodium-native',
    seal: (key, nonce, plain) => {
      const out = new Uint8Array(plain.length + MAC_SIZE);
      native.crypto_secretbox_easy(out, plain, nonce, key);
      return out;
    },
    sealInto: (out, key, nonce, plain) => native.crypto_secretbox_easy(out, plain, nonce, key),
    open: (key, nonce, box) => {
      const out = new Uint8Array(box.length - MAC_SIZE);
      return native.crypto_secretbox_open_easy(out, box, nonce, key) ? out : undefined;
    },
    openInto: (out, key, nonce, box) => native.crypto_secretbox_open_easy(out, box, nonce, key),
  };
}

/** Every backend this process can use, the one in use first. For tests and benches. */
export const boxBackends: readonly BoxBackend[] = nativeSodium === undefined ? [wasmBox] : [nativeBox(nativeSodium), wasmBox];

const active: BoxBackend = boxBackends[0]!;

/** The name of the backend that seals and opens: sodium-native when installed, else libsodium-wrappers. */
export const cryptoBackend: BoxBackend['name'] = active.name;

/**
 * Opens a box made by {@link encryptPrecomputed}. Returns `undefined` when the MAC does not
 * verify or the box is too short to hold a non-empty plaintext (c-toxcore refuses boxes of
 * 16 bytes or fewer, so toxlink does too). Never throws for bad ciphertext.
 */
export function decryptPrecomputed(sharedKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  expectSize(sharedKey, SHARED_KEY_SIZE, 'shared key', 'bad-key-size');
  expectSize(nonce, NONCE_SIZE, 'nonce', 'bad-nonce-size');
  if (box.length <= MAC_SIZE) return undefined;
  return active.open(sharedKey, nonce, box);
}

/**
 * Like {@link decryptPrecomputed}, but opens into `out` (exactly `box.length - 16` bytes),
 * so the caller chooses the memory. Returns false, with `out` unspecified, when the box
 * does not open.
 */
export function decryptPrecomputedInto(out: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): boolean {
  expectSize(sharedKey, SHARED_KEY_SIZE, 'shared key', 'bad-key-size');
  expectSize(nonce, NONCE_SIZE, 'nonce', 'bad-nonce-size');
  if (box.length <= MAC_SIZE) return false;
  if (out.length !== box.length - MAC_SIZE) {
    throw new RangeError(`a ${box.length}-byte box opens into ${box.length - MAC_SIZE} bytes, not ${out.length}`);
  }
  return active.openInto(out, sharedKey, nonce, box);
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
  return active.seal(key, nonce, plain);
}

/** Opens a {@link secretBox}; `undefined` on failure. */
export function secretBoxOpen(key: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  return decryptPrecomputed(key, nonce, box);
}
