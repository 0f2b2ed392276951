import test from 'ava';
import fc from 'fast-check';
import { DHT_PING_ARRAY_SIZE, PING_TIMEOUT_MS } from '../../src/dht/config.ts';
import { DhtError } from '../../src/dht/errors.ts';
import { PingArray } from '../../src/dht/ping-array.ts';
import { PING_ID_SIZE } from '../../src/dht/packet-sizes.ts';
import { randomBytes } from '../../src/crypto/index.ts';
import { Prng } from '../../src/io/index.ts';
import { toHex } from '../../src/wire/index.ts';

const seeded = (seed: string) => {
  const prng = new Prng(seed);
  return () => Uint8Array.from({ length: PING_ID_SIZE }, () => prng.nextInt(0, 256));
};

test('an id answers once with its data', (t) => {
  const pa = new PingArray<string>(DHT_PING_ARRAY_SIZE, PING_TIMEOUT_MS, () => randomBytes(8));
  const id = pa.add('node A', 1000);
  t.is(id.length, PING_ID_SIZE);
  t.is(pa.size, 1);
  t.is(pa.check(id, 1001), 'node A');
  t.is(pa.check(id, 1002), undefined, 'spent');
  t.is(pa.size, 0);
});

test('an id expires at exactly PING_TIMEOUT', (t) => {
  const pa = new PingArray<number>(16, PING_TIMEOUT_MS, seeded('expiry'));
  const early = pa.add(1, 0);
  const late = pa.add(2, 0);
  t.is(pa.check(early, PING_TIMEOUT_MS - 1), 1, 'valid 1 ms before');
  t.is(pa.check(late, PING_TIMEOUT_MS), undefined, 'gone at 5000 ms');
  t.is(pa.check(late, 0), undefined, 'and spent: not valid even if time went back');
});

test('ids that were never issued, or of the wrong size, answer nothing and do not throw', (t) => {
  const pa = new PingArray<number>(4, 5000, seeded('forged'));
  const id = pa.add(7, 0);
  const forged = Uint8Array.from(id);
  forged[7]! ^= 1;
  t.is(pa.check(forged, 1), undefined);
  t.is(pa.check(new Uint8Array(8), 1), undefined);
  t.is(pa.check(id.subarray(0, 7), 1), undefined);
  t.is(pa.check(new Uint8Array(9), 1), undefined);
  t.is(pa.check(id, 1), 7, 'the real one still answers');
});

test('bounded: the oldest id is forgotten when the array is full', (t) => {
  const pa = new PingArray<number>(4, 5000, seeded('bound'));
  const ids = [0, 1, 2, 3, 4].map((i) => pa.add(i, i));
  t.is(pa.size, 4);
  t.is(pa.check(ids[0]!, 10), undefined, 'overwritten');
  t.deepEqual(ids.slice(1).map((id) => pa.check(id, 10)), [1, 2, 3, 4]);
});

test('adding prunes expired ids; size never exceeds the bound (model test)', (t) => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 }), fc.nat(30)), { maxLength: 200 }), (ops) => {
    const pa = new PingArray<number>(8, 5000, seeded(`model${ops.length}`));
    const issued: Array<{ id: Uint8Array; at: number; n: number; spent: boolean }> = [];
    let now = 0;
    for (const [add, dt, pick] of ops) {
      now += dt;
      if (add || issued.length === 0) {
        const n = issued.length;
        issued.push({ id: pa.add(n, now), at: now, n, spent: false });
      } else {
        const e = issued[pick % issued.length]!;
        // The model: answers iff not spent, among the 8 most recent, and younger than the timeout.
        const recent = issued.indexOf(e) >= issued.length - 8;
        const want = !e.spent && recent && now < e.at + 5000 ? e.n : undefined;
        if (pa.check(e.id, now) !== want) return false;
        e.spent = true;
      }
      if (pa.size > 8) return false;
    }
    return true;
  }));
  t.pass();
});

test('prune forgets ids issued PING_TIMEOUT or more ago', (t) => {
  const pa = new PingArray<number>(8, 5000, seeded('prune'));
  pa.add(1, 0);
  pa.add(2, 1000);
  pa.prune(4999);
  t.is(pa.size, 2);
  pa.prune(5000);
  t.is(pa.size, 1);
  pa.prune(6000);
  t.is(pa.size, 0);
});

test('ids are never zero and never equal to an outstanding id', (t) => {
  const draws = [new Uint8Array(8), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9)];
  let i = 0;
  const pa = new PingArray<number>(8, 5000, () => draws[i++]!);
  t.is(toHex(pa.add(1, 0)), '0102030405060708', 'the zero id was drawn again');
  t.is(toHex(pa.add(2, 0)), '0909090909090909', 'the duplicate was drawn again');
  t.is(i, 4);
});

test('a broken random source is a DhtError', (t) => {
  const stuck = new PingArray<number>(8, 5000, () => new Uint8Array(8));
  t.is((t.throws(() => stuck.add(1, 0), { instanceOf: DhtError }) as DhtError).code, 'id-exhausted');
  const short = new PingArray<number>(8, 5000, () => new Uint8Array(4));
  t.is((t.throws(() => short.add(1, 0), { instanceOf: DhtError }) as DhtError).code, 'bad-argument');
  t.throws(() => new PingArray<number>(0, 5000, () => new Uint8Array(8)), { instanceOf: DhtError });
  t.throws(() => new PingArray<number>(8, 0, () => new Uint8Array(8)), { instanceOf: DhtError });
});

test('the returned id is a copy: changing it does not change what answers', (t) => {
  const source = Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1);
  const pa = new PingArray<number>(8, 5000, () => source);
  const id = pa.add(5, 0);
  source[0] = 2;
  t.is(pa.check(Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1), 1), 5);
  t.not(id, source);
});
