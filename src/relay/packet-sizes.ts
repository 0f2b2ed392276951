/**
 * Sizes and limits of the TCP relay protocol, in one place. Where c-toxcore 0.2.18 names a
 * number (`TCP_common.h`, `TCP_server.h`, `onion.h`), the constant carries that name; where
 * it writes the number as an expression, the doc comment gives the expression.
 *
 * @see spec/relay.md#sizes-and-limits
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/index.ts';

/**
 * `TCP_HANDSHAKE_PLAIN_SIZE`: what each side's handshake box holds, its temporary public key
 * and the base nonce of the frames it will send (56).
 */
export const TCP_HANDSHAKE_PLAIN_SIZE = PUBLIC_KEY_SIZE + NONCE_SIZE;

/** `TCP_SERVER_HANDSHAKE_SIZE`: the relay's answer, nonce and box (96). */
export const TCP_SERVER_HANDSHAKE_SIZE = NONCE_SIZE + TCP_HANDSHAKE_PLAIN_SIZE + MAC_SIZE;

/** `TCP_CLIENT_HANDSHAKE_SIZE`: the client's opening, its public key then a box like the relay's (128). */
export const TCP_CLIENT_HANDSHAKE_SIZE = PUBLIC_KEY_SIZE + TCP_SERVER_HANDSHAKE_SIZE;

/** The length prefix of a frame: a big-endian `uint16_t`. */
export const FRAME_LENGTH_SIZE = 2;

/**
 * `MAX_PACKET_SIZE` (`TCP_common.h`): the largest value of a frame's length prefix, which
 * counts the box (MAC and ciphertext), not the prefix (2048).
 */
export const MAX_PACKET_SIZE = 2048;

/** The longest frame plaintext: `MAX_PACKET_SIZE - CRYPTO_MAC_SIZE` (2032). */
export const MAX_FRAME_PLAIN_SIZE = MAX_PACKET_SIZE - MAC_SIZE;

/** The shortest box a frame can hold: a MAC and one byte of plaintext (17). */
export const MIN_FRAME_BOX_SIZE = MAC_SIZE + 1;

/**
 * `NUM_RESERVED_PORTS`: frame types 0 to 15 are the protocol's own; a frame whose first byte
 * is 16 or more carries data for the routed connection with that id.
 */
export const NUM_RESERVED_PORTS = 16;

/** `NUM_CLIENT_CONNECTIONS`: connection ids 16 to 255, so at most 240 routes per client. */
export const NUM_CLIENT_CONNECTIONS = 256 - NUM_RESERVED_PORTS;

/** The first byte of a frame is this for the routed connection numbered 0 (16). */
export const FIRST_CONNECTION_ID = NUM_RESERVED_PORTS;

/** The last connection id (255). */
export const LAST_CONNECTION_ID = 255;

/** `TCP_MAX_OOB_DATA_LENGTH`: the longest out-of-band payload (1024). */
export const TCP_MAX_OOB_DATA_LENGTH = 1024;

/** A ping or pong carries an 8-byte id (`sizeof(uint64_t)`, copied in host order: opaque bytes). */
export const PING_ID_SIZE = 8;

/** The longest data payload in one frame: the frame plaintext less its connection id (2031). */
export const MAX_DATA_PAYLOAD_SIZE = MAX_FRAME_PLAIN_SIZE - 1;

/** `SIZE_IPPORT` (`onion.h`): an IP_Port as the onion packs it, family, 16 address bytes, port (19). */
export const SIZE_IPPORT = 1 + 16 + 2;

/** `ONION_MAX_PACKET_SIZE` (`onion.h`): no onion packet is longer (1400). */
export const ONION_MAX_PACKET_SIZE = 1400;

/** `ONION_SEND_BASE` (`onion.h`): a public key, an IP_Port and a MAC, the cost of one layer (67). */
export const ONION_SEND_BASE = PUBLIC_KEY_SIZE + SIZE_IPPORT + MAC_SIZE;

/** `ONION_RETURN_1` (`onion.h`): the return blob the first hop appends, nonce and sealed IP_Port (59). */
export const ONION_RETURN_1 = NONCE_SIZE + SIZE_IPPORT + MAC_SIZE;

/**
 * The shortest onion request a c-toxcore relay with an onion takes: a frame longer than
 * `1 + CRYPTO_NONCE_SIZE + ONION_SEND_BASE * 2` (159) bytes (`handle_TCP_packet`); a
 * shorter one makes it close the connection.
 */
export const MIN_ONION_REQUEST_FRAME_SIZE = 1 + NONCE_SIZE + ONION_SEND_BASE * 2 + 1;

/**
 * The longest onion request payload (after the nonce) the first hop forwards:
 * `ONION_MAX_PACKET_SIZE + SIZE_IPPORT - (1 + CRYPTO_NONCE_SIZE + ONION_RETURN_1)` (1335,
 * `onion_send_1`); longer ones are dropped.
 */
export const MAX_ONION_REQUEST_PAYLOAD = ONION_MAX_PACKET_SIZE + SIZE_IPPORT - (1 + NONCE_SIZE + ONION_RETURN_1);
