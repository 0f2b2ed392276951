/**
 * Every frame plaintext as one tagged union, {@link RelayPacket}, with one decoder and one
 * encoder that dispatch on the first byte to the per-type codecs. A decoder fails with a
 * `DecodeError` and nothing else, whatever it is given; which packets a receiver accepts
 * from which side is the server's and the client's business.
 *
 * | First byte | Packet | Direction |
 * |---|---|---|
 * | 0 | routing request | client → relay |
 * | 1 | routing response | relay → client |
 * | 2 | connect notification | relay → client |
 * | 3 | disconnect notification | both |
 * | 4, 5 | ping, pong | both |
 * | 6 | OOB send | client → relay |
 * | 7 | OOB receive | relay → client |
 * | 8 | onion request | client → relay |
 * | 9 | onion response | relay → client |
 * | 10, 11 | forward request, forwarding | (not used by toxlink) |
 * | 12–15 | unassigned: refused | |
 * | 16–255 | data on a route | both |
 *
 * @see spec/relay.md#frame-types
 * @module
 */
import { DecodeError, TcpPacket } from '../wire/index.ts';
import { type DataFrame, decodeData, encodeData } from './data-packet.ts';
import { type Forwarding, decodeForwarding, encodeForwarding } from './forwarding-packets.ts';
import {
  type ConnectNotification, type DisconnectNotification, decodeConnectNotification, decodeDisconnectNotification,
  encodeConnectNotification, encodeDisconnectNotification,
} from './notification-packets.ts';
import { type OnionRequest, type OnionResponse, decodeOnionRequest, decodeOnionResponse, encodeOnionRequest, encodeOnionResponse } from './onion-packets.ts';
import { type OobReceive, type OobSend, decodeOobReceive, decodeOobSend, encodeOobReceive, encodeOobSend } from './oob-packets.ts';
import { type Ping, type Pong, decodePing, decodePong, encodePing, encodePong } from './ping-packets.ts';
import { type RoutingRequest, type RoutingResponse, decodeRoutingRequest, decodeRoutingResponse, encodeRoutingRequest, encodeRoutingResponse } from './routing-packets.ts';
import { NUM_RESERVED_PORTS } from './packet-sizes.ts';

/** One frame's plaintext, read. */
export type RelayPacket =
  | RoutingRequest
  | RoutingResponse
  | ConnectNotification
  | DisconnectNotification
  | Ping
  | Pong
  | OobSend
  | OobReceive
  | OnionRequest
  | OnionResponse
  | Forwarding
  | DataFrame;

/** The `kind` of a {@link RelayPacket}. */
export type RelayPacketKind = RelayPacket['kind'];

/** Reads a frame's plaintext by its first byte; a `DecodeError` for an unassigned type (12–15) or a bad layout. */
export function decodeRelayPacket(plain: Uint8Array): RelayPacket {
  if (plain.length === 0) throw new DecodeError('truncated', 'relay packet: empty frame');
  const type = plain[0]!;
  switch (type) {
    case TcpPacket.ROUTING_REQUEST: return decodeRoutingRequest(plain);
    case TcpPacket.ROUTING_RESPONSE: return decodeRoutingResponse(plain);
    case TcpPacket.CONNECTION_NOTIFICATION: return decodeConnectNotification(plain);
    case TcpPacket.DISCONNECT_NOTIFICATION: return decodeDisconnectNotification(plain);
    case TcpPacket.PING: return decodePing(plain);
    case TcpPacket.PONG: return decodePong(plain);
    case TcpPacket.OOB_SEND: return decodeOobSend(plain);
    case TcpPacket.OOB_RECV: return decodeOobReceive(plain);
    case TcpPacket.ONION_REQUEST: return decodeOnionRequest(plain);
    case TcpPacket.ONION_RESPONSE: return decodeOnionResponse(plain);
    case TcpPacket.FORWARD_REQUEST:
    case TcpPacket.FORWARDING: return decodeForwarding(plain);
    default:
      if (type < NUM_RESERVED_PORTS) throw new DecodeError('bad-value', `relay packet: unassigned type ${type}`);
      return decodeData(plain);
  }
}

/** Writes a {@link RelayPacket}; the inverse of {@link decodeRelayPacket}. */
export function encodeRelayPacket(packet: RelayPacket): Uint8Array {
  switch (packet.kind) {
    case 'routing-request': return encodeRoutingRequest(packet.publicKey);
    case 'routing-response': return encodeRoutingResponse(packet.connectionId, packet.publicKey);
    case 'connect-notification': return encodeConnectNotification(packet.connectionId);
    case 'disconnect-notification': return encodeDisconnectNotification(packet.connectionId);
    case 'ping': return encodePing(packet.pingId);
    case 'pong': return encodePong(packet.pingId);
    case 'oob-send': return encodeOobSend(packet.publicKey, packet.data);
    case 'oob-receive': return encodeOobReceive(packet.publicKey, packet.data);
    case 'onion-request': return encodeOnionRequest(packet.nonce, packet.payload);
    case 'onion-response': return encodeOnionResponse(packet.data);
    case 'forward-request':
    case 'forwarding': return encodeForwarding(packet.kind, packet.body);
    case 'data': return encodeData(packet.connectionId, packet.data);
  }
}
