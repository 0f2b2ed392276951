/**
 * Sizes and limits of the DHT packets, in one place. Where c-toxcore 0.2.18 has a name for
 * a size, the constant carries that name; where it writes the size as an expression at its
 * use site, the doc comment gives that expression and the function it sits in.
 *
 * @see spec/dht.md#sizes-and-limits
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { PACKED_NODE_SIZE_IPV4, PACKED_NODE_SIZE_IPV6 } from '../wire/index.ts';

/** `MAX_SENT_NODES` (`DHT.h`): the most nodes one nodes response carries. */
export const MAX_SENT_NODES = 4;

/**
 * Ping ids and sendbacks are 8 opaque bytes (`sizeof(uint64_t)` in `ping.c` and `DHT.c`):
 * c-toxcore copies a host-order `uint64_t` in and compares it on the way back, so they are
 * never read as a number.
 */
export const PING_ID_SIZE = 8;

/** The sendback of a nodes request, echoed by the response: {@link PING_ID_SIZE} bytes. */
export const SENDBACK_SIZE = PING_ID_SIZE;

/**
 * The header of a DHT packet (ping, nodes): kind, sender public key, nonce — 57 bytes
 * (`1 + CRYPTO_PUBLIC_KEY_SIZE + CRYPTO_NONCE_SIZE` in `dht_create_packet`).
 */
export const DHT_PACKET_HEADER_SIZE = 1 + PUBLIC_KEY_SIZE + NONCE_SIZE;

/** The shortest DHT packet: header, MAC and one plaintext byte (74). */
export const DHT_PACKET_MIN_SIZE = DHT_PACKET_HEADER_SIZE + MAC_SIZE + 1;

/** `PING_PLAIN_SIZE` (`ping.c`): the ping plaintext, kind and ping id (9). */
export const PING_PLAIN_SIZE = 1 + PING_ID_SIZE;

/** `DHT_PING_SIZE` (`ping.c`): a ping request or response, exactly 82 bytes. */
export const DHT_PING_SIZE = DHT_PACKET_HEADER_SIZE + PING_PLAIN_SIZE + MAC_SIZE;

/** `CRYPTO_NODE_SIZE` (`DHT.c`): the nodes request plaintext, target key and sendback (40). */
export const CRYPTO_NODE_SIZE = PUBLIC_KEY_SIZE + SENDBACK_SIZE;

/**
 * A nodes request, exactly 113 bytes. `handle_getnodes` writes it
 * `CRYPTO_SIZE + CRYPTO_MAC_SIZE + sizeof(uint64_t)`, which is the same number.
 */
export const NODES_REQUEST_SIZE = DHT_PACKET_HEADER_SIZE + CRYPTO_NODE_SIZE + MAC_SIZE;

/**
 * Everything in a nodes response except the nodes: header, MAC, count byte, sendback —
 * 82 bytes (`cid_size` in `handle_sendnodes_core`).
 */
export const NODES_RESPONSE_OVERHEAD = DHT_PACKET_HEADER_SIZE + MAC_SIZE + 1 + SENDBACK_SIZE;

/** The shortest nodes response a receiver takes: one IPv4 node (121). */
export const NODES_RESPONSE_MIN_SIZE = NODES_RESPONSE_OVERHEAD + PACKED_NODE_SIZE_IPV4;

/** The longest nodes response: {@link MAX_SENT_NODES} IPv6 nodes (286). */
export const NODES_RESPONSE_MAX_SIZE = NODES_RESPONSE_OVERHEAD + MAX_SENT_NODES * PACKED_NODE_SIZE_IPV6;

/**
 * `CRYPTO_SIZE` (`DHT.c`): the header of a DHT request — packet id, receiver key, sender
 * key, nonce (89).
 */
export const CRYPTO_SIZE = 1 + 2 * PUBLIC_KEY_SIZE + NONCE_SIZE;

/** `MAX_CRYPTO_REQUEST_SIZE` (`DHT.h`): the longest DHT request its receiver takes (1024). */
export const MAX_CRYPTO_REQUEST_SIZE = 1024;

/**
 * The shortest DHT request c-toxcore looks at: a box holding only the request id (106).
 * `handle_request` and `cryptopacket_handle` both refuse `length <= CRYPTO_SIZE + CRYPTO_MAC_SIZE`.
 */
export const DHT_REQUEST_MIN_SIZE = CRYPTO_SIZE + MAC_SIZE + 1;

/**
 * The longest payload of a DHT request (918): what `create_request` allows,
 * `data_length + CRYPTO_SIZE + 1 + CRYPTO_MAC_SIZE <= MAX_CRYPTO_REQUEST_SIZE`.
 */
export const MAX_CRYPTO_REQUEST_DATA_SIZE = MAX_CRYPTO_REQUEST_SIZE - CRYPTO_SIZE - 1 - MAC_SIZE;

/** `NAT_PING_REQUEST` (`DHT.c`): the first payload byte of a NAT ping request. */
export const NAT_PING_REQUEST = 0;

/** `NAT_PING_RESPONSE` (`DHT.c`): the first payload byte of a NAT ping response. */
export const NAT_PING_RESPONSE = 1;

/** A NAT ping payload, kind and ping id: `sizeof(uint64_t) + 1` in `handle_NATping` (9). */
export const NAT_PING_SIZE = 1 + PING_ID_SIZE;

/** A LAN discovery packet, id and DHT public key: `CRYPTO_PUBLIC_KEY_SIZE + 1` in `handle_LANdiscovery` (33). */
export const LAN_DISCOVERY_SIZE = 1 + PUBLIC_KEY_SIZE;
