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
