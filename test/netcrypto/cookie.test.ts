/**
 * The cookie, the cookie request and the cookie response: sizes, exact bytes, round trips,
 * and each rule at its boundary. Packets c-toxcore built are checked in test/vectors
 * (netcrypto-cookie*.json); the ones inlined here are copied from there so this file shows
 * a known answer on its own.
 */
import test from 'ava';
import {
  MAC_SIZE, decryptPrecomputed, encryptPrecomputed, generateKeyPair, precompute, secretBoxOpen,
} from '../../src/crypto/index.ts';
import { DecodeError, EncodeError, fromHex, toHex } from '../../src/wire/index.ts';
import { cookieAge, cookieTime, openCookie, sealCookie } from '../../src/netcrypto/cookie.ts';
import { decodeCookieRequest, encodeCookieRequest, openCookieRequest } from '../../src/netcrypto/cookie-request.ts';
import {
  answersRequest, decodeCookieResponse, encodeCookieResponse, openCookieResponse,
} from '../../src/netcrypto/cookie-response.ts';
import {
  COOKIE_CONTENTS_LENGTH, COOKIE_DATA_LENGTH, COOKIE_LENGTH, COOKIE_REQUEST_LENGTH, COOKIE_REQUEST_PLAIN_LENGTH,
  COOKIE_RESPONSE_LENGTH, COOKIE_RESPONSE_PLAIN_LENGTH, COOKIE_TIMEOUT, ECHO_ID_SIZE,
} from '../../src/netcrypto/packet-sizes.ts';

const filled = (n: number, b: number) => new Uint8Array(n).fill(b);
const cookieKey = filled(32, 0xc0);
const nonce = filled(24, 0x4e);
const real = generateKeyPair();
const dht = generateKeyPair();
const peerDht = generateKeyPair();
const echoId = fromHex('0102030405060708');

function code(t: import('ava').ExecutionContext, fn: () => unknown): string | undefined {
  return t.throws(fn, { instanceOf: DecodeError })?.code;
}

test('sizes agree with c-toxcore 0.2.18', (t) => {
  t.is(COOKIE_TIMEOUT, 15);
  t.is(ECHO_ID_SIZE, 8);
  t.is(COOKIE_DATA_LENGTH, 64);
  t.is(COOKIE_CONTENTS_LENGTH, 72);
  t.is(COOKIE_LENGTH, 112);
  t.is(COOKIE_REQUEST_PLAIN_LENGTH, 72);
  t.is(COOKIE_REQUEST_LENGTH, 145);
  t.is(COOKIE_RESPONSE_PLAIN_LENGTH, 120);
  t.is(COOKIE_RESPONSE_LENGTH, 161);
});

/* ---- the cookie ---- */

test('sealCookie matches a cookie made by c-toxcore (netcrypto-cookie.json)', (t) => {
  // "made by b for a (create_cookie_response)".
  const cookie = sealCookie(fromHex('b737ba79b1659b01c661c185e559a18693e67a49e4de85f23c3a13616f2b32c7'),
    fromHex('5f1a74fd0c0e984e5e0d891b0e1a7a3871b41f9f91a2310f'), {
      timestamp: 1700000001,
      realPublicKey: fromHex('0882b8f08ad1349de0a00d186f04183214c22e723a5db5f2efda7f08f3216227'),
      dhtPublicKey: fromHex('8f9506d6ec4512c5af998019689910f3e3480f624a3aa85894a87aa101826d4b'),
    });
  t.is(toHex(cookie),
    '5f1a74fd0c0e984e5e0d891b0e1a7a3871b41f9f91a2310fc6841ecfd9ff210df9fa504aafeeaed772e5d52a117a9da26ee6ee60bd42f87e'
    + 'fa8f3ee42a7faa65320c80d7973e7183ca5013087db41ca2d016c360b2dc1dc8f4b77cf3e30ab3a1f685bdb4ce968ba58d0ac13c6096f489');
});

test('a cookie is [nonce][box([timestamp LE][real key][DHT key])] and opens to its contents', (t) => {
  const contents = { timestamp: 0x0102030405, realPublicKey: real.publicKey, dhtPublicKey: dht.publicKey };
  const cookie = sealCookie(cookieKey, nonce, contents);
  t.is(cookie.length, COOKIE_LENGTH);
  t.deepEqual(cookie.subarray(0, 24), nonce);
  const plain = secretBoxOpen(cookieKey, nonce, cookie.subarray(24));
  t.is(toHex(plain!.subarray(0, 8)), '0504030201000000', 'timestamp little-endian, as x86 c-toxcore writes it');
  t.deepEqual(plain!.subarray(8, 40), real.publicKey);
  t.deepEqual(plain!.subarray(40), dht.publicKey);
  t.deepEqual(openCookie(cookieKey, cookie), contents);
});

