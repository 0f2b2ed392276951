/**
 * The onion: how two friends find each other's DHT key and relays without telling anyone
 * else where they are, wire-compatible with c-toxcore 0.2.18. This is its packet floor: pure
 * functions that build and read onion requests and responses at every hop, return blobs,
 * announce requests and responses, onion data and its payloads, and announce ping ids.
 * Every random input (nonces, ephemeral keys, a hop's secret key) is an argument, so the same
 * inputs give the same bytes.
 *
 * ```ts
 * import { generateKeyPair, precompute, randomNonce } from './crypto/index.ts';
 * import { createOnionPath, encodeOnionRequest, encodeAnnounceRequest } from './onion/index.ts';
 * // Announce ourselves to `node` through three random path nodes …
 * const path = createOnionPath(dhtKeys, [a, b, c], generateKeyPair(), generateKeyPair())!;
 * const announce = encodeAnnounceRequest('old', precompute(node.publicKey, realKeys.secretKey)!, realKeys.publicKey,
 *   randomNonce(), { pingId: new Uint8Array(32), searchPublicKey: realKeys.publicKey, dataPublicKey, sendback });
 * const packet = encodeOnionRequest(path, randomNonce(), node.ipPort, announce);   // 0x80, to a.ipPort
 * ```
 *
 * @see spec/onion.md
 * @packageDocumentation
 */
