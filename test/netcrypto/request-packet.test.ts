/**
 * The request packet's list of lost packets. The fast codec (a transcription of c-toxcore's
 * counter walk) is checked against a slow reference written from the meaning instead — "each
 * byte is the distance from the previous missing number; a 0 is 255 numbers with none
 * missing" — and against lists c-toxcore wrote (netcrypto-request.json).
 */
import test from 'ava';
import fc from 'fast-check';
import { DecodeError, EncodeError, fromHex, toHex } from '../../src/wire/index.ts';
import { decodeRequestPayload, encodeRequestPayload } from '../../src/netcrypto/request-packet.ts';
import { MAX_CRYPTO_DATA_SIZE, REQUEST_RUN_LIMIT } from '../../src/netcrypto/packet-sizes.ts';

const u32 = (n: number) => n >>> 0;
/** Distance from `from` to `to` going up, mod 2^32. */
const ahead = (from: number, to: number) => u32(to - from);

/** Reference encoder: gaps between missing numbers, in runs of at most 255. */
function referenceEncode(start: number, end: number, missing: readonly number[], maxLength = MAX_CRYPTO_DATA_SIZE): Uint8Array {
  const out = [1];
  let previous = u32(start - 1); // the list counts from one before the start
  for (const m of [...missing].sort((x, y) => ahead(start, x) - ahead(start, y))) {
    let gap = ahead(previous, m);
    while (gap > REQUEST_RUN_LIMIT) { out.push(0); gap -= REQUEST_RUN_LIMIT; }
    out.push(gap);
    previous = m;
  }
  const trailing = ahead(previous, end) - 1; // received numbers after the last missing one
  for (let i = 0; i < Math.floor(trailing / REQUEST_RUN_LIMIT); i++) out.push(0);
  return Uint8Array.from(out.slice(0, maxLength));
}

/** Reference decoder: follow the gaps; stop at the buffer's end or the list's. */
function referenceDecode(payload: Uint8Array, start: number, end: number): { requested: number[]; end: number } {
  const requested: number[] = [];
  const span = ahead(start, end);
  let walked = 0; // numbers from start already passed
  for (const byte of payload.subarray(1)) {
    const step = byte === 0 ? REQUEST_RUN_LIMIT : byte;
    if (walked + step > span) return { requested, end };
    if (byte !== 0) requested.push(u32(start + walked + step - 1));
    walked += step;
  }
  return { requested, end: u32(start + walked) };
}

test('lists c-toxcore wrote (netcrypto-request.json)', (t) => {
  const cases: Array<[number, number, number[], string]> = [
    [0, 0, [], '01'],
    [1, 8, [1, 2, 5], '01010103'],
    [8, 308, [8, 298], '01010023'],
    [308, 828, [308, 563, 819], '0101ff0001'],
    [828, 1428, [828], '01010000'],
    [0, 3, [0, 1, 2], '01010101'],
  ];
  for (const [start, end, missing, hex] of cases) {
    const set = new Set(missing);
    t.is(toHex(encodeRequestPayload(start, end, (n) => !set.has(n))), hex, `${start}..${end} missing ${missing}`);
    t.is(toHex(referenceEncode(start, end, missing)), hex, 'reference');
  }
  const all = encodeRequestPayload(0, 1400, () => false);
  t.is(all.length, MAX_CRYPTO_DATA_SIZE, 'cut at 1373 bytes');
  t.true(all.every((b) => b === 1));
});

test('what a sender reads from them', (t) => {
  t.deepEqual(decodeRequestPayload(fromHex('01010103'), 1, 8), { requested: [1, 2, 5], end: 6 });
  t.deepEqual(decodeRequestPayload(fromHex('01010000'), 828, 1428), { requested: [828], end: 1339 });
  t.deepEqual(decodeRequestPayload(fromHex('01'), 1428, 1728), { requested: [], end: 1428 });
  t.deepEqual(decodeRequestPayload(fromHex('010302ff'), 1428, 1728), { requested: [1430, 1432, 1687], end: 1688 });
  t.deepEqual(decodeRequestPayload(fromHex('0100000000'), 1428, 1728), { requested: [], end: 1728 }, 'list runs past the end');
});

