/**
 * Profiles for the profile tests and for the crash test's child process
 * (profile-writer-child.ts): deterministic from a seed, as large as asked.
 */
import { keyPairFromSecretKey } from '../../src/crypto/index.ts';
import type { Profile, ProfileFriend } from '../../src/messenger/index.ts';

const te = new TextEncoder();

/** Friends of the crash test's profiles: about 1.5 MB per file. */
export const CRASH_TEST_FRIENDS = 2000;

/** 32 bytes from a seed and an index (xorshift32); the last byte below 0x80, as a friend's key must be. */
export function seededKey(seed: number, i: number): Uint8Array {
  let x = (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0 || 1;
  const key = new Uint8Array(32);
  for (let j = 0; j < 32; j++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    key[j] = x & 0xff;
  }
  key[31]! &= 0x7f;
  return key;
}

/** A profile with `friends` friends: every field used, one request friend in four, names not all UTF-8. */
export function sampleProfile(seed: number, friends = 3): Profile {
  const secretKey = seededKey(seed, 1_000_000);
  const self = keyPairFromSecretKey(secretKey).publicKey;
  const list: ProfileFriend[] = [];
  for (let i = 0; list.length < friends; i++) {
    const publicKey = seededKey(seed, i);
    if (publicKey.every((b, j) => b === self[j])) continue;
    const base = {
      publicKey,
      name: i % 5 === 4 ? Uint8Array.of(0xff, 0xfe, i & 0xff) : te.encode(`friend ${i} ☃`),
      statusMessage: te.encode(`status of ${seed}/${i} `.repeat(1 + (i % 40))).subarray(0, 1007),
      userStatus: (i % 3) as 0 | 1 | 2,
      lastSeen: BigInt(1_700_000_000 + i),
      relays: i % 2 === 0 ? [{ protocol: 'tcp' as const, ipPort: { host: '192.0.2.1', port: 443 + i }, publicKey: seededKey(seed + 1, i) }] : [],
    };
    list.push(i % 4 === 3
      ? { ...base, request: { message: te.encode(`hello ${i}`), nospam: (seed * 7919 + i) >>> 0, sent: i % 8 === 3 } }
      : { ...base, dhtPublicKey: seededKey(seed + 2, i) });
  }
  return {
    secretKey,
    nospam: (seed * 2654435761) >>> 0,
    name: te.encode(`profile ${seed}`),
    statusMessage: te.encode('written by the profile tests'),
    userStatus: (seed % 3) as 0 | 1 | 2,
    friends: list,
    dhtNodes: [{ protocol: 'udp', ipPort: { host: '127.0.0.1', port: 33445 }, publicKey: seededKey(seed + 3, 0) },
      { protocol: 'udp', ipPort: { host: '2001:db8::1', port: 33446 }, publicKey: seededKey(seed + 3, 1) }],
    tcpRelays: [{ protocol: 'tcp', ipPort: { host: '198.51.100.2', port: 3389 }, publicKey: seededKey(seed + 4, 0) }],
    pathNodes: [{ protocol: 'udp', ipPort: { host: '203.0.113.9', port: 33445 }, publicKey: seededKey(seed + 5, 0) }],
    toxSaveExtra: { conferences: Uint8Array.of(1, 2, 3), unknownSections: [{ type: 99, data: te.encode('kept') }] },
  };
}
