/**
 * Sizes and limits of the onion packets, in one place. Where c-toxcore 0.2.18 names a number
 * (`onion.h`, `onion_announce.h`, `onion_client.h`, `friend_requests.h`) the constant carries
 * that name; where it writes the number as an expression at its use site, the doc comment
 * gives the expression and the function it sits in.
 *
 * @see spec/onion.md#sizes-and-limits
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/index.ts';
import { PACKED_NODE_SIZE_IPV6 } from '../wire/index.ts';

/** `ONION_MAX_PACKET_SIZE`: no onion packet, request or response, at any hop, is longer (1400). */
export const ONION_MAX_PACKET_SIZE = 1400;

/** `SIZE_IPPORT` (`network.h`): the onion's address format, family, 16 address bytes, port (19). */
export const SIZE_IPPORT = 1 + 16 + 2;

/** `ONION_RETURN_1`: the return blob hop 1 appends, nonce and a sealed address (59). */
export const ONION_RETURN_1 = NONCE_SIZE + SIZE_IPPORT + MAC_SIZE;

/** `ONION_RETURN_2`: the return blob hop 2 appends, sealing an address and hop 1's blob (118). */
export const ONION_RETURN_2 = NONCE_SIZE + SIZE_IPPORT + MAC_SIZE + ONION_RETURN_1;

/** `ONION_RETURN_3`: the return blob hop 3 appends, sealing an address and hop 2's blob (177). */
export const ONION_RETURN_3 = NONCE_SIZE + SIZE_IPPORT + MAC_SIZE + ONION_RETURN_2;

/** The return blob appended by hop `n` (1, 2 or 3): 59, 118 or 177 bytes. */
export const ONION_RETURN_SIZES: readonly [number, number, number] = [ONION_RETURN_1, ONION_RETURN_2, ONION_RETURN_3];

/** `ONION_SEND_BASE`: what one layer adds around the next, address, public key and MAC (67). */
export const ONION_SEND_BASE = PUBLIC_KEY_SIZE + SIZE_IPPORT + MAC_SIZE;

/** `ONION_SEND_3`: what a 0x82 packet holds besides its id and payload (209). */
export const ONION_SEND_3 = NONCE_SIZE + ONION_SEND_BASE + ONION_RETURN_2;

/** `ONION_SEND_2`: what a 0x81 packet holds besides its id and payload (217). */
export const ONION_SEND_2 = NONCE_SIZE + ONION_SEND_BASE * 2 + ONION_RETURN_1;

/** `ONION_SEND_1`: what a 0x80 packet holds besides its id and payload (225). */
export const ONION_SEND_1 = NONCE_SIZE + ONION_SEND_BASE * 3;

/** `ONION_MAX_DATA_SIZE`: the longest payload an onion request carries to its destination (1174). */
export const ONION_MAX_DATA_SIZE = ONION_MAX_PACKET_SIZE - (ONION_SEND_1 + 1);

/** `ONION_RESPONSE_MAX_DATA_SIZE`: the longest response a destination sends back (1222). */
export const ONION_RESPONSE_MAX_DATA_SIZE = ONION_MAX_PACKET_SIZE - (1 + ONION_RETURN_3);

/**
 * The longest plaintext `onion_send_1` forwards (1335): `ONION_MAX_PACKET_SIZE + SIZE_IPPORT -
 * (1 + CRYPTO_NONCE_SIZE + ONION_RETURN_1)`, so that the 0x81 packet fits in 1400 bytes.
 */
export const ONION_SEND_1_MAX_PLAIN = ONION_MAX_PACKET_SIZE + SIZE_IPPORT - (1 + NONCE_SIZE + ONION_RETURN_1);

/**
 * The shortest layer-1 plaintext `onion_send_1` forwards (154): it refuses
 * `len <= SIZE_IPPORT + SEND_BASE * 2`.
 */
export const ONION_SEND_1_MIN_PLAIN = SIZE_IPPORT + ONION_SEND_BASE * 2 + 1;

/**
 * The shortest TCP onion request body a relay forwards (178): the nonce and a layer-1
 * plaintext of {@link ONION_SEND_1_MIN_PLAIN} bytes. `TCP_server.c` itself only refuses a
 * frame of `length <= 1 + CRYPTO_NONCE_SIZE + ONION_SEND_BASE * 2` (159 with the type byte);
 * `onion_send_1` is stricter.
 */
export const TCP_ONION_REQUEST_MIN_BODY = NONCE_SIZE + ONION_SEND_1_MIN_PLAIN;

/** The longest TCP onion request body a relay forwards (1359): the nonce and {@link ONION_SEND_1_MAX_PLAIN}. */
export const TCP_ONION_REQUEST_MAX_BODY = NONCE_SIZE + ONION_SEND_1_MAX_PLAIN;

/** `ONION_PING_ID_SIZE` (= `TIMED_AUTH_SIZE`, `CRYPTO_HMAC_SIZE`): an announce ping id (32). */
export const ONION_PING_ID_SIZE = 32;

