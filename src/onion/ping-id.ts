/**
 * Ping ids: how an announce node makes sure that whoever asks it to store an announcement
 * can receive its answers on the same path, without keeping state per asker. The node
 * answers every request with a ping id; a later request is stored only if it carries the ping
 * id made for the same sender key, the same address (hop 3 of the path) and the current or
 * previous 300-second window.
 *
 * 0.2.18 makes them with `timed_auth.c`: HMAC-SHA-512-256 under a random key of the node's,
 * over the window number (a little-endian `uint64_t`: `mono_time_get() / 300`) followed by
 * the data. The data and the key are private to the node; toxlink builds the data as
 * c-toxcore does, so that a toxlink announce node and a c-toxcore one with the same key, clock
 * and input answer the same bytes.
 *
 * @see spec/onion.md#ping-ids
 * @module
 */
import { PUBLIC_KEY_SIZE, constantTimeEqual, sha512 } from '../crypto/index.ts';
import { EncodeError, type IpPort, ipToBytes, isIpv6, checkPort } from '../wire/index.ts';
import { expectLength } from './errors.ts';
import { ONION_ANNOUNCE_TIMEOUT, ONION_PING_ID_SIZE } from './packet-sizes.ts';

/** `CRYPTO_HMAC_KEY_SIZE`: the key of a timed authenticator (32). */
export const HMAC_KEY_SIZE = 32;

/** SHA-512's block size, over which HMAC pads its key. */
const SHA512_BLOCK_SIZE = 128;

/**
 * HMAC-SHA-512-256 (`crypto_hmac`, libsodium's `crypto_auth`): HMAC with SHA-512, cut to its
 * first 32 bytes. Built here on SHA-512 so that the crypto floor need not grow.
 */
export function hmacSha512256(key: Uint8Array, data: Uint8Array): Uint8Array {
  expectLength(key, HMAC_KEY_SIZE, 'HMAC key');
  const inner = new Uint8Array(SHA512_BLOCK_SIZE + data.length);
  const outer = new Uint8Array(SHA512_BLOCK_SIZE + 64);
  for (let i = 0; i < SHA512_BLOCK_SIZE; i++) {
    const k = key[i] ?? 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  inner.set(data, SHA512_BLOCK_SIZE);
  outer.set(sha512(inner), SHA512_BLOCK_SIZE);
  return sha512(outer).slice(0, ONION_PING_ID_SIZE);
}

function windowBytes(nowSeconds: number, timeoutSeconds: number, back: number): Uint8Array {
  if (!Number.isSafeInteger(nowSeconds) || nowSeconds < 0) throw new EncodeError(`time must be whole non-negative seconds, got ${nowSeconds}`);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 0xffff) {
    throw new EncodeError(`timeout must be 1 to 65535 seconds, got ${timeoutSeconds}`);
  }
  // A uint64_t in C: the window before window 0 wraps around.
  const window = (BigInt(Math.floor(nowSeconds / timeoutSeconds)) - BigInt(back)) & 0xffffffffffffffffn;
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, window, true);
  return out;
}

function toHash(nowSeconds: number, timeoutSeconds: number, back: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  out.set(windowBytes(nowSeconds, timeoutSeconds, back), 0);
  out.set(data, 8);
  return out;
}

/**
 * A timed authenticator (`generate_timed_auth`): HMAC-SHA-512-256 under `key` of the window
 * number `floor(nowSeconds / timeoutSeconds)` (8 bytes, little-endian) and `data`. 32 bytes.
 */
export function timedAuth(key: Uint8Array, nowSeconds: number, timeoutSeconds: number, data: Uint8Array): Uint8Array {
  return hmacSha512256(key, toHash(nowSeconds, timeoutSeconds, 0, data));
}

/**
 * Whether `auth` was made by {@link timedAuth} with this key and data in the current window
 * or the one before (`check_timed_auth`): so it holds for at least `timeoutSeconds` and less
 * than twice that. Compared in constant time.
 */
export function checkTimedAuth(key: Uint8Array, nowSeconds: number, timeoutSeconds: number, data: Uint8Array, auth: Uint8Array): boolean {
  if (auth.length !== ONION_PING_ID_SIZE) return false;
  for (let back = 0; back < 2; back++) {
    if (constantTimeEqual(hmacSha512256(key, toHash(nowSeconds, timeoutSeconds, back, data)), auth)) return true;
  }
  return false;
}

/** How the node's socket received an IPv4 sender, which shapes the bytes c-toxcore authenticates. */
export type SocketKind =
  /**
   * A dual-stack IPv6 socket (c-toxcore's default, bound to `::`): IPv4 senders arrive as
   * `::ffff:a.b.c.d`, and `receivepacket` turns them into IPv4 without clearing the rest of
   * the address union, so the mapped address stays behind the IPv4 one.
   */
  | 'dual-stack'
  /** An IPv4-only socket: the address union holds the IPv4 address and zeros. */
  | 'ipv4';

/**
 * The data an announce node authenticates in a ping id: the sender's public key and the
 * address the request came from (hop 3), 64 bytes. c-toxcore copies its in-memory `IP_Port`
 * struct (x86-64: family byte, 7 bytes of padding, the 16-byte address union at offset 8,
 * the port in network order at 24, 6 bytes of padding), which `receivepacket` zeroes first;
 * toxlink writes the same bytes.
 */
export function announcePingIdData(senderPublicKey: Uint8Array, source: IpPort, socket: SocketKind = 'dual-stack'): Uint8Array {
  expectLength(senderPublicKey, PUBLIC_KEY_SIZE, 'sender public key');
  const address = ipToBytes(source.host);
  const port = checkPort(source.port);
  const out = new Uint8Array(PUBLIC_KEY_SIZE + 32);
  out.set(senderPublicKey, 0);
  const ipPort = out.subarray(PUBLIC_KEY_SIZE);
  if (isIpv6(source.host)) {
    ipPort[0] = 10;
    ipPort.set(address, 8);
  } else {
    ipPort[0] = 2;
    ipPort.set(address, 8);
    if (socket === 'dual-stack') {
      // What is left of ::ffff:a.b.c.d after its last 4 bytes were copied to the front.
      ipPort[8 + 10] = 0xff;
      ipPort[8 + 11] = 0xff;
      ipPort.set(address, 8 + 12);
    }
  }
  ipPort[24] = port >> 8;
  ipPort[25] = port & 0xff;
  return out;
}

/** The ping id an announce node gives `senderPublicKey` at `source` (`handle_announce_request_common`). */
export function announcePingId(
  hmacKey: Uint8Array, nowSeconds: number, senderPublicKey: Uint8Array, source: IpPort, socket: SocketKind = 'dual-stack',
): Uint8Array {
  return timedAuth(hmacKey, nowSeconds, ONION_ANNOUNCE_TIMEOUT, announcePingIdData(senderPublicKey, source, socket));
}

/** Whether `pingId` is one this node gave `senderPublicKey` at `source`, now or in the window before. */
export function checkAnnouncePingId(
  hmacKey: Uint8Array, nowSeconds: number, senderPublicKey: Uint8Array, source: IpPort, pingId: Uint8Array,
  socket: SocketKind = 'dual-stack',
): boolean {
  return checkTimedAuth(hmacKey, nowSeconds, ONION_ANNOUNCE_TIMEOUT, announcePingIdData(senderPublicKey, source, socket), pingId);
}
