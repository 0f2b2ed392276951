/**
 * A simulated host: one IP (public, or private behind a NAT), its UDP sockets, TCP
 * listeners and connections, its uplink and its own random stream. It implements
 * {@link Network}, so protocol code runs on it exactly as on `NodeNetwork`.
 *
 * @see spec/io.md#hosts-and-addresses
 * @module
 */

import { isWildcardHost } from './address.ts';
import { MAX_PORT, SIM_EPHEMERAL_PORT_BASE } from './config.ts';
import { BindError } from './errors.ts';
import type { NatConfig } from './config.ts';
import type { Prng } from './prng.ts';
import type { ListenerEndpoint, SimFabric, StreamEnd, UdpEndpoint } from './sim-fabric.ts';
import type { Uplink } from './sim-link.ts';
import type { SimNat } from './sim-nat.ts';
import { connectSimTcp, SimTcpListener } from './sim-tcp-connect.ts';
import { SimUdpSocket } from './sim-udp.ts';
import type { Address, DatagramTransport, Network, StreamConnection, StreamListener } from './transport.ts';

/** Where a host moves with `setAddress`. */
export interface MoveOptions {
  /** The NAT to be behind afterwards: a config (a new NAT), a `SimNat`, or `null` for none. Default: the current one. */
  nat?: NatConfig | SimNat | null;
}

/** One host of a `SimNetwork`, made by `SimNetwork.addHost`. To the rest of the simulator it is a `SimHostView`. */
export class SimHost implements Network {
  /** @internal */ readonly udpSockets = new Map<number, SimUdpSocket>();
  private readonly listeners = new Map<number, SimTcpListener>();
  private readonly streams = new Set<StreamEnd>();
  private currentIp: string;
  private currentNat: SimNat | undefined;
  private addressEpoch = 0;
  private nextUdpPort = SIM_EPHEMERAL_PORT_BASE;
  private nextTcpPort = SIM_EPHEMERAL_PORT_BASE;

  /** @internal Use `SimNetwork.addHost`. */
  constructor(
    /** A number unique within the network, from 1. */
    readonly id: number,
    /** A name for traces and messages. */
    readonly name: string,
    private readonly fabric: SimFabric,
    ip: string,
    nat: SimNat | undefined,
    /** @internal */ readonly uplink: Uplink,
    /** @internal */ readonly prng: Prng,
  ) {
    this.currentIp = ip;
    this.currentNat = nat;
  }

  /** The host's own IP: private when behind a NAT. */
  get ip(): string {
    return this.currentIp;
  }

  /** The NAT in front of the host, if any. */
  get nat(): SimNat | undefined {
    return this.currentNat;
  }

  /** The IP the rest of the network sees: the NAT's public IP, or the host's own. */
  get publicIp(): string {
    return this.currentNat?.publicIp ?? this.currentIp;
  }

  /** @internal Counts address changes; a connect that straddles one fails. */
  get epoch(): number {
    return this.addressEpoch;
  }

  bindUdp(address: Address): Promise<DatagramTransport> {
    const port = address.port === 0 ? this.freePort(this.udpSockets, 'udp') : address.port;
    const failure = this.checkBind(address, port, this.udpSockets);
    if (failure !== undefined) return Promise.reject(failure);
    const socket = new SimUdpSocket(this, this.fabric, port);
    this.udpSockets.set(port, socket);
    return Promise.resolve(socket);
  }

  connectTcp(to: Address): Promise<StreamConnection> {
    return connectSimTcp(this.fabric, this, to);
  }

  listenTcp(address: Address, onConnection: (conn: StreamConnection) => void): Promise<StreamListener> {
    const port = address.port === 0 ? this.freePort(this.listeners, 'tcp') : address.port;
    const failure = this.checkBind(address, port, this.listeners);
    if (failure !== undefined) return Promise.reject(failure);
    const listener = new SimTcpListener(this, port, onConnection);
    this.listeners.set(port, listener);
    return Promise.resolve(listener);
  }

  /**
   * Moves the host to a new IP, as a phone does going from Wi-Fi to LTE. UDP sockets keep
   * their ports and send from the new IP; NAT mappings of the host are forgotten; TCP
   * connections break (here with `address-changed`, at the peer with `peer-reset`).
   */
  setAddress(ip: string, options: MoveOptions = {}): void {
    this.fabric.moveHost(this, ip, options.nat);
  }

  /** @internal Called by the network once the routing tables know the new place. */
  relocate(ip: string, nat: SimNat | undefined): void {
    this.currentIp = ip;
    this.currentNat = nat;
    this.addressEpoch++;
    for (const stream of [...this.streams]) stream.reset('address-changed');
  }

  /** @internal The listener on `port`, if any. */
  listenerAt(port: number): SimTcpListener | undefined {
    return this.listeners.get(port);
  }

  /** @internal A fresh local port for an outgoing connection. */
  allocateTcpPort(): number {
    return this.freePort(this.listeners, 'tcp');
  }

  /** @internal */
  adoptStream(stream: StreamEnd): void {
    this.streams.add(stream);
  }

  /** @internal */
  forgetStream(stream: StreamEnd): void {
    this.streams.delete(stream);
  }

  /** @internal */
  releaseUdp(socket: UdpEndpoint): void {
    if (this.udpSockets.get(socket.port) === socket) this.udpSockets.delete(socket.port);
  }

  /** @internal */
  releaseListener(listener: ListenerEndpoint): void {
    if (this.listeners.get(listener.port) === listener) this.listeners.delete(listener.port);
  }

  private checkBind(address: Address, port: number, taken: Map<number, unknown>): BindError | undefined {
    if (!isWildcardHost(address.host) && address.host !== this.currentIp) {
      return new BindError(address, 'address-not-available');
    }
    if (port === 0) return new BindError(address, 'address-in-use');
    if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) return new BindError(address, 'other');
    if (taken.has(port)) return new BindError(address, 'address-in-use');
    return undefined;
  }

  /** The next ephemeral port not in `taken`, cycling through 49152–65535; 0 when all are. */
  private freePort(taken: Map<number, unknown>, kind: 'udp' | 'tcp'): number {
    const span = MAX_PORT - SIM_EPHEMERAL_PORT_BASE + 1;
    for (let i = 0; i < span; i++) {
      const port = kind === 'udp' ? this.nextUdpPort : this.nextTcpPort;
      const next = port >= MAX_PORT ? SIM_EPHEMERAL_PORT_BASE : port + 1;
      if (kind === 'udp') this.nextUdpPort = next;
      else this.nextTcpPort = next;
      if (!taken.has(port)) return port;
    }
    return 0;
  }
}
