/**
 * Every packet id toxlink knows, in one table, each named beside the c-toxcore 0.2.18 name
 * it mirrors. Ids of different layers live in different namespaces because they share
 * numbers (a UDP packet 0x20 and a lossless packet 0x20 are unrelated).
 *
 * @see spec/wire.md#packet-ids
 * @module
 */

/** First byte of a UDP packet (`Net_Packet_Type` in `network.h`). */
export const NetPacket = {
  /** `NET_PACKET_PING_REQUEST` */ PING_REQUEST: 0x00,
  /** `NET_PACKET_PING_RESPONSE` */ PING_RESPONSE: 0x01,
  /** `NET_PACKET_GET_NODES` */ GET_NODES: 0x02,
  /** `NET_PACKET_SEND_NODES_IPV6` */ SEND_NODES_IPV6: 0x04,
  /** `NET_PACKET_COOKIE_REQUEST` */ COOKIE_REQUEST: 0x18,
  /** `NET_PACKET_COOKIE_RESPONSE` */ COOKIE_RESPONSE: 0x19,
  /** `NET_PACKET_CRYPTO_HS` */ CRYPTO_HS: 0x1a,
  /** `NET_PACKET_CRYPTO_DATA` */ CRYPTO_DATA: 0x1b,
  /** `NET_PACKET_CRYPTO`: DHT request, routed to a DHT key */ CRYPTO: 0x20,
  /** `NET_PACKET_LAN_DISCOVERY` */ LAN_DISCOVERY: 0x21,
  /** `NET_PACKET_ONION_SEND_INITIAL` */ ONION_SEND_INITIAL: 0x80,
  /** `NET_PACKET_ONION_SEND_1` */ ONION_SEND_1: 0x81,
  /** `NET_PACKET_ONION_SEND_2` */ ONION_SEND_2: 0x82,
  /** `NET_PACKET_ANNOUNCE_REQUEST_OLD`: the announce 0.2.18 clients send */ ANNOUNCE_REQUEST_OLD: 0x83,
  /** `NET_PACKET_ANNOUNCE_RESPONSE_OLD` */ ANNOUNCE_RESPONSE_OLD: 0x84,
  /** `NET_PACKET_ONION_DATA_REQUEST` */ ONION_DATA_REQUEST: 0x85,
  /** `NET_PACKET_ONION_DATA_RESPONSE` */ ONION_DATA_RESPONSE: 0x86,
  /** `NET_PACKET_ANNOUNCE_REQUEST` (group-chat era announce) */ ANNOUNCE_REQUEST: 0x87,
  /** `NET_PACKET_ANNOUNCE_RESPONSE` */ ANNOUNCE_RESPONSE: 0x88,
  /** `NET_PACKET_ONION_RECV_3` */ ONION_RECV_3: 0x8c,
  /** `NET_PACKET_ONION_RECV_2` */ ONION_RECV_2: 0x8d,
  /** `NET_PACKET_ONION_RECV_1` */ ONION_RECV_1: 0x8e,
  /** `NET_PACKET_FORWARD_REQUEST` */ FORWARD_REQUEST: 0x90,
  /** `NET_PACKET_FORWARDING` */ FORWARDING: 0x91,
  /** `NET_PACKET_FORWARD_REPLY` */ FORWARD_REPLY: 0x92,
  /** `NET_PACKET_DATA_SEARCH_REQUEST` */ DATA_SEARCH_REQUEST: 0x93,
  /** `NET_PACKET_DATA_SEARCH_RESPONSE` */ DATA_SEARCH_RESPONSE: 0x94,
  /** `NET_PACKET_DATA_RETRIEVE_REQUEST` */ DATA_RETRIEVE_REQUEST: 0x95,
  /** `NET_PACKET_DATA_RETRIEVE_RESPONSE` */ DATA_RETRIEVE_RESPONSE: 0x96,
  /** `NET_PACKET_STORE_ANNOUNCE_REQUEST` */ STORE_ANNOUNCE_REQUEST: 0x97,
  /** `NET_PACKET_STORE_ANNOUNCE_RESPONSE` */ STORE_ANNOUNCE_RESPONSE: 0x98,
  /** `BOOTSTRAP_INFO_PACKET_ID` */ BOOTSTRAP_INFO: 0xf0,
} as const;

/** Sub-id inside a DHT request (`NET_PACKET_CRYPTO`) or onion data (`DHT.h`, `onion_client.h`). */
export const CryptoPacket = {
  /** `CRYPTO_PACKET_FRIEND_REQ` (= `ONION_DATA_FRIEND_REQ`) */ FRIEND_REQ: 32,
  /** `CRYPTO_PACKET_DHTPK` (= `ONION_DATA_DHTPK`) */ DHTPK: 156,
  /** `CRYPTO_PACKET_NAT_PING` */ NAT_PING: 254,
} as const;

