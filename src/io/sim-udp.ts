/**
 * A simulated UDP socket: a port on a `SimHost`. Sending hands the datagram to the
 * network's link model; receiving happens in a clock timer when a datagram arrives.
 *
 * @see spec/io.md#hosts-and-addresses
 * @module
 */

import type { SimFabric, SimHostView } from './sim-fabric.ts';
import type { Address, DatagramHandler, DatagramTransport } from './transport.ts';

/** A UDP socket bound on a simulated host. It keeps its port when the host changes IP. */
export class SimUdpSocket implements DatagramTransport {
  private handler: DatagramHandler | undefined;
  private closed = false;

  /** @internal Use `SimHost.bindUdp`. */
  constructor(
    private readonly host: SimHostView,
    private readonly fabric: SimFabric,
    /** The bound port. */
    readonly port: number,
  ) {}

  /** The host's current IP and the bound port. */
  get local(): Address {
    return { host: this.host.ip, port: this.port };
  }

  send(to: Address, data: Uint8Array): void {
    if (this.closed) {
      this.fabric.stats.sendErrors++;
      return;
    }
    this.fabric.sendDatagram(this.host, this.port, to, data);
  }

  onReceive(handler: DatagramHandler): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.host.releaseUdp(this);
    }
    return Promise.resolve();
  }

  /** @internal Hands an arrived datagram to the handler. */
  deliver(data: Uint8Array, from: Address): void {
    this.handler?.(data, from);
  }
}
