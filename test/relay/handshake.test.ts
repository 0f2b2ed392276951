/**
 * The client handshake (128 bytes) and the relay handshake (96 bytes): sizes, layout, round
 * trips, and refusals. Handshakes c-toxcore built are checked in test/vectors (relay-*.json).
 */
import test from 'ava';
import { MAC_SIZE, decryptPrecomputed, generateKeyPair, precompute } from '../../src/crypto/index.ts';
import { DecodeError, EncodeError } from '../../src/wire/index.ts';
import {
  TCP_CLIENT_HANDSHAKE_SIZE, TCP_HANDSHAKE_PLAIN_SIZE, TCP_SERVER_HANDSHAKE_SIZE, decodeClientHandshake,
  decodeServerHandshake, encodeClientHandshake, encodeServerHandshake, openClientHandshake, openServerHandshake,
} from '../../src/relay/index.ts';

const filled = (n: number, b: number) => new Uint8Array(n).fill(b);
const client = generateKeyPair();
const relay = generateKeyPair();
const temp = generateKeyPair();
const clientShared = precompute(relay.publicKey, client.secretKey)!;
const relayShared = precompute(client.publicKey, relay.secretKey)!;
const nonce = filled(24, 0x4e);
const baseNonce = filled(24, 0xba);

test('sizes agree with c-toxcore 0.2.18 (TCP_common.h)', (t) => {
  t.is(TCP_HANDSHAKE_PLAIN_SIZE, 56);
  t.is(TCP_SERVER_HANDSHAKE_SIZE, 96);
  t.is(TCP_CLIENT_HANDSHAKE_SIZE, 128);
});

test('the client handshake is [client key][nonce][box([temp key][base nonce])]', (t) => {
  const hs = encodeClientHandshake(client.publicKey, clientShared, nonce, { tempPublicKey: temp.publicKey, baseNonce });
  t.is(hs.length, 128);
  t.deepEqual(hs.subarray(0, 32), client.publicKey);
  t.deepEqual(hs.subarray(32, 56), nonce);
  const plain = decryptPrecomputed(relayShared, nonce, hs.subarray(56))!;
  t.deepEqual(plain, new Uint8Array([...temp.publicKey, ...baseNonce]));
  t.is(hs.length - 56 - MAC_SIZE, plain.length);
});

test('the relay opens a client handshake with the key its own secret shares with the client key', (t) => {
  const hs = encodeClientHandshake(client.publicKey, clientShared, nonce, { tempPublicKey: temp.publicKey, baseNonce });
  const envelope = decodeClientHandshake(hs);
  t.deepEqual(envelope.clientPublicKey, client.publicKey);
  t.deepEqual(envelope.nonce, nonce);
  const contents = openClientHandshake(envelope, precompute(envelope.clientPublicKey, relay.secretKey)!);
  t.deepEqual(contents, { tempPublicKey: temp.publicKey, baseNonce });
  // Another relay cannot.
  t.is(openClientHandshake(envelope, precompute(envelope.clientPublicKey, generateKeyPair().secretKey)!), undefined);
});

test('the relay handshake is [nonce][box([temp key][base nonce])] and opens at the client', (t) => {
  const hs = encodeServerHandshake(relayShared, nonce, { tempPublicKey: temp.publicKey, baseNonce });
  t.is(hs.length, 96);
  t.deepEqual(hs.subarray(0, 24), nonce);
  t.deepEqual(openServerHandshake(decodeServerHandshake(hs), clientShared), { tempPublicKey: temp.publicKey, baseNonce });
  const forged = hs.slice();
  forged[40]! ^= 1;
  t.is(openServerHandshake(decodeServerHandshake(forged), clientShared), undefined);
});

test('a handshake of any other length is refused', (t) => {
  const hs = encodeClientHandshake(client.publicKey, clientShared, nonce, { tempPublicKey: temp.publicKey, baseNonce });
  t.is(t.throws(() => decodeClientHandshake(hs.subarray(0, 127)), { instanceOf: DecodeError })?.code, 'truncated');
  t.is(t.throws(() => decodeClientHandshake(new Uint8Array(129)), { instanceOf: DecodeError })?.code, 'trailing-bytes');
  t.is(t.throws(() => decodeServerHandshake(new Uint8Array(95)), { instanceOf: DecodeError })?.code, 'truncated');
  t.is(t.throws(() => decodeServerHandshake(new Uint8Array(97)), { instanceOf: DecodeError })?.code, 'trailing-bytes');
  t.is(t.throws(() => decodeClientHandshake(new Uint8Array(0)), { instanceOf: DecodeError })?.code, 'truncated');
});

test('encoders refuse arguments of the wrong size', (t) => {
  t.throws(() => encodeClientHandshake(filled(31, 1), clientShared, nonce, { tempPublicKey: temp.publicKey, baseNonce }), { instanceOf: EncodeError });
  t.throws(() => encodeClientHandshake(client.publicKey, clientShared, filled(23, 1), { tempPublicKey: temp.publicKey, baseNonce }), { instanceOf: EncodeError });
  t.throws(() => encodeServerHandshake(relayShared, nonce, { tempPublicKey: temp.publicKey, baseNonce: filled(25, 0) }), { instanceOf: EncodeError });
  t.throws(() => encodeServerHandshake(filled(16, 0), nonce, { tempPublicKey: temp.publicKey, baseNonce }), { instanceOf: EncodeError });
});
