import test from 'ava';
import { ByteReader, ByteWriter, DecodeError, EncodeError, toHex, fromHex } from '../../src/wire/index.ts';

test('writer and reader agree on big-endian integers and bytes, and the cursor moves exactly', (t) => {
  const w = new ByteWriter(1 + 2 + 4 + 8 + 3);
  w.u8(0xab);
  t.is(w.offset, 1);
  w.u16(0x0102).u32(0x03040506).u64(0x0708090a0b0c0d0en).bytes(fromHex('aabbcc'));
  const bytes = w.finish();
  t.is(toHex(bytes), 'ab' + '0102' + '03040506' + '0708090a0b0c0d0e' + 'aabbcc');
  const r = new ByteReader(bytes);
  t.is(r.u8(), 0xab);
  t.is(r.u16(), 0x0102);
  t.is(r.u32(), 0x03040506);
  t.is(r.u64(), 0x0708090a0b0c0d0en);
  t.is(r.offset, 15);
  t.is(toHex(r.rest()), 'aabbcc');
  t.is(r.remaining, 0);
  t.notThrows(() => r.end());
});

test('reading past the end is a truncated DecodeError, never a RangeError', (t) => {
  const r = new ByteReader(fromHex('0102'));
  const e = t.throws(() => r.u32('length'), { instanceOf: DecodeError });
  t.is(e?.code, 'truncated');
  t.regex(e!.message, /length: need 4 bytes at offset 0, have 2/);
  t.is(r.offset, 0, 'a failed read does not move the cursor');
  t.throws(() => r.bytes(3), { instanceOf: DecodeError });
  t.throws(() => new ByteReader(new Uint8Array(0)).u8(), { instanceOf: DecodeError });
});

test('leftover bytes are a trailing-bytes DecodeError', (t) => {
  const r = new ByteReader(fromHex('010203'));
  r.u8();
  t.is(t.throws(() => r.end(), { instanceOf: DecodeError })?.code, 'trailing-bytes');
});

test('a reader over a subarray reads only that window', (t) => {
  const big = fromHex('ff0102ff');
  const r = new ByteReader(big.subarray(1, 3));
  t.is(r.u16(), 0x0102);
  t.throws(() => r.u8(), { instanceOf: DecodeError });
});

test('the writer refuses overflow, out-of-range values and a short finish', (t) => {
  t.throws(() => new ByteWriter(1).u16(1), { instanceOf: EncodeError });
  t.throws(() => new ByteWriter(1).u8(256), { instanceOf: EncodeError });
  t.throws(() => new ByteWriter(2).u16(-1), { instanceOf: EncodeError });
  t.throws(() => new ByteWriter(4).u32(1.5), { instanceOf: EncodeError });
  t.throws(() => new ByteWriter(8).u64(-1n), { instanceOf: EncodeError });
  t.throws(() => new ByteWriter(2).u8(1).finish(), { instanceOf: EncodeError });
});

test('hex round trip, either case in, lower case out; bad hex is a DecodeError', (t) => {
  t.is(toHex(fromHex('00FFaB')), '00ffab');
  t.is(t.throws(() => fromHex('abc'), { instanceOf: DecodeError })?.code, 'bad-value');
  t.is(t.throws(() => fromHex('zz'), { instanceOf: DecodeError })?.code, 'bad-value');
  t.is(toHex(fromHex('')), '');
});
