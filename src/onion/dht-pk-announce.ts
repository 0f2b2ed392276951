/**
 * The DHT key announcement (0x9c, `ONION_DATA_DHTPK`): "this is my DHT key this session, and
 * here is where to find me". Friends send it to each other through the onion (as onion data)
 * and through the DHT (as a DHT request routed to the friend's DHT key), until they connect.
 *
 * | Length | Type        | Contents                                                      |
 * |--------|-------------|---------------------------------------------------------------|
 * | 1      | `uint8_t`   | 0x9c                                                          |
 * | 8      | `uint64_t`  | no-replay number, big-endian: the sender's clock in seconds   |
 * | 32     | public key  | the sender's DHT public key                                   |
 * | 0–204  | nodes       | up to 4 packed nodes: first up to 2 TCP relays, then DHT nodes |
 *
 * Through the DHT, it travels as the payload of a DHT request (0x20) with request id 0x9c,
 * from the sender's DHT key to the friend's:
 *
 * | Length | Type        | Contents                                                      |
 * |--------|-------------|---------------------------------------------------------------|
 * | 32     | public key  | the sender's real public key                                  |
 * | 24     | nonce       | random nonce                                                  |
 * | 16     | MAC         | of the box, sealed with DH(friend's real key, sender's real key) |
 * | 41–245 | announcement | (encrypted) the DHT key announcement above                   |
 *
 * @see spec/onion.md#dht-key-announcement-0x9c
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, constantTimeEqual, decryptPrecomputed, encryptPrecomputed } from '../crypto/index.ts';
import {
  ByteReader, ByteWriter, CryptoPacket, DecodeError, type DecodeErrorCode, EncodeError, type PackedNode, packNodes, unpackNodes,
} from '../wire/index.ts';
import { expectLength, hex } from './errors.ts';
import {
  DHTPK_DATA_MAX_LENGTH, DHTPK_DATA_MIN_LENGTH, DHTPK_MAX_NODES, DHTPK_ROUTED_MAX_SIZE, DHTPK_ROUTED_MIN_SIZE,
} from './packet-sizes.ts';

/** What a DHT key announcement says. */
export interface DhtPkAnnounce {
  /**
   * Grows with every announcement the sender makes (0.2.18 sends its clock in seconds). A
   * receiver takes one only if its number is above the last it took from that friend.
   */
  readonly noReplay: bigint;
  /** The sender's DHT public key. */
  readonly dhtPublicKey: Uint8Array;
  /** UDP nodes near the sender, and TCP relays it is connected to (at most 4 in all). */
  readonly nodes: readonly PackedNode[];
}

/** A DHT key announcement as read, with how its node list fared. */
export interface DecodedDhtPkAnnounce extends DhtPkAnnounce {
  /**
   * Why the nodes did not parse, if they did not (`nodes` is then empty). 0.2.18 takes the
   * key and the no-replay number before it reads the nodes, so such an announcement still
   * counts; only its nodes are lost.
   */
  readonly nodesError: DecodeErrorCode | undefined;
}

/**
 * A DHT key announcement, as `send_dhtpk_announce` builds it: `[0x9c][no-replay BE][DHT
 * key][nodes]`, 41 to 245 bytes. At most 4 nodes, UDP or TCP.
 */
export function encodeDhtPkAnnounce(announce: DhtPkAnnounce): Uint8Array {
  if (announce.noReplay < 0n || announce.noReplay > 0xffffffffffffffffn) throw new EncodeError(`no-replay number must be a u64, got ${announce.noReplay}`);
  expectLength(announce.dhtPublicKey, PUBLIC_KEY_SIZE, 'DHT public key');
  if (announce.nodes.length > DHTPK_MAX_NODES) throw new EncodeError(`at most ${DHTPK_MAX_NODES} nodes, got ${announce.nodes.length}`);
  const nodes = packNodes(announce.nodes);
  return new ByteWriter(DHTPK_DATA_MIN_LENGTH + nodes.length)
    .u8(CryptoPacket.DHTPK)
    .u64(announce.noReplay)
    .bytes(announce.dhtPublicKey)
    .bytes(nodes)
    .finish();
}

/** Options of {@link decodeDhtPkAnnounce}. */
export interface DhtPkDecodeOptions {
  /**
   * Whether the first byte must be 0x9c (default true). Onion data is dispatched on it; but
   * 0.2.18's `handle_dht_dhtpk` hands the routed copy to `handle_dhtpk_announce` without
   * looking at it, so the routed path accepts any first byte.
   */
  readonly checkId?: boolean;
}

/**
 * Reads a DHT key announcement as `handle_dhtpk_announce` does: 41 to 297 bytes
 * (`truncated`, `trailing-bytes`; 297 is `DHTPK_DATA_MAX_LENGTH`, sized by the in-memory
 * node struct), then up to 4 nodes, UDP or TCP, bytes after the fourth ignored. Nodes that
 * do not parse are reported in `nodesError`, not thrown: the key still counts.
 */
