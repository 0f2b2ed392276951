/**
 * Timed authenticators and announce ping ids: HMAC-SHA-512-256 against libsodium's
 * `crypto_auth`, the two-window rule, and the data c-toxcore authenticates. c-toxcore's own
 * ping ids are in test/vectors (onion-ping-id.json, onion-announce.json); two are copied here.
 */
import test from 'ava';
import sodium from 'libsodium-wrappers';
import { EncodeError, fromHex, toHex } from '../../src/wire/index.ts';
import {
  HMAC_KEY_SIZE, announcePingId, announcePingIdData, checkAnnouncePingId, checkTimedAuth, hmacSha512256, timedAuth,
} from '../../src/onion/index.ts';
import { filled } from './fixtures.ts';

const key = filled(32, 0x6b);
const data = filled(64, 0xda);

test('HMAC-SHA-512-256 is libsodium\'s crypto_auth', async (t) => {
  await sodium.ready;
  t.is(HMAC_KEY_SIZE, 32);
  for (const n of [0, 1, 63, 64, 127, 128, 129, 1000]) {
    const k = sodium.randombytes_buf(32);
    const m = sodium.randombytes_buf(n);
    t.is(toHex(hmacSha512256(k, m)), toHex(sodium.crypto_auth(m, k)), `${n} bytes`);
  }
  t.throws(() => hmacSha512256(filled(31, 0), data), { instanceOf: EncodeError });
});

test('timedAuth matches c-toxcore (onion-ping-id.json)', (t) => {
  const auth = timedAuth(fromHex('ecf2f4e157e396ae729332b55d97fbac7929e73c85b9f19d21541ec85cd825cd'), 1700000000, 300,
    fromHex('60318e5cba3d0f49adfbef0ca850e9ad8e1b514b69562ede9b3e38cfa2b6235d2230a6673b09fbe834994ce9e7ee45530ea9a5d74ca1276d2c2da454b2e568ea'));
  t.is(toHex(auth), '14ec94e969b05def8e38c3e6320c0ca04e6184330fd57d48f16092081f00b5d3');
});

test('an authenticator holds in its window and the next one, no longer', (t) => {
  // 1700000000 is 200 s into window 5666666.
  const auth = timedAuth(key, 1_700_000_000, 300, data);
  t.true(checkTimedAuth(key, 1_700_000_099, 300, data, auth));
  t.true(checkTimedAuth(key, 1_700_000_100, 300, data, auth));
  t.true(checkTimedAuth(key, 1_700_000_399, 300, data, auth));
  t.false(checkTimedAuth(key, 1_700_000_400, 300, data, auth));
  t.false(checkTimedAuth(key, 1_699_999_799, 300, data, auth), 'not before it was made');
  t.false(checkTimedAuth(key, 1_700_000_000, 300, data.subarray(1), auth));
  t.false(checkTimedAuth(key, 1_700_000_000, 300, data, auth.subarray(1)));
  t.true(checkTimedAuth(key, 5, 300, data, timedAuth(key, 0, 300, data)), 'window 0; the one before wraps, harmlessly');
  t.throws(() => timedAuth(key, -1, 300, data), { instanceOf: EncodeError });
  t.throws(() => timedAuth(key, 1, 0, data), { instanceOf: EncodeError });
});

test('the data: sender key, then the IP_Port struct as c-toxcore holds it', (t) => {
  const pk = filled(32, 0xaa);
  const v4 = announcePingIdData(pk, { host: '192.0.2.77', port: 33445 }, 'ipv4');
  t.is(toHex(v4.subarray(32)), `02${'00'.repeat(7)}c000024d${'00'.repeat(12)}82a5${'00'.repeat(6)}`);
  const dual = announcePingIdData(pk, { host: '192.0.2.77', port: 33445 });
  t.is(toHex(dual.subarray(32)), `02${'00'.repeat(7)}c000024d${'00'.repeat(6)}ffffc000024d82a5${'00'.repeat(6)}`,
    'the mapped address stays behind the IPv4 one');
  const v6 = announcePingIdData(pk, { host: '2001:db8::33', port: 1 });
  t.is(toHex(v6.subarray(32)), `0a${'00'.repeat(7)}20010db8000000000000000000000033` + `0001${'00'.repeat(6)}`);
  t.deepEqual(v6.subarray(0, 32), pk);
});

test('announce ping ids match the ones a c-toxcore announce node gave (onion-announce.json)', (t) => {
  const hmacKey = fromHex('cc8c19e9ec3a962f27ce280b2e0d1a5b951ee1052607de7cb1ee7bebcc945101');
  const viaHop3 = announcePingId(hmacKey, 1700000000,
    fromHex('f8e520716211e59362e84b5dbdbe2c0609fd6bcea666c568588eed3979836347'), { host: '192.0.2.3', port: 33446 });
  t.is(toHex(viaHop3), '6b2418f98f7ae87b44f163408329cba257ba445a475c3478b95d605eba6afc78');
  const sender = fromHex('edaaebe15fd5b0107a8611314431ff2372a3176d1f9d8b3a863fc9cc34939f75');
  const from = { host: '192.0.2.77', port: 33445 };
  const ipv4Socket = announcePingId(hmacKey, 1700000000, sender, from, 'ipv4');
  t.is(toHex(ipv4Socket), '0351689b57f619548dd0840ab49a377d787808c02ca6332ed87968b4fd15208c');
  t.false(checkAnnouncePingId(hmacKey, 1700000000, sender, from, ipv4Socket), 'not through the dual-stack socket');
  t.true(checkAnnouncePingId(hmacKey, 1700000299, sender, from, ipv4Socket, 'ipv4'));
  t.false(checkAnnouncePingId(hmacKey, 1700000000, sender, { ...from, port: 33446 }, ipv4Socket, 'ipv4'), 'another port');
});
