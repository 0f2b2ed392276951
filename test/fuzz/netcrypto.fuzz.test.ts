import test from 'ava';
import { generateKeyPair, incrementNonceBy, precompute } from '../../src/crypto/index.ts';
import { DecodeError } from '../../src/wire/index.ts';
import { openCookie, sealCookie } from '../../src/netcrypto/cookie.ts';
import { decodeCookieRequest, encodeCookieRequest, openCookieRequest } from '../../src/netcrypto/cookie-request.ts';
import { decodeCookieResponse, encodeCookieResponse, openCookieResponse } from '../../src/netcrypto/cookie-response.ts';
import { decodeHandshake, encodeHandshake, openHandshakeBox, readHandshake } from '../../src/netcrypto/handshake.ts';
import { decodeDataPacket, encodeDataPacket, openDataPacket } from '../../src/netcrypto/data-packet.ts';
import { decodeRequestPayload, encodeRequestPayload } from '../../src/netcrypto/request-packet.ts';
import { fuzzParser } from './harness.ts';

const filled = (n: number, b: number) => new Uint8Array(n).fill(b);
const aliceDht = generateKeyPair();
const bobDht = generateKeyPair();
const alice = generateKeyPair();
const bob = generateKeyPair();
const dhtShared = precompute(bobDht.publicKey, aliceDht.secretKey)!;
const bobDhtShared = precompute(aliceDht.publicKey, bobDht.secretKey)!;
const nonce = filled(24, 7);
const echoId = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const cookieKey = filled(32, 0xc0);
const now = 1_700_000_000;
const cookie = sealCookie(cookieKey, nonce, { timestamp: now, realPublicKey: alice.publicKey, dhtPublicKey: aliceDht.publicKey });
const otherCookie = sealCookie(filled(32, 0xa0), nonce, { timestamp: now, realPublicKey: bob.publicKey, dhtPublicKey: bobDht.publicKey });

const cookieRequest = encodeCookieRequest(aliceDht.publicKey, dhtShared, nonce, alice.publicKey, echoId);
const cookieResponse = encodeCookieResponse(bobDhtShared, nonce, cookie, echoId);
const handshake = encodeHandshake(precompute(bob.publicKey, alice.secretKey)!, nonce, cookie, filled(24, 0xba),
  filled(32, 0x55), otherCookie);
const session = precompute(bob.publicKey, alice.secretKey)!;
const receiveNonce = filled(24, 0x11);
const ahead = (n: number) => { const x = receiveNonce.slice(); incrementNonceBy(x, n); return x; };
const dataPackets = [
  encodeDataPacket(session, ahead(0), 0, 0, Uint8Array.of(1)),
  encodeDataPacket(session, ahead(3), 7, 9, Uint8Array.of(160, 1, 2, 3, 4, 5)),
  encodeDataPacket(session, ahead(50000), 7, 9, Uint8Array.of(200, 9)),
];

test('decodeCookieRequest fails only with DecodeError and returns no more than it was given', (t) => {
  fuzzParser(t, {
    parse: decodeCookieRequest,
    errors: [DecodeError],
    samples: [cookieRequest],
    outputSize: (e) => 1 + e.senderDhtPublicKey.length + e.nonce.length + e.box.length,
  });
});

test('a whole cookie request, opened with the right key, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const envelope = decodeCookieRequest(bytes);
      const k = precompute(envelope.senderDhtPublicKey, bobDht.secretKey);
      return k === undefined ? undefined : openCookieRequest(envelope, k);
    },
    errors: [DecodeError],
    samples: [cookieRequest],
    outputSize: (r) => (r === undefined ? 0 : r.senderRealPublicKey.length + r.echoId.length),
    runs: 500,
  });
});

test('a whole cookie response, opened with the right key, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openCookieResponse(decodeCookieResponse(bytes), dhtShared),
    errors: [DecodeError],
    samples: [cookieResponse],
    outputSize: (r) => (r === undefined ? 0 : r.cookie.length + r.echoId.length),
  });
});

test('openCookie fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openCookie(cookieKey, bytes),
    errors: [DecodeError],
    samples: [cookie],
    outputSize: (c) => (c === undefined ? 0 : 8 + c.realPublicKey.length + c.dhtPublicKey.length),
    maxLength: 256,
  });
});

test('decodeHandshake and openHandshakeBox fail only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openHandshakeBox(decodeHandshake(bytes), precompute(alice.publicKey, bob.secretKey)!),
    errors: [DecodeError],
    samples: [handshake],
    outputSize: (h) => (h === undefined ? 0 : h.baseNonce.length + h.sessionPublicKey.length + h.cookieHash.length + h.otherCookie.length),
  });
});

test('readHandshake, with every check, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => readHandshake(bytes, {
      realSecretKey: bob.secretKey, cookieKey, nowSeconds: now, expectedRealPublicKey: alice.publicKey,
    }),
    errors: [DecodeError],
    samples: [handshake],
    runs: 500,
  });
});

test('decodeDataPacket and openDataPacket fail only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openDataPacket(decodeDataPacket(bytes), session, receiveNonce),
    errors: [DecodeError],
    samples: dataPackets,
    outputSize: (p) => (p === undefined ? 0 : 8 + p.payload.length),
  });
});

test('decodeRequestPayload fails only with DecodeError and asks for at most one number per byte', (t) => {
  const start = 0xffffff00;
  const end = (start + 2000) >>> 0;
  const lost = new Set([start, (start + 3) >>> 0, (start + 600) >>> 0, 5]);
  fuzzParser(t, {
    parse: (bytes) => decodeRequestPayload(bytes, start, end),
    errors: [DecodeError],
    samples: [encodeRequestPayload(start, end, (n) => !lost.has(n)), Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0)],
    outputSize: (r) => r.requested.length,
  });
});
