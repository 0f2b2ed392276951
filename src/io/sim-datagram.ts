/**
 * The life of a simulated datagram. At send: NAT translation, size check, uplink queue,
 * loss, duplication, and a delay. At arrival (a clock timer): the NAT's filter, the
 * partition check, and the socket. Every datagram ends up delivered or counted under one
 * drop reason, and, when tracing, recorded once per copy.
 *
 * @see spec/io.md#links-loss-latency-duplication
 * @module
 */

import { formatAddress } from './address.ts';
import type { SimFabric, SimHostView, SimNatView } from './sim-fabric.ts';
import { oneWayDelay } from './sim-link.ts';
import { SimNat } from './sim-nat.ts';
import type { DropReason } from './sim-trace.ts';
import type { Address } from './transport.ts';

/** A datagram on its way. */
interface InFlight {
  /** The sending host (for partition checks at arrival). */
  readonly src: SimHostView;
  /** The source address as the receiver will see it (after NAT). */
  readonly from: Address;
  readonly to: Address;
  readonly data: Uint8Array;
  /** Set when the datagram stays inside this NAT's LAN (never translated). */
  readonly lan: SimNatView | undefined;
}

/** Sends and delivers datagrams for a `SimNetwork`. */
export class DatagramPath {
  constructor(
    private readonly fabric: SimFabric,
    private readonly publicRoutes: ReadonlyMap<string, SimHostView | SimNat>,
  ) {}

  send(src: SimHostView, port: number, to: Address, data: Uint8Array): void {
    const fabric = this.fabric;
    const now = fabric.clock.now();
    fabric.stats.sent++;
    const route = fabric.route(src, to.host);
    const lan = route?.kind === 'host' ? route.lan : undefined;
    let from: Address = { host: src.ip, port };
    const nat = src.nat;
    if (nat !== undefined && lan === undefined) {
      const publicPort = nat.outbound(src, port, to, now);
      if (publicPort === undefined) return this.drop(now, from, to, data.length, 'nat-no-port');
      from = { host: nat.publicIp, port: publicPort };
    }
    if (route === undefined) return this.drop(now, from, to, data.length, 'no-route');
    const receiver = route.kind === 'host' ? route.host : route.nat.peek(to.port, now);
    const link = fabric.link(src, receiver);
    if (data.length > link.maxDatagramSize) return this.drop(now, from, to, data.length, 'too-big');
    const departAt = src.uplink.reserve(now, data.length, true);
    if (departAt === undefined) return this.drop(now, from, to, data.length, 'bandwidth-queue-full');
    const prng = src.prng;
    if (prng.chance(link.lossRate)) return this.drop(now, from, to, data.length, 'loss');
    const packet: InFlight = { src, from, to, data: data.slice(), lan };
    fabric.clock.setTimerAt(departAt + oneWayDelay(link, prng), () => this.arrive(packet));
    if (prng.chance(link.duplicateRate)) {
      fabric.stats.duplicated++;
      const copy: InFlight = { ...packet, data: data.slice() };
      fabric.clock.setTimerAt(departAt + oneWayDelay(link, prng), () => this.arrive(copy));
    }
  }

  private arrive(packet: InFlight): void {
    const fabric = this.fabric;
    const now = fabric.clock.now();
    const { from, to, data } = packet;
    let host: SimHostView | undefined;
    let port = to.port;
    if (packet.lan !== undefined) {
      host = packet.lan.lan.get(to.host);
    } else {
      const target = this.publicRoutes.get(to.host);
      if (target instanceof SimNat) {
        const inside = target.inbound(from, to.port, now);
        if (inside === undefined) return this.drop(now, from, to, data.length, 'nat-filtered');
        host = inside.host;
        port = inside.port;
      } else {
        host = target;
      }
    }
    if (host === undefined) return this.drop(now, from, to, data.length, 'no-route');
    if (fabric.partitioned(packet.src, host)) return this.drop(now, from, to, data.length, 'partition');
    const socket = host.udpSockets.get(port);
    if (socket === undefined) return this.drop(now, from, to, data.length, 'no-listener');
    fabric.stats.delivered++;
    fabric.trace?.record({ time: now, kind: 'udp', from: formatAddress(from), to: formatAddress(to), size: data.length, fate: 'delivered' });
    socket.deliver(data, from);
  }

  private drop(now: number, from: Address, to: Address, size: number, reason: DropReason): void {
    this.fabric.stats.dropped[reason]++;
    this.fabric.trace?.record({ time: now, kind: 'udp', from: formatAddress(from), to: formatAddress(to), size, fate: reason });
  }
}
