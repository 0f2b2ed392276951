/**
 * A simulated NAT: hosts behind it have private IPs on its LAN; their outgoing UDP is
 * rewritten to its public IP and a mapped port; incoming UDP passes only where a live
 * mapping and the NAT type's filtering rule allow it. Mappings expire a fixed time after
 * the last outgoing packet through them.
 *
 * @see spec/io.md#nat
 * @module
 */

import { formatAddress } from './address.ts';
import {
  checkInteger,
  checkRange,
  DEFAULT_NAT_MAPPING_TIMEOUT_MS,
  DEFAULT_NAT_PORT_BASE,
  MAX_PORT,
  NAT_RANDOM_PORT_MIN,
  type NatConfig,
  type NatType,
  type PortAllocation,
} from './config.ts';
import { ConfigError } from './errors.ts';
import type { Prng } from './prng.ts';
import type { SimHostView } from './sim-fabric.ts';
import type { Address } from './transport.ts';

/** The most permissions one mapping keeps before it sweeps out expired ones. */
const PERMIT_SWEEP_SIZE = 64;
/** Tries at a random free port before falling back to a scan. */
const RANDOM_PORT_TRIES = 64;

interface Mapping {
  readonly key: string;
  readonly host: SimHostView;
  readonly port: number;
  readonly publicPort: number;
  expiresAt: number;
  /** Remote IP (or IP:port) → when the permission to send back expires. */
  readonly permits: Map<string, number>;
}

/** A NAT and the LAN behind it (a `SimNatView` to the simulator). Made by `SimNetwork.addNat` or a host's `nat` option. */
export class SimNat {
  readonly type: NatType;
  readonly publicIp: string;
  readonly mappingTimeoutMs: number;
  readonly portAllocation: PortAllocation;
  readonly portBase: number;
  /** @internal Hosts behind this NAT, by private IP. */
  readonly lan = new Map<string, SimHostView>();
  private readonly byKey = new Map<string, Mapping>();
  private readonly byPort = new Map<number, Mapping>();
  private nextPort: number;
  private nextTcpPort: number;

  /** @internal Use `SimNetwork.addNat`. */
  constructor(
    config: NatConfig,
    private readonly prng: Prng,
  ) {
    this.type = config.type;
    this.publicIp = config.publicIp;
    this.mappingTimeoutMs = config.mappingTimeoutMs ?? DEFAULT_NAT_MAPPING_TIMEOUT_MS;
    this.portAllocation = config.portAllocation ?? 'sequential';
    this.portBase = config.portBase ?? DEFAULT_NAT_PORT_BASE;
    if (!['full-cone', 'address-restricted', 'port-restricted', 'symmetric'].includes(this.type)) {
      throw new ConfigError(`unknown NAT type ${String(this.type)}`);
    }
    if (this.portAllocation !== 'sequential' && this.portAllocation !== 'random') {
      throw new ConfigError(`unknown port allocation ${String(this.portAllocation)}`);
    }
    if (typeof this.publicIp !== 'string' || this.publicIp === '') throw new ConfigError('a NAT needs a publicIp');
    checkRange('mappingTimeoutMs', this.mappingTimeoutMs, 1, Number.MAX_SAFE_INTEGER);
    checkInteger('portBase', this.portBase, 1, MAX_PORT);
    this.nextPort = this.portBase;
    this.nextTcpPort = this.portBase;
  }

  /** Live UDP mappings at time `now`. */
  mappingCount(now: number): number {
    let count = 0;
    for (const mapping of this.byPort.values()) if (mapping.expiresAt > now) count++;
    return count;
  }

  /**
   * @internal An outgoing datagram from `host:port` to `to`: creates or refreshes the
   * mapping and the permission to answer. Returns the public port, or undefined if none is free.
   */
  outbound(host: SimHostView, port: number, to: Address, now: number): number | undefined {
    const key = this.type === 'symmetric' ? `${host.id}:${port}>${formatAddress(to)}` : `${host.id}:${port}`;
    let mapping = this.byKey.get(key);
    if (mapping !== undefined && mapping.expiresAt <= now) {
      this.remove(mapping);
      mapping = undefined;
    }
    if (mapping === undefined) {
      const publicPort = this.allocate(now);
      if (publicPort === undefined) return undefined;
      mapping = { key, host, port, publicPort, expiresAt: 0, permits: new Map() };
      this.byKey.set(key, mapping);
      this.byPort.set(publicPort, mapping);
    }
    const expiresAt = now + this.mappingTimeoutMs;
    mapping.expiresAt = expiresAt;
    if (this.type !== 'full-cone') {
      if (mapping.permits.size >= PERMIT_SWEEP_SIZE) {
        for (const [remote, until] of mapping.permits) if (until <= now) mapping.permits.delete(remote);
      }
      mapping.permits.set(this.permitKey(to), expiresAt);
    }
    return mapping.publicPort;
  }

  /** @internal An incoming datagram from `from` to `publicIp:publicPort`: the inside socket, or undefined if filtered. */
  inbound(from: Address, publicPort: number, now: number): { host: SimHostView; port: number } | undefined {
    const mapping = this.byPort.get(publicPort);
    if (mapping === undefined) return undefined;
    if (mapping.expiresAt <= now) {
      this.remove(mapping);
      return undefined;
    }
    if (this.type !== 'full-cone') {
      const until = mapping.permits.get(this.permitKey(from));
      if (until === undefined || until <= now) return undefined;
    }
    return mapping;
  }

  /** @internal The host a public port currently leads to, without filtering (for link lookup). */
  peek(publicPort: number, now: number): SimHostView | undefined {
    const mapping = this.byPort.get(publicPort);
    if (mapping !== undefined && mapping.expiresAt > now) return mapping.host;
    if (this.lan.size === 1) return this.lan.values().next().value;
    return undefined;
  }

  /** @internal Drops every mapping of `host` (it moved or left). */
  forget(host: SimHostView): void {
    for (const mapping of [...this.byKey.values()]) if (mapping.host === host) this.remove(mapping);
  }

  /** @internal The public source port of a new outgoing TCP connection. */
  allocateTcpPort(): number {
    const port = this.nextTcpPort;
    this.nextTcpPort = port >= MAX_PORT ? this.portBase : port + 1;
    return port;
  }

  private permitKey(remote: Address): string {
    return this.type === 'address-restricted' ? remote.host : formatAddress(remote);
  }

  private remove(mapping: Mapping): void {
    this.byKey.delete(mapping.key);
    if (this.byPort.get(mapping.publicPort) === mapping) this.byPort.delete(mapping.publicPort);
  }

  /** True when `port` is free (an expired mapping there is removed first). */
  private isFree(port: number, now: number): boolean {
    const occupant = this.byPort.get(port);
    if (occupant === undefined) return true;
    if (occupant.expiresAt > now) return false;
    this.remove(occupant);
    return true;
  }

  private allocate(now: number): number | undefined {
    if (this.portAllocation === 'random') {
      for (let i = 0; i < RANDOM_PORT_TRIES; i++) {
        const port = this.prng.nextInt(NAT_RANDOM_PORT_MIN, MAX_PORT + 1);
        if (this.isFree(port, now)) return port;
      }
    }
    const span = MAX_PORT - this.portBase + 1;
    for (let i = 0; i < span; i++) {
      const port = this.nextPort;
      this.nextPort = port >= MAX_PORT ? this.portBase : port + 1;
      if (this.isFree(port, now)) return port;
    }
    return undefined;
  }
}
