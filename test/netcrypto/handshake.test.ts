/**
 * The handshake: layout, round trip, and every refusal of `handle_crypto_handshake` with
 * its reason. The handshake inlined here is copied from netcrypto-handshake.json, built by
 * c-toxcore.
 */
import test from 'ava';
import { type KeyPair, encryptPrecomputed, generateKeyPair, precompute, sha512 } from '../../src/crypto/index.ts';
import { DecodeError, EncodeError, fromHex, toHex } from '../../src/wire/index.ts';
import { openCookie, sealCookie } from '../../src/netcrypto/cookie.ts';
import {
  type HandshakeReader, cookieHashMatches, decodeHandshake, encodeHandshake, openHandshakeBox, readHandshake,
} from '../../src/netcrypto/handshake.ts';
import { COOKIE_LENGTH, HANDSHAKE_PACKET_LENGTH, HANDSHAKE_PLAIN_LENGTH } from '../../src/netcrypto/packet-sizes.ts';

const filled = (n: number, b: number) => new Uint8Array(n).fill(b);
const alice: KeyPair = generateKeyPair(); // real keys
const bob: KeyPair = generateKeyPair();
const aliceDht = generateKeyPair();
const bobCookieKey = filled(32, 0xb0);
const aliceCookieKey = filled(32, 0xa0);
const session = generateKeyPair();
const baseNonce = filled(24, 0xba);
const nonce = filled(24, 0x4e);
const now = 1_700_000_000;

/** The cookie Bob gave Alice (made at `now`), and the one Alice makes for Bob. */
const bobCookie = sealCookie(bobCookieKey, filled(24, 1), { timestamp: now, realPublicKey: alice.publicKey, dhtPublicKey: aliceDht.publicKey });
const aliceCookie = sealCookie(aliceCookieKey, filled(24, 2), { timestamp: now, realPublicKey: bob.publicKey, dhtPublicKey: filled(32, 9) });
const aliceToBob = precompute(bob.publicKey, alice.secretKey)!;

function handshake(cookie = bobCookie): Uint8Array {
  return encodeHandshake(aliceToBob, nonce, cookie, baseNonce, session.publicKey, aliceCookie);
}

const asBob: HandshakeReader = { realSecretKey: bob.secretKey, cookieKey: bobCookieKey, nowSeconds: now };

test('sizes agree with c-toxcore 0.2.18', (t) => {
  t.is(HANDSHAKE_PLAIN_LENGTH, 232);
  t.is(HANDSHAKE_PACKET_LENGTH, 385);
});

test('readHandshake reads a handshake built by c-toxcore (netcrypto-handshake.json)', (t) => {
  // "built by a (create_send_handshake), at the cookie's timestamp: accepted".
  const packet = fromHex(
    '1a5f1a74fd0c0e984e5e0d891b0e1a7a3871b41f9f91a2310fc6841ecfd9ff210df9fa504aafeeaed772e5d52a117a9da26ee6ee60bd42f87e'
    + 'fa8f3ee42a7faa65320c80d7973e7183ca5013087db41ca2d016c360b2dc1dc8f4b77cf3e30ab3a1f685bdb4ce968ba58d0ac13c6096f489cc'
    + '4ca99d4e72704c24a537972b0b4728052f3bfee1810583496f068f7b1383ea7adf4801b92af3523f4573ce644fd2ae112cc697d2954a1737be'
    + 'dc43e321e74afa93138fff42f79d077894186b4f8d72c2d658e5c5dc103c06f672c54e4baa3de7f3b5901e5bb8ed68ce5445a0616be613383'
    + '34ddf55842e155c764de950e8a6be6bae1cdb50cc1af2f907ef380c7a905727d90d1e5cc00ae04e81ff43fd75390d093e0a8fedcb9f0bb428b'
    + '80c089d4377727093178f493c3862ac3b6d9b19f6c8cdca7bc3e3e7e72381b35e2759850e1ad7b3003f970c04b378f477c5d609b9226d6f399'
    + 'f849541d14f383de78b01c60bf3b07796debcb9b8fc04992e0e3767b790900adba2cf4df73f72b014239151');
  const verdict = readHandshake(packet, {
    realSecretKey: fromHex('6f387f91857f0ab608b64815c4aa400f5023f9b75cc1af6bfda5b208ddaa7998'),
    cookieKey: fromHex('b737ba79b1659b01c661c185e559a18693e67a49e4de85f23c3a13616f2b32c7'),
    nowSeconds: 1700000001,
  });
  if (!verdict.ok) return t.fail(verdict.reason);
  t.is(toHex(verdict.handshake.peerRealPublicKey), '0882b8f08ad1349de0a00d186f04183214c22e723a5db5f2efda7f08f3216227');
  t.is(toHex(verdict.handshake.peerDhtPublicKey), '8f9506d6ec4512c5af998019689910f3e3480f624a3aa85894a87aa101826d4b');
  t.is(toHex(verdict.handshake.baseNonce), '8dd94cb398561d4d1aea00d2f0432785bfa6dcfd5c79fffa');
  t.is(toHex(verdict.handshake.sessionPublicKey), '8fe43694ad4fdcbca8a321fb673a0b9632fb363bcfaadd584fcf5e811f7bd948');
  t.is(verdict.handshake.cookieTimestamp, 1700000001);
});

