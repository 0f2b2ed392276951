/**
 * The encrypted frame: `[length u16 BE = plaintext + 16][box]`, the length judged, the nonce
 * not sent. Frames c-toxcore built are checked in test/vectors (relay-frame.json).
 */
import test from 'ava';
import { decryptPrecomputed, generateKeyPair, incrementNonce, precompute } from '../../src/crypto/index.ts';
import { DecodeError, EncodeError } from '../../src/wire/index.ts';
import {
  FRAME_LENGTH_SIZE, MAX_FRAME_PLAIN_SIZE, MAX_PACKET_SIZE, MIN_FRAME_BOX_SIZE, decodeFrame, encodeFrame, judgeFrameLength,
  openFrame,
} from '../../src/relay/index.ts';

const key = precompute(generateKeyPair().publicKey, generateKeyPair().secretKey)!;
const nonce = new Uint8Array(24).fill(0x33);

test('limits agree with c-toxcore 0.2.18 (MAX_PACKET_SIZE)', (t) => {
  t.is(MAX_PACKET_SIZE, 2048);
  t.is(MAX_FRAME_PLAIN_SIZE, 2032);
  t.is(MIN_FRAME_BOX_SIZE, 17);
  t.is(FRAME_LENGTH_SIZE, 2);
});

test('a frame is a big-endian length of the box, then the box', (t) => {
  const plain = Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8);
  const frame = encodeFrame(key, nonce, plain);
  t.is(frame.length, 2 + 16 + 9);
  t.deepEqual([frame[0], frame[1]], [0, 25]);
  t.deepEqual(decryptPrecomputed(key, nonce, frame.subarray(2)), plain);
  t.deepEqual(openFrame(key, nonce, decodeFrame(frame)), plain);
  const big = encodeFrame(key, nonce, new Uint8Array(MAX_FRAME_PLAIN_SIZE).fill(7));
  t.deepEqual([big[0], big[1]], [0x08, 0x00]);
});

test('the same plaintext under the next nonce is another frame, and opens only with that nonce', (t) => {
  const plain = Uint8Array.of(16, 9, 9);
  const next = nonce.slice();
  incrementNonce(next);
  const a = encodeFrame(key, nonce, plain);
  const b = encodeFrame(key, next, plain);
  t.notDeepEqual(a, b);
  t.is(openFrame(key, nonce, decodeFrame(b)), undefined);
  t.deepEqual(openFrame(key, next, decodeFrame(b)), plain);
});

test('lengths are judged as c-toxcore reads them', (t) => {
  t.is(judgeFrameLength(0), 'skip');
  t.is(judgeFrameLength(1), 'too-short');
  t.is(judgeFrameLength(16), 'too-short');
  t.is(judgeFrameLength(17), 'ok');
  t.is(judgeFrameLength(2048), 'ok');
  t.is(judgeFrameLength(2049), 'too-long');
  t.is(judgeFrameLength(0xffff), 'too-long');
});

test('decodeFrame takes exactly one whole frame', (t) => {
  const frame = encodeFrame(key, nonce, Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 1));
  const code = (b: Uint8Array) => t.throws(() => decodeFrame(b), { instanceOf: DecodeError })?.code;
  t.is(code(frame.subarray(0, 1)), 'truncated');
  t.is(code(frame.subarray(0, frame.length - 1)), 'truncated');
  t.is(code(new Uint8Array([...frame, 0])), 'trailing-bytes');
  t.is(code(Uint8Array.of(0x08, 0x01, ...new Uint8Array(2049))), 'bad-value');
  t.is(code(Uint8Array.of(0, 16, ...new Uint8Array(16))), 'bad-value');
});

test('a frame holds 1 to 2032 bytes of plaintext', (t) => {
  t.throws(() => encodeFrame(key, nonce, new Uint8Array(0)), { instanceOf: EncodeError });
  t.throws(() => encodeFrame(key, nonce, new Uint8Array(MAX_FRAME_PLAIN_SIZE + 1)), { instanceOf: EncodeError });
  t.throws(() => encodeFrame(key, new Uint8Array(23), Uint8Array.of(1)), { instanceOf: EncodeError });
});