export * from './packet-sizes.ts';
export { OnionFamily, type ReturnAddress, encodeOnionIpPort, packOnionIpPort, decodeOnionIpPort, encodeReturnAddress, decodeReturnAddress } from './ip-port.ts';
export { type OnionHop, type ReturnPath, returnPathSize, sealReturnPath, openReturnPath } from './return-path.ts';
export {
  type PathNode, type OnionPathHop, type OnionPath, type OnionRequestEnvelope, type OnionLayer, type TcpOnionRequest, createOnionPath,
  encodeOnionRequest, encodeTcpOnionRequest, decodeOnionRequest, decodeOnionLayer, openOnionRequest, encodeForwardedRequest,
  decodeTcpOnionRequest,
} from './onion-request.ts';
export { type OnionResponseEnvelope, encodeOnionResponse, decodeOnionResponse, encodeForwardedResponse } from './onion-response.ts';
export {
  type AnnounceFormat, type AnnounceRequest, type AnnounceRequestEnvelope, ANNOUNCE_REQUEST_ID, encodeAnnounceRequest,
  decodeAnnounceRequest, openAnnounceRequest,
} from './announce-request.ts';
export {
  AnnounceStatus, type AnnounceResponse, type AnnounceResponseContents, type AnnounceResponseEnvelope, ANNOUNCE_RESPONSE_ID,
  encodeAnnounceResponse, decodeAnnounceResponse, openAnnounceResponse,
} from './announce-response.ts';
export {
  type SealedOnionData, type OnionDataRequestEnvelope, type OnionDataResponseEnvelope, sealOnionData, encodeOnionDataRequest,
  decodeOnionDataRequest, encodeOnionDataResponse, decodeOnionDataResponse, openOnionDataResponse, openOnionData,
} from './onion-data.ts';
export {
  type DhtPkAnnounce, type DecodedDhtPkAnnounce, type DhtPkDecodeOptions, type RoutedDhtPkEnvelope, encodeDhtPkAnnounce,
  decodeDhtPkAnnounce, sealRoutedDhtPk, decodeRoutedDhtPk, openRoutedDhtPk,
} from './dht-pk-announce.ts';
export { type FriendRequest, encodeFriendRequest, decodeFriendRequest } from './friend-request.ts';
export {
  HMAC_KEY_SIZE, type SocketKind, hmacSha512256, timedAuth, checkTimedAuth, announcePingIdData, announcePingId, checkAnnouncePingId,
} from './ping-id.ts';
export { OnionNode, type OnionNodeOptions, ONION_NODE_PACKET_IDS } from './onion-node.ts';
export { OnionForwarder, type OnionForwarderOptions, type OnionSend } from './onion-hop.ts';
export { AnnounceNode, type AnnounceNodeOptions, type CloseNodesSource } from './announce-node.ts';
export { AnnounceStore, type AnnounceEntry, type AnnounceStoreOptions } from './announce-store.ts';
export {
  type OnionNodeConfig, defaultOnionNodeConfig, verifyOnionNodeConfig, onionNodeConfig, KEY_REFRESH_INTERVAL_MS,
  ONION_ANNOUNCE_TIMEOUT_MS, PING_ID_TIMEOUT_MS, ONION_SHARED_KEYS_CAPACITY,
} from './node-config.ts';
export { OnionNodeError, OnionNodeConfigError, type OnionNodeErrorCode } from './node-errors.ts';
export { OnionNodeStats, type OnionDropReason, type OnionPacketKind } from './node-stats.ts';
export {
  type OnionClientConfig, defaultOnionClientConfig, verifyOnionClientConfig, onionClientConfig, NUMBER_ONION_PATHS, ONION_PATH_MAX_LIFETIME_MS,
  ONION_PATH_MAX_NO_RESPONSE_USES, ONION_PATH_FIRST_TIMEOUT_MS, ONION_PATH_TIMEOUT_MS, MAX_PATH_NODES, ONION_CONNECTION_SECONDS,
  MAX_ONION_CLIENTS_ANNOUNCE, ONION_NODE_PING_INTERVAL_MS, ONION_NODE_TIMEOUT_MS, ONION_NODE_MAX_PINGS, ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS,
  TIME_TO_STABLE_MS, ANNOUNCE_INTERVAL_STABLE_MS, ANNOUNCE_POPULATE_TIMEOUT_MS, ANNOUNCE_ARRAY_SIZE, ANNOUNCE_TIMEOUT_MS, MIN_NODE_PING_TIME_MS,
  MAX_STORED_PINGED_NODES, MAX_ONION_CLIENTS, ANNOUNCE_FRIEND_NEW_INTERVAL_MS, ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING, MAX_RUN_COUNT_EXPONENT,
  ANNOUNCE_FRIEND_MAX_INTERVAL_MS, ONION_DHTPK_SEND_INTERVAL_MS, DHT_DHTPK_SEND_INTERVAL_MS, ONION_OFFLINE_TIMEOUT_MS, ONION_CONNECTED_TIMEOUT_MS,
  MAX_RECEIVED_STORED, MAX_ANNOUNCED_RELAYS, cToxcoreOnionClientTiming, FAST_START_MS, FAST_TICK_MS, FAST_ANNOUNCE_INTERVAL_MS,
  FAST_SEARCH_INTERVAL_MS, FAST_SEARCH_PER_ROUND, FAST_DHTPK_SENDS,
} from './client-config.ts';
export { OnionClientError, OnionClientConfigError, type OnionClientErrorCode } from './client-errors.ts';
export { OnionClientStats, type OnionClientDropReason, type OnionClientPacketKind, type OnionClientSendKind } from './client-stats.ts';
export type { OnionClientEventMap } from './client-events.ts';
export { SendbackTable } from './sendback-table.ts';
export { type OnionTcpPath, type PickedPath, type OnionPathsOptions, type PathState, PathNodeStore, OnionPaths } from './onion-paths.ts';
export { type OnionNodeEntry, type NodeListTimers, OnionNodeList, LastPinged, nodeTimedOut, nodesToAsk } from './onion-node-list.ts';
export { type AnnounceSend, type AnnounceClientOptions, type FastAnnounce, AnnounceClient } from './announce-client.ts';
export { type FastSearch, FriendSearch } from './friend-search.ts';
export { OnionClient, type OnionClientOptions, type FriendSearchState } from './onion-client.ts';
