/**
 * Onion requests: a payload wrapped in three boxes, one per hop, all sealed with the same
 * nonce. Each hop opens its box, learns only where to send the rest, appends a return blob
 * and forwards. The originator builds the first packet (0x80); hops 1 and 2 forward 0x81 and
 * 0x82; hop 3 sends the bare payload to the destination.
 *
 * 0x80, to hop 1:
 *
 * | Length | Type        | Contents                                             |
 * |--------|-------------|------------------------------------------------------|
 * | 1      | `uint8_t`   | 0x80                                                 |
 * | 24     | nonce       | random nonce, the same in all three boxes            |
 * | 32     | public key  | the originator's DHT public key                      |
 * | 16     | MAC         | box 1, sealed with DH(hop 1, originator's DHT key)   |
 * | 19     | IP_Port     | (box 1) hop 2's address                              |
 * | 32     | public key  | (box 1) a fresh public key for hop 2                 |
 * | 16     | MAC         | (box 1) box 2, sealed with DH(hop 2, that key)       |
 * | 19     | IP_Port     | (box 2) hop 3's address                              |
 * | 32     | public key  | (box 2) a fresh public key for hop 3                 |
 * | 16     | MAC         | (box 2) box 3, sealed with DH(hop 3, that key)       |
 * | 19     | IP_Port     | (box 3) the destination's address                    |
 * | 1–1174 | payload     | (box 3) an announce (0x83) or data (0x85) request    |
 *
 * 0x81, hop 1 to hop 2: `[0x81][nonce][public key for hop 2][box 2][return blob 1 (59)]`.
 * 0x82, hop 2 to hop 3: `[0x82][nonce][public key for hop 3][box 3][return blob 2 (118)]`.
 * Hop 3 to the destination: `[payload][return blob 3 (177)]`.
 *
 * @see spec/onion.md#onion-request-0x80
 * @module
 */
import {
  MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE, SHARED_KEY_SIZE, type KeyPair, decryptPrecomputed, encryptPrecomputed, precompute,
} from '../crypto/index.ts';
import { ByteReader, ByteWriter, DecodeError, EncodeError, type IpPort, NetPacket } from '../wire/index.ts';
import { expectId, expectLength, expectLengthBetween, expectSizeAbove, hex } from './errors.ts';
import { decodeOnionIpPort, encodeOnionIpPort } from './ip-port.ts';
import {
  ONION_MAX_DATA_SIZE, ONION_MAX_PACKET_SIZE, ONION_SEND_1, ONION_SEND_2, ONION_SEND_3,
  SIZE_IPPORT, TCP_ONION_REQUEST_MAX_BODY, TCP_ONION_REQUEST_MIN_BODY,
} from './packet-sizes.ts';
import { type OnionHop, returnPathSize } from './return-path.ts';

/** A node of a path: where it is and its DHT public key. */
export interface PathNode {
  readonly ipPort: IpPort;
  readonly publicKey: Uint8Array;
}

/** One hop of a path as its originator holds it. */
export interface OnionPathHop {
  /** The node. */
  readonly node: PathNode;
  /** The public key the packet shows this hop: our DHT key for hop 1, a fresh key for hops 2 and 3. */
  readonly publicKey: Uint8Array;
  /** DH(node's public key, the secret key of {@link publicKey}): seals this hop's box. */
  readonly sharedKey: Uint8Array;
}

/** Three hops, in the order a request meets them (`Onion_Path`). */
export interface OnionPath {
  readonly hops: readonly [OnionPathHop, OnionPathHop, OnionPathHop];
}

/**
 * A path through `nodes`, as `create_onion_path` makes one: hop 1 sees our DHT key (so hop 1
 * learns who sent the request, and nothing else does), hops 2 and 3 each a fresh key pair
 * that the caller draws per path. `undefined` if libsodium refuses a node's key.
 */
export function createOnionPath(
  dhtKeyPair: KeyPair, nodes: readonly [PathNode, PathNode, PathNode], hop2KeyPair: KeyPair, hop3KeyPair: KeyPair,
): OnionPath | undefined {
  const hop = (i: number, pair: KeyPair): OnionPathHop | undefined => {
    const node = nodes[i]!;
    expectLength(node.publicKey, PUBLIC_KEY_SIZE, `hop ${i + 1} public key`);
    expectLength(pair.publicKey, PUBLIC_KEY_SIZE, `hop ${i + 1} own public key`);
    const sharedKey = precompute(node.publicKey, pair.secretKey);
    return sharedKey === undefined ? undefined : { node, publicKey: pair.publicKey, sharedKey };
  };
  const h1 = hop(0, dhtKeyPair), h2 = hop(1, hop2KeyPair), h3 = hop(2, hop3KeyPair);
  return h1 && h2 && h3 ? { hops: [h1, h2, h3] } : undefined;
}

function checkPath(path: OnionPath, from: number): void {
  for (let i = from; i < 3; i++) {
    const hop = path.hops[i]!;
    expectLength(hop.publicKey, PUBLIC_KEY_SIZE, `hop ${i + 1} public key`);
    expectLength(hop.sharedKey, SHARED_KEY_SIZE, `hop ${i + 1} shared key`);
  }
}