test('numbers wrap at 2^32 on both sides', (t) => {
  const start = 0xfffffffe;
  const end = 3;
  const missing = new Set([0xffffffff, 1]);
  const payload = encodeRequestPayload(start, end, (n) => !missing.has(n));
  t.is(toHex(payload), '010202');
  t.deepEqual(decodeRequestPayload(payload, start, end), { requested: [0xffffffff, 1], end: 2 });
});

test('maxLength cuts the list; the id alone fits in one byte', (t) => {
  t.is(toHex(encodeRequestPayload(0, 10, () => false, 4)), '01010101');
  t.is(toHex(encodeRequestPayload(0, 10, () => false, 1)), '01');
  t.throws(() => encodeRequestPayload(0, 10, () => true, 0), { instanceOf: EncodeError });
  t.throws(() => encodeRequestPayload(0, 10, () => true, MAX_CRYPTO_DATA_SIZE + 1), { instanceOf: EncodeError });
  t.throws(() => encodeRequestPayload(-1, 10, () => true), { instanceOf: EncodeError });
  t.throws(() => encodeRequestPayload(0, 2 ** 32, () => true), { instanceOf: EncodeError });
});

test('decodeRequestPayload refuses only an empty payload or another id', (t) => {
  t.is(t.throws(() => decodeRequestPayload(new Uint8Array(0), 0, 10), { instanceOf: DecodeError })?.code, 'truncated');
  t.is(t.throws(() => decodeRequestPayload(fromHex('02'), 0, 10), { instanceOf: DecodeError })?.code, 'bad-value');
  t.throws(() => decodeRequestPayload(fromHex('01'), 0, -1), { instanceOf: EncodeError });
});

const buffer = fc.record({
  start: fc.oneof(fc.nat({ max: 0xffffffff }), fc.constant(0xffffff00)),
  length: fc.nat({ max: 2000 }),
  lossRate: fc.double({ min: 0, max: 1, noNaN: true }),
  seed: fc.nat(),
});

function missingOf({ start, length, lossRate, seed }: { start: number; length: number; lossRate: number; seed: number }): number[] {
  const out: number[] = [];
  let x = seed || 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    if (x / 2 ** 32 < lossRate ** 3) out.push(u32(start + i));
  }
  return out;
}

test('property: the fast encoder and decoder agree with the references', (t) => {
  fc.assert(fc.property(buffer, fc.integer({ min: 1, max: MAX_CRYPTO_DATA_SIZE }), (b, maxLength) => {
    const end = u32(b.start + b.length);
    const missing = missingOf(b);
    const set = new Set(missing);
    const payload = encodeRequestPayload(b.start, end, (n) => !set.has(n), maxLength);
    if (toHex(payload) !== toHex(referenceEncode(b.start, end, missing, maxLength))) return false;
    const fast = decodeRequestPayload(payload, b.start, end);
    const slow = referenceDecode(payload, b.start, end);
    return JSON.stringify(fast) === JSON.stringify(slow);
  }), { numRuns: 300 });
  t.pass();
});

test('property: a list that fits asks for exactly the missing numbers, and covers every number before the last', (t) => {
  fc.assert(fc.property(buffer, (b) => {
    const end = u32(b.start + b.length);
    const missing = missingOf(b);
    const set = new Set(missing);
    const payload = encodeRequestPayload(b.start, end, (n) => !set.has(n));
    if (payload.length === MAX_CRYPTO_DATA_SIZE) return true; // cut: checked by the reference property
    const got = decodeRequestPayload(payload, b.start, end);
    if (JSON.stringify(got.requested) !== JSON.stringify(missing)) return false;
    // Everything up to `end` is either requested or delivered; what is left is under 255 received numbers.
    return ahead(got.end, end) < REQUEST_RUN_LIMIT;
  }), { numRuns: 300 });
  t.pass();
});

test('property: any bytes after the id decode without error, and ask for at most one number per byte', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 70000 }),
    (rest, start, length) => {
      const payload = Uint8Array.of(1, ...rest);
      const end = u32(start + length);
      const got = decodeRequestPayload(payload, start, end);
      return got.requested.length <= rest.length
        && JSON.stringify(got) === JSON.stringify(referenceDecode(payload, start, end));
    }), { numRuns: 500 });
  t.pass();
});
