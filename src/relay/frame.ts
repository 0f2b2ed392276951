/**
 * The encrypted frame: after the handshake, everything on a relay connection, both ways, is
 * a sequence of these. Each is a length and a box sealed with the session key and the
 * sender's next nonce.
 *
 * | Length | Type       | Contents                                               |
 * |--------|------------|--------------------------------------------------------|
 * | 2      | `uint16_t` | big-endian: length of what follows (plaintext + 16)    |
 * | 16     | MAC        | of the box                                             |
 * | 1–2032 | bytes      | (encrypted) the frame's plaintext: a packet type, body |
 *
 * The length counts the box, not itself, and is at most 2048 (`MAX_PACKET_SIZE`). The nonce
 * is not sent: each side starts at the base nonce it chose in its handshake and adds one
 * (big-endian) per frame, so the receiver always knows which nonce comes next.
 *
 * @see spec/relay.md#frames
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, SHARED_KEY_SIZE, decryptPrecomputedInto, encryptPrecomputedInto } from '../crypto/index.ts';
import { DecodeError, EncodeError, slabBytes } from '../wire/index.ts';
import { expectLength } from './errors.ts';
import { FRAME_LENGTH_SIZE, MAX_FRAME_PLAIN_SIZE, MAX_PACKET_SIZE, MIN_FRAME_BOX_SIZE } from './packet-sizes.ts';

/** How a length prefix is judged: a box that can be opened, a prefix to skip, or why neither. */
export type FrameLengthVerdict = 'ok' | 'skip' | 'too-long' | 'too-short';

/**
 * Judges a frame's length prefix. Above 2048 c-toxcore closes the connection
 * (`read_TCP_length`); 1 to 16 cannot hold a MAC and a byte, and c-toxcore closes when the
 * box does not open. A length of 0 c-toxcore skips without a word (`read_TCP_length` returns
 * 0, "nothing read", after taking the two bytes), and so does toxlink.
 */
export function judgeFrameLength(length: number): FrameLengthVerdict {
  if (length === 0) return 'skip';
  if (length > MAX_PACKET_SIZE) return 'too-long';
  if (length < MIN_FRAME_BOX_SIZE) return 'too-short';
  return 'ok';
}

/**
 * A whole frame, `[length][box]`, sealed with `sessionKey` and `nonce` (the sender's next
 * nonce; the caller moves it on). `plain` is 1 to 2032 bytes, else an `EncodeError`.
 */
export function encodeFrame(sessionKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  expectLength(sessionKey, SHARED_KEY_SIZE, 'session key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  if (plain.length === 0 || plain.length > MAX_FRAME_PLAIN_SIZE) {
    throw new EncodeError(`frame plaintext must be 1 to ${MAX_FRAME_PLAIN_SIZE} bytes, got ${plain.length}`);
  }
  const boxLength = plain.length + MAC_SIZE;
  // Slab memory: a frame is on its way to the socket, then let go.
  const frame = slabBytes(FRAME_LENGTH_SIZE + boxLength);
  frame[0] = boxLength >>> 8;
  frame[1] = boxLength & 0xff;
  encryptPrecomputedInto(frame, FRAME_LENGTH_SIZE, sessionKey, nonce, plain);
  return frame;
}

/**
 * The box of exactly one whole frame, a view into `bytes`: the length prefix must be
 * judged `ok` (else `bad-value`) and match what follows (`truncated`, `trailing-bytes`).
 */
export function decodeFrame(bytes: Uint8Array): Uint8Array {
  if (bytes.length < FRAME_LENGTH_SIZE) throw new DecodeError('truncated', `frame: ${bytes.length} bytes, no length`);
  const length = (bytes[0]! << 8) | bytes[1]!;
  const verdict = judgeFrameLength(length);
  if (verdict !== 'ok') throw new DecodeError('bad-value', `frame: length ${length} is ${verdict}`);
  const have = bytes.length - FRAME_LENGTH_SIZE;
  if (have < length) throw new DecodeError('truncated', `frame: length ${length}, ${have} bytes follow`);
  if (have > length) throw new DecodeError('trailing-bytes', `frame: length ${length}, ${have} bytes follow`);
  return bytes.subarray(FRAME_LENGTH_SIZE);
}

/**
 * Opens a frame's box with the session key and the receiver's next nonce; `undefined` if it
 * does not open. The plaintext is slab memory (see spec/wire.md#slabs): what a frame
 * carries is handled at once (forwarded by a relay, opened again by net_crypto), so hold
 * on to a part of it only by copying it.
 */
export function openFrame(sessionKey: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  if (box.length <= MAC_SIZE) return undefined;
  const plain = slabBytes(box.length - MAC_SIZE);
  return decryptPrecomputedInto(plain, sessionKey, nonce, box) ? plain : undefined;
}
