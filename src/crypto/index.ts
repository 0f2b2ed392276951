/**
 * The crypto floor: keys, nonces, box and open on libsodium-wrappers. Nothing else in
 * toxlink touches libsodium. libsodium is initialised once, when this module is first
 * imported, so every function here is synchronous.
 *
 * ```ts
 * import { generateKeyPair, precompute, encryptPrecomputed, decryptPrecomputed, randomNonce } from './crypto/index.ts';
 * const alice = generateKeyPair(), bob = generateKeyPair();
 * const k = precompute(bob.publicKey, alice.secretKey)!;
 * const n = randomNonce();
 * const box = encryptPrecomputed(k, n, new TextEncoder().encode('hi'));
 * decryptPrecomputed(precompute(alice.publicKey, bob.secretKey)!, n, box); // 'hi'
 * ```
 *
 * @see spec/crypto.md
 * @packageDocumentation
 */
export { CryptoError, type CryptoErrorCode } from './errors.ts';
export { PUBLIC_KEY_SIZE, SECRET_KEY_SIZE, SHARED_KEY_SIZE, SYMMETRIC_KEY_SIZE, NONCE_SIZE, MAC_SIZE, SHA512_SIZE } from './sizes.ts';
export { type KeyPair, generateKeyPair, keyPairFromSecretKey, precompute, isValidPublicKey } from './keys.ts';
export {
  encryptPrecomputed, encryptPrecomputedInto, decryptPrecomputed, decryptPrecomputedInto, encrypt, decrypt, secretBox, secretBoxOpen, type BoxBackend, boxBackends, cryptoBackend,
} from './box.ts';
export { sha512 } from './hash.ts';
export { randomBytes, randomNonce, randomUniform, randomU64 } from './random.ts';
export { constantTimeEqual } from './compare.ts';
export { incrementNonce, incrementNonceBy } from './nonce.ts';
