/**
 * Onion responses: the way back. The destination answers hop 3 with the return blob the
 * request carried; each hop opens the blob it sealed, finds where it got the request from
 * and the previous hop's blob, and passes the response on, unchanged, with that blob.
 *
 * | Length   | Type        | Contents                                              |
 * |----------|-------------|-------------------------------------------------------|
 * | 1        | `uint8_t`   | 0x8c (to hop 3), 0x8d (to hop 2), 0x8e (to hop 1)     |
 * | 177/118/59 | blob      | hop 3's, hop 2's or hop 1's return blob               |
 * | 1–1222   | response    | an announce (0x84) or data (0x86) response            |
 *
 * Hop 1 sends the bare response to the originator.
 *
 * @see spec/onion.md#onion-responses-0x8c-0x8d-0x8e
 * @module
 */
import { ByteReader, DecodeError, EncodeError, NetPacket } from '../wire/index.ts';
import { expectId, expectLength, expectSizeAbove, hex } from './errors.ts';
import { ONION_MAX_PACKET_SIZE, ONION_RESPONSE_MAX_DATA_SIZE } from './packet-sizes.ts';
import { type OnionHop, returnPathSize } from './return-path.ts';

/** An onion response as the hop it is sent to receives it. */
export interface OnionResponseEnvelope {
  /** The hop reading it: 3 for 0x8c, 2 for 0x8d, 1 for 0x8e. */
  readonly hop: OnionHop;
  /** The blob this hop sealed, a view: 177, 118 or 59 bytes. */
  readonly returnPath: Uint8Array;
  /** The response, passed on unchanged, a view. */
  readonly data: Uint8Array;
}

const HOP_OF_ID: Readonly<Record<number, OnionHop>> = {
  [NetPacket.ONION_RECV_3]: 3,
  [NetPacket.ONION_RECV_2]: 2,
  [NetPacket.ONION_RECV_1]: 1,
};

const ID_OF_HOP: Readonly<Record<OnionHop, number>> = {
  3: NetPacket.ONION_RECV_3,
  2: NetPacket.ONION_RECV_2,
  1: NetPacket.ONION_RECV_1,
};

function checkResponseId(data: Uint8Array, what: string): void {
  const id = data[0]!;
  if (id !== NetPacket.ANNOUNCE_RESPONSE_OLD && id !== NetPacket.ONION_DATA_RESPONSE) {
    throw new DecodeError('bad-value', `${what}: response 0x${hex(id)}; 0.2.18 passes on only 0x84 and 0x86`);
  }
}

/**
 * What the destination sends hop 3 (`send_onion_response`): `[0x8c][blob 3][response]`.
 * `returnPath` is the 177-byte blob the request arrived with; `response` 1 to 1222 bytes.
 */
export function encodeOnionResponse(returnPath: Uint8Array, response: Uint8Array): Uint8Array {
  return encodeResponse(3, returnPath, response);
}

function encodeResponse(hop: OnionHop, returnPath: Uint8Array, response: Uint8Array): Uint8Array {
  expectLength(returnPath, returnPathSize(hop), `hop ${hop} return blob`);
  if (response.length === 0 || response.length > ONION_RESPONSE_MAX_DATA_SIZE) {
    throw new EncodeError(`onion response must be 1 to ${ONION_RESPONSE_MAX_DATA_SIZE} bytes, got ${response.length}`);
  }
  const out = new Uint8Array(1 + returnPath.length + response.length);
  out[0] = ID_OF_HOP[hop];
  out.set(returnPath, 1);
  out.set(response, 1 + returnPath.length);
  return out;
}

/**
 * Splits an onion response (0x8c, 0x8d, 0x8e) as `handle_recv_3`, `_2` and `_1` do: at most
 * 1400 bytes (`trailing-bytes`), longer than the id and the blob (`truncated`), and the
 * response's first byte 0x84 or 0x86 (`bad-value`).
 */
export function decodeOnionResponse(packet: Uint8Array): OnionResponseEnvelope {
  const id = expectId(packet, [NetPacket.ONION_RECV_3, NetPacket.ONION_RECV_2, NetPacket.ONION_RECV_1], 'onion response');
  const hop = HOP_OF_ID[id]!;
  const size = returnPathSize(hop);
  expectSizeAbove(packet, 1 + size, ONION_MAX_PACKET_SIZE, `onion response 0x${hex(id)}`);
  const r = new ByteReader(packet);
  r.u8('packet id');
  const returnPath = r.bytes(size, 'return blob');
  const data = r.rest();
  checkResponseId(data, `onion response 0x${hex(id)}`);
  return { hop, returnPath, data };
}

/**
 * What hop `hop` passes on, given the previous hop's blob from its own opened blob:
 * `[0x8d][blob 2][response]` from hop 3, `[0x8e][blob 1][response]` from hop 2, and the bare
 * response from hop 1.
 */
export function encodeForwardedResponse(hop: OnionHop, previous: Uint8Array, response: Uint8Array): Uint8Array {
  if (hop === 1) {
    expectLength(previous, 0, 'hop 1 previous blob');
    if (response.length === 0) throw new EncodeError('empty onion response');
    return response.slice();
  }
  return encodeResponse((hop - 1) as OnionHop, previous, response);
}
