/**
 * Nodes request (getnodes, 0x02) and nodes response (sendnodes, 0x04): "which nodes do
 * you know closest to this key?", answered with up to four packed nodes and the request's
 * sendback, by which the requester recognises an answer to a question it asked.
 *
 * Request plaintext (packet exactly 113 bytes):
 *
 * | Length | Type        | Contents                         |
 * |--------|-------------|----------------------------------|
 * | 32     | public key  | the key whose neighbours are sought |
 * | 8      | sendback    | opaque, echoed by the response   |
 *
 * Response plaintext (packet 121 … 286 bytes):
 *
 * | Length     | Type         | Contents                      |
 * |------------|--------------|-------------------------------|
 * | 1          | `uint8_t`    | node count, 1 … 4             |
 * | 39 or 51 each | packed node | UDP/IPv4 or UDP/IPv6 nodes |
 * | 8          | sendback     | the request's sendback        |
 *
 * @see spec/dht.md#nodes-request-0x02
 * @see spec/dht.md#nodes-response-0x04
 * @module
 */
import { PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import {
  ByteReader, DecodeError, EncodeError, NetPacket, type PackedNode, decodePackedNode, packNodes,
} from '../wire/index.ts';
import { expectLength, sealDhtPacket } from './dht-packet.ts';
import { CRYPTO_NODE_SIZE, MAX_SENT_NODES, SENDBACK_SIZE } from './packet-sizes.ts';

/** What a nodes request asks. */
export interface NodesRequest {
  /** The key whose closest nodes are wanted (a copy). */
  readonly target: Uint8Array;
  /** Opaque bytes the response must echo (a copy). */
  readonly sendback: Uint8Array;
}

/** What a nodes response answers. */
export interface NodesResponse {
  /** 1 … 4 UDP nodes, in the order the sender wrote them. */
  readonly nodes: PackedNode[];
  /** The sendback of the request this answers (a copy). */
  readonly sendback: Uint8Array;
}

/**
 * A whole nodes request, 113 bytes: `[0x02][sender public key][nonce][box([target][sendback])]`,
 * as c-toxcore's `dht_getnodes` writes it.
 */
export function encodeNodesRequest(
  senderPublicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, target: Uint8Array, sendback: Uint8Array,
): Uint8Array {
  expectLength(target, PUBLIC_KEY_SIZE, 'target');
  expectLength(sendback, SENDBACK_SIZE, 'sendback');
  const plain = new Uint8Array(CRYPTO_NODE_SIZE);
  plain.set(target, 0);
  plain.set(sendback, PUBLIC_KEY_SIZE);
  return sealDhtPacket(NetPacket.GET_NODES, senderPublicKey, sharedKey, nonce, plain);
}

/**
 * Reads an opened nodes request plaintext. Exactly 40 bytes, as `handle_getnodes` wants
 * (`truncated` or `trailing-bytes` otherwise).
 */
export function decodeNodesRequestPlain(plain: Uint8Array): NodesRequest {
  if (plain.length > CRYPTO_NODE_SIZE) {
    throw new DecodeError('trailing-bytes', `nodes request plaintext: ${plain.length} bytes, want ${CRYPTO_NODE_SIZE}`);
  }
  const r = new ByteReader(plain);
  const target = r.bytes(PUBLIC_KEY_SIZE, 'target').slice();
  const sendback = r.bytes(SENDBACK_SIZE, 'sendback').slice();
  return { target, sendback };
}

/**
 * A whole nodes response: `[0x04][sender public key][nonce][box([count][nodes][sendback])]`,
 * as c-toxcore's `sendnodes_ipv6` writes it. Takes 1 … 4 UDP nodes; c-toxcore also sends a
 * response with no nodes, but c-toxcore refuses to read one, so toxlink does not send it.
 */
export function encodeNodesResponse(
  senderPublicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, nodes: readonly PackedNode[],
  sendback: Uint8Array,
): Uint8Array {
  if (nodes.length < 1 || nodes.length > MAX_SENT_NODES) {
    throw new EncodeError(`a nodes response carries 1 to ${MAX_SENT_NODES} nodes, not ${nodes.length}`);
  }
  if (nodes.some((node) => node.protocol !== 'udp')) {
    throw new EncodeError('a nodes response carries UDP nodes only');
  }
  expectLength(sendback, SENDBACK_SIZE, 'sendback');
  const packed = packNodes(nodes);
  const plain = new Uint8Array(1 + packed.length + SENDBACK_SIZE);
  plain[0] = nodes.length;
  plain.set(packed, 1);
  plain.set(sendback, 1 + packed.length);
  return sealDhtPacket(NetPacket.SEND_NODES_IPV6, senderPublicKey, sharedKey, nonce, plain);
}

/**
 * Reads an opened nodes response plaintext with c-toxcore's rules
 * (`handle_sendnodes_core`): the last 8 bytes are the sendback; the bytes between the
 * count and the sendback must be exactly `count` packed nodes. Refuses a count of 0 or
 * over 4 (`bad-value`), too few node bytes (`truncated`), bytes left over after the nodes
 * (`trailing-bytes`) and TCP or unknown families (`bad-family`).
 */
export function decodeNodesResponsePlain(plain: Uint8Array): NodesResponse {
  if (plain.length < 1 + SENDBACK_SIZE) {
    throw new DecodeError('truncated', `nodes response plaintext: ${plain.length} bytes, need at least ${1 + SENDBACK_SIZE}`);
  }
  const count = plain[0]!;
  if (count < 1 || count > MAX_SENT_NODES) {
    throw new DecodeError('bad-value', `nodes response count ${count}, want 1 to ${MAX_SENT_NODES}`);
  }
  const sendbackAt = plain.length - SENDBACK_SIZE;
  const r = new ByteReader(plain.subarray(1, sendbackAt));
  const nodes: PackedNode[] = [];
  for (let i = 0; i < count; i++) nodes.push(decodePackedNode(r, { allowTcp: false }));
  r.end('nodes response nodes');
  return { nodes, sendback: plain.slice(sendbackAt) };
}
