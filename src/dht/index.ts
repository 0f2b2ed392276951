/**
 * The DHT: a node of the Tox distributed hash table, wire-compatible with c-toxcore 0.2.18.
 *
 * ```ts
 * import { DhtNode } from './dht/index.ts';
 * const socket = await network.bindUdp({ host: '0.0.0.0', port: 33445 });
 * const dht = new DhtNode({ clock, sender: socket });
 * socket.onReceive((data, from) => dht.receive(data, from));
 * dht.bootstrap({ host: '203.0.113.5', port: 33445 }, bootstrapKey);
 * dht.events.on('friend-address', ({ publicKey, ipPort }) => …);
 * dht.addFriend(friendDhtKey);
 * ```
 *
 * @see spec/dht.md
 * @packageDocumentation
 */
export { DhtNode, type DhtNodeOptions, type DatagramSender, type DhtRequestHandler } from './dht-node.ts';
export { DhtEvents, type DhtEventMap, type NodeReport, type DhtListener } from './events.ts';
export { DhtStats, type DhtDropReason, type DhtPacketKind } from './stats.ts';
export { type DhtConfig, defaultDhtConfig, verifyDhtConfig, dhtConfig } from './config.ts';
export { DhtError, ConfigError, type DhtErrorCode } from './errors.ts';
export { CloseList, type CloseListOptions, type ReportedSelf } from './close-list.ts';
export { type ClientEntry, type Assoc, type ClosestOptions, type AddressFamily, type FamilyChoice, NEVER, pickAssoc, isGood } from './client-entry.ts';
export { compareDistance, commonPrefixBits } from './distance.ts';
export { isLanAddress, isLocalAddress } from './lan.ts';
export * from './packet-sizes.ts';
export { type DhtEnvelope, decodeDhtEnvelope, sealDhtPacket, openDhtPacket } from './dht-packet.ts';
export { type PingKind, encodePing, decodePingPlain } from './ping-packet.ts';
export { type NodesRequest, type NodesResponse, encodeNodesRequest, decodeNodesRequestPlain, encodeNodesResponse, decodeNodesResponsePlain } from './nodes-packet.ts';
export { type DhtRequestHeader, type DhtRequest, decodeDhtRequestHeader, encodeDhtRequest, openDhtRequest } from './dht-request.ts';
export { type NatPing, encodeNatPing, decodeNatPing } from './nat-ping.ts';
export { encodeLanDiscovery, decodeLanDiscovery } from './lan-discovery.ts';
export { type NatState, type PunchLimits, newNatState, commonHost, portsAt, punchPorts, PUNCH_SWEEP_FIRST_PORT } from './nat-punch.ts';
export { VerifiedSources } from './verified.ts';
export { SharedKeyCache, type SharedKeyCacheOptions } from './shared-key-cache.ts';
