/**
 * Data packets: padding, layout, the receive-nonce window and its edges, payload kinds and
 * the checks on what a caller may send. The packet inlined here is copied from
 * netcrypto-data.json, built by c-toxcore's write_cryptpacket.
 */
import test from 'ava';
import fc from 'fast-check';
import {
  decryptPrecomputed, encryptPrecomputed, generateKeyPair, incrementNonceBy, precompute,
} from '../../src/crypto/index.ts';
import { DecodeError, EncodeError, fromHex, toHex } from '../../src/wire/index.ts';
import {
  advanceReceiveNonce, checkPayload, dataPadding, decodeDataPacket, encodeDataPacket, openDataPacket, openDataPacketInPlace,
  packetNonce, payloadKind,
} from '../../src/netcrypto/data-packet.ts';
import { NetCryptoError } from '../../src/netcrypto/errors.ts';
import {
  CRYPTO_DATA_PACKET_MIN_SIZE, CRYPTO_MAX_PADDING, CRYPTO_MIN_PACKET_SIZE, CRYPTO_PACKET_BUFFER_SIZE,
  DATA_NUM_THRESHOLD, DATA_PACKET_MIN_SIZE, MAX_CRYPTO_DATA_SIZE, MAX_CRYPTO_PACKET_SIZE, MAX_DATA_DATA_PACKET_SIZE,
  NONCE_WINDOW,
} from '../../src/netcrypto/packet-sizes.ts';

const a = generateKeyPair();
const b = generateKeyPair();
const k = precompute(b.publicKey, a.secretKey)!;
const base = fromHex('000102030405060708090a0b0c0d0e0f1011121314150000');

function plus(nonce: Uint8Array, n: number): Uint8Array {
  const out = nonce.slice();
  incrementNonceBy(out, n);
  return out;
}

function netCryptoCode(t: import('ava').ExecutionContext, fn: () => unknown): string | undefined {
  return t.throws(fn, { instanceOf: NetCryptoError })?.code;
}

test('sizes agree with c-toxcore 0.2.18', (t) => {
  t.is(MAX_CRYPTO_PACKET_SIZE, 1400);
  t.is(CRYPTO_MIN_PACKET_SIZE, 19);
  t.is(CRYPTO_DATA_PACKET_MIN_SIZE, 27);
  t.is(DATA_PACKET_MIN_SIZE, 28);
  t.is(MAX_CRYPTO_DATA_SIZE, 1373);
  t.is(MAX_DATA_DATA_PACKET_SIZE, 1381);
  t.is(CRYPTO_MAX_PADDING, 8);
  t.is(DATA_NUM_THRESHOLD, 21845);
  t.is(NONCE_WINDOW, 65536);
  t.is(CRYPTO_PACKET_BUFFER_SIZE, 32768);
});

test('encodeDataPacket matches a lossless packet built by c-toxcore (netcrypto-data.json)', (t) => {
  // "lossless packet (id 16, 1 byte: 4 bytes of padding), built by write_cryptpacket (a to b)".
  const shared = precompute(fromHex('094e6fcde09bfa11878d7ab7b4081cf69b47c7bdde7db4c0a07aed84353e603c'),
    fromHex('72a2b23d12a48437c8b01aac323f30a94877dbd4532f6d6a1a6d14b6a5a5ea8d'))!;
  const packet = encodeDataPacket(shared, fromHex('8dd94cb398561d4d1aea00d2f0432785bfa6dcfd5c79fffc'), 0, 1, fromHex('10'));
  t.is(toHex(packet), '1bfffc87ac450c13a14d39156fdd6c3b9d61ffdc0ecc5ed55f432039c53a10c0');
});

