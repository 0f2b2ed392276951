/**
 * The friend request (0x20, `CRYPTO_PACKET_FRIEND_REQ`), as onion data: "add me", with the
 * nospam of the address the sender was given, so that a receiver who changes its nospam
 * stops requests made from its old address.
 *
 * | Length | Type        | Contents                                                      |
 * |--------|-------------|---------------------------------------------------------------|
 * | 1      | `uint8_t`   | 0x20                                                          |
 * | 4      | nospam      | the 4 bytes after the public key in the receiver's Tox address |
 * | 1–943  | message     | the request's text, UTF-8, no terminator                      |
 *
 * The sender's real key is not in it: the onion data around it names and proves the sender.
 *
 * @see spec/onion.md#friend-request-0x20
 * @module
 */
import { ByteWriter, CryptoPacket, DecodeError } from '../wire/index.ts';
import { expectLength, expectLengthBetween, hex } from './errors.ts';
import { FRIEND_REQUEST_NOSPAM_SIZE, FRIEND_REQUEST_ONION_MESSAGE_MAX, ONION_CLIENT_MAX_DATA_SIZE } from './packet-sizes.ts';

/** What a friend request says. */
export interface FriendRequest {
  /** The 4 nospam bytes, as they appear in the receiver's Tox address (a copy). */
  readonly nospam: Uint8Array;
  /** The message, as bytes (a copy). */
  readonly message: Uint8Array;
}

/**
 * A friend request payload, as `send_friend_request_packet` builds it for the onion:
 * `[0x20][nospam][message]`. The message is 1 to 943 bytes: 0.2.18 senders allow 1016,
 * but over the onion a 0.2.18 receiver drops any payload over 948 bytes.
 */
export function encodeFriendRequest(request: FriendRequest): Uint8Array {
  expectLength(request.nospam, FRIEND_REQUEST_NOSPAM_SIZE, 'nospam');
  expectLengthBetween(request.message, 1, FRIEND_REQUEST_ONION_MESSAGE_MAX, 'friend request message');
  return new ByteWriter(1 + FRIEND_REQUEST_NOSPAM_SIZE + request.message.length)
    .u8(CryptoPacket.FRIEND_REQ)
    .bytes(request.nospam)
    .bytes(request.message)
    .finish();
}

/**
 * Reads a friend request payload as 0.2.18's `friendreq_handlepacket` does: longer than 5
 * bytes (`truncated`: the message has at least one byte), at most 1021 (`trailing-bytes`,
 * `ONION_CLIENT_MAX_DATA_SIZE`), first byte 0x20 (`bad-value`). Whether the nospam is ours,
 * and whether we took a request from this sender already, is the receiver's to check.
 */
export function decodeFriendRequest(payload: Uint8Array): FriendRequest {
  if (payload.length <= 1 + FRIEND_REQUEST_NOSPAM_SIZE) {
    throw new DecodeError('truncated', `friend request: ${payload.length} bytes, need more than ${1 + FRIEND_REQUEST_NOSPAM_SIZE}`);
  }
  if (payload.length > ONION_CLIENT_MAX_DATA_SIZE) {
    throw new DecodeError('trailing-bytes', `friend request: ${payload.length} bytes, at most ${ONION_CLIENT_MAX_DATA_SIZE}`);
  }
  if (payload[0] !== CryptoPacket.FRIEND_REQ) throw new DecodeError('bad-value', `friend request: id 0x${hex(payload[0]!)}, want 0x20`);
  return {
    nospam: payload.slice(1, 1 + FRIEND_REQUEST_NOSPAM_SIZE),
    message: payload.slice(1 + FRIEND_REQUEST_NOSPAM_SIZE),
  };
}
