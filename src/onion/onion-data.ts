/**
 * Onion data: a payload for a friend, sent through the onion to a node where the friend
 * announced itself, which passes it down the friend's stored return path. Two boxes, one
 * nonce: the outer one to the friend's data key (only the friend, not the announce node,
 * can open it), the inner one between the two real keys (it proves who sent it).
 *
 * Data request (0x85), the payload of an onion request to the announce node:
 *
 * | Length | Type        | Contents                                                      |
 * |--------|-------------|---------------------------------------------------------------|
 * | 1      | `uint8_t`   | 0x85                                                          |
 * | 32     | public key  | the friend's real public key: which announcement to use       |
 * | 24     | nonce       | random nonce                                                  |
 * | 32     | public key  | a fresh ephemeral public key                                  |
 * | 16     | MAC         | outer box, sealed with DH(friend's data key, ephemeral key)   |
 * | 32     | public key  | (outer) the sender's real public key                          |
 * | 16     | MAC         | (outer) inner box, sealed with DH(friend's real key, sender's real key), same nonce |
 * | 1–948  | payload     | (inner) id and data: 0x9c DHT key announcement, 0x20 friend request |
 *
 * Data response (0x86), what the announce node sends down the friend's return path: the
 * request without its destination key, `[0x86][nonce][ephemeral key][outer box]`.
 *
 * @see spec/onion.md#onion-data-request-0x85
 * @module
 */
import { NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, NetPacket } from '../wire/index.ts';
import { expectId, expectLength, expectLengthBetween, expectSizeAbove } from './errors.ts';
import {
  DATA_REQUEST_MIN_SIZE_RECV, MAX_DATA_REQUEST_SIZE, ONION_DATA_IN_RESPONSE_MIN_SIZE, ONION_DATA_OVERHEAD,
  ONION_DATA_RECEIVE_MAX, ONION_DATA_RESPONSE_MAX_SIZE, ONION_MAX_PACKET_SIZE, ONION_RETURN_3,
} from './packet-sizes.ts';

/** The outer box's plaintext: the sender's real key and the inner box. */
export interface SealedOnionData {
  /** The sender's real public key (a copy): the receiver opens the inner box with it, and knows who wrote. */
  readonly senderRealPublicKey: Uint8Array;
  /** The inner box, a view. */
  readonly box: Uint8Array;
}

/**
 * The outer box's plaintext, as `send_onion_data` builds it: `[sender's real key][box(realSharedKey,
 * nonce, payload)]`, where `realSharedKey` is DH(friend's real public key, our real secret
 * key). `payload` is 1 to 948 bytes: 0.2.18 senders allow 1021, but 0.2.18 receivers drop
 * anything over 948, so toxlink does not send it.
 */