test('padding: (1373 - length) mod 8 zeros, so every packet is a multiple of 8 bytes', (t) => {
  t.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(dataPadding), [4, 3, 2, 1, 0, 7, 6, 5]);
  t.is(dataPadding(MAX_CRYPTO_DATA_SIZE), 0);
  for (let length = 1; length <= MAX_CRYPTO_DATA_SIZE; length++) {
    const size = 1 + 2 + 16 + 8 + dataPadding(length) + length;
    if (size % 8 !== 0 || size < 32 || size > 1400) return t.fail(`length ${length} gives a ${size}-byte packet`);
  }
  const packet = encodeDataPacket(k, base, 0, 0, new Uint8Array(MAX_CRYPTO_DATA_SIZE).fill(0x10));
  t.is(packet.length, MAX_CRYPTO_PACKET_SIZE);
});

test('a data packet is [0x1b][nonce tail][box([start][number][padding][payload])], and round-trips', (t) => {
  const nonce = plus(base, 0x1234);
  const payload = fromHex('a0deadbeef');
  const packet = encodeDataPacket(k, nonce, 0x01020304, 0xa0b0c0d0, payload);
  t.is(packet[0], 0x1b);
  t.is(toHex(packet.subarray(1, 3)), '1234');
  const plain = decryptPrecomputed(k, nonce, packet.subarray(3))!;
  t.is(toHex(plain), `01020304a0b0c0d0${'00'.repeat(dataPadding(5))}a0deadbeef`);

  const envelope = decodeDataPacket(packet);
  t.is(envelope.nonceTail, 0x1234);
  const opened = openDataPacket(envelope, k, base)!;
  t.deepEqual(opened.nonce, nonce);
  t.is(opened.bufferStart, 0x01020304);
  t.is(opened.packetNumber, 0xa0b0c0d0);
  t.deepEqual(opened.payload, payload);
  t.deepEqual(opened.nextReceiveNonce, base, 'a packet 0x1234 ahead leaves the stored nonce');
  t.is(openDataPacket(envelope, fromHex('00'.repeat(32)), base), undefined);
});

test('packetNonce: stored + (tail - stored tail) mod 65536, with carry across all 24 bytes', (t) => {
  const stored = fromHex('00000000000000000000000000000000000000000001fff0');
  t.deepEqual(packetNonce(stored, 0xfff0), { nonce: stored, diff: 0 });
  t.deepEqual(packetNonce(stored, 0x0005), { nonce: fromHex('000000000000000000000000000000000000000000020005'), diff: 0x15 });
  t.deepEqual(packetNonce(stored, 0xffef), { nonce: fromHex('00000000000000000000000000000000000000000002ffef'), diff: 0xffff });
  const top = fromHex('ffffffffffffffffffffffffffffffffffffffffffffffff');
  t.deepEqual(packetNonce(top, 0x0000).nonce, new Uint8Array(24), 'all ones + 1 wraps to zero');
  t.deepEqual(packetNonce(stored, 0xfff0).nonce === stored, false, 'a new array');
});

test('the receive window: 0 … 65535 ahead opens; over 43690 ahead moves the stored nonce by 21845', (t) => {
  const payload = fromHex('c8');
  const at = (diff: number) => decodeDataPacket(encodeDataPacket(k, plus(base, diff), 0, 0, payload));
  for (const [diff, advances] of [[0, false], [1, false], [43690, false], [43691, true], [65535, true]] as const) {
    const opened = openDataPacket(at(diff), k, base);
    if (opened === undefined) return t.fail(`diff ${diff} did not open`);
    t.deepEqual(opened.nonce, plus(base, diff));
    t.deepEqual(opened.nextReceiveNonce, advances ? plus(base, DATA_NUM_THRESHOLD) : base, `diff ${diff}`);
  }
  t.is(openDataPacket(at(65536), k, base), undefined, '65536 ahead reads as the stored nonce');
  const moved = plus(base, DATA_NUM_THRESHOLD);
  t.is(openDataPacket(at(1), k, moved), undefined, 'behind the stored nonce: does not open');
  t.truthy(openDataPacket(at(DATA_NUM_THRESHOLD + 65535), k, moved));
});

