/**
 * Out-of-band send (6) and receive (7): one payload to a client connected to the same relay,
 * named by public key, without a route. net_crypto uses it for the cookie request and
 * handshake before both sides have routed to each other.
 *
 * OOB send, client to relay:
 *
 * | Length | Type       | Contents                                 |
 * |--------|------------|------------------------------------------|
 * | 1      | `uint8_t`  | 6 (`TCP_PACKET_OOB_SEND`)                |
 * | 32     | public key | the destination client                   |
 * | 1–1024 | bytes      | the payload                              |
 *
 * OOB receive, relay to client: the same, with 7 (`TCP_PACKET_OOB_RECV`) and the
 * **sender's** public key in place of the destination. A relay only ever passes on what an
 * OOB send carried, so 1024 bytes at most; but c-toxcore's client takes any non-empty
 * payload that fits in a frame, and so does toxlink's.
 *
 * c-toxcore's relay closes a client whose OOB send carries no payload or more than 1024
 * bytes (`TCP_MAX_OOB_DATA_LENGTH`), and delivers the payload only if the destination is
 * connected to it right now; otherwise the payload is gone without a word.
 *
 * @see spec/relay.md#out-of-band-send-and-receive
 * @module
 */
import { PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { TcpPacket } from '../wire/index.ts';
import { RelayError, expectLength } from './errors.ts';
import { expectFrame } from './packet-ids.ts';
import { MAX_FRAME_PLAIN_SIZE, TCP_MAX_OOB_DATA_LENGTH } from './packet-sizes.ts';

/** `[6][destination public key][data]`. */
export interface OobSend {
  readonly kind: 'oob-send';
  /** The client the payload is for (a copy). */
  readonly publicKey: Uint8Array;
  /** 1–1024 bytes, a view into the frame. */
  readonly data: Uint8Array;
}

/** `[7][sender public key][data]`. */
export interface OobReceive {
  readonly kind: 'oob-receive';
  /** The client that sent it (a copy). */
  readonly publicKey: Uint8Array;
  /** 1–1999 bytes (1–1024 from any relay), a view into the frame. */
  readonly data: Uint8Array;
}

/** The shortest OOB frame: type, key and one byte (34). */
export const MIN_OOB_SIZE = 1 + PUBLIC_KEY_SIZE + 1;

/** The longest OOB send frame (1057). */
export const MAX_OOB_SIZE = 1 + PUBLIC_KEY_SIZE + TCP_MAX_OOB_DATA_LENGTH;

/** The longest OOB receive payload a client takes: what fits in a frame after type and key (1999). */
export const MAX_OOB_RECEIVE_DATA = MAX_FRAME_PLAIN_SIZE - 1 - PUBLIC_KEY_SIZE;

/** `[6][destination][data]`, as `send_oob_packet` writes it: 1–1024 bytes of data. */
export function encodeOobSend(destination: Uint8Array, data: Uint8Array): Uint8Array {
  return oob(TcpPacket.OOB_SEND, destination, data, TCP_MAX_OOB_DATA_LENGTH);
}

/** `[7][sender][data]`, as `handle_TCP_oob_send` writes it for the destination (1–1999 bytes of data). */
export function encodeOobReceive(sender: Uint8Array, data: Uint8Array): Uint8Array {
  return oob(TcpPacket.OOB_RECV, sender, data, MAX_OOB_RECEIVE_DATA);
}

/** Reads an OOB send: a key and 1–1024 bytes. */
export function decodeOobSend(plain: Uint8Array): OobSend {
  expectFrame(plain, TcpPacket.OOB_SEND, MIN_OOB_SIZE, MAX_OOB_SIZE, 'OOB send');
  return { kind: 'oob-send', publicKey: plain.slice(1, 1 + PUBLIC_KEY_SIZE), data: plain.subarray(1 + PUBLIC_KEY_SIZE) };
}

/** Reads an OOB receive: a key and at least one byte, as `handle_TCP_client_oob_recv` requires. */
export function decodeOobReceive(plain: Uint8Array): OobReceive {
  expectFrame(plain, TcpPacket.OOB_RECV, MIN_OOB_SIZE, MAX_FRAME_PLAIN_SIZE, 'OOB receive');
  return { kind: 'oob-receive', publicKey: plain.slice(1, 1 + PUBLIC_KEY_SIZE), data: plain.subarray(1 + PUBLIC_KEY_SIZE) };
}

function oob(type: number, publicKey: Uint8Array, data: Uint8Array, max: number): Uint8Array {
  expectLength(publicKey, PUBLIC_KEY_SIZE, 'public key');
  if (data.length === 0 || data.length > max) {
    throw new RelayError('bad-length', `an OOB payload is 1 to ${max} bytes, got ${data.length}`);
  }
  const out = new Uint8Array(1 + PUBLIC_KEY_SIZE + data.length);
  out[0] = type;
  out.set(publicKey, 1);
  out.set(data, 1 + PUBLIC_KEY_SIZE);
  return out;
}
