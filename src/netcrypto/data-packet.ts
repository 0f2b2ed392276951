/**
 * Data packet (0x1b): everything a session carries once the handshakes are done — lossless
 * and lossy payloads, request packets and the kill packet — each sealed with the session key
 * and the sender's next nonce, of which only the last two bytes travel.
 *
 * | Length   | Type       | Contents                                                      |
 * |----------|------------|---------------------------------------------------------------|
 * | 1        | `uint8_t`  | 0x1b                                                          |
 * | 2        | `uint16_t` | the last 2 bytes of the sender's nonce (big-endian)           |
 * | 16       | MAC        | of the box, sealed with the session key                       |
 * | 4        | `uint32_t` | (encrypted) buffer start: the first packet number not received |
 * | 4        | `uint32_t` | (encrypted) packet number                                     |
 * | 0 … 7    | padding    | (encrypted) zeros, `(1373 − payload length) mod 8` of them    |
 * | 1 … 1373 | payload    | (encrypted) packet id, then data                              |
 *
 * 28 to 1400 bytes, and a multiple of 8 as c-toxcore pads it.
 *
 * @see spec/netcrypto.md#data-packet-0x1b
 * @see spec/netcrypto.md#nonces-and-the-receive-window
 * @see spec/netcrypto.md#payload-ids
 * @module
 */
import {
  MAC_SIZE, NONCE_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputedInto, incrementNonceBy,
} from '../crypto/index.ts';
import { DataPacket, DataPacketRange, DecodeError, NetPacket, slabBytes } from '../wire/index.ts';
import { NetCryptoError, expectLength, expectU32 } from './errors.ts';
import {
  CRYPTO_DATA_PACKET_MIN_SIZE, CRYPTO_MAX_PADDING, DATA_HEADER_SIZE, DATA_NONCE_TAIL_SIZE, DATA_NUM_THRESHOLD,
  MAX_CRYPTO_DATA_SIZE, MAX_CRYPTO_PACKET_SIZE, NONCE_WINDOW,
} from './packet-sizes.ts';

/** A data packet whose box is still closed. */
export interface DataEnvelope {
  /** The last two bytes of the sender's nonce, as a big-endian `uint16_t`. */
  readonly nonceTail: number;
  /** MAC and ciphertext, a view into the packet. */
  readonly box: Uint8Array;
}

/** What the box of a data packet holds. */
export interface DataContents {
  /**
   * The first packet number the sender has not yet received from us: everything below it
   * arrived, and may be freed from our send buffer (`buffer_start`).
   */
  readonly bufferStart: number;
  /**
   * A lossless payload's own number; for any other payload the sender's next unused
   * number, which tells us where its numbers end.
   */
  readonly packetNumber: number;
  /** The payload, padding removed: its first byte is the packet id (a view, never empty). */
  readonly payload: Uint8Array;
}

/** A data packet that opened. */
export interface OpenedDataPacket extends DataContents {
  /** The full nonce it was sealed with (a new array). */
  readonly nonce: Uint8Array;
  /** Our stored receive nonce after this packet (a new array; moved on, or the same bytes). */
  readonly nextReceiveNonce: Uint8Array;
}

/** What a payload is, by its first byte (`handle_data_packet_core`). */
export type PayloadKind =
  /** 1, `PACKET_ID_REQUEST`: a list of lost packets. */
  | 'request'
  /** 2, `PACKET_ID_KILL`: the peer closes the session. */
  | 'kill'
  /** 16–191: ordered, numbered, resent until acknowledged. */
  | 'lossless'
  /** 192–254: delivered at once, never resent. */
  | 'lossy'
  /** 3–15 and 255: no handler; c-toxcore drops the packet (after it counted as proof of life). */
  | 'invalid';

/** The kinds a caller sends through net_crypto; the others are net_crypto's own. */
export type SendKind = 'lossless' | 'lossy';

/**
 * The zeros `send_data_packet_helper` puts before a payload of `length` bytes,
 * `(1373 − length) mod 8`, so that every data packet is a multiple of 8 bytes long.
 */
export function dataPadding(length: number): number {
  return (MAX_CRYPTO_DATA_SIZE - length) % CRYPTO_MAX_PADDING;
}

/** The kind of a payload whose first byte is `id`. */
export function payloadKind(id: number): PayloadKind {
  if (id === DataPacket.REQUEST) return 'request';
  if (id === DataPacket.KILL) return 'kill';
  if (id >= DataPacketRange.LOSSLESS[0] && id <= DataPacketRange.LOSSLESS[1]) return 'lossless';
  if (id >= DataPacketRange.LOSSY[0] && id <= DataPacketRange.LOSSY[1]) return 'lossy';
  return 'invalid';
}