/** `[address][public key][box(key, nonce, plain)]`: one layer around the next. */
function layer(next: IpPort, publicKey: Uint8Array, sharedKey: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  const w = new ByteWriter(SIZE_IPPORT + PUBLIC_KEY_SIZE + MAC_SIZE + plain.length);
  encodeOnionIpPort(w, next);
  w.bytes(publicKey);
  w.bytes(encryptPrecomputed(sharedKey, nonce, plain));
  return w.finish();
}

/** Box 2 wrapped in hop 2's address and key: what box 1 (or a TCP relay) carries. */
function layerOnePlain(path: OnionPath, nonce: Uint8Array, destination: IpPort, payload: Uint8Array): Uint8Array {
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLengthBetween(payload, 1, ONION_MAX_DATA_SIZE, 'onion payload');
  const [, hop2, hop3] = path.hops;
  const w = new ByteWriter(SIZE_IPPORT + payload.length);
  encodeOnionIpPort(w, destination);
  w.bytes(payload);
  const l3 = w.finish();
  const l2 = layer(hop3.node.ipPort, hop3.publicKey, hop3.sharedKey, nonce, l3);
  return layer(hop2.node.ipPort, hop2.publicKey, hop2.sharedKey, nonce, l2);
}

/**
 * The packet the originator sends to hop 1 (0x80), as `create_onion_packet` builds it:
 * `payload` (1 to 1174 bytes) is for `destination`, through the three hops of `path`, all
 * boxes sealed with `nonce`. 226 bytes longer than the payload.
 */
export function encodeOnionRequest(path: OnionPath, nonce: Uint8Array, destination: IpPort, payload: Uint8Array): Uint8Array {
  checkPath(path, 0);
  const l1 = layerOnePlain(path, nonce, destination, payload);
  const hop1 = path.hops[0];
  const box = encryptPrecomputed(hop1.sharedKey, nonce, l1);
  return new ByteWriter(1 + NONCE_SIZE + PUBLIC_KEY_SIZE + box.length)
    .u8(NetPacket.ONION_SEND_INITIAL)
    .bytes(nonce)
    .bytes(hop1.publicKey)
    .bytes(box)
    .finish();
}

/**
 * The body of a TCP onion request (relay packet 8) for a path whose hop 1 is a TCP relay we
 * are connected to, as `create_onion_packet_tcp` builds it: `[nonce][hop 2's address][key
 * for hop 2][box 2]`, with no box for hop 1 (the relay connection is encrypted already).
 * Only hops 2 and 3 of `path` are used. 177 bytes longer than the payload (1 to 1174 bytes).
 */
export function encodeTcpOnionRequest(path: OnionPath, nonce: Uint8Array, destination: IpPort, payload: Uint8Array): Uint8Array {
  checkPath(path, 1);
  const l1 = layerOnePlain(path, nonce, destination, payload);
  const out = new Uint8Array(NONCE_SIZE + l1.length);
  out.set(nonce, 0);
  out.set(l1, NONCE_SIZE);
  return out;
}

/** An onion request as the hop it is sent to receives it, its box still closed. */
export interface OnionRequestEnvelope {
  /** The hop reading it: 1 for 0x80, 2 for 0x81, 3 for 0x82. */
  readonly hop: OnionHop;
  /** The nonce of every box of the request (a copy). */
  readonly nonce: Uint8Array;
  /** The public key the box is sealed to us with (a copy). */
  readonly publicKey: Uint8Array;
  /** This hop's box, a view into the packet. */
  readonly box: Uint8Array;
  /** The previous hop's return blob, a view: empty at hop 1, 59 bytes at hop 2, 118 at hop 3. */
  readonly returnPath: Uint8Array;
}

const HOP_OF_ID: Readonly<Record<number, OnionHop>> = {
  [NetPacket.ONION_SEND_INITIAL]: 1,
  [NetPacket.ONION_SEND_1]: 2,
  [NetPacket.ONION_SEND_2]: 3,
};

/** The shortest packet each hop refuses: `length <= 1 + ONION_SEND_1`, `_2`, `_3`. */
const MIN_EXCLUSIVE: Readonly<Record<OnionHop, number>> = { 1: 1 + ONION_SEND_1, 2: 1 + ONION_SEND_2, 3: 1 + ONION_SEND_3 };

/**
 * Splits an onion request (0x80, 0x81 or 0x82) as `handle_send_initial`, `handle_send_1` and
 * `handle_send_2` do. Refuses (`DecodeError`) another first byte (`bad-value`), a packet over
 * 1400 bytes (`trailing-bytes`), and one not longer than 226, 218 or 210 bytes (`truncated`).
 */