test('a handshake is [0x1a][cookie][nonce][box([base nonce][session key][SHA-512(cookie)][other cookie])]', (t) => {
  const packet = handshake();
  t.is(packet.length, HANDSHAKE_PACKET_LENGTH);
  t.is(packet[0], 0x1a);
  t.deepEqual(packet.subarray(1, 113), bobCookie);
  t.deepEqual(packet.subarray(113, 137), nonce);
  const envelope = decodeHandshake(packet);
  t.deepEqual(envelope.cookie, bobCookie);
  t.deepEqual(envelope.nonce, nonce);
  const opened = openHandshakeBox(envelope, precompute(alice.publicKey, bob.secretKey)!)!;
  t.deepEqual(opened.baseNonce, baseNonce);
  t.deepEqual(opened.sessionPublicKey, session.publicKey);
  t.deepEqual(opened.cookieHash, sha512(bobCookie));
  t.deepEqual(opened.otherCookie, aliceCookie);
  t.true(cookieHashMatches(envelope.cookie, opened.cookieHash));
  t.false(cookieHashMatches(aliceCookie, opened.cookieHash));
  t.is(openHandshakeBox(envelope, filled(32, 1)), undefined);
});

test('readHandshake takes the peer\'s keys from our cookie and the session from the box', (t) => {
  const verdict = readHandshake(handshake(), asBob);
  if (!verdict.ok) return t.fail(verdict.reason);
  const h = verdict.handshake;
  t.deepEqual(h.peerRealPublicKey, alice.publicKey);
  t.deepEqual(h.peerDhtPublicKey, aliceDht.publicKey);
  t.deepEqual(h.baseNonce, baseNonce);
  t.deepEqual(h.sessionPublicKey, session.publicKey);
  t.deepEqual(h.otherCookie, aliceCookie);
  t.is(h.cookieTimestamp, now);
  // Alice can open the cookie she gets back; Bob never could.
  t.deepEqual(openCookie(aliceCookieKey, h.otherCookie)?.realPublicKey, bob.publicKey);
  t.is(openCookie(bobCookieKey, h.otherCookie), undefined);
});

test('readHandshake: the cookie must be fresh, from t to t + 15', (t) => {
  const packet = handshake();
  t.true(readHandshake(packet, { ...asBob, nowSeconds: now + 15 }).ok);
  t.deepEqual(readHandshake(packet, { ...asBob, nowSeconds: now + 16 }), { ok: false, reason: 'cookie-expired' });
  t.deepEqual(readHandshake(packet, { ...asBob, nowSeconds: now - 1 }), { ok: false, reason: 'cookie-future' });
});

