import test from 'ava';
import { ConfigError, Prng } from '../../src/io/index.ts';

/** A slow, obviously-correct xoshiro128** on BigInt, straight from the reference C. */
function referenceXoshiro(state: [bigint, bigint, bigint, bigint], count: number): number[] {
  const mask = 0xffff_ffffn;
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & mask;
  const s = [...state];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const [s0, s1, s2, s3] = s as [bigint, bigint, bigint, bigint];
    out.push(Number((rotl((s1 * 5n) & mask, 7n) * 9n) & mask));
    const t = (s1 << 9n) & mask;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    s[0] = n0;
    s[1] = n1;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11n);
  }
  return out;
}

test('xoshiro128** matches the reference algorithm', (t) => {
  const prng = Prng.fromState([1, 2, 3, 4]);
  const fast = Array.from({ length: 1000 }, () => prng.nextUint32());
  t.is(fast[0], 11520);
  t.deepEqual(fast, referenceXoshiro([1n, 2n, 3n, 4n], 1000));
  const other = Prng.fromState([0xdeadbeef, 0x01234567, 0x89abcdef, 0xfeedface]);
  t.deepEqual(
    Array.from({ length: 100 }, () => other.nextUint32()),
    referenceXoshiro([0xdeadbeefn, 0x01234567n, 0x89abcdefn, 0xfeedfacen], 100),
  );
});

test('an all-zero state is refused', (t) => {
  t.throws(() => Prng.fromState([0, 0, 0, 0]), { instanceOf: ConfigError });
  t.throws(() => new Prng(Number.NaN), { instanceOf: ConfigError });
});

test('the same seed gives the same stream; another seed another', (t) => {
  const draw = (seed: number | string): number[] => {
    const prng = new Prng(seed);
    return Array.from({ length: 50 }, () => prng.nextUint32());
  };
  t.deepEqual(draw(42), draw(42));
  t.deepEqual(draw('alice'), draw('alice'));
  t.notDeepEqual(draw(42), draw(43));
  t.notDeepEqual(draw('alice'), draw('bob'));
  t.notDeepEqual(draw(1), draw(1 + 2 ** 32));
});

test('floats are in [0, 1) and uniform enough', (t) => {
  const prng = new Prng(7);
  const buckets = new Array<number>(10).fill(0);
  let sum = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const x = prng.next();
    t.true(x >= 0 && x < 1);
    sum += x;
    buckets[Math.floor(x * 10)]! += 1;
  }
  t.true(Math.abs(sum / n - 0.5) < 0.01);
  for (const count of buckets) t.true(Math.abs(count - n / 10) < 600);
});

test('nextInt and chance stay in their ranges', (t) => {
  const prng = new Prng(3);
  for (let i = 0; i < 10_000; i++) {
    const k = prng.nextInt(5, 9);
    t.true(k >= 5 && k < 9 && Number.isInteger(k));
  }
  t.false(prng.chance(0));
  t.true(prng.chance(1));
});

test('fork gives a reproducible stream distinct from the parent', (t) => {
  const a = new Prng(99);
  const b = new Prng(99);
  const childA = a.fork();
  const childB = b.fork();
  const take = (p: Prng): number[] => Array.from({ length: 20 }, () => p.nextUint32());
  const streamA = take(childA);
  t.deepEqual(streamA, take(childB));
  t.notDeepEqual(streamA, take(a));
  t.notDeepEqual(take(a.fork()), take(a.fork()));
});
