/**
 * The one place in toxlink that loads libsodium. The WebAssembly module is initialised
 * once, when this module is first imported (top-level await), so every function of
 * src/crypto is synchronous and ready to use. sodium-native is loaded too when it is
 * installed, for the data path.
 *
 * @see spec/crypto.md#libsodium
 * @module
 * @internal
 */
import _sodium from 'libsodium-wrappers';

await _sodium.ready;

/** The initialised libsodium-wrappers instance. Only src/crypto may touch it. */
export const sodium = _sodium;

/**
 * The few functions of sodium-native (libsodium as a native addon) that the data path
 * uses. Writes into the output buffer it is given.
 */
export interface NativeSodium {
  crypto_secretbox_easy(out: Uint8Array, plain: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
  crypto_secretbox_open_easy(out: Uint8Array, box: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean;
}

/**
 * sodium-native, when it is installed (an optional dependency) and `TOXLINK_CRYPTO` is not
 * `wasm`: about four times faster than the WebAssembly build for sealing and opening a
 * 1400-byte packet. Both give the same bytes.
 */
export const nativeSodium: NativeSodium | undefined = await loadNative();

async function loadNative(): Promise<NativeSodium | undefined> {
  if (process.env['TOXLINK_CRYPTO'] === 'wasm') return undefined;
  const name = 'sodium-native';
  try {
    const loaded = (await import(name)) as { default?: NativeSodium } & NativeSodium;
    const native = loaded.default ?? loaded;
    return typeof native.crypto_secretbox_easy === 'function' ? native : undefined;
  } catch {
    return undefined;
  }
}