test('openDataPacketInPlace: the same contents and nonces as openDataPacket, the stored nonce moved in place only on success', (t) => {
  const payload = fromHex('a0ff01');
  const at = (diff: number) => decodeDataPacket(encodeDataPacket(k, plus(base, diff), 7, 9, payload));
  for (const diff of [0, 5, 43690, 43691, 65535]) {
    const stored = base.slice();
    const nonce = new Uint8Array(24).fill(0xee);
    const pure = openDataPacket(at(diff), k, base)!;
    const opened = openDataPacketInPlace(at(diff), k, stored, nonce);
    if (opened === undefined) return t.fail(`diff ${diff} did not open`);
    t.deepEqual([opened.bufferStart, opened.packetNumber, opened.payload], [pure.bufferStart, pure.packetNumber, pure.payload]);
    t.deepEqual(nonce, pure.nonce, `diff ${diff}: the packet's nonce`);
    t.deepEqual(stored, pure.nextReceiveNonce, `diff ${diff}: the stored nonce`);
  }
  const stored = plus(base, 43691);
  const before = stored.slice();
  const garbled = encodeDataPacket(k, plus(base, 43691 + 43691), 0, 0, payload);
  garbled[garbled.length - 1]! ^= 1;
  t.is(openDataPacketInPlace(decodeDataPacket(garbled), k, stored, new Uint8Array(24)), undefined);
  t.deepEqual(stored, before, 'a packet that does not open moves nothing');
  const zeros = decodeDataPacket(new Uint8Array([0x1b, 0xaa, 0xab, ...encryptPrecomputed(k, plus(stored, 0xaaab - 0xaaab), new Uint8Array(12))]));
  t.throws(() => openDataPacketInPlace(zeros, k, stored, new Uint8Array(24)), { instanceOf: DecodeError });
  t.deepEqual(stored, before, 'a packet that throws moves nothing');
});

test('advanceReceiveNonce copies, and moves only past 2 × DATA_NUM_THRESHOLD', (t) => {
  const next = advanceReceiveNonce(base, 43690);
  t.deepEqual(next, base);
  t.not(next, base);
  t.deepEqual(advanceReceiveNonce(base, 43691), plus(base, 21845));
});

test('openDataPacket strips any number of zeros, refuses nothing but zeros', (t) => {
  const nonce = base;
  const seal = (plain: Uint8Array) => decodeDataPacket(new Uint8Array([0x1b, 0, 0, ...encryptPrecomputed(k, nonce, plain)]));
  const many = new Uint8Array(8 + 20 + 2);
  many.set([0xc9, 0x01], 28);
  t.deepEqual(openDataPacket(seal(many), k, base)?.payload, fromHex('c901'));
  const none = new Uint8Array(8 + 1);
  none[8] = 0x10;
  t.deepEqual(openDataPacket(seal(none), k, base)?.payload, fromHex('10'));
  const onlyZeros = new Uint8Array(8 + 4);
  t.is(t.throws(() => openDataPacket(seal(onlyZeros), k, base), { instanceOf: DecodeError })?.code, 'bad-value');
});

test('decodeDataPacket: 28 to 1400 bytes, id 0x1b', (t) => {
  const ok = encodeDataPacket(k, base, 0, 0, fromHex('10'));
  t.is(ok.length, 32);
  t.is(t.throws(() => decodeDataPacket(new Uint8Array(27).fill(0x1b)), { instanceOf: DecodeError })?.code, 'truncated');
  t.notThrows(() => decodeDataPacket(new Uint8Array(28).fill(0x1b)));
  t.notThrows(() => decodeDataPacket(new Uint8Array(1400).fill(0x1b)));
  t.is(t.throws(() => decodeDataPacket(new Uint8Array(1401).fill(0x1b)), { instanceOf: DecodeError })?.code, 'trailing-bytes');
  t.is(t.throws(() => decodeDataPacket(new Uint8Array(0)), { instanceOf: DecodeError })?.code, 'truncated');
  const other = ok.slice();
  other[0] = 0x1a;
  t.is(t.throws(() => decodeDataPacket(other), { instanceOf: DecodeError })?.code, 'bad-value');
});