test('openCookie: undefined for another key or a changed byte, DecodeError for another length', (t) => {
  const cookie = sealCookie(cookieKey, nonce, { timestamp: 5, realPublicKey: real.publicKey, dhtPublicKey: dht.publicKey });
  t.is(openCookie(filled(32, 1), cookie), undefined);
  for (const at of [0, 23, 24, 40, 111]) {
    const bad = cookie.slice();
    bad[at]! ^= 0x10;
    t.is(openCookie(cookieKey, bad), undefined, `byte ${at}`);
  }
  t.is(code(t, () => openCookie(cookieKey, cookie.subarray(0, 111))), 'truncated');
  t.is(code(t, () => openCookie(cookieKey, new Uint8Array([...cookie, 0]))), 'trailing-bytes');
  t.is(code(t, () => openCookie(cookieKey, new Uint8Array(0))), 'truncated');
});

test('openCookie copies: the cookie buffer may be reused', (t) => {
  const cookie = sealCookie(cookieKey, nonce, { timestamp: 5, realPublicKey: real.publicKey, dhtPublicKey: dht.publicKey });
  const opened = openCookie(cookieKey, cookie)!;
  cookie.fill(0);
  t.deepEqual(opened.realPublicKey, real.publicKey);
  t.deepEqual(opened.dhtPublicKey, dht.publicKey);
});

test('cookieAge: fresh from t to t + 15 inclusive, expired after, future before', (t) => {
  const at = 1_700_000_000;
  t.is(cookieAge(at, at - 1), 'future');
  t.is(cookieAge(at, at), 'fresh');
  t.is(cookieAge(at, at + 15), 'fresh');
  t.is(cookieAge(at, at + 16), 'expired');
  t.is(cookieAge(0, 0), 'fresh');
  t.is(cookieAge(Number.MAX_SAFE_INTEGER, 0), 'future');
});

test('cookieTime is whole seconds of a millisecond clock', (t) => {
  t.is(cookieTime(1_700_000_000_999), 1_700_000_000);
  t.is(cookieTime(1_700_000_001_000), 1_700_000_001);
  t.is(cookieTime(0), 0);
});

test('sealCookie refuses bad arguments with EncodeError', (t) => {
  const ok = { timestamp: 1, realPublicKey: real.publicKey, dhtPublicKey: dht.publicKey };
  t.throws(() => sealCookie(filled(31, 0), nonce, ok), { instanceOf: EncodeError });
  t.throws(() => sealCookie(cookieKey, filled(23, 0), ok), { instanceOf: EncodeError });
  t.throws(() => sealCookie(cookieKey, nonce, { ...ok, realPublicKey: filled(33, 0) }), { instanceOf: EncodeError });
  t.throws(() => sealCookie(cookieKey, nonce, { ...ok, dhtPublicKey: filled(31, 0) }), { instanceOf: EncodeError });
  for (const timestamp of [-1, 1.5, Number.NaN, 2 ** 53]) {
    t.throws(() => sealCookie(cookieKey, nonce, { ...ok, timestamp }), { instanceOf: EncodeError }, String(timestamp));
  }
});

/* ---- cookie request ---- */

const shared = precompute(peerDht.publicKey, dht.secretKey)!;
const peerShared = precompute(dht.publicKey, peerDht.secretKey)!;

test('encodeCookieRequest matches a request built by c-toxcore (netcrypto-cookie-request.json)', (t) => {
  // "built by new_crypto_connection (a to b)".
  const k = precompute(fromHex('f5fa60b178e356127205c55065540f0017225c4efd9d0022ef07f65a14949c52'),
    fromHex('290db5683172013c891434340d03c242aab2594ef2063572a0e8301ad6ee3f73'))!;
  const packet = encodeCookieRequest(fromHex('8f9506d6ec4512c5af998019689910f3e3480f624a3aa85894a87aa101826d4b'), k,
    fromHex('a58822359fc295d0812225bd320a51ce56b9b20f702c2f92'),
    fromHex('0882b8f08ad1349de0a00d186f04183214c22e723a5db5f2efda7f08f3216227'), fromHex('b23cab47995f2b3c'));
  t.is(toHex(packet),
    '188f9506d6ec4512c5af998019689910f3e3480f624a3aa85894a87aa101826d4ba58822359fc295d0812225bd320a51ce56b9b20f702c2f92'
    + '4cbd6319db3f5c68a3c1f9a52463d282c2332fd29826fe3fe53395e92a4fba9450ae3b66cac9574df073eeb4c5935960b8038a7016ba034fa4'
    + 'dc9bd2cba9a925ccf26cc6f16d50b3a78ccaff7b968f6c15527f80959c778e');
});

