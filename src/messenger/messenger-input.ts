/**
 * What the Messenger makes of its callers' arguments: texts as bytes, Tox IDs as a key and a
 * nospam with `m_addfriend`'s checks, and the errors of the layers below as the tox API's.
 *
 * @see spec/messenger.md#adding-a-friend
 * @see spec/messenger.md#messenger-errors
 * @module
 */
import { isValidPublicKey } from '../crypto/index.ts';
import { FriendError } from '../friend/index.ts';
import { NetCryptoError } from '../netcrypto/index.ts';
import { PUBLIC_KEY_SIZE, TOX_ID_SIZE, ToxIdError, parseToxId, toxIdChecksum } from '../wire/index.ts';
import { MessengerError } from './errors.ts';
import type { MessengerFriend } from './friend-list.ts';

const encoder = new TextEncoder();

/** @internal A nospam, or `bad-value`. */
export function checkNospam(nospam: number): number {
  if (!Number.isInteger(nospam) || nospam < 0 || nospam > 0xffffffff) throw new MessengerError('bad-value', `nospam must be a u32, got ${String(nospam)}`);
  return nospam;
}

/** @internal A string as UTF-8, bytes as they are, anything else `null`. */
export function bytesOf(value: string | Uint8Array, what: string): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new MessengerError('null', `${what} is needed (a string or bytes)`);
}

/** @internal Whether two byte arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** @internal A Tox ID as text or 38 bytes; the key's validity and the checksum are one error, as in `m_addfriend`. */
export function parseAddress(address: string | Uint8Array): { publicKey: Uint8Array; nospam: number } {
  if (typeof address === 'string') {
    try {
      const id = parseToxId(address);
      return { publicKey: id.publicKey, nospam: id.nospam };
    } catch (error) {
      if (!(error instanceof ToxIdError)) throw error;
      const code = error.code === 'bad-checksum' || error.code === 'bad-key' ? 'bad-checksum' : 'bad-address';
      throw new MessengerError(code, error.message, { cause: error });
    }
  }
  if (address.length !== TOX_ID_SIZE) throw new MessengerError('bad-address', `a Tox ID is ${TOX_ID_SIZE} bytes, got ${address.length}`);
  const publicKey = address.slice(0, PUBLIC_KEY_SIZE);
  if (!isValidPublicKey(publicKey)) throw new MessengerError('bad-checksum', 'the key in this Tox ID is not valid (its last byte is 0x80 or more)');
  const checksum = (address[TOX_ID_SIZE - 2]! << 8) | address[TOX_ID_SIZE - 1]!;
  if (checksum !== toxIdChecksum(address.subarray(0, TOX_ID_SIZE - 2))) throw new MessengerError('bad-checksum', 'the Tox ID checksum does not match');
  return { publicKey, nospam: new DataView(address.buffer, address.byteOffset).getUint32(PUBLIC_KEY_SIZE) };
}

/** @internal What the friend layer or net_crypto threw on a send, as the tox API reports it; anything else (a bug) as it is. */
export function sendError(f: MessengerFriend, error: unknown): unknown {
  if (error instanceof NetCryptoError && error.code === 'queue-full') return new MessengerError('sendq', error.message, { cause: error });
  if ((error instanceof FriendError && (error.code === 'not-connected' || error.code === 'unknown-friend'))
    || (error instanceof NetCryptoError && error.code === 'connection-closed')) {
    return new MessengerError('friend-not-connected', `friend ${f.number}: ${error.message}`, { cause: error });
  }
  return error;
}
