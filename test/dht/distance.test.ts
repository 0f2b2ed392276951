import test from 'ava';
import fc from 'fast-check';
import { NearestNodes, commonPrefixBits, compareDistance, keysEqual, mergeClosest, xorDistance } from '../../src/dht/distance.ts';
import { DhtError } from '../../src/dht/errors.ts';
import { toHex, type PackedNode } from '../../src/wire/index.ts';

const key = (...head: number[]): Uint8Array => {
  const k = new Uint8Array(32);
  k.set(head);
  return k;
};
const arbKey = fc.uint8Array({ minLength: 32, maxLength: 32 });
const asBig = (b: Uint8Array): bigint => BigInt(`0x${toHex(b)}`);
const node = (k: Uint8Array, port = 1): PackedNode => ({ protocol: 'udp', ipPort: { host: '192.0.2.1', port }, publicKey: k });

test('compareDistance: XOR distance, decided by the first differing byte', (t) => {
  const target = key(0);
  t.is(compareDistance(target, key(1), key(2)), -1);
  t.is(compareDistance(target, key(2), key(1)), 1);
  t.is(compareDistance(target, key(7, 7), key(7, 7)), 0);
  // 0x80 ^ 0x00 = 0x80 is farther than 0x80 ^ 0xff = 0x7f: XOR, not numeric difference.
  t.is(compareDistance(key(0x80), key(0x00), key(0xff)), 1);
  // An early byte outweighs every later one.
  const near = key(0x01, 0xff, 0xff, 0xff);
  const far = key(0x02);
  t.is(compareDistance(target, near, far), -1);
  // The last byte decides when all others tie.
  const a = key(); a[31] = 4;
  const b = key(); b[31] = 5;
  t.is(compareDistance(key(), a, b), -1);
});

test('compareDistance agrees with comparing XOR distances as 256-bit numbers', (t) => {
  fc.assert(fc.property(arbKey, arbKey, arbKey, (target, a, b) => {
    const da = asBig(xorDistance(target, a)), db = asBig(xorDistance(target, b));
    const expected = da < db ? -1 : da > db ? 1 : 0;
    return compareDistance(target, a, b) === expected && compareDistance(target, b, a) === -expected;
  }));
  t.pass();
});

test('commonPrefixBits is the index of the first differing bit, 256 for equal keys', (t) => {
  const self = new Uint8Array(32).fill(0x5a);
  t.is(commonPrefixBits(self, self), 256);
  for (let bit = 0; bit < 256; bit++) {
    const other = Uint8Array.from(self);
    other[bit >> 3]! ^= 0x80 >> (bit & 7);
    // Whatever follows the first difference does not matter.
    for (let i = (bit >> 3) + 1; i < 32; i++) other[i] = 0xff - self[i]!;
    t.is(commonPrefixBits(self, other), bit, `bit ${bit}`);
    t.is(commonPrefixBits(other, self), bit, `bit ${bit}, swapped`);
  }
});

test('commonPrefixBits matches a bit-string model', (t) => {
  const bits = (k: Uint8Array) => Array.from(k, (b) => b.toString(2).padStart(8, '0')).join('');
  fc.assert(fc.property(arbKey, arbKey, (a, b) => {
    const sa = bits(a), sb = bits(b);
    let i = 0;
    while (i < 256 && sa[i] === sb[i]) i++;
    return commonPrefixBits(a, b) === i;
  }));
  t.pass();
});

test('keys of the wrong size are a DhtError', (t) => {
  t.throws(() => compareDistance(key(), new Uint8Array(31), key()), { instanceOf: DhtError, message: /32 bytes/ });
  t.throws(() => commonPrefixBits(key(), new Uint8Array(33)), { instanceOf: DhtError });
  const err = t.throws(() => commonPrefixBits(new Uint8Array(0), key()));
  t.is((err as DhtError).code, 'bad-key-size');
});

test('keysEqual compares bytes', (t) => {
  t.true(keysEqual(key(1, 2), key(1, 2)));
  t.false(keysEqual(key(1, 2), key(1, 3)));
  t.false(keysEqual(key(1), new Uint8Array(31)));
});

test('mergeClosest keeps the n closest, one per key, closest first, first list winning', (t) => {
  const target = key(0);
  const a = node(key(4), 1), b = node(key(1), 2), c = node(key(3), 3), bAgain = node(key(1), 99), d = node(key(2), 4);
  const merged = mergeClosest(target, 3, [a, b], [c, bAgain, d]);
  t.deepEqual(merged.map((n) => n.publicKey[0]), [1, 2, 3]);
  t.is(merged[0]!.ipPort.port, 2, 'the address from the first list wins');
  t.deepEqual(mergeClosest(target, 0, [a, b]), []);
});

test('mergeClosest equals a sort of the distinct keys', (t) => {
  fc.assert(fc.property(arbKey, fc.array(fc.array(arbKey, { maxLength: 8 }), { maxLength: 4 }), fc.nat(10), (target, lists, n) => {
    const nodes = lists.map((l) => l.map((k) => node(k)));
    const got = mergeClosest(target, n, ...nodes).map((x) => toHex(x.publicKey));
    const distinct = [...new Set(lists.flat().map(toHex))];
    const want = distinct.sort((x, y) => {
      const dx = asBig(xorDistance(target, Uint8Array.from(Buffer.from(x, 'hex'))));
      const dy = asBig(xorDistance(target, Uint8Array.from(Buffer.from(y, 'hex'))));
      return dx < dy ? -1 : dx > dy ? 1 : 0;
    }).slice(0, n);
    t.deepEqual(got, want);
  }));
});

test('NearestNodes keeps the capacity closest to its base, never a key twice', (t) => {
  const q = new NearestNodes(key(0), 3);
  t.true(q.add(key(9), { host: '192.0.2.1', port: 9 }));
  t.true(q.add(key(5), { host: '192.0.2.1', port: 5 }));
  t.false(q.add(key(5), { host: '192.0.2.1', port: 55 }), 'already queued');
  t.true(q.add(key(7), { host: '192.0.2.1', port: 7 }));
  t.true(q.add(key(1), { host: '192.0.2.1', port: 1 }), 'closer than the farthest: pushes 9 out');
  t.false(q.add(key(8), { host: '192.0.2.1', port: 8 }), 'farther than all three');
  t.is(q.size, 3);
  t.deepEqual(q.peek().map((n) => n.publicKey[0]), [1, 5, 7]);
  t.deepEqual(q.drain().map((n) => n.ipPort.port), [1, 5, 7]);
  t.is(q.size, 0);
  t.throws(() => new NearestNodes(key(0), 0), { instanceOf: DhtError });
});
