/**
 * UDP on the real network, through dgram-as-promised (binding and closing). Receiving
 * listens to the underlying `node:dgram` socket's `message` event; sending goes to that
 * socket too, fire and forget, with failures counted, never thrown.
 *
 * @see spec/io.md#the-real-network
 * @module
 */

import { lookup as dnsLookup, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import DgramAsPromised, { type SocketAsPromised } from 'dgram-as-promised';
import { isIpv6 } from './address.ts';
import { BindError, type BindFailure } from './errors.ts';
import type { NodeAdapterContext } from './node-stats.ts';
import type { Address, DatagramHandler, DatagramTransport } from './transport.ts';

/** Maps a Node system error code onto a {@link BindFailure}. */
export function bindFailure(error: unknown): BindFailure {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'EADDRINUSE') return 'address-in-use';
  if (code === 'EADDRNOTAVAIL') return 'address-not-available';
  return 'other';
}

/** A bound UDP socket on the real network. */
/**
 * dgram resolves the host of every datagram it sends, an IP literal included, and
 * `dns.lookup` answers a literal on the next tick: a closure and a tick per datagram. This
 * answers a literal at once (the datagram then leaves inside `send`), and hands anything
 * else to `dns.lookup`. About 1 µs less CPU per datagram on loopback.
 */
function literalLookup(
  host: string, options: LookupOptions | number, callback: (error: Error | null, address: string, family: number) => void,
): void {
  const family = isIP(host);
  if (family !== 0) callback(null, host, family);
  else dnsLookup(host, typeof options === 'number' ? { family: options } : options, callback as never);
}

export class NodeUdpSocket implements DatagramTransport {
  readonly local: Address;
  private handler: DatagramHandler | undefined;
  private closing: Promise<void> | undefined;
  /** Sends handed to dgram and not yet done: `close` lets them go out first. */
  private inFlight = 0;
  /** Called when `inFlight` drops to 0 while closing. */
  private drained: (() => void) | undefined;

  private constructor(
    private readonly socket: SocketAsPromised,
    local: Address,
    private readonly context: NodeAdapterContext,
  ) {
    this.local = local;
    socket.socket.on('message', (msg: Buffer, rinfo) => {
      const handler = this.handler;
      if (handler === undefined) return;
      context.stats.udpReceived++;
      try {
        handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { host: rinfo.address, port: rinfo.port });
      } catch (error) {
        context.onHandlerError(error);
      }
    });
  }

  /** @internal Binds a socket: `udp6` for an IPv6 host, `udp4` otherwise. Rejects with a {@link BindError}. Use `NodeNetwork.bindUdp`. */
  static async bind(address: Address, context: NodeAdapterContext): Promise<NodeUdpSocket> {
    const type = isIpv6(address.host) ? 'udp6' : 'udp4';
    const buffers = context.udpBufferBytes > 0
      ? { recvBufferSize: context.udpBufferBytes, sendBufferSize: context.udpBufferBytes }
      : {};
    const socket = DgramAsPromised.createSocket({ type, lookup: literalLookup, ...buffers });
    let info: { address: string; port: number };
    try {
      info = await socket.bind(address.port, address.host);
    } catch (error) {
      try {
        socket.socket.close();
      } catch {
        // never bound: nothing to close
      }
      throw new BindError(address, bindFailure(error), { cause: error });
    }
    if (context.unref) socket.unref();
    return new NodeUdpSocket(socket, { host: info.address, port: info.port }, context);
  }

  send(to: Address, data: Uint8Array): void {
    if (this.closing !== undefined) {
      this.context.stats.udpSendErrors++;
      return;
    }
    // Straight to the `node:dgram` socket with one shared callback: no promise and no closure
    // per datagram (the wrapper's `send` makes both), and a failure is still counted.
    this.inFlight++;
    try {
      this.socket.socket.send(data, to.port, to.host, this.afterSend);
    } catch {
      // Thrown at once (a bad port, a socket closed under us): nothing went out.
      this.afterSend(new Error('send failed'));
    }
  }

  /** dgram's completion callback of every send. */
  private readonly afterSend = (error: Error | null): void => {
    if (error) this.context.stats.udpSendErrors++;
    else this.context.stats.udpSent++;
    this.sendDone();
  };

  private sendDone(): void {
    if (--this.inFlight === 0) this.drained?.();
  }

  onReceive(handler: DatagramHandler): void {
    this.handler = handler;
  }

  /**
   * Refuses further sends, lets the datagrams already sent leave (dgram hands them to the
   * system a tick later: a close at once would drop them, such as the kill packets of a
   * node that shuts down), then unbinds.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.inFlight === 0) resolve();
      else this.drained = resolve;
    }).then(() => this.socket.close()).catch(() => undefined);
    return this.closing;
  }
}
