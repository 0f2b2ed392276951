/**
 * Return blobs: how an onion response finds its way back without any hop keeping state.
 * Each hop that forwards a request appends a blob sealed with a key only it knows, holding
 * the address it got the request from and the blob the previous hop appended; a response
 * carries the blob back and each hop opens its own.
 *
 * | Length | Type        | Contents                                                   |
 * |--------|-------------|------------------------------------------------------------|
 * | 24     | nonce       | random nonce                                               |
 * | 16     | MAC         | of the box, sealed with the hop's secret symmetric key     |
 * | 19     | IP_Port     | (encrypted) where the request came from                    |
 * | 0/59/118 | blob      | (encrypted) the previous hop's blob (none for hop 1)      |
 *
 * 59, 118 or 177 bytes (`ONION_RETURN_1`, `_2`, `_3`). The sizes are protocol (the announce
 * node cuts exactly 177 bytes off a request); what is inside is private to the hop that
 * sealed it. toxlink seals them as c-toxcore 0.2.18 does.
 *
 * @see spec/onion.md#return-blobs
 * @module
 */
import { NONCE_SIZE, SYMMETRIC_KEY_SIZE, secretBox, secretBoxOpen } from '../crypto/index.ts';
import { ByteReader, ByteWriter, DecodeError, EncodeError } from '../wire/index.ts';
import { expectLength } from './errors.ts';
import { type ReturnAddress, decodeReturnAddress, encodeReturnAddress } from './ip-port.ts';
import { ONION_RETURN_1, ONION_RETURN_2, ONION_RETURN_3, SIZE_IPPORT } from './packet-sizes.ts';

/** A hop of an onion path: 1 is the first node a request reaches, 3 the last before the destination. */
export type OnionHop = 1 | 2 | 3;

/** The size of the blob hop `hop` appends: 59, 118 or 177 bytes. */
export function returnPathSize(hop: OnionHop): number {
  return hop === 1 ? ONION_RETURN_1 : hop === 2 ? ONION_RETURN_2 : ONION_RETURN_3;
}

/** What a return blob holds. */
export interface ReturnPath {
  /** Where the request came from, so where the response goes next. */
  readonly from: ReturnAddress;
  /** The blob of the hop before (a copy): empty in hop 1's blob, 59 bytes in hop 2's, 118 in hop 3's. */
  readonly previous: Uint8Array;
}

function hopOfBlobSize(size: number): OnionHop | undefined {
  return size === ONION_RETURN_1 ? 1 : size === ONION_RETURN_2 ? 2 : size === ONION_RETURN_3 ? 3 : undefined;
}

/**
 * Seals the blob a hop appends to a request it forwards, as c-toxcore's `onion_send_1`,
 * `handle_send_1` and `handle_send_2` do: `[nonce][secretbox(key, nonce, [from][previous])]`.
 * `previous` is the blob the request arrived with: empty at hop 1, 59 bytes at hop 2, 118 at
 * hop 3; the result is 59, 118 or 177 bytes. Only a hop 1 blob may name a TCP client.
 */
export function sealReturnPath(secretKey: Uint8Array, nonce: Uint8Array, from: ReturnAddress, previous: Uint8Array): Uint8Array {
  expectLength(secretKey, SYMMETRIC_KEY_SIZE, 'onion secret key');
  expectLength(nonce, NONCE_SIZE, 'nonce');
  const hop = previous.length === 0 ? 1 : previous.length === ONION_RETURN_1 ? 2 : previous.length === ONION_RETURN_2 ? 3 : undefined;
  if (hop === undefined) throw new EncodeError(`previous return blob must be 0, ${ONION_RETURN_1} or ${ONION_RETURN_2} bytes, got ${previous.length}`);
  if (hop !== 1 && from.kind !== 'udp') throw new EncodeError('only hop 1 returns to a TCP client');
  const w = new ByteWriter(SIZE_IPPORT + previous.length);
  encodeReturnAddress(w, from);
  w.bytes(previous);
  const box = secretBox(secretKey, nonce, w.finish());
  const blob = new Uint8Array(NONCE_SIZE + box.length);
  blob.set(nonce, 0);
  blob.set(box, NONCE_SIZE);
  return blob;
}

/**
 * Opens a blob this node sealed (`handle_recv_3`, `_2`, `_1`): `undefined` if it does not open
 * with `secretKey` (another node's, an old key, or changed bytes). Throws a `DecodeError`
 * unless the blob is 59, 118 or 177 bytes, or if its address has a family the hop would not
 * send to: only 2 and 10, and in hop 1's blob also a TCP client (family 11).
 */
export function openReturnPath(secretKey: Uint8Array, blob: Uint8Array): ReturnPath | undefined {
  expectLength(secretKey, SYMMETRIC_KEY_SIZE, 'onion secret key');
  const hop = hopOfBlobSize(blob.length);
  if (hop === undefined) {
    throw new DecodeError(blob.length < ONION_RETURN_1 ? 'truncated' : 'bad-value',
      `return blob: ${blob.length} bytes, want ${ONION_RETURN_1}, ${ONION_RETURN_2} or ${ONION_RETURN_3}`);
  }
  const plain = secretBoxOpen(secretKey, blob.subarray(0, NONCE_SIZE), blob.subarray(NONCE_SIZE));
  if (plain === undefined) return undefined;
  const r = new ByteReader(plain);
  const from = decodeReturnAddress(r, hop === 1);
  return { from, previous: r.rest().slice() };
}
