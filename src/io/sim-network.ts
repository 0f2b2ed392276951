/**
 * The simulator: thousands of hosts in one process on one {@link SimClock}, with a link
 * model (loss, latency, jitter, duplication, bandwidth, MTU), partitions and NATs, all
 * driven by one seeded generator so that a seed and a script replay exactly.
 *
 * @see spec/io.md#the-simulator
 * @module
 */

import {
  defaultLinkConfig,
  defaultSimTcpConfig,
  defaultUplinkConfig,
  verifySimTcpConfig,
  type LinkConfig,
  type NatConfig,
  type SimTcpConfig,
  type UplinkConfig,
} from './config.ts';
import { SimError } from './errors.ts';
import { Prng } from './prng.ts';
import { SimClock } from './sim-clock.ts';
import { DatagramPath } from './sim-datagram.ts';
import type { Route, SimFabric, SimHostView, SimNatView } from './sim-fabric.ts';
import { SimHost } from './sim-host.ts';
import { LinkTable, Uplink } from './sim-link.ts';
import { SimNat } from './sim-nat.ts';
import { SimPartition } from './sim-partition.ts';
import { newSimStats, SimTrace, type SimStats } from './sim-trace.ts';
import type { Address } from './transport.ts';

/** Options of a {@link SimNetwork}. */
export interface SimNetworkOptions {
  /** Seeds every random draw (default 1). Same seed, same script: same trace. */
  seed?: number | string;
  /** The clock to run on; a new `SimClock` by default. */
  clock?: SimClock;
  /** The default link between any two hosts. */
  link?: Partial<LinkConfig>;
  /** The default uplink of each host. */
  uplink?: Partial<UplinkConfig>;
  /** How simulated TCP behaves. */
  tcp?: Partial<SimTcpConfig>;
  /** Record every datagram's fate in `trace` (optionally bounded: `{ limit }`). */
  trace?: boolean | { limit: number };
}

/** Options of {@link SimNetwork.addHost}. */
export interface SimHostOptions {
  /** The host's IP (private when behind a NAT); a fresh one by default. */
  ip?: string;
  /** Put the host behind a NAT: a new one from a config, or a shared `SimNat`. */
  nat?: NatConfig | SimNat;
  /** This host's uplink, over the network default. */
  uplink?: Partial<UplinkConfig>;
  /** A name for messages; `host-<id>` by default. */
  name?: string;
}

