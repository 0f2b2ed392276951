/**
 * Announce request (0x83): "store my announcement", or "who has announced this key?". The
 * payload of an onion request to an announce node. 0.2.18 clients send only this, the old
 * format; 0.2.18 announce nodes also answer the same bytes under id 0x87 (see
 * {@link AnnounceFormat}).
 *
 * | Length | Type        | Contents                                                    |
 * |--------|-------------|-------------------------------------------------------------|
 * | 1      | `uint8_t`   | 0x83 (0x87 in the new format)                               |
 * | 24     | nonce       | random nonce                                                |
 * | 32     | public key  | the sender's key: its real key to announce, a per-friend temporary key to search |
 * | 16     | MAC         | of the box, sealed with DH(node's DHT key, sender's key)    |
 * | 32     | ping id     | (encrypted) zeros, or the ping id the node gave last time   |
 * | 32     | public key  | (encrypted) the searched key: our real key, or the friend's |
 * | 32     | public key  | (encrypted) our data public key, or zeros when searching    |
 * | 8      | sendback    | (encrypted) opaque, echoed by the response                  |
 *
 * 177 bytes as sent (`ONION_ANNOUNCE_REQUEST_SIZE`); 354 as the node receives it, with hop
 * 3's return blob.
 *
 * @see spec/onion.md#announce-request-0x83
 * @module
 */
import { NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import { ByteReader, ByteWriter, NetPacket } from '../wire/index.ts';
import { expectId, expectLength, expectSizeAbove } from './errors.ts';
import {
  ANNOUNCE_REQUEST_PLAIN_SIZE, ANNOUNCE_REQUEST_SIZE_RECV, ONION_ANNOUNCE_REQUEST_SIZE, ONION_ANNOUNCE_SENDBACK_DATA_LENGTH,
  ONION_PING_ID_SIZE, ONION_RETURN_3,
} from './packet-sizes.ts';

/**
 * Which announce packets: `old` is 0x83 / 0x84, the only ones 0.2.18 clients send and 0.2.18
 * hops forward; `new` is 0x87 / 0x88, the group-chat era format, whose response has a node
 * count byte. 0.2.18 announce nodes answer a 0x87 of exactly 354 bytes (the old request
 * under the new id) with a 0x88, but 0.2.18 hops drop both, so only a direct packet reaches
 * them.
 */
export type AnnounceFormat = 'old' | 'new';

/** What an announce request asks. */
export interface AnnounceRequest {
  /** 32 bytes: zeros, or the ping id the node answered last time (a self-announce is stored only with a valid one). */
  readonly pingId: Uint8Array;
  /** The key looked up, and the key the answer's nodes are closest to. */
  readonly searchPublicKey: Uint8Array;
  /** The key others must seal onion data to us with; zeros when searching for a friend. */
  readonly dataPublicKey: Uint8Array;
  /** 8 opaque bytes the response carries back. */
  readonly sendback: Uint8Array;
}

/** An announce request as the node receives it, box still closed. */
export interface AnnounceRequestEnvelope {
  readonly format: AnnounceFormat;
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** The sender's public key (a copy): the announced key, if the request stores anything. */
  readonly senderPublicKey: Uint8Array;
  /** The box, a view. */
  readonly box: Uint8Array;
  /** Hop 3's return blob (177 bytes, a view): the node answers through it, and stores it with an announcement. */
  readonly returnPath: Uint8Array;
}

/** The request's id byte in each format. */
export const ANNOUNCE_REQUEST_ID: Readonly<Record<AnnounceFormat, number>> = {
  old: NetPacket.ANNOUNCE_REQUEST_OLD,
  new: NetPacket.ANNOUNCE_REQUEST,
};

/**
 * An announce request, 177 bytes, as `create_announce_request` builds it:
 * `[id][nonce][sender key][box([ping id][searched key][data key][sendback])]`. `sharedKey`
 * is DH(the node's DHT public key, the sender's secret key).
 */
export function encodeAnnounceRequest(
  format: AnnounceFormat, sharedKey: Uint8Array, senderPublicKey: Uint8Array, nonce: Uint8Array, request: AnnounceRequest,
): Uint8Array {
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(senderPublicKey, PUBLIC_KEY_SIZE, 'sender public key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(request.pingId, ONION_PING_ID_SIZE, 'ping id');
  expectLength(request.searchPublicKey, PUBLIC_KEY_SIZE, 'searched public key');
  expectLength(request.dataPublicKey, PUBLIC_KEY_SIZE, 'data public key');
  expectLength(request.sendback, ONION_ANNOUNCE_SENDBACK_DATA_LENGTH, 'sendback');
  const plain = new ByteWriter(ANNOUNCE_REQUEST_PLAIN_SIZE)
    .bytes(request.pingId)
    .bytes(request.searchPublicKey)
    .bytes(request.dataPublicKey)
    .bytes(request.sendback)
    .finish();
  return new ByteWriter(ONION_ANNOUNCE_REQUEST_SIZE)
    .u8(ANNOUNCE_REQUEST_ID[format])
    .bytes(nonce)
    .bytes(senderPublicKey)
    .bytes(encryptPrecomputed(sharedKey, nonce, plain))
    .finish();
}

/**
 * Splits an announce request as an announce node receives it: the 177-byte request and hop
 * 3's 177-byte blob. Like `handle_announce_request_old` (and 0.2.18's `handle_announce_request`
 * for 0x87, whose longer group-chat form has no handler there), refuses any length but 354
 * (`truncated`, `trailing-bytes`) and an id other than 0x83 or 0x87 (`bad-value`).
 */
export function decodeAnnounceRequest(packet: Uint8Array): AnnounceRequestEnvelope {
  const id = expectId(packet, [NetPacket.ANNOUNCE_REQUEST_OLD, NetPacket.ANNOUNCE_REQUEST], 'announce request');
  expectSizeAbove(packet, ANNOUNCE_REQUEST_SIZE_RECV - 1, ANNOUNCE_REQUEST_SIZE_RECV, 'announce request');
  const r = new ByteReader(packet);
  r.u8('packet id');
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  const senderPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'sender public key').slice();
  const box = r.bytes(r.remaining - ONION_RETURN_3, 'box');
  return { format: id === NetPacket.ANNOUNCE_REQUEST ? 'new' : 'old', nonce, senderPublicKey, box, returnPath: r.rest() };
}

/** Opens an announce request with DH(our DHT secret key, the sender's key); `undefined` if it does not open. */
export function openAnnounceRequest(envelope: AnnounceRequestEnvelope, sharedKey: Uint8Array): AnnounceRequest | undefined {
  const plain = decryptPrecomputed(sharedKey, envelope.nonce, envelope.box);
  if (plain === undefined || plain.length !== ANNOUNCE_REQUEST_PLAIN_SIZE) return undefined;
  const r = new ByteReader(plain);
  return {
    pingId: r.bytes(ONION_PING_ID_SIZE, 'ping id').slice(),
    searchPublicKey: r.bytes(PUBLIC_KEY_SIZE, 'searched public key').slice(),
    dataPublicKey: r.bytes(PUBLIC_KEY_SIZE, 'data public key').slice(),
    sendback: r.bytes(ONION_ANNOUNCE_SENDBACK_DATA_LENGTH, 'sendback').slice(),
  };
}
