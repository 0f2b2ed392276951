/**
 * The I/O floor of toxlink: the {@link Clock} and {@link Network} interfaces that every
 * protocol object is handed, the real adapters ({@link SystemClock}, {@link NodeNetwork})
 * and the simulator ({@link SimClock}, {@link SimNetwork}) that implement them.
 *
 * @example
 * ```ts
 * import { SimNetwork } from './src/io/index.ts';
 *
 * const sim = new SimNetwork({ seed: 42, link: { latencyMs: 20, lossRate: 0.1 } });
 * const alice = sim.addHost();
 * const bob = sim.addHost({ nat: { type: 'port-restricted', publicIp: '198.51.100.7' } });
 * const a = await alice.bindUdp({ host: '0.0.0.0', port: 33445 });
 * const b = await bob.bindUdp({ host: '0.0.0.0', port: 33445 });
 * b.onReceive((data, from) => b.send(from, data)); // echo
 * b.send(a.local, new Uint8Array([1])); // opens bob's NAT towards alice
 * sim.clock.advance(1000); // one simulated second, no real waiting
 * console.log(sim.stats.delivered, sim.stats.dropped.loss);
 * ```
 *
 * @see spec/io.md#what-the-floor-is-for
 * @packageDocumentation
 */

export type { Clock, Timer } from './clock.ts';
export { Emitter, type Listener, type ListenerErrorHook } from './emitter.ts';
export type {
  Address,
  DatagramHandler,
  DatagramTransport,
  Network,
  StreamCloseHandler,
  StreamConnection,
  StreamListener,
} from './transport.ts';
export { formatAddress, isIpv6, isWildcardHost, sameAddress } from './address.ts';
export {
  BindError,
  ClockError,
  ConfigError,
  ConnectError,
  IoError,
  RunawayTimersError,
  SimError,
  StreamClosedError,
  StreamResetError,
  type BindFailure,
  type ConnectFailure,
  type StreamResetReason,
} from './errors.ts';
export {
  DEFAULT_IDLE_LIMIT_MS,
  DEFAULT_NAT_MAPPING_TIMEOUT_MS,
  DEFAULT_NAT_PORT_BASE,
  DEFAULT_TRACE_LIMIT,
  defaultLinkConfig,
  defaultNodeNetworkConfig,
  defaultSimClockConfig,
  defaultSimTcpConfig,
  defaultUplinkConfig,
  MAX_SET_TIMEOUT_MS,
  type LinkConfig,
  type NatConfig,
  type NatType,
  type PortAllocation,
  type NodeNetworkConfig,
  type SimClockConfig,
  type SimTcpConfig,
  type UplinkConfig,
} from './config.ts';
export { SystemClock, type SystemClockOptions } from './system-clock.ts';
export { SimClock } from './sim-clock.ts';
export { Prng } from './prng.ts';
export { NodeNetwork, type NodeNetworkOptions } from './node-network.ts';
export type { NodeNetworkStats } from './node-stats.ts';
export { NodeUdpSocket } from './node-udp.ts';
export { NodeStreamConnection, NodeStreamListener } from './node-tcp.ts';
export { SimNetwork, type SimHostOptions, type SimNetworkOptions } from './sim-network.ts';
export { SimHost, type MoveOptions } from './sim-host.ts';
export { SimNat } from './sim-nat.ts';
export { SimPartition } from './sim-partition.ts';
export { SimUdpSocket } from './sim-udp.ts';
export { SimStream } from './sim-tcp.ts';
export { SimTcpListener } from './sim-tcp-connect.ts';
export { DROP_REASONS, SimTrace, totalDropped, type DropReason, type PacketFate, type SimStats, type TraceRecord } from './sim-trace.ts';
