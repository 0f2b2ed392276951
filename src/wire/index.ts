/**
 * The wire floor: bounds-checked byte reader and writer, IP addresses, the packed node
 * format, Tox IDs, hex, and the one table of packet ids. Every decoder here fails with a
 * {@link DecodeError} and nothing else.
 *
 * ```ts
 * import { parseToxId, formatToxId } from './wire/index.ts';
 * const id = parseToxId(text);   // throws ToxIdError: bad-length | bad-hex | bad-checksum
 * formatToxId(id) === text.trim().toUpperCase();
 * ```
 *
 * @see spec/wire.md
 * @packageDocumentation
 */
export { DecodeError, type DecodeErrorCode, EncodeError, ToxIdError, type ToxIdErrorCode } from './errors.ts';
export { ByteReader } from './reader.ts';
export { ByteWriter } from './writer.ts';
export { SLAB_SIZE, SLAB_MAX_TAKE, slabBytes, slabCopy } from './slab.ts';
export { toHex, fromHex } from './hex.ts';
export {
  type IpPort, IPV4_SIZE, IPV6_SIZE, isIpv6, isIpAddress, ipToBytes, ipFromBytes, unmapIpv4, checkPort, formatIpPort,
} from './ip.ts';
export {
  Family, PACKED_NODE_SIZE_IPV4, PACKED_NODE_SIZE_IPV6, type Protocol, type PackedNode, type DecodeNodeOptions,
  type UnpackedNodes, packedNodeSize, encodePackedNode, decodePackedNode, packNodes, unpackNodes,
} from './packed-node.ts';
export {
  type ToxId, NOSPAM_SIZE, CHECKSUM_SIZE, TOX_ID_SIZE, TOX_ID_HEX_LENGTH, toxIdChecksum, toxIdBytes, formatToxId, parseToxId,
} from './tox-id.ts';
export { NetPacket, CryptoPacket, DataPacket, DataPacketRange, TcpPacket, netPacketName } from './packet-ids.ts';
export { PUBLIC_KEY_SIZE } from './sizes.ts';
