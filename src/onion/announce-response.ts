/**
 * Announce response (0x84): the announce node's answer, back along the onion path. It says
 * whether the sender's announcement is stored, or gives the data key of whoever announced
 * the searched key here, and lists up to four nodes closer to the searched key.
 *
 * | Length | Type        | Contents                                                      |
 * |--------|-------------|---------------------------------------------------------------|
 * | 1      | `uint8_t`   | 0x84 (0x88 in the new format)                                 |
 * | 8      | sendback    | the request's sendback                                        |
 * | 24     | nonce       | random nonce                                                  |
 * | 16     | MAC         | of the box, sealed with the request's shared key              |
 * | 1      | `uint8_t`   | (encrypted) `is_stored`: 0, 1 or 2                            |
 * | 32     | bytes       | (encrypted) a ping id (0, 2) or the announcer's data key (1)  |
 * | 1      | `uint8_t`   | (encrypted, new format only) the number of nodes              |
 * | 0–204  | nodes       | (encrypted) up to 4 packed UDP nodes closest to the searched key |
 *
 * 82 to 286 bytes (83 to 287 in the new format).
 *
 * @see spec/onion.md#announce-response-0x84
 * @module
 */
import { NONCE_SIZE, SHARED_KEY_SIZE, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import {
  ByteReader, ByteWriter, DecodeError, type DecodeErrorCode, EncodeError, NetPacket, type PackedNode, packNodes, unpackNodes,
} from '../wire/index.ts';
import type { AnnounceFormat } from './announce-request.ts';
import { expectId, expectLength, expectSizeAbove } from './errors.ts';
import {
  ANNOUNCE_MAX_NODES, ONION_ANNOUNCE_RESPONSE_MAX_SIZE, ONION_ANNOUNCE_RESPONSE_MIN_SIZE, ONION_ANNOUNCE_SENDBACK_DATA_LENGTH,
  ONION_PING_ID_SIZE,
} from './packet-sizes.ts';

/** The `is_stored` byte of an announce response, as 0.2.18 announce nodes set it (`make_announce_payload_helper`). */
export const AnnounceStatus = {
  /** Nothing of the sender's is stored; the 32 bytes are a ping id for the next request. */
  NOT_STORED: 0,
  /** Someone announced the searched key here; the 32 bytes are that announcement's data public key. */
  FOUND: 1,
  /** The sender's announcement is stored (with this data key); the 32 bytes are a ping id. */
  STORED: 2,
} as const;

/** What an announce response says. */
export interface AnnounceResponse {
  /** The `is_stored` byte as sent (see {@link AnnounceStatus}; a client decides what other values mean). */
  readonly isStored: number;
  /** 32 bytes (a copy): a ping id, or (status 1) a data public key. */
  readonly pingIdOrKey: Uint8Array;
  /** The nodes that parsed: up to 4 UDP nodes. */
  readonly nodes: readonly PackedNode[];
  /**
   * Why the node list did not parse, if it did not (`nodes` is then empty). A 0.2.18 client
   * still takes the status and ping id of such a response, then drops the rest.
   */
  readonly nodesError: DecodeErrorCode | undefined;
  /** New format only: bytes after the counted nodes (group-chat data in 0.2.19 and later; 0.2.18 sends none). */
  readonly extra: Uint8Array;
}

/** What {@link encodeAnnounceResponse} puts in the box. */
export interface AnnounceResponseContents {
  readonly isStored: number;
  readonly pingIdOrKey: Uint8Array;
  readonly nodes: readonly PackedNode[];
}

/** An announce response as the client receives it, box still closed. */
export interface AnnounceResponseEnvelope {
  readonly format: AnnounceFormat;
  /** The request's sendback (a copy): the client finds its request by it, and so the key to open the box. */
  readonly sendback: Uint8Array;
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** The box, a view. */
  readonly box: Uint8Array;
}

/** The response's id byte in each format. */
export const ANNOUNCE_RESPONSE_ID: Readonly<Record<AnnounceFormat, number>> = {
  old: NetPacket.ANNOUNCE_RESPONSE_OLD,
  new: NetPacket.ANNOUNCE_RESPONSE,
};

/**
 * An announce response, as `handle_announce_request_common` builds it:
 * `[id][sendback][nonce][box([is_stored][ping id or key][count, new format][nodes])]`.
 * `sharedKey` is the one the request was opened with. At most 4 nodes, all UDP.
 */
export function encodeAnnounceResponse(
  format: AnnounceFormat, sharedKey: Uint8Array, nonce: Uint8Array, sendback: Uint8Array, contents: AnnounceResponseContents,
): Uint8Array {
  expectLength(sharedKey, SHARED_KEY_SIZE, 'shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(sendback, ONION_ANNOUNCE_SENDBACK_DATA_LENGTH, 'sendback');
  expectLength(contents.pingIdOrKey, ONION_PING_ID_SIZE, 'ping id or data key');
  if (!Number.isInteger(contents.isStored) || contents.isStored < 0 || contents.isStored > 255) {
    throw new EncodeError(`is_stored must be a byte, got ${contents.isStored}`);
  }
  if (contents.nodes.length > ANNOUNCE_MAX_NODES) throw new EncodeError(`at most ${ANNOUNCE_MAX_NODES} nodes, got ${contents.nodes.length}`);
  if (contents.nodes.some((n) => n.protocol !== 'udp')) throw new EncodeError('an announce response carries UDP nodes only');
  const nodes = packNodes(contents.nodes);
  const count = format === 'new' ? 1 : 0;
  const plain = new ByteWriter(1 + ONION_PING_ID_SIZE + count + nodes.length).u8(contents.isStored).bytes(contents.pingIdOrKey);
  if (format === 'new') plain.u8(contents.nodes.length);
  plain.bytes(nodes);
  const box = encryptPrecomputed(sharedKey, nonce, plain.finish());
  return new ByteWriter(1 + ONION_ANNOUNCE_SENDBACK_DATA_LENGTH + NONCE_SIZE + box.length)
    .u8(ANNOUNCE_RESPONSE_ID[format])
    .bytes(sendback)
    .bytes(nonce)
    .bytes(box)
    .finish();
}

/**
 * Splits an announce response as a client receives it. Like 0.2.18's
 * `handle_announce_response`, refuses an old-format response shorter than 82 bytes
 * (`truncated`) or longer than 626 (`trailing-bytes`); a new-format one needs 83 (0.2.18
 * has no client for it; 0.2.19 takes the same bounds). A first byte other than 0x84 or 0x88
 * is `bad-value`.
 */
export function decodeAnnounceResponse(packet: Uint8Array): AnnounceResponseEnvelope {
  const id = expectId(packet, [NetPacket.ANNOUNCE_RESPONSE_OLD, NetPacket.ANNOUNCE_RESPONSE], 'announce response');
  const format: AnnounceFormat = id === NetPacket.ANNOUNCE_RESPONSE ? 'new' : 'old';
  const min = ONION_ANNOUNCE_RESPONSE_MIN_SIZE + (format === 'new' ? 1 : 0);
  expectSizeAbove(packet, min - 1, ONION_ANNOUNCE_RESPONSE_MAX_SIZE, 'announce response');
  const r = new ByteReader(packet);
  r.u8('packet id');
  const sendback = r.bytes(ONION_ANNOUNCE_SENDBACK_DATA_LENGTH, 'sendback').slice();
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { format, sendback, nonce, box: r.rest() };
}

/**
 * Opens an announce response with the shared key of its request; `undefined` if it does
 * not open. The nodes are read as 0.2.18 reads them: in the old format up to 4 UDP nodes,
 * bytes after the fourth ignored (`unpack_nodes`); in the new format exactly the counted
 * nodes, as 0.2.19 does (a count over 4 is `bad-value`; fewer nodes than counted are taken),
 * the rest returned as `extra`. Nodes that do not
 * parse leave `nodes` empty and say why in `nodesError`; the status and ping id still count.
 */
export function openAnnounceResponse(envelope: AnnounceResponseEnvelope, sharedKey: Uint8Array): AnnounceResponse | undefined {
  const plain = decryptPrecomputed(sharedKey, envelope.nonce, envelope.box);
  if (plain === undefined || plain.length < 1 + ONION_PING_ID_SIZE + (envelope.format === 'new' ? 1 : 0)) return undefined;
  const r = new ByteReader(plain);
  const isStored = r.u8('is_stored');
  const pingIdOrKey = r.bytes(ONION_PING_ID_SIZE, 'ping id or data key').slice();
  let nodes: PackedNode[] = [];
  let nodesError: DecodeErrorCode | undefined;
  let extra = new Uint8Array(0);
  try {
    if (envelope.format === 'old') {
      if (r.remaining > 0) nodes = unpackNodes(r.rest(), ANNOUNCE_MAX_NODES, { allowTcp: false }).nodes;
    } else {
      const count = r.u8('node count');
      if (count > ANNOUNCE_MAX_NODES) throw new DecodeError('bad-value', `announce response counts ${count} nodes, at most ${ANNOUNCE_MAX_NODES}`);
      const rest = r.rest();
      const read = unpackNodes(rest, count, { allowTcp: false });
      nodes = read.nodes;
      extra = rest.slice(read.consumed);
    }
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    nodes = [];
    nodesError = error.code;
  }
  return { isStored, pingIdOrKey, nodes, nodesError, extra };
}