/** Renders the n-th address of a /8 as dotted quad. */
function nthAddress(first: number, n: number): string {
  return `${first}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** A simulated network of {@link SimHost}s. */
export class SimNetwork {
  readonly clock: SimClock;
  readonly stats: SimStats = newSimStats();
  /** The packet trace, when enabled with the `trace` option. */
  readonly trace: SimTrace | undefined;
  private readonly tcpConfig: SimTcpConfig;
  /** What hosts see of the network. */
  private readonly fabric: SimFabric;
  private readonly prng: Prng;
  private readonly links: LinkTable;
  private readonly uplinkDefaults: UplinkConfig;
  private readonly datagrams: DatagramPath;
  private readonly hostList: SimHost[] = [];
  private readonly nats = new Set<SimNat>();
  /** Public IP → the host or NAT that has it. */
  private readonly publicRoutes = new Map<string, SimHostView | SimNat>();
  private partitions: SimPartition[] = [];
  private nextPublic = 1;
  private nextPrivate = 1;

  constructor(options: SimNetworkOptions = {}) {
    this.clock = options.clock ?? new SimClock();
    this.prng = new Prng(options.seed ?? 1);
    this.links = new LinkTable({ ...defaultLinkConfig, ...options.link });
    this.uplinkDefaults = { ...defaultUplinkConfig, ...options.uplink };
    this.tcpConfig = { ...defaultSimTcpConfig, ...options.tcp };
    verifySimTcpConfig(this.tcpConfig);
    const trace = options.trace;
    this.trace = trace === undefined || trace === false ? undefined : new SimTrace(trace === true ? undefined : trace.limit);
    this.fabric = {
      clock: this.clock,
      stats: this.stats,
      trace: this.trace,
      tcpConfig: this.tcpConfig,
      link: (from, to) => this.links.get(from.id, to?.id),
      partitioned: (a, b) => this.partitioned(a, b),
      route: (from, ip) => this.route(from, ip),
      sendDatagram: (from, port, to, data) => this.datagrams.send(from, port, to, data),
      moveHost: (host, ip, nat) => this.moveHost(host, ip, nat),
    };
    this.datagrams = new DatagramPath(this.fabric, this.publicRoutes);
  }

  /** Every host, in the order they were added. */
  get hosts(): readonly SimHost[] {
    return this.hostList;
  }

  /** Adds a host; without `ip`, it gets a fresh public (20.x.x.x) or private (10.x.x.x) one. */
  addHost(options: SimHostOptions = {}): SimHost {
    const nat = options.nat === undefined ? undefined : this.natFor(options.nat);
    const realm: Map<string, unknown> = nat?.lan ?? this.publicRoutes;
    let ip = options.ip;
    if (ip === undefined) {
      do ip = nat === undefined ? nthAddress(20, this.nextPublic++) : nthAddress(10, this.nextPrivate++);
      while (realm.has(ip));
    }
    if (realm.has(ip)) throw new SimError(`IP ${ip} is already taken${nat ? ` behind NAT ${nat.publicIp}` : ''}`);
    const id = this.hostList.length + 1;
    const uplink = new Uplink({ ...this.uplinkDefaults, ...options.uplink });
    const host = new SimHost(id, options.name ?? `host-${id}`, this.fabric, ip, nat, uplink, this.prng.fork());
    if (nat === undefined) this.publicRoutes.set(ip, host);
    else nat.lan.set(ip, host);
    this.hostList.push(host);
    return host;
  }

  /** Adds a NAT that several hosts can share (pass it as their `nat` option). */
  addNat(config: NatConfig): SimNat {
    if (this.publicRoutes.has(config.publicIp)) throw new SimError(`IP ${config.publicIp} is already taken`);
    const nat = new SimNat(config, this.prng.fork());
    this.publicRoutes.set(nat.publicIp, nat);
    this.nats.add(nat);
    return nat;
  }

  /** Changes the default link; pairs with their own settings keep them. */
  setDefaultLink(change: Partial<LinkConfig>): void {
    this.links.setDefault(change);
  }

  /** Changes the link between two hosts, both directions. */
  setLink(a: SimHost, b: SimHost, change: Partial<LinkConfig>): void {
    this.links.set(a.id, b.id, change);
    this.links.set(b.id, a.id, change);
  }

  /** Changes the link from one host to another, that direction only. */
  setLinkOneWay(from: SimHost, to: SimHost, change: Partial<LinkConfig>): void {
    this.links.set(from.id, to.id, change);
  }

  /** Cuts `groupA` off from `groupB` (default: from every other host) until healed. */
  partition(groupA: Iterable<SimHost>, groupB?: Iterable<SimHost>): SimPartition {
    const partition = new SimPartition(groupA, groupB, (p) => {
      this.partitions = this.partitions.filter((q) => q !== p);
    });
    this.partitions.push(partition);
    return partition;
  }

  /** Heals every partition. */
  heal(): void {
    this.partitions = [];
  }

  private partitioned(a: SimHostView, b: SimHostView): boolean {
    if (this.partitions.length === 0) return false;
    for (const partition of this.partitions) if (partition.separates(a, b)) return true;
    return false;
  }

  private route(from: SimHostView, ip: string): Route | undefined {
    const lan = from.nat;
    if (lan !== undefined) {
      const neighbour = lan.lan.get(ip);
      if (neighbour !== undefined) return { kind: 'host', host: neighbour, lan };
    }
    const target = this.publicRoutes.get(ip);
    if (target === undefined) return undefined;
    return target instanceof SimNat ? { kind: 'nat', nat: target } : { kind: 'host', host: target, lan: undefined };
  }

  private moveHost(view: SimHostView, ip: string, natOption: NatConfig | SimNatView | null | undefined): void {
    const host = this.hostList[view.id - 1] as SimHost;
    const oldNat = host.nat;
    const newNat = natOption === undefined ? oldNat : natOption === null ? undefined : this.natFor(natOption);
    const realm: Map<string, unknown> = newNat?.lan ?? this.publicRoutes;
    const occupant = realm.get(ip);
    if (occupant !== undefined && occupant !== host) throw new SimError(`IP ${ip} is already taken`);
    if (oldNat !== undefined) {
      oldNat.lan.delete(host.ip);
      oldNat.forget(host);
    } else {
      this.publicRoutes.delete(host.ip);
    }
    if (newNat !== undefined) newNat.lan.set(ip, host);
    else this.publicRoutes.set(ip, host);
    host.relocate(ip, newNat);
  }

  private natFor(option: NatConfig | SimNatView): SimNat {
    if (!(option instanceof SimNat)) {
      if ('outbound' in option) throw new SimError('not a NAT of this SimNetwork');
      return this.addNat(option);
    }
    if (!this.nats.has(option)) throw new SimError(`NAT ${option.publicIp} belongs to another SimNetwork`);
    return option;
  }
}