export function sealOnionData(realSharedKey: Uint8Array, nonce: Uint8Array, senderRealPublicKey: Uint8Array, payload: Uint8Array): Uint8Array {
  expectLength(realSharedKey, SHARED_KEY_SIZE, 'real shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(senderRealPublicKey, PUBLIC_KEY_SIZE, 'sender real public key');
  expectLengthBetween(payload, 1, ONION_DATA_RECEIVE_MAX, 'onion data payload');
  return new ByteWriter(ONION_DATA_IN_RESPONSE_MIN_SIZE + payload.length)
    .bytes(senderRealPublicKey)
    .bytes(encryptPrecomputed(realSharedKey, nonce, payload))
    .finish();
}

/**
 * A data request (0x85), as `create_data_request` builds it:
 * `[0x85][friend's real key][nonce][ephemeral key][box(dataSharedKey, nonce, data)]`.
 * `dataSharedKey` is DH(friend's data public key, ephemeral secret key); `data` is what
 * {@link sealOnionData} made (c-toxcore allows 1 to 1069 bytes of it).
 */
export function encodeOnionDataRequest(
  destinationRealPublicKey: Uint8Array, nonce: Uint8Array, ephemeralPublicKey: Uint8Array, dataSharedKey: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  expectLength(destinationRealPublicKey, PUBLIC_KEY_SIZE, 'destination real public key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(ephemeralPublicKey, PUBLIC_KEY_SIZE, 'ephemeral public key');
  expectLength(dataSharedKey, SHARED_KEY_SIZE, 'data shared key');
  expectLengthBetween(data, 1, MAX_DATA_REQUEST_SIZE, 'onion data');
  const box = encryptPrecomputed(dataSharedKey, nonce, data);
  return new ByteWriter(1 + PUBLIC_KEY_SIZE + NONCE_SIZE + PUBLIC_KEY_SIZE + box.length)
    .u8(NetPacket.ONION_DATA_REQUEST)
    .bytes(destinationRealPublicKey)
    .bytes(nonce)
    .bytes(ephemeralPublicKey)
    .bytes(box)
    .finish();
}

/** A data request as the announce node receives it. */
export interface OnionDataRequestEnvelope {
  /** Whose announcement to deliver to (a copy). */
  readonly destinationRealPublicKey: Uint8Array;
  /** Nonce, ephemeral key and box, a view: the announce node passes them on as they are. */
  readonly body: Uint8Array;
  /** Hop 3's return blob, a view (the node answers nothing to the sender of a data request). */
  readonly returnPath: Uint8Array;
}

/**
 * Splits a data request as an announce node receives it, with hop 3's blob: like
 * `handle_data_request`, longer than 282 bytes (`truncated`), at most 1400
 * (`trailing-bytes`), first byte 0x85 (`bad-value`).
 */
export function decodeOnionDataRequest(packet: Uint8Array): OnionDataRequestEnvelope {
  expectId(packet, [NetPacket.ONION_DATA_REQUEST], 'onion data request');
  expectSizeAbove(packet, DATA_REQUEST_MIN_SIZE_RECV, ONION_MAX_PACKET_SIZE, 'onion data request');
  const r = new ByteReader(packet);
  r.u8('packet id');
  const destinationRealPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'destination real public key').slice();
  const body = r.bytes(r.remaining - ONION_RETURN_3, 'body');
  return { destinationRealPublicKey, body, returnPath: r.rest() };
}

/**
 * The data response (0x86) an announce node sends down the announcer's stored return path
 * for a data request (`handle_data_request`): `[0x86][the request's body]`.
 */
export function encodeOnionDataResponse(request: OnionDataRequestEnvelope): Uint8Array {
  const out = new Uint8Array(1 + request.body.length);
  out[0] = NetPacket.ONION_DATA_RESPONSE;
  out.set(request.body, 1);
  return out;
}

/** A data response as the friend receives it, outer box still closed. */
export interface OnionDataResponseEnvelope {
  /** The nonce of both boxes (a copy). */
  readonly nonce: Uint8Array;
  /** The sender's ephemeral public key (a copy). */
  readonly ephemeralPublicKey: Uint8Array;
  /** The outer box, a view. */
  readonly box: Uint8Array;
}

/**
 * Splits a data response as a 0.2.18 client does (`handle_data_response`): longer than 121
 * bytes (`truncated`: it must hold a payload byte) and at most 1069 (`trailing-bytes`; the
 * bound 0.2.18 applies, which limits payloads to 948 bytes), first byte 0x86 (`bad-value`).
 */
export function decodeOnionDataResponse(packet: Uint8Array): OnionDataResponseEnvelope {
  expectId(packet, [NetPacket.ONION_DATA_RESPONSE], 'onion data response');
  expectSizeAbove(packet, ONION_DATA_OVERHEAD, ONION_DATA_RESPONSE_MAX_SIZE, 'onion data response');
  const r = new ByteReader(packet);
  r.u8('packet id');
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  const ephemeralPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'ephemeral public key').slice();
  return { nonce, ephemeralPublicKey, box: r.rest() };
}

/**
 * Opens the outer box with DH(the ephemeral key, our data secret key); `undefined` if it does
 * not open. Then open the inner box with {@link openOnionData}.
 */
export function openOnionDataResponse(envelope: OnionDataResponseEnvelope, dataSharedKey: Uint8Array): SealedOnionData | undefined {
  const plain = decryptPrecomputed(dataSharedKey, envelope.nonce, envelope.box);
  if (plain === undefined || plain.length <= ONION_DATA_IN_RESPONSE_MIN_SIZE) return undefined;
  return { senderRealPublicKey: plain.slice(0, PUBLIC_KEY_SIZE), box: plain.subarray(PUBLIC_KEY_SIZE) };
}

/**
 * Opens the inner box with DH(the sender's real key, our real secret key) and the nonce of
 * the outer one; `undefined` if it does not open. The payload's first byte says what it is
 * (`CryptoPacket.DHTPK`, `CryptoPacket.FRIEND_REQ`); 0.2.18 drops ids nobody registered.
 */
export function openOnionData(sealed: SealedOnionData, realSharedKey: Uint8Array, nonce: Uint8Array): Uint8Array | undefined {
  return decryptPrecomputed(realSharedKey, nonce, sealed.box);
}