/** `ONION_ANNOUNCE_SENDBACK_DATA_LENGTH`: the sendback an announce response echoes (8). */
export const ONION_ANNOUNCE_SENDBACK_DATA_LENGTH = 8;

/**
 * `ONION_MINIMAL_SIZE` (`onion_announce.c`): an announce plaintext, ping id, searched key,
 * data key and sendback (104).
 */
export const ANNOUNCE_REQUEST_PLAIN_SIZE = ONION_PING_ID_SIZE + PUBLIC_KEY_SIZE * 2 + ONION_ANNOUNCE_SENDBACK_DATA_LENGTH;

/** `ONION_ANNOUNCE_REQUEST_SIZE` (= `ONION_ANNOUNCE_REQUEST_MIN_SIZE`): an announce request as its sender builds it (177). */
export const ONION_ANNOUNCE_REQUEST_SIZE = 1 + NONCE_SIZE + PUBLIC_KEY_SIZE + ANNOUNCE_REQUEST_PLAIN_SIZE + MAC_SIZE;

/**
 * `ANNOUNCE_REQUEST_SIZE_RECV` (`onion_announce.c`): an announce request as the announce node
 * receives it, with hop 3's return blob (354). 0.2.18 answers no other length.
 */
export const ANNOUNCE_REQUEST_SIZE_RECV = ONION_ANNOUNCE_REQUEST_SIZE + ONION_RETURN_3;

/** `MAX_SENT_NODES` (`DHT.h`): the most nodes an announce response carries (4). */
export const ANNOUNCE_MAX_NODES = 4;

/**
 * `ONION_ANNOUNCE_RESPONSE_MIN_SIZE`: id, sendback, nonce, `is_stored`, ping id or key, MAC
 * (82); a response without nodes.
 */
export const ONION_ANNOUNCE_RESPONSE_MIN_SIZE = 2 + ONION_ANNOUNCE_SENDBACK_DATA_LENGTH + NONCE_SIZE + ONION_PING_ID_SIZE + MAC_SIZE;

/** `ONION_MAX_EXTRA_DATA_SIZE`: room for group-chat data per node in the new format (136). */
export const ONION_MAX_EXTRA_DATA_SIZE = 136;

/**
 * `ONION_ANNOUNCE_RESPONSE_MAX_SIZE` (626): the longest announce response a 0.2.18 client
 * looks at (`handle_announce_response`); an announce node sends at most
 * {@link ONION_ANNOUNCE_RESPONSE_MIN_SIZE} + 4 × 51 = 286.
 */
export const ONION_ANNOUNCE_RESPONSE_MAX_SIZE = ONION_ANNOUNCE_RESPONSE_MIN_SIZE + ONION_MAX_EXTRA_DATA_SIZE * ANNOUNCE_MAX_NODES;

/** The longest announce response an announce node builds: four IPv6 nodes (286, or 287 in the new format). */
export const ANNOUNCE_RESPONSE_BUILT_MAX_SIZE = ONION_ANNOUNCE_RESPONSE_MIN_SIZE + ANNOUNCE_MAX_NODES * PACKED_NODE_SIZE_IPV6;

/** `ONION_DATA_REQUEST_MIN_SIZE`: id, destination key, nonce, ephemeral key, MAC (105). */
export const ONION_DATA_REQUEST_MIN_SIZE = 1 + PUBLIC_KEY_SIZE + NONCE_SIZE + PUBLIC_KEY_SIZE + MAC_SIZE;

/**
 * `DATA_REQUEST_MIN_SIZE_RECV` (`onion_announce.c`): a data request with hop 3's return blob
 * (282); the announce node refuses anything not longer.
 */
export const DATA_REQUEST_MIN_SIZE_RECV = ONION_DATA_REQUEST_MIN_SIZE + ONION_RETURN_3;

/**
 * `MAX_DATA_REQUEST_SIZE` (1069): the most bytes a data request carries after its 105-byte
 * header (`create_data_request`), so that the request fits in {@link ONION_MAX_DATA_SIZE}.
 */
export const MAX_DATA_REQUEST_SIZE = ONION_MAX_DATA_SIZE - ONION_DATA_REQUEST_MIN_SIZE;

/** `ONION_DATA_RESPONSE_MIN_SIZE`: id, nonce, ephemeral key, MAC (73). */
export const ONION_DATA_RESPONSE_MIN_SIZE = 1 + NONCE_SIZE + PUBLIC_KEY_SIZE + MAC_SIZE;

/** `ONION_DATA_IN_RESPONSE_MIN_SIZE`: the sender's real key and the inner MAC (48). */
export const ONION_DATA_IN_RESPONSE_MIN_SIZE = PUBLIC_KEY_SIZE + MAC_SIZE;

/** Everything in a data response (or request, but the destination key) besides the payload (121). */
export const ONION_DATA_OVERHEAD = ONION_DATA_RESPONSE_MIN_SIZE + ONION_DATA_IN_RESPONSE_MIN_SIZE;

