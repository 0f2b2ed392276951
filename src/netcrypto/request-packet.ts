/**
 * The request packet (payload id 1): the receiver's list of lossless packets it is missing.
 * Each byte after the id counts how far the next missing number is from the previous one
 * (from one before the buffer start, for the first); a 0 stands for 255 numbers in a row
 * with nothing missing.
 *
 * | Length  | Type      | Contents                                             |
 * |---------|-----------|------------------------------------------------------|
 * | 1       | `uint8_t` | 1 (`PACKET_ID_REQUEST`)                              |
 * | 0 … 1372 | `uint8_t` each | distance to the next missing number, 1 … 255; or 0: 255 received |
 *
 * It travels as the payload of a data packet, whose buffer start and packet number say
 * where the receiver's list begins and where the sender's numbers end.
 *
 * @see spec/netcrypto.md#request-packet
 * @module
 */
import { DataPacket, DecodeError, EncodeError } from '../wire/index.ts';
import { expectU32 } from './errors.ts';
import { MAX_CRYPTO_DATA_SIZE, REQUEST_RUN_LIMIT } from './packet-sizes.ts';

/** What a request packet asks of the sender of lossless packets. */
export interface RequestedPackets {
  /** The packet numbers to send again, in increasing order (mod 2^32). */
  readonly requested: number[];
  /**
   * Where the list stops: the numbers from the buffer start up to (not including) `end` that
   * are not in `requested` arrived. Numbers from `end` on are not spoken for.
   */
  readonly end: number;
}

/**
 * The request packet payload for a receive buffer holding numbers `[bufferStart, bufferEnd)`
 * (mod 2^32), as c-toxcore's `generate_request_packet` writes it: `isReceived(n)` says which
 * numbers arrived. Stops at `maxLength` bytes, 1373 (`MAX_CRYPTO_DATA_SIZE`) unless given,
 * as c-toxcore cuts a list too long for one packet.
 */
export function encodeRequestPayload(
  bufferStart: number, bufferEnd: number, isReceived: (packetNumber: number) => boolean,
  maxLength: number = MAX_CRYPTO_DATA_SIZE,
): Uint8Array {
  expectU32(bufferStart, 'buffer start');
  expectU32(bufferEnd, 'buffer end');
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_CRYPTO_DATA_SIZE) {
    throw new EncodeError(`a request payload is 1 to ${MAX_CRYPTO_DATA_SIZE} bytes long, not ${maxLength}`);
  }
  const out = new Uint8Array(maxLength);
  out[0] = DataPacket.REQUEST;
  let length = 1;
  let count = 1;
  for (let n = bufferStart; n !== bufferEnd && length < maxLength; n = (n + 1) >>> 0) {
    if (!isReceived(n)) {
      out[length++] = count;
      count = 0;
    } else if (count === REQUEST_RUN_LIMIT) {
      out[length++] = 0;
      count = 0;
    }
    count++;
  }
  return out.slice(0, length);
}

/**
 * Reads a request packet payload against our send buffer `[bufferStart, bufferEnd)` (the
 * start after the data packet's acknowledgement), with c-toxcore's `handle_request_packet`
 * walk. Bytes left when the walk reaches `bufferEnd` are ignored. Throws a `DecodeError`
 * for an empty payload (`truncated`) or a first byte other than 1 (`bad-value`); nothing
 * else can be wrong with one (see the spec).
 */
export function decodeRequestPayload(payload: Uint8Array, bufferStart: number, bufferEnd: number): RequestedPackets {
  expectU32(bufferStart, 'buffer start');
  expectU32(bufferEnd, 'buffer end');
  if (payload.length === 0) throw new DecodeError('truncated', 'request packet: empty');
  if (payload[0] !== DataPacket.REQUEST) {
    throw new DecodeError('bad-value', `request packet: id ${payload[0]}, want ${DataPacket.REQUEST}`);
  }
  const requested: number[] = [];
  let at = 1;
  let count = 1;
  let n = bufferStart;
  for (; n !== bufferEnd && at < payload.length; n = (n + 1) >>> 0) {
    if (count === payload[at]) {
      requested.push(n);
      at++;
      count = 0;
    }
    if (count === REQUEST_RUN_LIMIT) {
      // Here payload[at] is 0: a byte from 1 to 254 would have matched at that count, and
      // 255 just did. c-toxcore's `return -1` for any other byte cannot be reached.
      at++;
      count = 1;
    } else {
      count++;
    }
  }
  return { requested, end: n };
}
