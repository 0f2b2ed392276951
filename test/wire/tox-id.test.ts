import test from 'ava';
import { TOX_ID_HEX_LENGTH, ToxIdError, formatToxId, parseToxId, toxIdChecksum, toHex, fromHex } from '../../src/wire/index.ts';

const pk = fromHex('56a1adE4b65b86bcd51cc73e2cd4e542179f47959fe3e0e21b4b0acdadE51855'.toLowerCase());

test('format then parse gives the key and nospam back', (t) => {
  for (const nospam of [0, 1, 0x12345678, 0xffffffff]) {
    const text = formatToxId({ publicKey: pk, nospam });
    t.is(text.length, TOX_ID_HEX_LENGTH);
    t.regex(text, /^[0-9A-F]{76}$/);
    const id = parseToxId(text);
    t.deepEqual(id.publicKey, pk);
    t.is(id.nospam, nospam);
    t.is(parseToxId(`  ${text.toLowerCase()}\n`).nospam, nospam, 'white space and lower case are accepted');
  }
});

test('the nospam is written big-endian after the key, then the XOR checksum', (t) => {
  const text = formatToxId({ publicKey: new Uint8Array(32), nospam: 0x01020304 });
  t.is(text, '00'.repeat(32) + '01020304' + '0206', 'even bytes 01^03, odd bytes 02^04');
  t.is(toxIdChecksum(fromHex('0102030405')), ((1 ^ 3 ^ 5) << 8) | (2 ^ 4));
});

test('a wrong length, a non-hex character and a bad checksum each give a clear typed error', (t) => {
  const good = formatToxId({ publicKey: pk, nospam: 42 });
  const len = t.throws(() => parseToxId(good.slice(1)), { instanceOf: ToxIdError });
  t.is(len?.code, 'bad-length');
  t.regex(len!.message, /76 hex characters, this one has 75/);
  const hex = t.throws(() => parseToxId('G' + good.slice(1)), { instanceOf: ToxIdError });
  t.is(hex?.code, 'bad-hex');
  t.regex(hex!.message, /character 1 is "G"/);
  const last = good.at(-1) === '0' ? '1' : '0';
  const sum = t.throws(() => parseToxId(good.slice(0, -1) + last), { instanceOf: ToxIdError });
  t.is(sum?.code, 'bad-checksum');
  t.regex(sum!.message, /typo/);
});

test('a typo in the key is caught by the checksum', (t) => {
  const good = formatToxId({ publicKey: pk, nospam: 7 });
  const c = good[10] === 'A' ? 'B' : 'A';
  t.is(t.throws(() => parseToxId(good.slice(0, 10) + c + good.slice(11)), { instanceOf: ToxIdError })?.code, 'bad-checksum');
  t.is(toHex(parseToxId(good).publicKey), toHex(pk));
});

test('a key with its top bit set is refused even when the checksum matches, as c-toxcore refuses it', (t) => {
  const key = new Uint8Array(32).fill(1);
  key[31] = 0x80;
  const text = formatToxId({ publicKey: key, nospam: 1 });
  const e = t.throws(() => parseToxId(text), { instanceOf: ToxIdError });
  t.is(e?.code, 'bad-key');
  t.regex(e!.message, /not valid/);
});