/**
 * Throws a {@link NetCryptoError} unless `payload` can be sent as `kind`: 1 to 1373 bytes
 * whose first byte is in the kind's range, as `write_cryptpacket` (lossless, 16–191) and
 * `send_lossy_cryptpacket` (lossy, 192–254) require.
 */
export function checkPayload(kind: SendKind, payload: Uint8Array): void {
  checkLength(payload);
  const [low, high] = kind === 'lossless' ? DataPacketRange.LOSSLESS : DataPacketRange.LOSSY;
  if (payload[0]! < low || payload[0]! > high) {
    throw new NetCryptoError('bad-packet-id', `a ${kind} payload starts with a packet id from ${low} to ${high}, not ${payload[0]}`);
  }
}

function checkLength(payload: Uint8Array): void {
  if (!(payload instanceof Uint8Array) || payload.length === 0) {
    throw new NetCryptoError('payload-empty', 'a payload needs at least its packet id byte');
  }
  if (payload.length > MAX_CRYPTO_DATA_SIZE) {
    throw new NetCryptoError('payload-too-long', `a payload is at most ${MAX_CRYPTO_DATA_SIZE} bytes, got ${payload.length}`);
  }
}

/**
 * A whole data packet, as c-toxcore's `send_data_packet_helper` and `send_data_packet`
 * write it: `[0x1b][nonce's last 2 bytes][box([buffer start][packet number][padding][payload])]`.
 * `nonce` is the sender's current send nonce (the caller then increments it); the payload
 * is 1 to 1373 bytes and may not start with 0, which the receiver would take for padding
 * (else a {@link NetCryptoError}).
 */
export function encodeDataPacket(
  sharedKey: Uint8Array, nonce: Uint8Array, bufferStart: number, packetNumber: number, payload: Uint8Array,
): Uint8Array {
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectU32(bufferStart, 'buffer start');
  expectU32(packetNumber, 'packet number');
  checkLength(payload);
  if (payload[0] === DataPacket.PADDING) {
    throw new NetCryptoError('bad-packet-id', 'a payload may not start with 0: the receiver strips leading zeros as padding');
  }
  const padding = dataPadding(payload.length);
  const plainLength = DATA_HEADER_SIZE + padding + payload.length;
  // The plaintext is built in a scratch buffer (sealing copies it) and the box is written
  // straight into the packet: one allocation per packet.
  const plain = scratch.subarray(0, plainLength);
  scratchView.setUint32(0, bufferStart);
  scratchView.setUint32(4, packetNumber);
  plain.fill(0, DATA_HEADER_SIZE, DATA_HEADER_SIZE + padding);
  plain.set(payload, DATA_HEADER_SIZE + padding);
  // Slab memory: a data packet is on its way to a socket or a relay, then let go.
  const packet = slabBytes(1 + DATA_NONCE_TAIL_SIZE + MAC_SIZE + plainLength);
  packet[0] = NetPacket.CRYPTO_DATA;
  packet[1] = nonce[NONCE_SIZE - 2]!;
  packet[2] = nonce[NONCE_SIZE - 1]!;
  encryptPrecomputedInto(packet, 1 + DATA_NONCE_TAIL_SIZE, sharedKey, nonce, plain);
  return packet;
}

const scratch = new Uint8Array(DATA_HEADER_SIZE + CRYPTO_MAX_PADDING + MAX_CRYPTO_DATA_SIZE);
const scratchView = new DataView(scratch.buffer);

/**
 * Splits a data packet. Refuses what c-toxcore drops before decrypting
 * (`udp_handle_packet`, `handle_data_packet_core`): 27 bytes or fewer (`truncated`), which
 * cannot hold a payload byte, or over 1400 (`trailing-bytes`); and a first byte other
 * than 0x1b (`bad-value`).
 */
export function decodeDataPacket(packet: Uint8Array): DataEnvelope {
  if (packet.length <= CRYPTO_DATA_PACKET_MIN_SIZE) {
    throw new DecodeError('truncated', `data packet: ${packet.length} bytes, need more than ${CRYPTO_DATA_PACKET_MIN_SIZE}`);
  }
  if (packet.length > MAX_CRYPTO_PACKET_SIZE) {
    throw new DecodeError('trailing-bytes', `data packet: ${packet.length} bytes, at most ${MAX_CRYPTO_PACKET_SIZE}`);
  }
  if (packet[0] !== NetPacket.CRYPTO_DATA) {
    throw new DecodeError('bad-value', `data packet: packet id 0x${packet[0]!.toString(16).padStart(2, '0')}`);
  }
  return { nonceTail: (packet[1]! << 8) | packet[2]!, box: packet.subarray(1 + DATA_NONCE_TAIL_SIZE) };
}

