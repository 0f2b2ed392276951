/**
 * Data (16–255): a payload on a route. The first byte is the connection id the route has on
 * the sender's connection; the relay rewrites it to the id the route has on the receiver's
 * connection and passes the frame on. For net_crypto the payload is a whole net_crypto packet
 * (0x18–0x1b), exactly as it would travel over UDP.
 *
 * | Length | Type      | Contents                         |
 * |--------|-----------|----------------------------------|
 * | 1      | `uint8_t` | connection id, 16–255            |
 * | 1–2031 | bytes     | the payload                      |
 *
 * An empty payload is refused. c-toxcore's relay passes one on, and c-toxcore's client then
 * closes its connection to the relay (`handle_TCP_client_packet` refuses frames of one byte),
 * so one peer could cut another off; toxlink's relay closes the sender instead.
 *
 * @see spec/relay.md#data
 * @module
 */
import { DecodeError, slabBytes } from '../wire/index.ts';
import { RelayError, expectByte } from './errors.ts';
import { isConnectionId } from './packet-ids.ts';
import { MAX_DATA_PAYLOAD_SIZE } from './packet-sizes.ts';

/** `[connection id][data]`. */
export interface DataFrame {
  readonly kind: 'data';
  /** 16–255. */
  readonly connectionId: number;
  /** 1–2031 bytes, a view into the frame. */
  readonly data: Uint8Array;
}

/** `[connection id][data]`, as `send_data` writes it. */
export function encodeData(connectionId: number, data: Uint8Array): Uint8Array {
  if (!isConnectionId(expectByte(connectionId, 'connection id'))) {
    throw new RelayError('bad-connection-id', `a connection id is 16 to 255, got ${connectionId}`);
  }
  if (data.length === 0 || data.length > MAX_DATA_PAYLOAD_SIZE) {
    throw new RelayError('bad-length', `a data payload is 1 to ${MAX_DATA_PAYLOAD_SIZE} bytes, got ${data.length}`);
  }
  const out = slabBytes(1 + data.length); // sealed into a frame at once, then let go
  out[0] = connectionId;
  out.set(data, 1);
  return out;
}

/** Reads a data frame: an id of 16–255 and at least one byte. */
export function decodeData(plain: Uint8Array): DataFrame {
  if (plain.length === 0) throw new DecodeError('truncated', 'data: empty frame');
  const id = plain[0]!;
  if (!isConnectionId(id)) throw new DecodeError('bad-value', `data: first byte ${id} is not a connection id`);
  if (plain.length < 2) throw new DecodeError('truncated', 'data: no payload');
  return { kind: 'data', connectionId: id, data: plain.subarray(1) };
}