test('payloadKind follows the id ranges of net_crypto.h', (t) => {
  const kinds = Array.from({ length: 256 }, (_, id) => payloadKind(id));
  t.is(kinds[1], 'request');
  t.is(kinds[2], 'kill');
  for (let id = 3; id <= 15; id++) t.is(kinds[id], 'invalid');
  for (let id = 16; id <= 191; id++) t.is(kinds[id], 'lossless');
  for (let id = 192; id <= 254; id++) t.is(kinds[id], 'lossy');
  t.is(kinds[0], 'invalid');
  t.is(kinds[255], 'invalid');
});

test('checkPayload: 1 to 1373 bytes in the kind\'s id range, else NetCryptoError', (t) => {
  t.notThrows(() => checkPayload('lossless', fromHex('10')));
  t.notThrows(() => checkPayload('lossless', new Uint8Array(1373).fill(191)));
  t.notThrows(() => checkPayload('lossy', fromHex('c0')));
  t.notThrows(() => checkPayload('lossy', fromHex('fe')));
  t.is(netCryptoCode(t, () => checkPayload('lossless', new Uint8Array(0))), 'payload-empty');
  t.is(netCryptoCode(t, () => checkPayload('lossy', new Uint8Array(1374).fill(200))), 'payload-too-long');
  for (const id of [0, 1, 2, 15, 192, 255]) t.is(netCryptoCode(t, () => checkPayload('lossless', Uint8Array.of(id))), 'bad-packet-id');
  for (const id of [0, 16, 191, 255]) t.is(netCryptoCode(t, () => checkPayload('lossy', Uint8Array.of(id))), 'bad-packet-id');
  const err = t.throws(() => checkPayload('lossy', Uint8Array.of(16)));
  t.regex(err!.message, /192 to 254/);
});

test('encodeDataPacket refuses what no receiver could read, and bad arguments', (t) => {
  t.is(netCryptoCode(t, () => encodeDataPacket(k, base, 0, 0, new Uint8Array(0))), 'payload-empty');
  t.is(netCryptoCode(t, () => encodeDataPacket(k, base, 0, 0, new Uint8Array(1374).fill(16))), 'payload-too-long');
  t.is(netCryptoCode(t, () => encodeDataPacket(k, base, 0, 0, fromHex('0010'))), 'bad-packet-id');
  t.notThrows(() => encodeDataPacket(k, base, 0, 0, fromHex('02')), 'a kill packet');
  t.throws(() => encodeDataPacket(k, base, -1, 0, fromHex('10')), { instanceOf: EncodeError });
  t.throws(() => encodeDataPacket(k, base, 0, 2 ** 32, fromHex('10')), { instanceOf: EncodeError });
  t.throws(() => encodeDataPacket(k.subarray(1), base, 0, 0, fromHex('10')), { instanceOf: EncodeError });
  t.throws(() => encodeDataPacket(k, base.subarray(1), 0, 0, fromHex('10')), { instanceOf: EncodeError });
});

test('property: any payload round-trips through any nonce in the window', (t) => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.integer({ min: 0, max: 65535 }),
    fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }),
    fc.uint8Array({ minLength: 1, maxLength: MAX_CRYPTO_DATA_SIZE }).filter((p) => p[0] !== 0),
    (stored, diff, start, number, payload) => {
      const nonce = plus(stored, diff);
      const opened = openDataPacket(decodeDataPacket(encodeDataPacket(k, nonce, start, number, payload)), k, stored);
      return opened !== undefined && toHex(opened.nonce) === toHex(nonce) && opened.bufferStart === start
        && opened.packetNumber === number && toHex(opened.payload) === toHex(payload);
    },
  ), { numRuns: 200 });
  t.pass();
});
