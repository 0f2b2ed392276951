import test from 'ava';
import { CryptoError, incrementNonce, incrementNonceBy } from '../../src/crypto/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';

const inc = (hex: string) => { const n = fromHex(hex); incrementNonce(n); return toHex(n); };
const incBy = (hex: string, by: number) => { const n = fromHex(hex); incrementNonceBy(n, by); return toHex(n); };
const Z = '00'.repeat(24);
const F = 'ff'.repeat(24);

test('increment is big-endian: the last byte moves first', (t) => {
  t.is(inc(Z), '00'.repeat(23) + '01');
  t.is(inc('00'.repeat(23) + 'fe'), '00'.repeat(23) + 'ff');
});

test('increment carries across one byte, several bytes and all bytes', (t) => {
  t.is(inc('00'.repeat(23) + 'ff'), '00'.repeat(22) + '0100');
  t.is(inc('00'.repeat(19) + 'ff'.repeat(5)), '00'.repeat(18) + '01' + '00'.repeat(5));
  t.is(inc('7f' + 'ff'.repeat(23)), '80' + '00'.repeat(23));
  t.is(inc(F), Z, 'all-ones wraps to zero');
});

test('increment by a u32 carries through all 24 bytes', (t) => {
  t.is(incBy(Z, 0), Z);
  t.is(incBy(Z, 0xffffffff), '00'.repeat(20) + 'ffffffff');
  t.is(incBy('00'.repeat(20) + 'ffffffff', 1), '00'.repeat(19) + '0100000000');
  t.is(incBy(F, 1), Z);
  t.is(incBy(F, 0x100), '00'.repeat(23) + 'ff', 'wraps: (2^192 - 1) + 256 = 255');
  t.is(incBy('00'.repeat(20) + '00000001', 0xffffffff), '00'.repeat(19) + '0100000000');
});

test('increment by 1 equals increment', (t) => {
  for (const hex of [Z, F, '00'.repeat(12) + 'ff'.repeat(12), '0123456789abcdef0123456789abcdef0123456789abcdef']) {
    t.is(incBy(hex, 1), inc(hex));
  }
});

test('bad nonce sizes and increments are refused', (t) => {
  t.throws(() => incrementNonce(new Uint8Array(23)), { instanceOf: CryptoError });
  t.throws(() => incrementNonceBy(new Uint8Array(24), -1), { instanceOf: RangeError });
  t.throws(() => incrementNonceBy(new Uint8Array(24), 2 ** 32), { instanceOf: RangeError });
});
