/**
 * Routing request (0) and routing response (1): how a client asks the relay to connect it to
 * another client by public key, and how the relay answers with the connection id it will use
 * for that peer on this client's connection.
 *
 * Routing request, client to relay, 33 bytes:
 *
 * | Length | Type       | Contents                                  |
 * |--------|------------|-------------------------------------------|
 * | 1      | `uint8_t`  | 0 (`TCP_PACKET_ROUTING_REQUEST`)          |
 * | 32     | public key | the peer the client wants to reach        |
 *
 * Routing response, relay to client, 34 bytes:
 *
 * | Length | Type       | Contents                                                  |
 * |--------|------------|-----------------------------------------------------------|
 * | 1      | `uint8_t`  | 1 (`TCP_PACKET_ROUTING_RESPONSE`)                         |
 * | 1      | `uint8_t`  | connection id, 16–255; 0 when the relay refuses           |
 * | 32     | public key | the peer asked for, echoed                                |
 *
 * @see spec/relay.md#routing-request-and-response
 * @module
 */
import { PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { TcpPacket } from '../wire/index.ts';
import { expectByte, expectLength } from './errors.ts';
import { expectFrame } from './packet-ids.ts';

/** `[0][peer public key]`. */
export interface RoutingRequest {
  readonly kind: 'routing-request';
  /** The peer to route to (a copy). */
  readonly publicKey: Uint8Array;
}

/** `[1][connection id][peer public key]`. */
export interface RoutingResponse {
  readonly kind: 'routing-response';
  /** 16–255: the id of the route; 0: refused (no free slot, or the client's own key). Any byte decodes. */
  readonly connectionId: number;
  /** The peer the request named (a copy). */
  readonly publicKey: Uint8Array;
}

/** The routing request size (33). */
export const ROUTING_REQUEST_SIZE = 1 + PUBLIC_KEY_SIZE;

/** The routing response size (34). */
export const ROUTING_RESPONSE_SIZE = 2 + PUBLIC_KEY_SIZE;

/** The connection id of a refused routing request. */
export const ROUTING_REFUSED = 0;

/** `[0][public key]`, as `send_routing_request` writes it. */
export function encodeRoutingRequest(publicKey: Uint8Array): Uint8Array {
  expectLength(publicKey, PUBLIC_KEY_SIZE, 'public key');
  const out = new Uint8Array(ROUTING_REQUEST_SIZE);
  out[0] = TcpPacket.ROUTING_REQUEST;
  out.set(publicKey, 1);
  return out;
}

/** Reads a routing request; exactly 33 bytes, as `handle_TCP_packet` requires. */
export function decodeRoutingRequest(plain: Uint8Array): RoutingRequest {
  expectFrame(plain, TcpPacket.ROUTING_REQUEST, ROUTING_REQUEST_SIZE, ROUTING_REQUEST_SIZE, 'routing request');
  return { kind: 'routing-request', publicKey: plain.slice(1) };
}

/** `[1][connection id][public key]`, as `send_routing_response` writes it. */
export function encodeRoutingResponse(connectionId: number, publicKey: Uint8Array): Uint8Array {
  expectLength(publicKey, PUBLIC_KEY_SIZE, 'public key');
  const out = new Uint8Array(ROUTING_RESPONSE_SIZE);
  out[0] = TcpPacket.ROUTING_RESPONSE;
  out[1] = expectByte(connectionId, 'connection id');
  out.set(publicKey, 2);
  return out;
}

/**
 * Reads a routing response; exactly 34 bytes, as `handle_TCP_client_routing_response`
 * requires. The connection id is not judged here: 0 means refused, 1–15 c-toxcore ignores.
 */
export function decodeRoutingResponse(plain: Uint8Array): RoutingResponse {
  expectFrame(plain, TcpPacket.ROUTING_RESPONSE, ROUTING_RESPONSE_SIZE, ROUTING_RESPONSE_SIZE, 'routing response');
  return { kind: 'routing-response', connectionId: plain[1]!, publicKey: plain.slice(2) };
}
