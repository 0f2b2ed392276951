import test from 'ava';
import { generateKeyPair, precompute } from '../../src/crypto/index.ts';
import { KEYS_TIMEOUT_MS, SHARED_KEYS_CAPACITY } from '../../src/dht/config.ts';
import { DhtError } from '../../src/dht/errors.ts';
import { SharedKeyCache } from '../../src/dht/shared-key-cache.ts';
import { toHex } from '../../src/wire/index.ts';

const me = generateKeyPair();
const peers = Array.from({ length: 8 }, () => generateKeyPair());

test('the cached key is the precomputed shared key, and both ends agree', (t) => {
  const cache = new SharedKeyCache(me.secretKey);
  const peer = peers[0]!;
  const k = cache.get(peer.publicKey, 0)!;
  t.is(toHex(k), toHex(precompute(peer.publicKey, me.secretKey)!));
  t.is(toHex(new SharedKeyCache(peer.secretKey).get(me.publicKey, 0)!), toHex(k));
  t.is(cache.capacity, SHARED_KEYS_CAPACITY);
  t.is(cache.timeoutMs, KEYS_TIMEOUT_MS);
});

test('a second lookup is a hit', (t) => {
  const cache = new SharedKeyCache(me.secretKey);
  const a = cache.get(peers[0]!.publicKey, 0);
  const b = cache.get(peers[0]!.publicKey, 1);
  t.is(a, b, 'the same cached array');
  t.is(cache.hits, 1);
  t.is(cache.misses, 1);
  t.is(cache.size, 1);
});

test('bounded: never more than capacity keys', (t) => {
  const cache = new SharedKeyCache(me.secretKey, { capacity: 3 });
  peers.forEach((p, i) => cache.get(p.publicKey, i));
  t.is(cache.size, 3);
});

test('a key in regular use survives a flood of one-off keys', (t) => {
  const cache = new SharedKeyCache(me.secretKey, { capacity: 3 });
  const regular = peers[0]!.publicKey;
  cache.get(regular, 0);
  cache.get(regular, 1);
  for (let i = 1; i < peers.length; i++) cache.get(peers[i]!.publicKey, 10 + i);
  t.true(cache.has(regular));
  t.true(cache.has(peers.at(-1)!.publicKey), 'the newest one-off is in');
  t.false(cache.has(peers[1]!.publicKey), 'older one-offs went, oldest first');
  t.is(cache.size, 3);
});

test('a key unused for KEYS_TIMEOUT goes first, however often it was used', (t) => {
  const cache = new SharedKeyCache(me.secretKey, { capacity: 3 });
  const [a, b, c, d] = peers.map((p) => p.publicKey);
  for (let i = 0; i < 10; i++) cache.get(a!, 0);
  cache.get(b!, 1);
  cache.get(c!, 1);
  // 1 ms before the timeout, `a` has not expired: the least used (b, the older) goes.
  cache.get(d!, KEYS_TIMEOUT_MS - 1);
  t.true(cache.has(a!));
  t.false(cache.has(b!));
  // At the timeout, `a` (unused since 0) goes although it is the most used.
  cache.get(b!, KEYS_TIMEOUT_MS);
  t.false(cache.has(a!));
  t.true(cache.has(c!));
  t.true(cache.has(d!));
});

test('prune forgets keys unused for KEYS_TIMEOUT', (t) => {
  const cache = new SharedKeyCache(me.secretKey, { timeoutMs: 1000 });
  cache.get(peers[0]!.publicKey, 0);
  cache.get(peers[1]!.publicKey, 500);
  cache.get(peers[0]!.publicKey, 600); // used again: fresh
  t.is(cache.prune(1499), 0);
  t.is(cache.prune(1500), 1);
  t.false(cache.has(peers[1]!.publicKey));
  t.is(cache.prune(1600), 1);
  t.is(cache.size, 0);
});

test('a key libsodium refuses gives undefined and is not cached', (t) => {
  const cache = new SharedKeyCache(me.secretKey);
  t.is(cache.get(new Uint8Array(32), 0), undefined);
  t.is(cache.get(new Uint8Array(32), 1), undefined);
  t.is(cache.size, 0);
  t.is(cache.refused, 2);
  t.is(cache.misses, 2);
});

test('bad arguments are DhtErrors', (t) => {
  t.throws(() => new SharedKeyCache(new Uint8Array(31)), { instanceOf: DhtError });
  t.throws(() => new SharedKeyCache(me.secretKey, { capacity: 0 }), { instanceOf: DhtError });
  t.throws(() => new SharedKeyCache(me.secretKey, { timeoutMs: 0 }), { instanceOf: DhtError });
  t.throws(() => new SharedKeyCache(me.secretKey).get(new Uint8Array(33), 0), { instanceOf: DhtError });
});
