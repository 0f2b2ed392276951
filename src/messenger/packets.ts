/**
 * The Messenger's packets: lossless net_crypto payloads (first byte the id, `DataPacket`
 * in wire) that a friend's session carries once the friend layer has it up, as c-toxcore
 * 0.2.18's `Messenger.c` writes and reads them:
 *
 * | Id | Name (c-toxcore)           | After the id                                  |
 * |----|----------------------------|-----------------------------------------------|
 * | 24 | `PACKET_ID_ONLINE`         | nothing                                       |
 * | 25 | `PACKET_ID_OFFLINE`        | nothing                                       |
 * | 48 | `PACKET_ID_NICKNAME`       | the name, 0 to 128 bytes                      |
 * | 49 | `PACKET_ID_STATUSMESSAGE`  | the status message, 0 to 1007 bytes           |
 * | 50 | `PACKET_ID_USERSTATUS`     | 1 byte: 0 none, 1 away, 2 busy                |
 * | 51 | `PACKET_ID_TYPING`         | 1 byte: 0 not typing, anything else typing    |
 * | 64 | `PACKET_ID_MESSAGE`        | the message, 1 to 1372 bytes                  |
 * | 65 | `PACKET_ID_ACTION`         | the action ("/me"), 1 to 1372 bytes           |
 * | 160–191 | custom lossless       | the application's                             |
 * | 200–254 | custom lossy          | the application's (a lossy payload)           |
 *
 * No terminator, no length field: the session's payload length is the length. Decoders
 * apply the receiving rules of `m_handle_packet` and throw wire's `DecodeError` and nothing
 * else; encoders throw `EncodeError` for arguments the caller got wrong.
 *
 * @see spec/messenger.md#messenger-packets
 * @see spec/messenger.md#online-24-and-offline-25
 * @see spec/messenger.md#name-48-and-status-message-49
 * @see spec/messenger.md#user-status-50-and-typing-51
 * @see spec/messenger.md#message-64-and-action-65
 * @see spec/messenger.md#custom-packets
 * @module
 */
