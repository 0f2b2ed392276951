/**
 * The packed node format: how c-toxcore writes "a node at this address with this key"
 * into DHT responses, onion announce responses, DHT key announcements and shared relays.
 *
 * | Length | Type        | Contents                                             |
 * |--------|-------------|------------------------------------------------------|
 * | 1      | `uint8_t`   | family: 2 UDP/IPv4, 10 UDP/IPv6, 130 TCP/IPv4, 138 TCP/IPv6 |
 * | 4 or 16| address     | IPv4 or IPv6 address, network order                  |
 * | 2      | `uint16_t`  | port, network order                                  |
 * | 32     | public key  | the node's DHT public key (or relay key)             |
 *
 * @see spec/wire.md#packed-node-format
 * @module
 */
import { PUBLIC_KEY_SIZE } from './sizes.ts';
import { ByteReader } from './reader.ts';
import { ByteWriter } from './writer.ts';
import { DecodeError, EncodeError } from './errors.ts';
import { type IpPort, IPV4_SIZE, IPV6_SIZE, checkPort, ipFromBytes, ipToBytes, isIpv6 } from './ip.ts';

/** The family byte of a packed address (`TOX_AF_INET` …), as c-toxcore's `network.h` names it. */
export const Family = {
  /** `TOX_AF_INET`: UDP over IPv4. */
  UDP_IPV4: 2,
  /** `TOX_AF_INET6`: UDP over IPv6. */
  UDP_IPV6: 10,
  /** `TOX_TCP_INET`: a TCP relay over IPv4. */
  TCP_IPV4: 130,
  /** `TOX_TCP_INET6`: a TCP relay over IPv6. */
  TCP_IPV6: 138,
} as const;

/** `PACKED_NODE_SIZE_IP4`: a packed IPv4 node. */
export const PACKED_NODE_SIZE_IPV4 = 1 + IPV4_SIZE + 2 + PUBLIC_KEY_SIZE;
/** `PACKED_NODE_SIZE_IP6`: a packed IPv6 node. */
export const PACKED_NODE_SIZE_IPV6 = 1 + IPV6_SIZE + 2 + PUBLIC_KEY_SIZE;

/** Whether an address is reached over UDP (DHT nodes) or TCP (relays). */
export type Protocol = 'udp' | 'tcp';

/** A node: where it is and its public key. */
export interface PackedNode {
  readonly protocol: Protocol;
  readonly ipPort: IpPort;
  readonly publicKey: Uint8Array;
}

/** Bytes {@link encodePackedNode} will write for `node`. */
export function packedNodeSize(node: PackedNode): number {
  return isIpv6(node.ipPort.host) ? PACKED_NODE_SIZE_IPV6 : PACKED_NODE_SIZE_IPV4;
}

/** Writes `[family][address][port][public key]` (`pack_ip_port` then the key). */
export function encodePackedNode(w: ByteWriter, node: PackedNode): void {
  const v6 = isIpv6(node.ipPort.host);
  if (node.publicKey.length !== PUBLIC_KEY_SIZE) throw new EncodeError(`public key must be ${PUBLIC_KEY_SIZE} bytes`);
  const tcp = node.protocol === 'tcp';
  w.u8(v6 ? (tcp ? Family.TCP_IPV6 : Family.UDP_IPV6) : tcp ? Family.TCP_IPV4 : Family.UDP_IPV4);
  w.bytes(ipToBytes(node.ipPort.host));
  w.u16(checkPort(node.ipPort.port));
  w.bytes(node.publicKey);
}

/** Options for decoding nodes. */
export interface DecodeNodeOptions {
  /**
   * Accept the TCP families (130, 138). c-toxcore accepts them only where relays are
   * expected (shared relays, DHT key announcements); elsewhere they are an error.
   */
  readonly allowTcp: boolean;
}

/**
 * Reads one packed node (`unpack_ip_port` then the key). The public key is copied, so the
 * node does not keep the packet alive.
 */
export function decodePackedNode(r: ByteReader, opts: DecodeNodeOptions): PackedNode {
  const family = r.u8('node family');
  let v6: boolean, protocol: Protocol;
  switch (family) {
    case Family.UDP_IPV4: v6 = false; protocol = 'udp'; break;
    case Family.UDP_IPV6: v6 = true; protocol = 'udp'; break;
    case Family.TCP_IPV4: v6 = false; protocol = 'tcp'; break;
    case Family.TCP_IPV6: v6 = true; protocol = 'tcp'; break;
    default: throw new DecodeError('bad-family', `unknown node family ${family}`);
  }
  if (protocol === 'tcp' && !opts.allowTcp) throw new DecodeError('bad-family', `TCP family ${family} not allowed here`);
  const host = ipFromBytes(r.bytes(v6 ? IPV6_SIZE : IPV4_SIZE, 'node address'));
  const port = r.u16('node port');
  const publicKey = r.bytes(PUBLIC_KEY_SIZE, 'node public key').slice();
  return { protocol, ipPort: { host, port }, publicKey };
}

/** Bytes of `nodes` packed back to back, with no count (`pack_nodes`). */
export function packNodes(nodes: readonly PackedNode[]): Uint8Array {
  const w = new ByteWriter(nodes.reduce((n, node) => n + packedNodeSize(node), 0));
  for (const node of nodes) encodePackedNode(w, node);
  return w.finish();
}

/** What {@link unpackNodes} read. */
export interface UnpackedNodes {
  readonly nodes: PackedNode[];
  /** Bytes consumed; less than the input's length when `max` nodes were read first. */
  readonly consumed: number;
}

/**
 * Reads packed nodes back to back until the input ends or `max` nodes are read, whichever
 * comes first (`unpack_nodes`: like c-toxcore, bytes after the `max`-th node are left
 * unread and reported through `consumed`). Any malformed node fails the whole call, as
 * c-toxcore discards the whole packet in that case.
 */
export function unpackNodes(bytes: Uint8Array, max: number, opts: DecodeNodeOptions): UnpackedNodes {
  const r = new ByteReader(bytes);
  const nodes: PackedNode[] = [];
  while (r.remaining > 0 && nodes.length < max) nodes.push(decodePackedNode(r, opts));
  return { nodes, consumed: r.offset };
}