test('readHandshake refuses a cookie we did not make, a changed box and a wrong hash', (t) => {
  t.deepEqual(readHandshake(handshake(), { ...asBob, cookieKey: filled(32, 7) }), { ok: false, reason: 'cookie-bad-mac' });
  const changed = handshake();
  changed[HANDSHAKE_PACKET_LENGTH - 1]! ^= 1;
  t.deepEqual(readHandshake(changed, asBob), { ok: false, reason: 'bad-mac' });
  const cookieFlipped = handshake();
  cookieFlipped[50]! ^= 1;
  t.deepEqual(readHandshake(cookieFlipped, asBob), { ok: false, reason: 'cookie-bad-mac' });
  // A box sealed to another real key than the one our cookie names.
  const eve = generateKeyPair();
  const fromEve = encodeHandshake(precompute(bob.publicKey, eve.secretKey)!, nonce, bobCookie, baseNonce, session.publicKey, aliceCookie);
  t.deepEqual(readHandshake(fromEve, asBob), { ok: false, reason: 'bad-mac' });
  // A box holding the hash of another cookie.
  const plain = new Uint8Array(HANDSHAKE_PLAIN_LENGTH);
  plain.set(baseNonce, 0);
  plain.set(session.publicKey, 24);
  plain.set(sha512(aliceCookie), 56);
  plain.set(aliceCookie, 120);
  const wrongHash = new Uint8Array([0x1a, ...bobCookie, ...nonce, ...encryptPrecomputed(aliceToBob, nonce, plain)]);
  t.deepEqual(readHandshake(wrongHash, asBob), { ok: false, reason: 'cookie-hash' });
});

test('readHandshake: an expected real key must be the cookie\'s', (t) => {
  t.true(readHandshake(handshake(), { ...asBob, expectedRealPublicKey: alice.publicKey }).ok);
  t.deepEqual(readHandshake(handshake(), { ...asBob, expectedRealPublicKey: bob.publicKey }), { ok: false, reason: 'unexpected-peer' });
});

test('readHandshake does not check the inner cookie, and uses sharedKeyOf when given', (t) => {
  const garbage = encodeHandshake(aliceToBob, nonce, bobCookie, baseNonce, session.publicKey, filled(COOKIE_LENGTH, 0x33));
  const asked: string[] = [];
  const verdict = readHandshake(garbage, {
    ...asBob,
    sharedKeyOf: (pk) => { asked.push(toHex(pk)); return precompute(pk, bob.secretKey); },
  });
  t.true(verdict.ok);
  t.deepEqual(asked, [toHex(alice.publicKey)]);
  t.deepEqual(readHandshake(garbage, { ...asBob, sharedKeyOf: () => undefined }), { ok: false, reason: 'bad-mac' });
});

test('decodeHandshake and readHandshake: exactly 385 bytes with id 0x1a, else DecodeError', (t) => {
  const packet = handshake();
  for (const parse of [decodeHandshake, (p: Uint8Array) => readHandshake(p, asBob)]) {
    t.is(t.throws(() => parse(packet.subarray(0, 384)), { instanceOf: DecodeError })?.code, 'truncated');
    t.is(t.throws(() => parse(new Uint8Array([...packet, 0])), { instanceOf: DecodeError })?.code, 'trailing-bytes');
    const other = packet.slice();
    other[0] = 0x1b;
    t.is(t.throws(() => parse(other), { instanceOf: DecodeError })?.code, 'bad-value');
  }
});

test('encodeHandshake and readHandshake refuse bad arguments with EncodeError', (t) => {
  t.throws(() => encodeHandshake(aliceToBob, nonce, filled(111, 0), baseNonce, session.publicKey, aliceCookie), { instanceOf: EncodeError });
  t.throws(() => encodeHandshake(aliceToBob, nonce, bobCookie, filled(23, 0), session.publicKey, aliceCookie), { instanceOf: EncodeError });
  t.throws(() => encodeHandshake(aliceToBob, nonce, bobCookie, baseNonce, filled(31, 0), aliceCookie), { instanceOf: EncodeError });
  t.throws(() => encodeHandshake(aliceToBob, nonce, bobCookie, baseNonce, session.publicKey, filled(113, 0)), { instanceOf: EncodeError });
  t.throws(() => readHandshake(handshake(), { ...asBob, cookieKey: filled(16, 0) }), { instanceOf: EncodeError });
  t.throws(() => readHandshake(handshake(), { ...asBob, realSecretKey: filled(16, 0) }), { instanceOf: EncodeError });
});
