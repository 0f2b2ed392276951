/**
 * Connect notification (2) and disconnect notification (3): the relay tells a client that
 * the peer of one of its routes came online (both sides asked for each other) or went away;
 * a client sends a disconnect notification to give up a route.
 *
 * | Length | Type      | Contents                                           |
 * |--------|-----------|----------------------------------------------------|
 * | 1      | `uint8_t` | 2 (`TCP_PACKET_CONNECTION_NOTIFICATION`) or 3      |
 * | 1      | `uint8_t` | connection id, 16–255                              |
 *
 * Exactly 2 bytes. A connection id below 16 is refused: c-toxcore's client closes the
 * connection on one (`handle_TCP_client_connection_notification`), and its relay closes a
 * client that sends a disconnect notification for it.
 *
 * @see spec/relay.md#connect-and-disconnect-notifications
 * @module
 */
import { DecodeError, TcpPacket } from '../wire/index.ts';
import { RelayError, expectByte } from './errors.ts';
import { expectFrame, isConnectionId } from './packet-ids.ts';

/** `[2][connection id]`: the route's peer is online. */
export interface ConnectNotification {
  readonly kind: 'connect-notification';
  /** 16–255. */
  readonly connectionId: number;
}

/** `[3][connection id]`: the route's peer went offline (from the relay), or give the route up (from a client). */
export interface DisconnectNotification {
  readonly kind: 'disconnect-notification';
  /** 16–255. */
  readonly connectionId: number;
}

/** A notification's size (2). */
export const NOTIFICATION_SIZE = 2;

/** `[2][connection id]`, as `send_connect_notification` writes it. */
export function encodeConnectNotification(connectionId: number): Uint8Array {
  return notification(TcpPacket.CONNECTION_NOTIFICATION, connectionId);
}

/** `[3][connection id]`, as `send_disconnect_notification` and `send_disconnect_request` write it. */
export function encodeDisconnectNotification(connectionId: number): Uint8Array {
  return notification(TcpPacket.DISCONNECT_NOTIFICATION, connectionId);
}

/** Reads a connect notification: 2 bytes, id 16–255. */
export function decodeConnectNotification(plain: Uint8Array): ConnectNotification {
  return { kind: 'connect-notification', connectionId: readId(plain, TcpPacket.CONNECTION_NOTIFICATION, 'connect notification') };
}

/** Reads a disconnect notification: 2 bytes, id 16–255. */
export function decodeDisconnectNotification(plain: Uint8Array): DisconnectNotification {
  return {
    kind: 'disconnect-notification',
    connectionId: readId(plain, TcpPacket.DISCONNECT_NOTIFICATION, 'disconnect notification'),
  };
}

function notification(type: number, connectionId: number): Uint8Array {
  if (!isConnectionId(expectByte(connectionId, 'connection id'))) {
    throw new RelayError('bad-connection-id', `a connection id is 16 to 255, got ${connectionId}`);
  }
  return Uint8Array.of(type, connectionId);
}

function readId(plain: Uint8Array, type: number, what: string): number {
  expectFrame(plain, type, NOTIFICATION_SIZE, NOTIFICATION_SIZE, what);
  const id = plain[1]!;
  if (!isConnectionId(id)) throw new DecodeError('bad-value', `${what}: connection id ${id} is below 16`);
  return id;
}
