/**
 * The onion's address format: always 19 bytes, whatever the family, so that every layer of
 * an onion packet has the same size for an IPv4 and an IPv6 next hop. It is not the packed
 * node format of the DHT (which is 7 or 19 bytes and uses other family numbers for TCP).
 *
 * | Length | Type        | Contents                                                     |
 * |--------|-------------|--------------------------------------------------------------|
 * | 1      | `uint8_t`   | family: 2 IPv4, 10 IPv6 (11 inside a TCP relay's return blob) |
 * | 16     | address     | IPv6 address, or IPv4 address in the first 4 bytes and 12 zeros |
 * | 2      | `uint16_t`  | port, network order                                          |
 *
 * @see spec/onion.md#onion-ip_port
 * @module
 */
import { ByteReader, ByteWriter, DecodeError, EncodeError, type IpPort, checkPort, ipFromBytes, ipToBytes, isIpv6 } from '../wire/index.ts';
import { SIZE_IPPORT } from './packet-sizes.ts';

/** The family bytes an onion IP_Port carries, as c-toxcore 0.2.18 numbers them in memory (`network.h`). */
export const OnionFamily = {
  /** `TOX_AF_INET`: a UDP address over IPv4. */
  IPV4: 2,
  /** `TOX_AF_INET6`: a UDP address over IPv6. */
  IPV6: 10,
  /**
   * `TCP_CLIENT_FAMILY`: a client of the node's own TCP relay, in the return blob the relay
   * makes as hop 1 (`con_id_to_ip_port` in `TCP_server.c`). Never in a forwarded address.
   */
  TCP_CLIENT: 11,
} as const;

/**
 * Where a hop sends a response back: a UDP address, or a client connected to the node's own
 * TCP relay (the relay is hop 1 of that client's path). Only the node that sealed a return
 * blob reads the address in it.
 */
export type ReturnAddress =
  | { readonly kind: 'udp'; readonly ipPort: IpPort }
  | {
    readonly kind: 'tcp-client';
    /** The relay's index of the client connection (`con_id`). */
    readonly connectionId: number;
    /** The connection's random 64-bit identifier, so a reused index does not match. */
    readonly identifier: bigint;
  };

/** Writes `[family][16 address bytes][port]` (`ipport_pack`) for a UDP address. */
export function encodeOnionIpPort(w: ByteWriter, ipPort: IpPort): void {
  const v6 = isIpv6(ipPort.host);
  const address = ipToBytes(ipPort.host);
  const port = checkPort(ipPort.port);
  w.u8(v6 ? OnionFamily.IPV6 : OnionFamily.IPV4);
  const padded = new Uint8Array(16);
  padded.set(address, 0);
  w.bytes(padded);
  w.u16(port);
}

/** The 19 bytes of a UDP address in the onion format. */
export function packOnionIpPort(ipPort: IpPort): Uint8Array {
  const w = new ByteWriter(SIZE_IPPORT);
  encodeOnionIpPort(w, ipPort);
  return w.finish();
}

/**
 * Reads a 19-byte onion IP_Port that a hop forwards to (`ipport_unpack` with the family
 * check on). Family 2 takes the first 4 address bytes and ignores the other 12, as c-toxcore
 * does; family 10 takes all 16; any other family is `bad-family`.
 */
export function decodeOnionIpPort(r: ByteReader): IpPort {
  const family = r.u8('onion address family');
  const address = r.bytes(16, 'onion address');
  const port = r.u16('onion address port');
  if (family === OnionFamily.IPV4) return { host: ipFromBytes(address.subarray(0, 4)), port };
  if (family === OnionFamily.IPV6) return { host: ipFromBytes(address), port };
  throw new DecodeError('bad-family', `onion address family ${family}: only 2 (IPv4) and 10 (IPv6) are forwarded to`);
}

/** Writes a return address in the onion format: UDP as {@link encodeOnionIpPort}, a TCP client as `con_id_to_ip_port` lays it out. */
export function encodeReturnAddress(w: ByteWriter, address: ReturnAddress): void {
  if (address.kind === 'udp') {
    encodeOnionIpPort(w, address.ipPort);
    return;
  }
  const { connectionId, identifier } = address;
  if (!Number.isInteger(connectionId) || connectionId < 0 || connectionId > 0xffffffff) {
    throw new EncodeError(`TCP connection id must be a u32, got ${connectionId}`);
  }
  if (identifier < 0n || identifier > 0xffffffffffffffffn) throw new EncodeError(`TCP identifier must be a u64, got ${identifier}`);
  // c-toxcore stores both numbers in host order (little-endian on every machine it runs on)
  // in the IPv6 union: uint32[0] the index, uint32[1] zero, uint64[1] the identifier.
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, connectionId, true);
  view.setBigUint64(8, identifier, true);
  w.u8(OnionFamily.TCP_CLIENT);
  w.bytes(bytes);
  w.u16(0);
}

/**
 * Reads the address in a return blob. Like c-toxcore, family 2 and 10 are UDP addresses;
 * family 11 is a client of our own TCP relay, accepted only where `allowTcpClient` says so
 * (in hop 1's blob: `handle_recv_1` turns the family check off). Any other family is
 * `bad-family`.
 */
export function decodeReturnAddress(r: ByteReader, allowTcpClient: boolean): ReturnAddress {
  const family = r.u8('return address family');
  const address = r.bytes(16, 'return address');
  const port = r.u16('return address port');
  if (family === OnionFamily.IPV4) return { kind: 'udp', ipPort: { host: ipFromBytes(address.subarray(0, 4)), port } };
  if (family === OnionFamily.IPV6) return { kind: 'udp', ipPort: { host: ipFromBytes(address), port } };
  if (family === OnionFamily.TCP_CLIENT && allowTcpClient) {
    const view = new DataView(address.buffer, address.byteOffset, address.length);
    return { kind: 'tcp-client', connectionId: view.getUint32(0, true), identifier: view.getBigUint64(8, true) };
  }
  throw new DecodeError('bad-family', `return address family ${family}`);
}
