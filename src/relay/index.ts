/**
 * The TCP relay, wire-compatible with c-toxcore 0.2.18: the protocol that lets two Tox
 * peers that cannot reach each other over UDP talk through a third party's TCP port. This
 * folder holds its codecs (the two handshakes, the encrypted frame and every frame type),
 * the sans-IO {@link SecureStream}, a relay server ({@link TcpRelayServer}, what
 * `tox-bootstrapd` runs), a client of one relay ({@link TcpRelayClient}) and the relay
 * manager that uses several relays for many peers ({@link TcpConnections}).
 *
 * ```ts
 * import { SimNetwork } from './io/index.ts';
 * import { generateKeyPair } from './crypto/index.ts';
 * import { TcpRelayServer, TcpRelayClient } from './relay/index.ts';
 *
 * const sim = new SimNetwork();
 * const relayHost = sim.addHost();
 * const relay = new TcpRelayServer({ network: relayHost, clock: sim.clock, keyPair: generateKeyPair() });
 * await relay.listen({ host: '0.0.0.0', port: 33445 });
 * const alice = generateKeyPair(), bob = generateKeyPair();
 * const endpoint = { address: { host: relayHost.ip, port: 33445 }, publicKey: relay.publicKey };
 * const a = new TcpRelayClient({ network: sim.addHost(), clock: sim.clock, keyPair: alice, relay: endpoint });
 * const b = new TcpRelayClient({ network: sim.addHost(), clock: sim.clock, keyPair: bob, relay: endpoint });
 * a.on('connected', () => a.routingRequest(bob.publicKey));
 * b.on('connected', () => b.routingRequest(alice.publicKey));
 * a.on('status', (s) => s.online && a.sendData(s.connectionId, Uint8Array.of(1, 2, 3)));
 * b.on('data', (d) => console.log('from alice:', d.data));
 * await sim.clock.advanceAsync(1000); // one simulated second: connected, routed, delivered
 * ```
 *
 * @see spec/relay.md#what-the-relay-is-for
 * @packageDocumentation
 */
export * from './packet-sizes.ts';
export { RelayError, type RelayErrorCode } from './errors.ts';
export {
  type ClientHandshakeEnvelope, type HandshakeContents, encodeClientHandshake, decodeClientHandshake, openClientHandshake,
} from './client-handshake.ts';
export { type ServerHandshakeEnvelope, encodeServerHandshake, decodeServerHandshake, openServerHandshake } from './server-handshake.ts';
export { type FrameLengthVerdict, judgeFrameLength, encodeFrame, decodeFrame, openFrame } from './frame.ts';
export { isConnectionId } from './packet-ids.ts';
export {
  type RoutingRequest, type RoutingResponse, ROUTING_REQUEST_SIZE, ROUTING_RESPONSE_SIZE, ROUTING_REFUSED,
  encodeRoutingRequest, decodeRoutingRequest, encodeRoutingResponse, decodeRoutingResponse,
} from './routing-packets.ts';
export {
  type ConnectNotification, type DisconnectNotification, NOTIFICATION_SIZE, encodeConnectNotification,
  encodeDisconnectNotification, decodeConnectNotification, decodeDisconnectNotification,
} from './notification-packets.ts';
export { type Ping, type Pong, PING_SIZE, encodePing, encodePong, decodePing, decodePong, isZeroPingId } from './ping-packets.ts';
export {
  type OobSend, type OobReceive, MIN_OOB_SIZE, MAX_OOB_SIZE, MAX_OOB_RECEIVE_DATA, encodeOobSend, encodeOobReceive, decodeOobSend, decodeOobReceive,
} from './oob-packets.ts';
export {
  type OnionRequest, type OnionResponse, encodeOnionRequest, decodeOnionRequest, encodeOnionResponse, decodeOnionResponse,
} from './onion-packets.ts';
export { type Forwarding, encodeForwarding, decodeForwarding } from './forwarding-packets.ts';
export { type DataFrame, encodeData, decodeData } from './data-packet.ts';
export { type RelayPacket, type RelayPacketKind, decodeRelayPacket, encodeRelayPacket } from './packet.ts';
export {
  SecureStream, type SecureStreamState, type StreamEvent, type StreamFailure, type HandshakeSecrets, randomHandshakeSecrets,
} from './secure-stream.ts';
export {
  type RelayServerConfig, type RelayClientConfig, defaultRelayServerConfig, defaultRelayClientConfig, relayServerConfig,
  relayClientConfig, TCP_PING_FREQUENCY_MS, TCP_PING_TIMEOUT_MS, TCP_CONNECTION_TIMEOUT_MS,
  type TcpConnectionsConfig, defaultTcpConnectionsConfig, tcpConnectionsConfig, MAX_FRIEND_TCP_CONNECTIONS,
  RECOMMENDED_FRIEND_TCP_CONNECTIONS, NUM_ONION_TCP_CONNECTIONS, TCP_CONNECTION_ANNOUNCE_TIMEOUT_MS,
} from './config.ts';
export {
  ReasonCounts, RelayServerStats, RelayClientStats, TcpConnectionsStats, type RelayCloseReason, type RelayDropReason,
  type TcpConnectionsDropReason,
} from './stats.ts';
export { type SendOutcome } from './frame-sender.ts';
export {
  OnionUdpHop, type OnionUdpHopOptions, type OnionSource, type RelayOnionHandler, type OnionHopDropReason,
  KEY_REFRESH_INTERVAL_MS, ONION_FAMILY_IPV4, ONION_FAMILY_IPV6, readOnionIpPort,
} from './onion-hop.ts';
export {
  TcpRelayServer, type TcpRelayServerOptions, type TcpRelayServerEvents, type RelayClientInfo,
} from './tcp-relay-server.ts';
export {
  TcpRelayClient, type TcpRelayClientOptions, type TcpRelayClientEvents, type RelayEndpoint, type RelayRoute,
  type RelayClientState,
} from './tcp-relay-client.ts';
export { reconnectDelayMs } from './backoff.ts';
export {
  TcpConnections, type TcpConnectionsOptions, type TcpConnectionsEvents, type RelayedPacket, type ManagedRelayState,
  type ManagedRelayInfo, type PeerRelayStatus, type PeerRelayInfo, type RelayRemoveReason,
} from './tcp-connections.ts';
