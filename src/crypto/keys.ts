/**
 * Key pairs and precomputed shared keys.
 *
 * @see spec/crypto.md#keys
 * @module
 */
import { sodium } from './sodium.ts';
import { expectSize } from './check.ts';
import { PUBLIC_KEY_SIZE, SECRET_KEY_SIZE } from './sizes.ts';

/** An X25519 key pair, as used for Tox long-term, DHT and session keys. */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A fresh random key pair (`crypto_new_keypair`). */
export function generateKeyPair(): KeyPair {
  const kp = sodium.crypto_box_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** The key pair of a saved secret key (`crypto_derive_public_key`). */
export function keyPairFromSecretKey(secretKey: Uint8Array): KeyPair {
  expectSize(secretKey, SECRET_KEY_SIZE, 'secret key', 'bad-key-size');
  return { publicKey: sodium.crypto_scalarmult_base(secretKey), secretKey: Uint8Array.from(secretKey) };
}

/**
 * The shared key of two parties (`encrypt_precompute`: X25519 then HSalsa20, libsodium's
 * `crypto_box_beforenm`). Returns `undefined` for a public key that libsodium refuses
 * (a low-order point): such a key can only come from a hostile or broken peer, so the
 * caller drops the packet that carried it.
 */
export function precompute(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | undefined {
  expectSize(publicKey, PUBLIC_KEY_SIZE, 'public key', 'bad-key-size');
  expectSize(secretKey, SECRET_KEY_SIZE, 'secret key', 'bad-key-size');
  try {
    return sodium.crypto_box_beforenm(publicKey, secretKey);
  } catch {
    return undefined;
  }
}

/**
 * Whether c-toxcore would accept `publicKey` as a friend's key: its last byte is below 128
 * (`public_key_valid`). Messenger refuses to add a friend whose key fails this.
 */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return publicKey.length === PUBLIC_KEY_SIZE && (publicKey[PUBLIC_KEY_SIZE - 1] ?? 0) < 128;
}