import { MAX_CRYPTO_DATA_SIZE } from '../netcrypto/index.ts';
import { DataPacket, DataPacketRange, DecodeError, EncodeError } from '../wire/index.ts';
import type { UserStatus } from './tox-save.ts';
import { MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from './tox-save-friend.ts';

/** `TOX_MAX_MESSAGE_LENGTH` (1372): `m_send_message_generic` takes less than `MAX_CRYPTO_DATA_SIZE` bytes. */
export const MAX_MESSAGE_LENGTH = MAX_CRYPTO_DATA_SIZE - 1;

/** `TOX_MAX_CUSTOM_PACKET_SIZE` (1373): a custom packet, id byte included. */
export const MAX_CUSTOM_PACKET_SIZE = MAX_CRYPTO_DATA_SIZE;

/** `Message_Type`: a normal message (64) or an action (65, what `/me` sends). */
export type MessageType = 'normal' | 'action';

/** A Messenger packet as read from a session. */
export type MessengerPacket =
  | { readonly kind: 'online' }
  | { readonly kind: 'offline' }
  | { readonly kind: 'name'; readonly name: Uint8Array }
  | { readonly kind: 'status-message'; readonly statusMessage: Uint8Array }
  | { readonly kind: 'user-status'; readonly userStatus: UserStatus }
  | { readonly kind: 'typing'; readonly typing: boolean }
  | { readonly kind: 'message'; readonly type: MessageType; readonly message: Uint8Array }
  /** An id of 160 to 191: `data` is the whole payload, id first, as the tox API hands it out. */
  | { readonly kind: 'custom-lossless'; readonly id: number; readonly data: Uint8Array }
  /** Any other id (file transfers, conferences, A/V signalling, ids nobody defined): ignored by the receiver. */
  | { readonly kind: 'unknown'; readonly id: number };

/** Whether `id` is a custom lossless id (160–191). */
export function isCustomLosslessId(id: number): boolean {
  return id >= DataPacketRange.LOSSLESS_CUSTOM[0] && id <= DataPacketRange.LOSSLESS_CUSTOM[1];
}

/** Whether `id` is a custom lossy id (200–254; 192–199 are A/V's). */
export function isCustomLossyId(id: number): boolean {
  return id >= DataPacketRange.LOSSY_CUSTOM[0] && id <= DataPacketRange.LOSSY_CUSTOM[1];
}

function withId(id: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = id;
  out.set(body, 1);
  return out;
}

function expectBytes(what: string, b: Uint8Array, min: number, max: number): void {
  if (!(b instanceof Uint8Array) || b.length < min || b.length > max) {
    throw new EncodeError(`${what} must be ${min === max ? `${min}` : `${min} to ${max}`} bytes`);
  }
}

/** The online packet (24), `send_online_packet`: the friend is online for us once it is read. */
export function encodeOnline(): Uint8Array {
  return Uint8Array.of(DataPacket.ONLINE);
}

/** The offline packet (25), `send_offline_packet`: sent to a friend we remove while its session is up. */
export function encodeOffline(): Uint8Array {
  return Uint8Array.of(DataPacket.OFFLINE);
}

/** Our name (48), `m_sendname`: 0 to 128 bytes. */
export function encodeName(name: Uint8Array): Uint8Array {
  expectBytes('a name', name, 0, MAX_NAME_LENGTH);
  return withId(DataPacket.NICKNAME, name);
}

/** Our status message (49), `send_statusmessage`: 0 to 1007 bytes. */
export function encodeStatusMessage(statusMessage: Uint8Array): Uint8Array {
  expectBytes('a status message', statusMessage, 0, MAX_STATUS_MESSAGE_LENGTH);
  return withId(DataPacket.STATUSMESSAGE, statusMessage);
}

/** Our user status (50), `send_userstatus`: 0 none, 1 away, 2 busy. */
export function encodeUserStatus(userStatus: UserStatus): Uint8Array {
  if (userStatus !== 0 && userStatus !== 1 && userStatus !== 2) throw new EncodeError(`a user status is 0, 1 or 2, got ${String(userStatus)}`);
  return Uint8Array.of(DataPacket.USERSTATUS, userStatus);
}

/** Whether we are typing to the friend (51), `send_user_istyping`: 1 or 0. */
export function encodeTyping(typing: boolean): Uint8Array {
  return Uint8Array.of(DataPacket.TYPING, typing ? 1 : 0);
}

/** A message (64) or action (65), `m_send_message_generic`: 1 to 1372 bytes. */
export function encodeMessage(type: MessageType, message: Uint8Array): Uint8Array {
  if (type !== 'normal' && type !== 'action') throw new EncodeError(`a message type is normal or action, got ${String(type)}`);
  expectBytes('a message', message, 1, MAX_MESSAGE_LENGTH);
  return withId(type === 'normal' ? DataPacket.MESSAGE : DataPacket.ACTION, message);
}

/**
 * Reads a lossless payload from a friend's session as `m_handle_packet` does, with
 * `Messenger.c`'s limits: online and offline carry nothing (`trailing-bytes`); a name over
 * 128 bytes or a status message over 1007 is `trailing-bytes`; a user status or typing
 * packet is exactly one byte (`truncated`, `trailing-bytes`), a user status over 2 is
 * `bad-value`; a message is 1 to 1372 bytes (`truncated`, `trailing-bytes`). An empty payload
 * is `truncated`. Ids of 160 to 191 come back as `custom-lossless`, every other id as
 * `unknown`. The bytes returned are copies.
 */
export function decodeMessengerPacket(payload: Uint8Array): MessengerPacket {
  const id = payload[0];
  if (id === undefined) throw new DecodeError('truncated', 'messenger packet: empty payload');
  const body = payload.subarray(1);
  const max = (what: string, n: number): void => {
    if (body.length > n) throw new DecodeError('trailing-bytes', `${what}: ${body.length} bytes after the id, at most ${n}`);
  };
  const exactlyOne = (what: string): number => {
    if (body.length < 1) throw new DecodeError('truncated', `${what}: no value byte`);
    max(what, 1);
    return body[0]!;
  };
  switch (id) {
    case DataPacket.ONLINE:
      max('online', 0);
      return { kind: 'online' };
    case DataPacket.OFFLINE:
      max('offline', 0);
      return { kind: 'offline' };
    case DataPacket.NICKNAME:
      max('name', MAX_NAME_LENGTH);
      return { kind: 'name', name: body.slice() };
    case DataPacket.STATUSMESSAGE:
      max('status message', MAX_STATUS_MESSAGE_LENGTH);
      return { kind: 'status-message', statusMessage: body.slice() };
    case DataPacket.USERSTATUS: {
      const v = exactlyOne('user status');
      if (v > 2) throw new DecodeError('bad-value', `user status: ${v}, want 0, 1 or 2`);
      return { kind: 'user-status', userStatus: v as UserStatus };
    }
    case DataPacket.TYPING:
      return { kind: 'typing', typing: exactlyOne('typing') !== 0 };
    case DataPacket.MESSAGE:
    case DataPacket.ACTION:
      if (body.length === 0) throw new DecodeError('truncated', 'message: empty');
      max('message', MAX_MESSAGE_LENGTH);
      return { kind: 'message', type: id === DataPacket.MESSAGE ? 'normal' : 'action', message: body.slice() };
    default:
      if (isCustomLosslessId(id)) {
        if (payload.length > MAX_CUSTOM_PACKET_SIZE) {
          throw new DecodeError('trailing-bytes', `custom packet: ${payload.length} bytes, at most ${MAX_CUSTOM_PACKET_SIZE}`);
        }
        return { kind: 'custom-lossless', id, data: payload.slice() };
      }
      return { kind: 'unknown', id };
  }
}