export function decodeOnionRequest(packet: Uint8Array): OnionRequestEnvelope {
  const id = expectId(packet, [NetPacket.ONION_SEND_INITIAL, NetPacket.ONION_SEND_1, NetPacket.ONION_SEND_2], 'onion request');
  const hop = HOP_OF_ID[id]!;
  expectSizeAbove(packet, MIN_EXCLUSIVE[hop], ONION_MAX_PACKET_SIZE, `onion request 0x${hex(id)}`);
  const returnSize = hop === 1 ? 0 : returnPathSize((hop - 1) as OnionHop);
  const r = new ByteReader(packet);
  r.u8('packet id');
  const nonce = r.bytes(NONCE_SIZE, 'nonce').slice();
  const publicKey = r.bytes(PUBLIC_KEY_SIZE, 'public key').slice();
  const box = r.bytes(r.remaining - returnSize, 'box');
  return { hop, nonce, publicKey, box, returnPath: r.rest() };
}

/** An opened layer: where this hop sends the rest. */
export interface OnionLayer {
  /** The next hop's address, or (at hop 3) the destination's. */
  readonly next: IpPort;
  /**
   * What goes on, a view: at hops 1 and 2 the next hop's public key and box; at hop 3 the
   * payload for the destination.
   */
  readonly inner: Uint8Array;
}

/**
 * Reads the plaintext of a hop's box (or, at a TCP relay, the plaintext of the relay
 * request): `[next address][rest]`. At hop 3 the payload's first byte must be 0x83 or 0x85
 * (`bad-value`): 0.2.18 forwards only old-format announce and data requests, and looks at
 * that byte before the address. A next address that is not IPv4 or IPv6 is `bad-family`.
 */
export function decodeOnionLayer(hop: OnionHop, plain: Uint8Array): OnionLayer {
  if (plain.length <= SIZE_IPPORT) throw new DecodeError('truncated', `onion layer: ${plain.length} bytes`);
  if (hop === 3) {
    const id = plain[SIZE_IPPORT]!;
    if (id !== NetPacket.ANNOUNCE_REQUEST_OLD && id !== NetPacket.ONION_DATA_REQUEST) {
      throw new DecodeError('bad-value', `onion payload 0x${hex(id)}: hop 3 forwards only 0x83 and 0x85`);
    }
  }
  const r = new ByteReader(plain);
  const next = decodeOnionIpPort(r);
  return { next, inner: r.rest() };
}

/**
 * Opens this hop's box with `sharedKey` (DH(our DHT secret key, the envelope's public key))
 * and reads it with {@link decodeOnionLayer}; `undefined` if the box does not open.
 */
export function openOnionRequest(envelope: OnionRequestEnvelope, sharedKey: Uint8Array): OnionLayer | undefined {
  const plain = decryptPrecomputed(sharedKey, envelope.nonce, envelope.box);
  if (plain === undefined) return undefined;
  return decodeOnionLayer(envelope.hop, plain);
}

/**
 * What hop `hop` sends on, given the nonce, the opened layer's `inner` bytes and the return
 * blob it sealed (59, 118 or 177 bytes for hop 1, 2, 3): `[0x81][nonce][inner][blob]` from hop
 * 1, `[0x82][nonce][inner][blob]` from hop 2, `[inner][blob]` from hop 3.
 */
export function encodeForwardedRequest(hop: OnionHop, nonce: Uint8Array, inner: Uint8Array, returnPath: Uint8Array): Uint8Array {
  expectLength(nonce, NONCE_SIZE, 'nonce');
  expectLength(returnPath, returnPathSize(hop), `hop ${hop} return blob`);
  if (inner.length === 0) throw new EncodeError('nothing to forward');
  if (hop === 3) {
    const out = new Uint8Array(inner.length + returnPath.length);
    out.set(inner, 0);
    out.set(returnPath, inner.length);
    return out;
  }
  return new ByteWriter(1 + NONCE_SIZE + inner.length + returnPath.length)
    .u8(hop === 1 ? NetPacket.ONION_SEND_1 : NetPacket.ONION_SEND_2)
    .bytes(nonce)
    .bytes(inner)
    .bytes(returnPath)
    .finish();
}

/** A TCP onion request as the relay (acting as hop 1) reads it. */
export interface TcpOnionRequest {
  /** The nonce of the boxes (a copy). */
  readonly nonce: Uint8Array;
  /** Hop 2's address and the rest, as {@link decodeOnionLayer} reads them. */
  readonly layer: OnionLayer;
}

/**
 * Reads the body of a TCP onion request (relay packet 8, without its type byte) as a relay
 * does (`TCP_server.c`, then `onion_send_1`): 178 to 1359 bytes (`truncated`,
 * `trailing-bytes`), hop 2's address IPv4 or IPv6. The relay then forwards a 0x81 with
 * {@link encodeForwardedRequest}(1, …) and a blob naming the client.
 */
export function decodeTcpOnionRequest(body: Uint8Array): TcpOnionRequest {
  expectSizeAbove(body, TCP_ONION_REQUEST_MIN_BODY - 1, TCP_ONION_REQUEST_MAX_BODY, 'TCP onion request');
  return { nonce: body.slice(0, NONCE_SIZE), layer: decodeOnionLayer(1, body.subarray(NONCE_SIZE)) };
}