/** First byte of a net_crypto data payload (`net_crypto.h`, `friend_connection.h`, `Messenger.h`). */
export const DataPacket = {
  /** `PACKET_ID_PADDING` */ PADDING: 0,
  /** `PACKET_ID_REQUEST`: asks for lost lossless packets */ REQUEST: 1,
  /** `PACKET_ID_KILL` */ KILL: 2,
  /** `PACKET_ID_ALIVE` (friend_connection) */ ALIVE: 16,
  /** `PACKET_ID_SHARE_RELAYS` (friend_connection) */ SHARE_RELAYS: 17,
  /** `PACKET_ID_FRIEND_REQUESTS` (friend_connection) */ FRIEND_REQUESTS: 18,
  /** `PACKET_ID_ONLINE` */ ONLINE: 24,
  /** `PACKET_ID_OFFLINE` */ OFFLINE: 25,
  /** `PACKET_ID_NICKNAME` */ NICKNAME: 48,
  /** `PACKET_ID_STATUSMESSAGE` */ STATUSMESSAGE: 49,
  /** `PACKET_ID_USERSTATUS` */ USERSTATUS: 50,
  /** `PACKET_ID_TYPING` */ TYPING: 51,
  /** `PACKET_ID_MESSAGE` */ MESSAGE: 64,
  /** `PACKET_ID_ACTION` */ ACTION: 65,
  /** `PACKET_ID_MSI` */ MSI: 69,
  /** `PACKET_ID_FILE_SENDREQUEST` */ FILE_SENDREQUEST: 80,
  /** `PACKET_ID_FILE_CONTROL` */ FILE_CONTROL: 81,
  /** `PACKET_ID_FILE_DATA` */ FILE_DATA: 82,
  /** `PACKET_ID_INVITE_CONFERENCE` */ INVITE_CONFERENCE: 96,
  /** `PACKET_ID_ONLINE_PACKET` */ ONLINE_PACKET: 97,
  /** `PACKET_ID_DIRECT_CONFERENCE` */ DIRECT_CONFERENCE: 98,
  /** `PACKET_ID_MESSAGE_CONFERENCE` */ MESSAGE_CONFERENCE: 99,
  /** `PACKET_ID_REJOIN_CONFERENCE` */ REJOIN_CONFERENCE: 100,
  /** `PACKET_ID_LOSSY_CONFERENCE` */ LOSSY_CONFERENCE: 199,
} as const;

/** Id ranges of net_crypto payloads (`PACKET_ID_RANGE_*` in `net_crypto.h`). */
export const DataPacketRange = {
  /** `PACKET_ID_RANGE_RESERVED_START` / `_END`: net_crypto's own packets */ RESERVED: [0, 15],
  /** `PACKET_ID_RANGE_LOSSLESS_START` / `_END` */ LOSSLESS: [16, 191],
  /** `PACKET_ID_RANGE_LOSSLESS_NORMAL_START` / `_END` */ LOSSLESS_NORMAL: [16, 159],
  /** `PACKET_ID_RANGE_LOSSLESS_CUSTOM_START` / `_END`: for applications (toxlink's mux) */ LOSSLESS_CUSTOM: [160, 191],
  /** `PACKET_ID_RANGE_LOSSY_START` / `_END` */ LOSSY: [192, 254],
  /** `PACKET_ID_RANGE_LOSSY_AV_START` / `_END` */ LOSSY_AV: [192, 199],
  /** `PACKET_ID_RANGE_LOSSY_CUSTOM_START` / `_END` */ LOSSY_CUSTOM: [200, 254],
} as const;

/** First byte of a TCP relay frame's plaintext (`TCP_common.h`). */
export const TcpPacket = {
  /** `TCP_PACKET_ROUTING_REQUEST` */ ROUTING_REQUEST: 0,
  /** `TCP_PACKET_ROUTING_RESPONSE` */ ROUTING_RESPONSE: 1,
  /** `TCP_PACKET_CONNECTION_NOTIFICATION` */ CONNECTION_NOTIFICATION: 2,
  /** `TCP_PACKET_DISCONNECT_NOTIFICATION` */ DISCONNECT_NOTIFICATION: 3,
  /** `TCP_PACKET_PING` */ PING: 4,
  /** `TCP_PACKET_PONG` */ PONG: 5,
  /** `TCP_PACKET_OOB_SEND` */ OOB_SEND: 6,
  /** `TCP_PACKET_OOB_RECV` */ OOB_RECV: 7,
  /** `TCP_PACKET_ONION_REQUEST` */ ONION_REQUEST: 8,
  /** `TCP_PACKET_ONION_RESPONSE` */ ONION_RESPONSE: 9,
  /** `TCP_PACKET_FORWARD_REQUEST` */ FORWARD_REQUEST: 10,
  /** `TCP_PACKET_FORWARDING` */ FORWARDING: 11,
  /** `NUM_RESERVED_PORTS`: the first routed connection id */ FIRST_CONNECTION_ID: 16,
} as const;

type Table = Record<string, number>;

/** The c-toxcore-style name of a UDP packet id, for logs and drop counters (`unknown-0x..` if none). */
export function netPacketName(id: number): string {
  for (const [name, value] of Object.entries(NetPacket as Table)) if (value === id) return name;
  return `unknown-0x${id.toString(16).padStart(2, '0')}`;
}
