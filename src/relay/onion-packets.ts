/**
 * Onion request (8) and onion response (9): a client with no UDP reaches the onion through
 * its relay, which acts as the first hop of the onion path.
 *
 * Onion request, client to relay:
 *
 * | Length   | Type    | Contents                                                         |
 * |----------|---------|------------------------------------------------------------------|
 * | 1        | `uint8_t` | 8 (`TCP_PACKET_ONION_REQUEST`)                                 |
 * | 24       | nonce   | the nonce of every layer of this onion packet                    |
 * | 19       | IP_Port | the second hop's address, in the onion's packing                 |
 * | rest     | bytes   | what the second hop gets: a public key and a box                 |
 *
 * There is no first-layer box: the frame's own encryption protects it. Onion response, relay
 * to client: `[9][the response]`, the bare payload the onion sent back (an announce or onion
 * data response, first byte 0x84 or 0x86).
 *
 * A c-toxcore relay with an onion closes a client whose onion request is not longer than
 * 159 bytes (`MIN_ONION_REQUEST_FRAME_SIZE`); one without an onion ignores them. Those limits
 * belong to the relay's onion hop, not to this layout: the decoders ask only for a nonce and
 * a non-empty payload.
 *
 * @see spec/relay.md#onion-request-and-response
 * @module
 */
import { NONCE_SIZE } from '../crypto/index.ts';
import { TcpPacket } from '../wire/index.ts';
import { RelayError, expectLength } from './errors.ts';
import { expectFrame } from './packet-ids.ts';
import { MAX_FRAME_PLAIN_SIZE } from './packet-sizes.ts';

/** `[8][nonce][payload]`. */
export interface OnionRequest {
  readonly kind: 'onion-request';
  /** 24 bytes (a copy). */
  readonly nonce: Uint8Array;
  /** The second hop's IP_Port and what it gets, a view into the frame. */
  readonly payload: Uint8Array;
}

/** `[9][data]`. */
export interface OnionResponse {
  readonly kind: 'onion-response';
  /** The response, a view into the frame. */
  readonly data: Uint8Array;
}

/** `[8][nonce][payload]`, as `send_onion_request` writes it (`data` = nonce and payload there). */
export function encodeOnionRequest(nonce: Uint8Array, payload: Uint8Array): Uint8Array {
  expectLength(nonce, NONCE_SIZE, 'nonce');
  if (payload.length === 0 || 1 + NONCE_SIZE + payload.length > MAX_FRAME_PLAIN_SIZE) {
    throw new RelayError('bad-length', `an onion request payload is 1 to ${MAX_FRAME_PLAIN_SIZE - 1 - NONCE_SIZE} bytes`);
  }
  const out = new Uint8Array(1 + NONCE_SIZE + payload.length);
  out[0] = TcpPacket.ONION_REQUEST;
  out.set(nonce, 1);
  out.set(payload, 1 + NONCE_SIZE);
  return out;
}

/** Reads an onion request: a nonce and at least one byte. */
export function decodeOnionRequest(plain: Uint8Array): OnionRequest {
  expectFrame(plain, TcpPacket.ONION_REQUEST, 1 + NONCE_SIZE + 1, MAX_FRAME_PLAIN_SIZE, 'onion request');
  return { kind: 'onion-request', nonce: plain.slice(1, 1 + NONCE_SIZE), payload: plain.subarray(1 + NONCE_SIZE) };
}

/** `[9][data]`, as `handle_onion_recv_1` writes it. */
export function encodeOnionResponse(data: Uint8Array): Uint8Array {
  return withType(TcpPacket.ONION_RESPONSE, data, 'an onion response');
}

/** Reads an onion response: at least one byte after the type, as `handle_TCP_client_packet` requires. */
export function decodeOnionResponse(plain: Uint8Array): OnionResponse {
  expectFrame(plain, TcpPacket.ONION_RESPONSE, 2, MAX_FRAME_PLAIN_SIZE, 'onion response');
  return { kind: 'onion-response', data: plain.subarray(1) };
}

/**
 * `[type][data]` with 1 to 2031 data bytes.
 *
 * @internal
 */
export function withType(type: number, data: Uint8Array, what: string): Uint8Array {
  if (data.length === 0 || data.length + 1 > MAX_FRAME_PLAIN_SIZE) {
    throw new RelayError('bad-length', `${what} payload is 1 to ${MAX_FRAME_PLAIN_SIZE - 1} bytes, got ${data.length}`);
  }
  const out = new Uint8Array(1 + data.length);
  out[0] = type;
  out.set(data, 1);
  return out;
}
