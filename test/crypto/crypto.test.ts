import test from 'ava';
import {
  CryptoError, NONCE_SIZE, MAC_SIZE, PUBLIC_KEY_SIZE, constantTimeEqual, decrypt, decryptPrecomputed, decryptPrecomputedInto, encrypt,
  encryptPrecomputed, generateKeyPair, isValidPublicKey, keyPairFromSecretKey, precompute, randomBytes, randomNonce,
  randomUniform, secretBox, secretBoxOpen, sha512,
} from '../../src/crypto/index.ts';
import { PUBLIC_KEY_SIZE as WIRE_PUBLIC_KEY_SIZE, fromHex, toHex } from '../../src/wire/index.ts';

const text = (s: string) => new TextEncoder().encode(s);

test('both sides of a key pair derive the same shared key, and boxes open on the other side', (t) => {
  const a = generateKeyPair(), b = generateKeyPair();
  const ab = precompute(b.publicKey, a.secretKey)!, ba = precompute(a.publicKey, b.secretKey)!;
  t.is(toHex(ab), toHex(ba));
  const n = randomNonce();
  const box = encryptPrecomputed(ab, n, text('hello'));
  t.is(box.length, 5 + MAC_SIZE);
  t.deepEqual(decryptPrecomputed(ba, n, box), text('hello'));
  t.deepEqual(decrypt(a.publicKey, b.secretKey, n, encrypt(b.publicKey, a.secretKey, n, text('x'))), text('x'));
});

test('decryptPrecomputedInto opens into the memory given, refuses what decryptPrecomputed refuses, and checks the size', (t) => {
  const a = generateKeyPair(), b = generateKeyPair(), k = precompute(b.publicKey, a.secretKey)!;
  const n = randomNonce();
  const box = encryptPrecomputed(k, n, text('payload'));
  const out = new Uint8Array(7);
  t.true(decryptPrecomputedInto(out, k, n, box));
  t.deepEqual(out, text('payload'));
  const bad = box.slice();
  bad[3]! ^= 1;
  t.false(decryptPrecomputedInto(new Uint8Array(7), k, n, bad));
  t.false(decryptPrecomputedInto(new Uint8Array(0), k, n, box.subarray(0, MAC_SIZE)), 'a box of 16 bytes or fewer');
  t.throws(() => decryptPrecomputedInto(new Uint8Array(8), k, n, box), { instanceOf: RangeError });
});

test('a flipped bit, a wrong nonce, a wrong key or a short box fails to open, without throwing', (t) => {
  const a = generateKeyPair(), b = generateKeyPair(), k = precompute(b.publicKey, a.secretKey)!;
  const n = randomNonce();
  const box = encryptPrecomputed(k, n, text('payload'));
  for (let bit = 0; bit < box.length * 8; bit += 7) {
    const bad = box.slice();
    bad[bit >> 3]! ^= 1 << (bit & 7);
    t.is(decryptPrecomputed(k, n, bad), undefined);
  }
  const n2 = n.slice(); n2[0]! ^= 1;
  t.is(decryptPrecomputed(k, n2, box), undefined);
  t.is(decryptPrecomputed(precompute(a.publicKey, a.secretKey)!, n, box), undefined);
  t.is(decryptPrecomputed(k, n, box.subarray(0, MAC_SIZE)), undefined, 'c-toxcore refuses boxes of 16 bytes or fewer');
  t.is(decryptPrecomputed(k, n, new Uint8Array(0)), undefined);
});

test('an empty plaintext is refused, as c-toxcore refuses it', (t) => {
  const k = randomBytes(32);
  const e = t.throws(() => encryptPrecomputed(k, randomNonce(), new Uint8Array(0)), { instanceOf: CryptoError });
  t.is(e?.code, 'empty-plaintext');
});

test('wrong key and nonce sizes are typed errors', (t) => {
  t.is(t.throws(() => encryptPrecomputed(new Uint8Array(31), randomNonce(), text('a')), { instanceOf: CryptoError })?.code, 'bad-key-size');
  t.is(t.throws(() => encryptPrecomputed(new Uint8Array(32), new Uint8Array(23), text('a')), { instanceOf: CryptoError })?.code, 'bad-nonce-size');
  t.is(t.throws(() => keyPairFromSecretKey(new Uint8Array(33)), { instanceOf: CryptoError })?.code, 'bad-key-size');
});

test('a low-order public key gives no shared key (dropped, not thrown)', (t) => {
  const kp = generateKeyPair();
  t.is(precompute(new Uint8Array(32), kp.secretKey), undefined);
  t.is(decrypt(new Uint8Array(32), kp.secretKey, randomNonce(), randomBytes(40)), undefined);
  t.is(t.throws(() => encrypt(new Uint8Array(32), kp.secretKey, randomNonce(), text('a')), { instanceOf: CryptoError })?.code, 'bad-public-key');
});

test('a key pair is recovered from its secret key', (t) => {
  const kp = generateKeyPair();
  t.deepEqual(keyPairFromSecretKey(kp.secretKey).publicKey, kp.publicKey);
});

test('secretBox is byte-identical to a box with the same key used as a precomputed key', (t) => {
  const key = randomBytes(32), n = randomNonce(), m = randomBytes(100);
  const sealed = secretBox(key, n, m);
  t.deepEqual(sealed, encryptPrecomputed(key, n, m));
  t.deepEqual(secretBoxOpen(key, n, sealed), m);
});

test('SHA-512 of "abc" is the FIPS 180-2 value', (t) => {
  t.is(toHex(sha512(text('abc'))),
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f');
});

test('constant-time compare', (t) => {
  const a = fromHex('00112233'), b = fromHex('00112233'), c = fromHex('00112234');
  t.true(constantTimeEqual(a, b));
  t.false(constantTimeEqual(a, c));
  t.false(constantTimeEqual(a, a.subarray(1)));
  t.true(constantTimeEqual(new Uint8Array(0), new Uint8Array(0)));
});

test('random values have the right sizes and ranges', (t) => {
  t.is(randomNonce().length, NONCE_SIZE);
  t.is(randomBytes(0).length, 0);
  t.not(toHex(randomBytes(32)), toHex(randomBytes(32)));
  for (let i = 0; i < 100; i++) {
    const v = randomUniform(7);
    t.true(v >= 0 && v < 7);
  }
});

test('public key validity follows c-toxcore (last byte below 128)', (t) => {
  const k = new Uint8Array(32);
  t.true(isValidPublicKey(k));
  k[31] = 128;
  t.false(isValidPublicKey(k));
  t.false(isValidPublicKey(new Uint8Array(31)));
});

test('the wire floor repeats the crypto key size correctly', (t) => {
  t.is(WIRE_PUBLIC_KEY_SIZE, PUBLIC_KEY_SIZE);
});

test('random bytes from the pool are never handed out twice, across refills', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(toHex(randomBytes(24)));
  t.is(seen.size, 2000);
  t.is(randomBytes(5000).length, 5000);
});

test('randomUniform covers its range evenly (chi-square, 6 bins, 60 000 draws)', (t) => {
  const bins = new Array<number>(6).fill(0);
  for (let i = 0; i < 60_000; i++) bins[randomUniform(6)]!++;
  const chi = bins.reduce((s, b) => s + (b - 10_000) ** 2 / 10_000, 0);
  t.true(chi < 25, `chi-square ${chi.toFixed(1)} for 5 degrees of freedom (p < 0.0002 above 25)`);
  t.throws(() => randomUniform(0), { instanceOf: RangeError });
});
