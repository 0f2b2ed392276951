/**
 * Small helpers for comparing keys and addresses inside the DHT.
 *
 * @see spec/dht.md#keys-and-shared-keys
 * @module
 * @internal
 */
import { type IpPort, toHex } from '../wire/index.ts';

/** Whether two public keys are the same bytes. Public keys are not secret: a plain compare. */
export function samePublicKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether two addresses are the same host and port (hosts are canonical text). */
export function sameIpPort(a: IpPort, b: IpPort): boolean {
  return a.port === b.port && a.host === b.host;
}

/** A map key for a public key. */
export function keyId(publicKey: Uint8Array): string {
  return toHex(publicKey);
}