test('a cookie request is [0x18][DHT key][nonce][box([real key][32 zeros][echo id])], 145 bytes', (t) => {
  const packet = encodeCookieRequest(dht.publicKey, shared, nonce, real.publicKey, echoId);
  t.is(packet.length, COOKIE_REQUEST_LENGTH);
  t.is(packet[0], 0x18);
  t.deepEqual(packet.subarray(1, 33), dht.publicKey);
  t.deepEqual(packet.subarray(33, 57), nonce);
  const plain = decryptPrecomputed(peerShared, nonce, packet.subarray(57))!;
  t.deepEqual(plain.subarray(0, 32), real.publicKey);
  t.deepEqual(plain.subarray(32, 64), new Uint8Array(32));
  t.deepEqual(plain.subarray(64), echoId);

  const envelope = decodeCookieRequest(packet);
  t.deepEqual(envelope.senderDhtPublicKey, dht.publicKey);
  t.deepEqual(envelope.nonce, nonce);
  t.is(envelope.box.length, COOKIE_REQUEST_PLAIN_LENGTH + MAC_SIZE);
  t.deepEqual(openCookieRequest(envelope, peerShared), { senderRealPublicKey: real.publicKey, echoId });
});

test('decodeCookieRequest: exactly 145 bytes with id 0x18', (t) => {
  const packet = encodeCookieRequest(dht.publicKey, shared, nonce, real.publicKey, echoId);
  t.is(code(t, () => decodeCookieRequest(packet.subarray(0, 144))), 'truncated');
  t.is(code(t, () => decodeCookieRequest(new Uint8Array([...packet, 0]))), 'trailing-bytes');
  t.is(code(t, () => decodeCookieRequest(new Uint8Array(0))), 'truncated');
  const other = packet.slice();
  other[0] = 0x19;
  t.is(code(t, () => decodeCookieRequest(other)), 'bad-value');
});

test('openCookieRequest ignores the padding bytes, and refuses a box under another key', (t) => {
  const plain = new Uint8Array(72);
  plain.set(real.publicKey, 0);
  plain.fill(0x5a, 32, 64);
  plain.set(echoId, 64);
  const packet = new Uint8Array([0x18, ...dht.publicKey, ...nonce, ...encryptPrecomputed(shared, nonce, plain)]);
  t.deepEqual(openCookieRequest(decodeCookieRequest(packet), peerShared), { senderRealPublicKey: real.publicKey, echoId });
  t.is(openCookieRequest(decodeCookieRequest(packet), filled(32, 3)), undefined);
});

test('encodeCookieRequest refuses bad arguments with EncodeError', (t) => {
  t.throws(() => encodeCookieRequest(filled(31, 0), shared, nonce, real.publicKey, echoId), { instanceOf: EncodeError });
  t.throws(() => encodeCookieRequest(dht.publicKey, filled(31, 0), nonce, real.publicKey, echoId), { instanceOf: EncodeError });
  t.throws(() => encodeCookieRequest(dht.publicKey, shared, filled(25, 0), real.publicKey, echoId), { instanceOf: EncodeError });
  t.throws(() => encodeCookieRequest(dht.publicKey, shared, nonce, filled(1, 0), echoId), { instanceOf: EncodeError });
  t.throws(() => encodeCookieRequest(dht.publicKey, shared, nonce, real.publicKey, filled(7, 0)), { instanceOf: EncodeError });
});

/* ---- cookie response ---- */

test('a cookie response is [0x19][nonce][box([cookie][echo id])], 161 bytes, and round-trips', (t) => {
  const cookie = sealCookie(cookieKey, nonce, { timestamp: 9, realPublicKey: real.publicKey, dhtPublicKey: dht.publicKey });
  const packet = encodeCookieResponse(peerShared, nonce, cookie, echoId);
  t.is(packet.length, COOKIE_RESPONSE_LENGTH);
  t.is(packet[0], 0x19);
  t.deepEqual(packet.subarray(1, 25), nonce);
  const envelope = decodeCookieResponse(packet);
  const opened = openCookieResponse(envelope, shared)!;
  t.deepEqual(opened, { cookie, echoId });
  t.true(answersRequest(opened, echoId));
  t.false(answersRequest(opened, fromHex('0102030405060709')));
  t.is(openCookieResponse(envelope, filled(32, 4)), undefined);
});

test('decodeCookieResponse: exactly 161 bytes with id 0x19', (t) => {
  const packet = encodeCookieResponse(peerShared, nonce, filled(COOKIE_LENGTH, 7), echoId);
  t.is(code(t, () => decodeCookieResponse(packet.subarray(0, 160))), 'truncated');
  t.is(code(t, () => decodeCookieResponse(new Uint8Array([...packet, 0]))), 'trailing-bytes');
  const other = packet.slice();
  other[0] = 0x18;
  t.is(code(t, () => decodeCookieResponse(other)), 'bad-value');
});

test('encodeCookieResponse refuses bad arguments with EncodeError', (t) => {
  t.throws(() => encodeCookieResponse(peerShared, nonce, filled(111, 0), echoId), { instanceOf: EncodeError });
  t.throws(() => encodeCookieResponse(peerShared, nonce, filled(112, 0), filled(9, 0)), { instanceOf: EncodeError });
  t.throws(() => encodeCookieResponse(filled(1, 0), nonce, filled(112, 0), echoId), { instanceOf: EncodeError });
});
