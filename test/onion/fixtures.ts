/**
 * Keys, nodes and a path shared by the onion tests. Fresh random keys on every run: the
 * exact bytes are checked against c-toxcore in test/vectors (onion-*.json).
 */
import type { ExecutionContext } from 'ava';
import { type KeyPair, generateKeyPair, precompute } from '../../src/crypto/index.ts';
import { DecodeError } from '../../src/wire/index.ts';
import { type OnionPath, type PathNode, createOnionPath } from '../../src/onion/index.ts';

export const filled = (n: number, b: number): Uint8Array => new Uint8Array(n).fill(b);

/** A node of a test path: its DHT key pair and address. */
export interface TestNode extends PathNode {
  readonly keys: KeyPair;
}

export function testNode(host: string, port: number): TestNode {
  const keys = generateKeyPair();
  return { keys, publicKey: keys.publicKey, ipPort: { host, port } };
}

export const originatorDht = generateKeyPair();
export const originatorAddress = { host: '198.51.100.10', port: 33445 };
export const hops: readonly [TestNode, TestNode, TestNode] = [
  testNode('192.0.2.1', 33445),
  testNode('2001:db8::2', 33445),
  testNode('192.0.2.3', 33446),
];
export const destination = testNode('203.0.113.4', 33445);

export function testPath(): OnionPath {
  const path = createOnionPath(originatorDht, hops, generateKeyPair(), generateKeyPair());
  if (path === undefined) throw new Error('no path');
  return path;
}

/** The shared key of a public and a secret key, which the tests know libsodium takes. */
export function shared(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const k = precompute(publicKey, secretKey);
  if (k === undefined) throw new Error('refused key');
  return k;
}

/** The code of the `DecodeError` that `fn` throws. */
export function code(t: ExecutionContext, fn: () => unknown): string | undefined {
  return t.throws(fn, { instanceOf: DecodeError })?.code;
}