/**
 * The nonce a packet carrying `nonceTail` was sealed with, as `handle_data_packet` works it
 * out: our stored receive nonce plus `diff`, the distance from its last two bytes to the
 * packet's, modulo 65536. So a packet opens only if its nonce is the stored one or up to
 * 65535 ahead of it. Returns a new array.
 */
export function packetNonce(receiveNonce: Uint8Array, nonceTail: number): { nonce: Uint8Array; diff: number } {
  expectLength(receiveNonce, NONCE_SIZE, 'receive nonce');
  const diff = nonceDistance(receiveNonce, nonceTail);
  const nonce = receiveNonce.slice();
  incrementNonceBy(nonce, diff);
  return { nonce, diff };
}

/** How far ahead of our stored receive nonce a packet's nonce tail is, modulo 65536. */
function nonceDistance(receiveNonce: Uint8Array, nonceTail: number): number {
  const stored = (receiveNonce[NONCE_SIZE - 2]! << 8) | receiveNonce[NONCE_SIZE - 1]!;
  return (nonceTail - stored + NONCE_WINDOW) % NONCE_WINDOW;
}

/** Moves a stored receive nonce on, in place, after a packet `diff` ahead of it opened. */
function moveReceiveNonce(receiveNonce: Uint8Array, diff: number): void {
  if (diff > 2 * DATA_NUM_THRESHOLD) incrementNonceBy(receiveNonce, DATA_NUM_THRESHOLD);
}

/**
 * Our stored receive nonce after a packet `diff` ahead of it opened: moved on by 21845
 * (`DATA_NUM_THRESHOLD`) when `diff` is over 43690, else unchanged. It never jumps to the
 * packet's own nonce, so reordered packets behind the newest still open. Returns a new array.
 */
export function advanceReceiveNonce(receiveNonce: Uint8Array, diff: number): Uint8Array {
  expectLength(receiveNonce, NONCE_SIZE, 'receive nonce');
  const next = receiveNonce.slice();
  moveReceiveNonce(next, diff);
  return next;
}

/**
 * Opens a data packet with the session key and our stored receive nonce; `undefined` if
 * the box does not open. Strips the leading zeros as `handle_data_packet_core` does, however
 * many there are, and throws a `DecodeError` (`bad-value`) if nothing but zeros follows the
 * two numbers. Does not judge the payload's id: see {@link payloadKind}. Pure: the nonces
 * it returns are new arrays (a session uses {@link openDataPacketInPlace}).
 */
export function openDataPacket(
  envelope: DataEnvelope, sharedKey: Uint8Array, receiveNonce: Uint8Array,
): OpenedDataPacket | undefined {
  expectLength(receiveNonce, NONCE_SIZE, 'receive nonce');
  const nextReceiveNonce = receiveNonce.slice();
  const nonce = new Uint8Array(NONCE_SIZE);
  const contents = openDataPacketInPlace(envelope, sharedKey, nextReceiveNonce, nonce);
  return contents === undefined ? undefined : { ...contents, nonce, nextReceiveNonce };
}

/**
 * {@link openDataPacket} without allocating nonces, for the data path: writes the packet's
 * full nonce into `nonce` (24 bytes, any contents) and, only when the packet opens and
 * decodes, moves `receiveNonce` on in place as {@link advanceReceiveNonce} would. A packet
 * that does not open or throws leaves `receiveNonce` as it was.
 */
export function openDataPacketInPlace(
  envelope: DataEnvelope, sharedKey: Uint8Array, receiveNonce: Uint8Array, nonce: Uint8Array,
): DataContents | undefined {
  expectLength(receiveNonce, NONCE_SIZE, 'receive nonce');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  const diff = nonceDistance(receiveNonce, envelope.nonceTail);
  nonce.set(receiveNonce);
  incrementNonceBy(nonce, diff);
  const plain = decryptPrecomputed(sharedKey, nonce, envelope.box);
  if (plain === undefined) return undefined;
  if (plain.length <= DATA_HEADER_SIZE) {
    throw new DecodeError('truncated', `data packet plaintext: ${plain.length} bytes, need more than ${DATA_HEADER_SIZE}`);
  }
  let at = DATA_HEADER_SIZE;
  while (at < plain.length && plain[at] === DataPacket.PADDING) at++;
  if (at === plain.length) throw new DecodeError('bad-value', 'data packet holds only padding');
  moveReceiveNonce(receiveNonce, diff);
  return {
    bufferStart: ((plain[0]! << 24) | (plain[1]! << 16) | (plain[2]! << 8) | plain[3]!) >>> 0,
    packetNumber: ((plain[4]! << 24) | (plain[5]! << 16) | (plain[6]! << 8) | plain[7]!) >>> 0,
    payload: plain.subarray(at),
  };
}