/**
 * `ONION_CLIENT_MAX_DATA_SIZE` (1021): the longest payload `send_onion_data` sends, id byte
 * included. Longer than what a receiver takes: see {@link ONION_DATA_RECEIVE_MAX}.
 */
export const ONION_CLIENT_MAX_DATA_SIZE = MAX_DATA_REQUEST_SIZE - ONION_DATA_IN_RESPONSE_MIN_SIZE;

/**
 * The longest data response a 0.2.18 client takes: `handle_data_response` drops
 * `length > MAX_DATA_REQUEST_SIZE` (1069), measured on the response, not the request.
 */
export const ONION_DATA_RESPONSE_MAX_SIZE = MAX_DATA_REQUEST_SIZE;

/**
 * The longest onion data payload a 0.2.18 receiver takes (948): a data response of
 * {@link ONION_DATA_RESPONSE_MAX_SIZE} less its {@link ONION_DATA_OVERHEAD}. Senders allow
 * 1021; toxlink sends no more than this.
 */
export const ONION_DATA_RECEIVE_MAX = ONION_DATA_RESPONSE_MAX_SIZE - ONION_DATA_OVERHEAD;

/** `DHTPK_DATA_MIN_LENGTH` (`onion_client.c`): id, no-replay number, DHT key (41). */
export const DHTPK_DATA_MIN_LENGTH = 1 + 8 + PUBLIC_KEY_SIZE;

/**
 * `DHTPK_DATA_MAX_LENGTH` (`onion_client.c`): `DHTPK_DATA_MIN_LENGTH + sizeof(Node_format) *
 * MAX_SENT_NODES`, 297 on x86-64 (the in-memory struct is 64 bytes). The most a sender
 * writes is 41 + 4 × 51 = 245.
 */
export const DHTPK_DATA_MAX_LENGTH = DHTPK_DATA_MIN_LENGTH + 64 * ANNOUNCE_MAX_NODES;

/** The longest DHT key announcement a sender builds: four IPv6 nodes (245). */
export const DHTPK_DATA_BUILT_MAX_LENGTH = DHTPK_DATA_MIN_LENGTH + ANNOUNCE_MAX_NODES * PACKED_NODE_SIZE_IPV6;

/** The most nodes a DHT key announcement carries (`MAX_SENT_NODES`), of which at most 2 TCP relays are sent. */
export const DHTPK_MAX_NODES = ANNOUNCE_MAX_NODES;

/**
 * What the DHT-routed copy of a DHT key announcement adds around it: sender's real key,
 * nonce, MAC (72; `DATA_IN_RESPONSE_MIN_SIZE + CRYPTO_NONCE_SIZE` in `handle_dht_dhtpk`).
 */
export const DHTPK_ROUTED_OVERHEAD = ONION_DATA_IN_RESPONSE_MIN_SIZE + NONCE_SIZE;

/** The shortest DHT-routed DHT key announcement `handle_dht_dhtpk` takes (113). */
export const DHTPK_ROUTED_MIN_SIZE = DHTPK_DATA_MIN_LENGTH + DHTPK_ROUTED_OVERHEAD;

/** The longest DHT-routed DHT key announcement `handle_dht_dhtpk` takes (369). */
export const DHTPK_ROUTED_MAX_SIZE = DHTPK_DATA_MAX_LENGTH + DHTPK_ROUTED_OVERHEAD;

/** The nospam of a friend request: the 4 bytes after the public key in a Tox address. */
export const FRIEND_REQUEST_NOSPAM_SIZE = 4;

/**
 * `MAX_FRIEND_REQUEST_DATA_SIZE` (`friend_requests.h`): the longest message a 0.2.18 sender
 * allows (1016, `TOX_MAX_FRIEND_REQUEST_LENGTH`). Over the onion a receiver takes 943.
 */
export const MAX_FRIEND_REQUEST_DATA_SIZE = ONION_CLIENT_MAX_DATA_SIZE - (1 + FRIEND_REQUEST_NOSPAM_SIZE);

/**
 * The longest friend request message that reaches a 0.2.18 receiver over the onion (943):
 * {@link ONION_DATA_RECEIVE_MAX} less the id and nospam.
 */
export const FRIEND_REQUEST_ONION_MESSAGE_MAX = ONION_DATA_RECEIVE_MAX - (1 + FRIEND_REQUEST_NOSPAM_SIZE);

/** `ONION_ANNOUNCE_TIMEOUT` (= `PING_ID_TIMEOUT`): an announcement lives this long, and a ping id's time window (300 s). */
export const ONION_ANNOUNCE_TIMEOUT = 300;

/** `ONION_ANNOUNCE_MAX_ENTRIES`: an announce node stores this many announcements (160). */
export const ONION_ANNOUNCE_MAX_ENTRIES = 160;

/** `KEY_REFRESH_INTERVAL` (`onion.c`): a node replaces its return-blob key this often (7200 s). */
export const ONION_KEY_REFRESH_INTERVAL = 2 * 60 * 60;
