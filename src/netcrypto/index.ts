/**
 * net_crypto: the encrypted session between two Tox peers, wire-compatible with c-toxcore
 * 0.2.18. This is its packet floor: pure functions that build and read the cookie request,
 * cookie response, handshake and data packets, the cookie itself, the receive-nonce window
 * and the request packet's list of lost packets. Every random input (nonces, keys, echo ids)
 * is an argument, so the same inputs give the same bytes.
 *
 * ```ts
 * import { precompute, randomNonce } from './crypto/index.ts';
 * import { encodeCookieRequest, decodeCookieRequest, openCookieRequest } from './netcrypto/index.ts';
 * // Alice asks Bob's DHT node for a cookie …
 * const k = precompute(bobDht.publicKey, aliceDht.secretKey)!;
 * const packet = encodeCookieRequest(aliceDht.publicKey, k, randomNonce(), aliceReal.publicKey, echoId);
 * // … and Bob reads it with the same shared key, computed from his side.
 * const envelope = decodeCookieRequest(packet);            // DecodeError unless 145 bytes
 * const request = openCookieRequest(envelope, precompute(envelope.senderDhtPublicKey, bobDht.secretKey)!);
 * request?.senderRealPublicKey;                             // Alice's real key, or undefined
 * ```
 *
 * @see spec/netcrypto.md#packets
 * @packageDocumentation
 */
export * from './packet-sizes.ts';
export { NetCryptoError, type NetCryptoErrorCode } from './errors.ts';
export { type CookieContents, type CookieAge, cookieTime, sealCookie, openCookie, cookieAge } from './cookie.ts';
export {
  type CookieRequestEnvelope, type CookieRequest, encodeCookieRequest, decodeCookieRequest, openCookieRequest,
} from './cookie-request.ts';
export {
  type CookieResponseEnvelope, type CookieResponse, encodeCookieResponse, decodeCookieResponse, openCookieResponse,
  answersRequest,
} from './cookie-response.ts';
export {
  type HandshakeEnvelope, type HandshakeContents, type Handshake, type HandshakeRefusal, type HandshakeVerdict,
  type HandshakeReader, encodeHandshake, decodeHandshake, openHandshakeBox, cookieHashMatches, readHandshake,
} from './handshake.ts';
export {
  type DataEnvelope, type DataContents, type OpenedDataPacket, type PayloadKind, type SendKind, dataPadding, payloadKind,
  checkPayload, encodeDataPacket, decodeDataPacket, packetNonce, advanceReceiveNonce, openDataPacket, openDataPacketInPlace,
} from './data-packet.ts';
export { type RequestedPackets, encodeRequestPayload, decodeRequestPayload } from './request-packet.ts';
export {
  type NetCryptoConfig, defaultNetCryptoConfig, netCryptoConfig, CRYPTO_SEND_PACKET_INTERVAL_MS, MAX_NUM_SENDPACKET_TRIES,
  UDP_DIRECT_TIMEOUT_MS,
} from './config.ts';
export {
  NetCrypto, type NetCryptoOptions, type NetCryptoEvents, type NetCryptoStats, type ConnectionOffer, type DatagramSender,
  type SessionSecrets, type RelayedFrom,
} from './net-crypto.ts';
export {
  CryptoConnection, type ConnectionState, type CloseReason, type CryptoConnectionEvents, type PacketSource,
} from './connection.ts';
export { CongestionControl, type CongestionPhase, type CongestionSettings, type DeliverySample } from './congestion.ts';
export { DropCounts, SessionStats, type SessionDropReason, type NodeDropReason } from './stats.ts';
