/**
 * The one place in toxlink that loads libsodium. The WebAssembly module is initialised
 * once, when this module is first imported (top-level await), so every function of
 * src/crypto is synchronous and ready to use.
 *
 * @see spec/crypto.md#libsodium
 * @module
 * @internal
 */
import _sodium from 'libsodium-wrappers';

await _sodium.ready;

/** The initialised libsodium-wrappers instance. Only src/crypto may touch it. */
export const sodium = _sodium;
