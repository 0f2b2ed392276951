/**
 * The simulator's inner contracts. Sockets, streams, NATs and the datagram path see hosts,
 * NATs and the network only through these interfaces; `SimHost`, `SimNat` and
 * `SimNetwork` implement them. That keeps the import graph one-way: this file imports no
 * simulator class, and no class imports the one that builds it.
 *
 * @see spec/io.md#hosts-and-addresses
 * @module
 */

import type { LinkConfig, NatConfig, SimTcpConfig } from './config.ts';
import type { StreamResetReason } from './errors.ts';
import type { Prng } from './prng.ts';
import type { SimClock } from './sim-clock.ts';
import type { Uplink } from './sim-link.ts';
import type { SimStats, SimTrace } from './sim-trace.ts';
import type { Address, StreamConnection } from './transport.ts';

/** A bound UDP port as the datagram path sees it. */
export interface UdpEndpoint {
  readonly port: number;
  /** Hands an arrived datagram to the socket's handler. */
  deliver(data: Uint8Array, from: Address): void;
}

/** A listening TCP port as the connect logic sees it. */
export interface ListenerEndpoint {
  readonly port: number;
  /** Hands a new server-side connection to the application. */
  accept(conn: StreamConnection): void;
}

/** An open connection end, as its host sees it when the host moves. */
export interface StreamEnd {
  /** Breaks the connection: this end closes with `reason`, the peer hears a reset. */
  reset(reason: StreamResetReason): void;
}

/** A host, as the rest of the simulator sees it. */
export interface SimHostView {
  /** Unique within the network, from 1. */
  readonly id: number;
  /** The host's own IP: private when behind a NAT. */
  readonly ip: string;
  readonly nat: SimNatView | undefined;
  /** Counts address changes; a connect that straddles one fails. */
  readonly epoch: number;
  readonly uplink: Uplink;
  /** The host's own random stream. */
  readonly prng: Prng;
  readonly udpSockets: ReadonlyMap<number, UdpEndpoint>;
  listenerAt(port: number): ListenerEndpoint | undefined;
  /** A fresh local port for an outgoing connection. */
  allocateTcpPort(): number;
  adoptStream(stream: StreamEnd): void;
  forgetStream(stream: StreamEnd): void;
  releaseUdp(socket: UdpEndpoint): void;
  releaseListener(listener: ListenerEndpoint): void;
}

/** A NAT, as the rest of the simulator sees it. */
export interface SimNatView {
  readonly publicIp: string;
  /** Hosts behind the NAT, by private IP. */
  readonly lan: ReadonlyMap<string, SimHostView>;
  /** An outgoing datagram: creates or refreshes a mapping; the public port, or undefined if none is free. */
  outbound(host: SimHostView, port: number, to: Address, now: number): number | undefined;
  /** An incoming datagram: the inside socket, or undefined when the filter says no. */
  inbound(from: Address, publicPort: number, now: number): { host: SimHostView; port: number } | undefined;
  /** The host a public port leads to, without filtering (to pick a link). */
  peek(publicPort: number, now: number): SimHostView | undefined;
  /** The public source port of a new outgoing TCP connection. */
  allocateTcpPort(): number;
}

/** Where an IP leads from a given host: to a host (directly, or across a NAT's LAN), or to a NAT. */
export type Route =
  | { readonly kind: 'host'; readonly host: SimHostView; readonly lan: SimNatView | undefined }
  | { readonly kind: 'nat'; readonly nat: SimNatView };

/** The network as its hosts see it. */
export interface SimFabric {
  readonly clock: SimClock;
  readonly stats: SimStats;
  readonly trace: SimTrace | undefined;
  readonly tcpConfig: SimTcpConfig;
  /** The link from one host to another (the default when the receiver is not known yet). */
  link(from: SimHostView, to: SimHostView | undefined): LinkConfig;
  /** True when a partition separates the two hosts. */
  partitioned(a: SimHostView, b: SimHostView): boolean;
  /** Where `ip` leads from `from`, or undefined when nothing has that IP. */
  route(from: SimHostView, ip: string): Route | undefined;
  /** Sends one datagram from a host's socket. */
  sendDatagram(from: SimHostView, port: number, to: Address, data: Uint8Array): void;
  /** Moves a host to a new IP (and NAT: a config, an existing one, `null` for none, undefined to keep). */
  moveHost(host: SimHostView, ip: string, nat: NatConfig | SimNatView | null | undefined): void;
}
