/**
 * The friend layer (c-toxcore's friend_connection): one record per friend, keyed by its real
 * public key, that keeps the friend connected. It finds the friend's DHT key through the
 * onion, searches for its address in the DHT, makes a net_crypto session over UDP or a TCP
 * relay, keeps it alive (alive packets every 8 s, dead after 32 s of silence), retries for
 * 122 s after a loss, shares relays with the friend, and carries friend requests.
 *
 * ```ts
 * import { FriendConnections } from './friend/index.ts';
 * import { NetCrypto } from './netcrypto/index.ts';
 *
 * let friends: FriendConnections | undefined;
 * const netCrypto = new NetCrypto({ clock, sender: socket, realKeyPair, dhtKeyPair, accept: (o) => friends?.accept(o) ?? false });
 * friends = new FriendConnections({ clock, dht, netCrypto, onion, tcp });
 * socket.onReceive((data, from) => dht.receive(data, from) || netCrypto.receive(data, from) || onion.receive(data, from));
 * friends.on('status', ({ online, path }) => console.log(online ? `online over ${path}` : 'offline'));
 * friends.lock(friendRealPublicKey);
 * ```
 *
 * @see spec/friend.md#what-the-friend-layer-is-for
 * @packageDocumentation
 */
export {
  FriendConnections, type FriendConnectionsOptions, type FriendRequestRoute,
} from './friend-connections.ts';
export type { FriendInfo } from './friend-record.ts';
export type { FriendConnectionsEvents, FriendPath, DhtKeySource, FriendListener } from './events.ts';
export type { FriendOnion, FriendOnionEvents, FriendDht, FriendAddressReport } from './lower-layers.ts';
export {
  type FriendConnectionsConfig, defaultFriendConnectionsConfig, friendConnectionsConfig, FRIEND_PING_INTERVAL_MS,
  FRIEND_CONNECTION_TIMEOUT_MS, FRIEND_DHT_TIMEOUT_MS, SHARE_RELAYS_INTERVAL_MS, C_TOXCORE_SHARE_RELAYS_INTERVAL_MS,
  MAX_SHARED_RELAYS, FRIEND_MAX_STORED_TCP_RELAYS,
} from './config.ts';
export { FriendError, type FriendErrorCode } from './errors.ts';
export { FriendConnectionsStats, FriendDropCounts, type FriendDropReason } from './stats.ts';
export {
  type FriendRequestPacket, encodeAlive, encodeShareRelays, decodeShareRelays, encodeFriendRequestPacket, decodeFriendRequestPacket,
} from './packets.ts';
export { RelayBook, relayAddressFromFriend } from './relay-book.ts';