export function decodeDhtPkAnnounce(payload: Uint8Array, options: DhtPkDecodeOptions = {}): DecodedDhtPkAnnounce {
  if (payload.length < DHTPK_DATA_MIN_LENGTH) {
    throw new DecodeError('truncated', `DHT key announcement: ${payload.length} bytes, need ${DHTPK_DATA_MIN_LENGTH}`);
  }
  if (payload.length > DHTPK_DATA_MAX_LENGTH) {
    throw new DecodeError('trailing-bytes', `DHT key announcement: ${payload.length} bytes, at most ${DHTPK_DATA_MAX_LENGTH}`);
  }
  const r = new ByteReader(payload);
  const id = r.u8('packet id');
  if ((options.checkId ?? true) && id !== CryptoPacket.DHTPK) {
    throw new DecodeError('bad-value', `DHT key announcement: id 0x${hex(id)}, want 0x9c`);
  }
  const noReplay = r.u64('no-replay number');
  const dhtPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'DHT public key').slice();
  let nodes: PackedNode[] = [];
  let nodesError: DecodeErrorCode | undefined;
  if (r.remaining > 0) {
    try {
      nodes = unpackNodes(r.rest(), DHTPK_MAX_NODES, { allowTcp: true }).nodes;
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      nodesError = error.code;
    }
  }
  return { noReplay, dhtPublicKey, nodes, nodesError };
}

/**
 * The DHT-routed copy (the payload of DHT request 0x9c after its id byte), as
 * `send_dht_dhtpk` builds it: `[sender's real key][nonce][box(realSharedKey, nonce,
 * announcement)]`, where `realSharedKey` is DH(friend's real public key, our real secret key)
 * and `announcement` is what {@link encodeDhtPkAnnounce} made.
 */
export function sealRoutedDhtPk(realSharedKey: Uint8Array, nonce: Uint8Array, senderRealPublicKey: Uint8Array, announcement: Uint8Array): Uint8Array {
  expectLength(realSharedKey, SHARED_KEY_SIZE, 'real shared key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(senderRealPublicKey, PUBLIC_KEY_SIZE, 'sender real public key');
  if (announcement.length < DHTPK_DATA_MIN_LENGTH || announcement.length > DHTPK_DATA_MAX_LENGTH) {
    throw new EncodeError(`DHT key announcement must be ${DHTPK_DATA_MIN_LENGTH} to ${DHTPK_DATA_MAX_LENGTH} bytes, got ${announcement.length}`);
  }
  return new ByteWriter(PUBLIC_KEY_SIZE + NONCE_SIZE + MAC_SIZE + announcement.length)
    .bytes(senderRealPublicKey)
    .bytes(nonce)
    .bytes(encryptPrecomputed(realSharedKey, nonce, announcement))
    .finish();
}

/** The routed copy as its receiver reads it, box still closed. */
export interface RoutedDhtPkEnvelope {
  /** The sender's real public key (a copy): the receiver's friend, if it is one. */
  readonly senderRealPublicKey: Uint8Array;
  /** The nonce of the box (a copy). */
  readonly nonce: Uint8Array;
  /** The box, a view. */
  readonly box: Uint8Array;
}

/**
 * Splits the routed copy (the DHT request's payload after the id) as `handle_dht_dhtpk`
 * does: 113 to 369 bytes (`truncated`, `trailing-bytes`).
 */
export function decodeRoutedDhtPk(data: Uint8Array): RoutedDhtPkEnvelope {
  if (data.length < DHTPK_ROUTED_MIN_SIZE) throw new DecodeError('truncated', `routed DHT key announcement: ${data.length} bytes, need ${DHTPK_ROUTED_MIN_SIZE}`);
  if (data.length > DHTPK_ROUTED_MAX_SIZE) throw new DecodeError('trailing-bytes', `routed DHT key announcement: ${data.length} bytes, at most ${DHTPK_ROUTED_MAX_SIZE}`);
  const r = new ByteReader(data);
  const senderRealPublicKey = r.bytes(PUBLIC_KEY_SIZE, 'sender real public key').slice();
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  return { senderRealPublicKey, nonce, box: r.rest() };
}

/**
 * Opens the routed copy with DH(sender's real key, our real secret key) and reads the
 * announcement, as `handle_dht_dhtpk` does: `undefined` if the box does not open, or if the
 * announced DHT key is not `dhtSenderPublicKey`, the key the DHT request came from (so no
 * one can announce a DHT key it does not hold). The first byte is not checked.
 */
export function openRoutedDhtPk(
  envelope: RoutedDhtPkEnvelope, realSharedKey: Uint8Array, dhtSenderPublicKey: Uint8Array,
): DecodedDhtPkAnnounce | undefined {
  expectLength(dhtSenderPublicKey, PUBLIC_KEY_SIZE, 'DHT sender public key');
  const plain = decryptPrecomputed(realSharedKey, envelope.nonce, envelope.box);
  if (plain === undefined) return undefined;
  const announce = decodeDhtPkAnnounce(plain, { checkId: false });
  return constantTimeEqual(announce.dhtPublicKey, dhtSenderPublicKey) ? announce : undefined;
}
