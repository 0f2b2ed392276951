/**
 * The three packets of the friend layer, each a lossless net_crypto payload (first byte its
 * id, `DataPacket` in wire):
 *
 * | Id | Name (c-toxcore)            | Contents                                              |
 * |----|-----------------------------|-------------------------------------------------------|
 * | 16 | `PACKET_ID_ALIVE`           | nothing else                                          |
 * | 17 | `PACKET_ID_SHARE_RELAYS`    | up to 3 TCP relays, packed nodes back to back          |
 * | 18 | `PACKET_ID_FRIEND_REQUESTS` | nospam (4 bytes, as in the Tox ID), then the message   |
 *
 * Decoders throw wire's `DecodeError` and nothing else; encoders throw `EncodeError` for
 * arguments the caller got wrong.
 *
 * @see spec/friend.md#packets
 * @see spec/friend.md#alive-16
 * @see spec/friend.md#share-relays-17
 * @see spec/friend.md#friend-request-18
 * @module
 */
import {
  ByteReader, ByteWriter, DataPacket, DecodeError, EncodeError, type PackedNode, encodePackedNode, packedNodeSize, unpackNodes,
} from '../wire/index.ts';
import { FRIEND_REQUEST_NOSPAM_SIZE, MAX_FRIEND_REQUEST_DATA_SIZE, ONION_CLIENT_MAX_DATA_SIZE } from '../onion/index.ts';
import { MAX_SHARED_RELAYS } from './config.ts';

/** The alive packet: the one byte 16. A new array each call, for the session to own. */
export function encodeAlive(): Uint8Array {
  return Uint8Array.of(DataPacket.ALIVE);
}

/**
 * A share-relays packet, as `send_relays` builds it: `[17]` and the relays packed back to
 * back. Every relay is written with a TCP family (130 or 138) whatever its `protocol`, as
 * c-toxcore's `tcp_copy_connected_relays` does. Throws an `EncodeError` for more than 3
 * relays (a c-toxcore receiver reads 3) or a bad address or key.
 */
export function encodeShareRelays(relays: readonly PackedNode[]): Uint8Array {
  if (relays.length > MAX_SHARED_RELAYS) {
    throw new EncodeError(`share relays: at most ${MAX_SHARED_RELAYS} relays, got ${relays.length}`);
  }
  const tcp = relays.map((r): PackedNode => ({ protocol: 'tcp', ipPort: r.ipPort, publicKey: r.publicKey }));
  const w = new ByteWriter(1 + tcp.reduce((n, r) => n + packedNodeSize(r), 0));
  w.u8(DataPacket.SHARE_RELAYS);
  for (const r of tcp) encodePackedNode(w, r);
  return w.finish();
}

/**
 * Reads a share-relays packet as c-toxcore 0.2.18's `handle_packet` does: up to 3 packed
 * nodes after the id, TCP and UDP families both allowed (`unpack_nodes` with `tcp_enabled`);
 * bytes after the third node are left unread. A node that does not decode fails the whole
 * packet (`DecodeError`: `truncated`, `bad-family`), as does an id other than 17
 * (`bad-value`). An id alone is a valid, empty list.
 */
export function decodeShareRelays(payload: Uint8Array): PackedNode[] {
  if (payload.length === 0) throw new DecodeError('truncated', 'share relays: empty payload');
  if (payload[0] !== DataPacket.SHARE_RELAYS) throw new DecodeError('bad-value', `share relays: id ${payload[0]}, want 17`);
  return unpackNodes(payload.subarray(1), MAX_SHARED_RELAYS, { allowTcp: true }).nodes;
}

/** What a friend request over a session says. */
export interface FriendRequestPacket {
  /** The nospam of the Tox ID the sender was given, as a u32 read big-endian from those 4 bytes. */
  readonly nospam: number;
  /** The message, 1 to 1016 bytes (a copy). */
  readonly message: Uint8Array;
}

/**
 * A friend request to send over an established session, as `send_friend_request_packet`
 * builds it when the friend is online: `[18][nospam][message]`, the nospam written as the 4
 * bytes of the receiver's Tox ID. Throws an `EncodeError` for a nospam that is not a u32 or
 * a message of 0 or more than 1016 bytes (`MAX_FRIEND_REQUEST_DATA_SIZE`).
 */
export function encodeFriendRequestPacket(request: FriendRequestPacket): Uint8Array {
  const { nospam, message } = request;
  if (!(message instanceof Uint8Array) || message.length === 0 || message.length > MAX_FRIEND_REQUEST_DATA_SIZE) {
    throw new EncodeError(`friend request: the message must be 1 to ${MAX_FRIEND_REQUEST_DATA_SIZE} bytes`);
  }
  return new ByteWriter(1 + FRIEND_REQUEST_NOSPAM_SIZE + message.length)
    .u8(DataPacket.FRIEND_REQUESTS)
    .u32(nospam)
    .bytes(message)
    .finish();
}

/**
 * Reads a friend request that came over a session, as 0.2.18's `friendreq_handlepacket`
 * does: more than 5 bytes (`truncated`: the message has at least one), at most 1021
 * (`trailing-bytes`, `ONION_CLIENT_MAX_DATA_SIZE`), id 18 (`bad-value`). Whether the nospam
 * is ours is the receiver's to check.
 */
export function decodeFriendRequestPacket(payload: Uint8Array): FriendRequestPacket {
  if (payload.length <= 1 + FRIEND_REQUEST_NOSPAM_SIZE) {
    throw new DecodeError('truncated', `friend request: ${payload.length} bytes, need more than ${1 + FRIEND_REQUEST_NOSPAM_SIZE}`);
  }
  if (payload.length > ONION_CLIENT_MAX_DATA_SIZE) {
    throw new DecodeError('trailing-bytes', `friend request: ${payload.length} bytes, at most ${ONION_CLIENT_MAX_DATA_SIZE}`);
  }
  if (payload[0] !== DataPacket.FRIEND_REQUESTS) throw new DecodeError('bad-value', `friend request: id ${payload[0]}, want 18`);
  const r = new ByteReader(payload.subarray(1));
  const nospam = r.u32('nospam');
  return { nospam, message: r.rest().slice() };
}
