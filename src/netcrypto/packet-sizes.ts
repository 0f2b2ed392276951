/**
 * Sizes, limits and thresholds of the net_crypto packets, in one place. Where c-toxcore
 * 0.2.18 has a name for a number (`net_crypto.c`, `net_crypto.h`), the constant carries that
 * name; where it writes the number as an expression at its use site, the doc comment gives
 * the expression and the function it sits in.
 *
 * @see spec/netcrypto.md#sizes-and-limits
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE, SHA512_SIZE } from '../crypto/index.ts';

/** `COOKIE_TIMEOUT`: a cookie is good for this many whole seconds after it was made (15). */
export const COOKIE_TIMEOUT = 15;

/**
 * The echo id of a cookie request, copied back by the cookie response: 8 opaque bytes
 * (c-toxcore memcpy's a host-order `uint64_t`, `cookie_request_number`).
 */
export const ECHO_ID_SIZE = 8;

/** The cookie's timestamp: 8 bytes, whole seconds (`sizeof(uint64_t)` in `create_cookie`). */
export const COOKIE_TIMESTAMP_SIZE = 8;

/** `COOKIE_DATA_LENGTH`: what a cookie vouches for, a real and a DHT public key (64). */
export const COOKIE_DATA_LENGTH = 2 * PUBLIC_KEY_SIZE;

/** `COOKIE_CONTENTS_LENGTH`: the sealed part of a cookie, timestamp and keys (72). */
export const COOKIE_CONTENTS_LENGTH = COOKIE_TIMESTAMP_SIZE + COOKIE_DATA_LENGTH;

/** `COOKIE_LENGTH`: a whole cookie, nonce and box (112). */
export const COOKIE_LENGTH = NONCE_SIZE + COOKIE_CONTENTS_LENGTH + MAC_SIZE;

/** `COOKIE_REQUEST_PLAIN_LENGTH`: real key, 32 bytes of padding, echo id (72). */
export const COOKIE_REQUEST_PLAIN_LENGTH = COOKIE_DATA_LENGTH + ECHO_ID_SIZE;

/** `COOKIE_REQUEST_LENGTH`: a cookie request is exactly 145 bytes. */
export const COOKIE_REQUEST_LENGTH = 1 + PUBLIC_KEY_SIZE + NONCE_SIZE + COOKIE_REQUEST_PLAIN_LENGTH + MAC_SIZE;

/** The cookie response plaintext, cookie and echo id (120; `COOKIE_LENGTH + sizeof(uint64_t)`). */
export const COOKIE_RESPONSE_PLAIN_LENGTH = COOKIE_LENGTH + ECHO_ID_SIZE;

/** `COOKIE_RESPONSE_LENGTH`: a cookie response is exactly 161 bytes. */
export const COOKIE_RESPONSE_LENGTH = 1 + NONCE_SIZE + COOKIE_RESPONSE_PLAIN_LENGTH + MAC_SIZE;

/**
 * The handshake plaintext: base nonce, session public key, SHA-512 of the cookie, the
 * cookie made for the peer (232; the `plain` array of `create_crypto_handshake`).
 */
export const HANDSHAKE_PLAIN_LENGTH = NONCE_SIZE + PUBLIC_KEY_SIZE + SHA512_SIZE + COOKIE_LENGTH;

/** `HANDSHAKE_PACKET_LENGTH`: a handshake is exactly 385 bytes. */
export const HANDSHAKE_PACKET_LENGTH = 1 + COOKIE_LENGTH + NONCE_SIZE + HANDSHAKE_PLAIN_LENGTH + MAC_SIZE;

/** `MAX_CRYPTO_PACKET_SIZE`: no net_crypto packet is longer than 1400 bytes. */
export const MAX_CRYPTO_PACKET_SIZE = 1400;

/** The nonce bytes a data packet carries in clear: the last 2 of the sender's 24 (`sizeof(uint16_t)`). */
export const DATA_NONCE_TAIL_SIZE = 2;

/**
 * `CRYPTO_MIN_PACKET_SIZE` (`net_crypto.c`): id, nonce tail and MAC (19). `udp_handle_packet`
 * drops a cookie response, handshake or data packet that is not longer than this.
 */
export const CRYPTO_MIN_PACKET_SIZE = 1 + DATA_NONCE_TAIL_SIZE + MAC_SIZE;

/** A data packet's plaintext header: buffer start and packet number, two `uint32_t` (8). */
export const DATA_HEADER_SIZE = 8;

/**
 * `CRYPTO_DATA_PACKET_MIN_SIZE` (`net_crypto.h`): id, nonce tail, the two numbers and MAC
 * (27). `handle_data_packet_core` drops a data packet that is not longer than this.
 */
export const CRYPTO_DATA_PACKET_MIN_SIZE = CRYPTO_MIN_PACKET_SIZE + DATA_HEADER_SIZE;

/** The shortest data packet a receiver takes: one payload byte (28). */
export const DATA_PACKET_MIN_SIZE = CRYPTO_DATA_PACKET_MIN_SIZE + 1;

/** `MAX_CRYPTO_DATA_SIZE` (`net_crypto.h`): the longest payload, id byte included (1373). */
export const MAX_CRYPTO_DATA_SIZE = MAX_CRYPTO_PACKET_SIZE - CRYPTO_DATA_PACKET_MIN_SIZE;

/** `MAX_DATA_DATA_PACKET_SIZE` (`net_crypto.c`): the longest data plaintext (1381). */
export const MAX_DATA_DATA_PACKET_SIZE = MAX_CRYPTO_PACKET_SIZE - CRYPTO_MIN_PACKET_SIZE;

/** `CRYPTO_MAX_PADDING`: padding makes every payload plus padding 5 modulo this (8). */
export const CRYPTO_MAX_PADDING = 8;

/**
 * `DATA_NUM_THRESHOLD` (`net_crypto.c`): 21845, a third of the 16-bit nonce space. A
 * receiver that opens a packet more than twice this far ahead of its stored nonce moves the
 * stored nonce on by this much (`handle_data_packet`).
 */
export const DATA_NUM_THRESHOLD = 21845;

/** The span of nonces a receiver can tell apart from 2 bytes: 65536. */
export const NONCE_WINDOW = 0x10000;

/**
 * `CRYPTO_PACKET_BUFFER_SIZE` (`net_crypto.h`): the send and receive buffers hold at most
 * 32768 packet numbers; a packet number further than this from the buffer start is refused.
 */
export const CRYPTO_PACKET_BUFFER_SIZE = 32768;

/**
 * The longest run a request packet byte can count (255, written as a literal in
 * `generate_request_packet` and `handle_request_packet`): after 255 numbers with nothing
 * missing, the list holds a 0.
 */
export const REQUEST_RUN_LIMIT = 255;
