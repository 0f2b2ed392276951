/**
 * Opening simulated TCP connections: the listener, and the three-way handshake reduced to
 * its timing. The connect request takes one link latency to reach the server, where it is
 * refused (nothing listening, or a NAT in the way) or accepted; the answer takes one
 * latency back. A partition makes the attempt time out.
 *
 * @see spec/io.md#tcp-in-the-simulator
 * @module
 */

import { formatAddress } from './address.ts';
import { ConnectError, type ConnectFailure } from './errors.ts';
import type { SimFabric, SimHostView } from './sim-fabric.ts';
import { oneWayDelay } from './sim-link.ts';
import { SimStream } from './sim-tcp.ts';
import type { Address, StreamConnection, StreamListener } from './transport.ts';

/** A listening TCP port on a simulated host. */
export class SimTcpListener implements StreamListener {
  private closed = false;

  /** @internal Use `SimHost.listenTcp`. */
  constructor(
    private readonly host: SimHostView,
    /** The listening port. */
    readonly port: number,
    private readonly onConnection: (conn: StreamConnection) => void,
  ) {}

  /** The host's current IP and the listening port. */
  get local(): Address {
    return { host: this.host.ip, port: this.port };
  }

  /** Stops accepting; connections already accepted stay open. Idempotent. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.host.releaseListener(this);
    }
    return Promise.resolve();
  }

  /** @internal Hands a new server-side connection to the application. */
  accept(conn: StreamConnection): void {
    this.onConnection(conn);
  }
}

/** Opens a connection from `client` to `to`, settling the promise in clock time. */
export function connectSimTcp(fabric: SimFabric, client: SimHostView, to: Address): Promise<StreamConnection> {
  return new Promise((resolve, reject) => {
    const clock = fabric.clock;
    const start = clock.now();
    const route = fabric.route(client, to.host);
    const server = route?.kind === 'host' ? route.host : undefined;
    const forward = fabric.link(client, server);

    const fail = (reason: ConnectFailure, atMs: number): void => {
      clock.setTimerAt(atMs, () => {
        if (reason === 'refused') fabric.stats.tcp.refused++;
        else fabric.stats.tcp.failed++;
        clock.requestYield();
        reject(new ConnectError(to, reason));
      });
    };
    const traceRefused = (from: Address): void => {
      fabric.trace?.record({ time: clock.now(), kind: 'tcp', from: formatAddress(from), to: formatAddress(to), size: 0, fate: 'no-listener' });
    };

    const localPort = client.allocateTcpPort();
    const nat = client.nat;
    const crossesNat = nat !== undefined && !(route?.kind === 'host' && route.lan !== undefined);
    const seenFrom: Address = crossesNat ? { host: nat.publicIp, port: nat.allocateTcpPort() } : { host: client.ip, port: localPort };

    if (route === undefined) return fail('unreachable', start + 2 * forward.latencyMs);
    const synAt = start + oneWayDelay(forward, client.prng);
    if (server === undefined) {
      // An unsolicited connect at a NAT's public IP: refused.
      clock.setTimerAt(synAt, () => traceRefused(seenFrom));
      return fail('refused', synAt + forward.latencyMs);
    }
    const epoch = client.epoch;
    clock.setTimerAt(synAt, () => {
      const now = clock.now();
      if (fabric.partitioned(client, server) || client.epoch !== epoch) {
        fail('timeout', start + fabric.tcpConfig.connectTimeoutMs);
        return;
      }
      const again = fabric.route(client, to.host);
      if (again?.kind !== 'host' || again.host !== server) {
        fail('unreachable', now + forward.latencyMs);
        return;
      }
      const listener = server.listenerAt(to.port);
      const back = fabric.link(server, client);
      if (listener === undefined) {
        traceRefused(seenFrom);
        fail('refused', now + oneWayDelay(back, server.prng));
        return;
      }
      const serverSide = new SimStream(server, fabric, { host: server.ip, port: to.port }, seenFrom);
      const clientSide = new SimStream(client, fabric, { host: client.ip, port: localPort }, to);
      SimStream.pair(clientSide, serverSide);
      server.adoptStream(serverSide);
      client.adoptStream(clientSide);
      listener.accept(serverSide);
      clock.setTimerAt(now + oneWayDelay(back, server.prng), () => {
        if (client.epoch !== epoch) {
          fabric.stats.tcp.failed++;
          clock.requestYield();
          reject(new ConnectError(to, 'unreachable'));
          return;
        }
        fabric.stats.tcp.connected++;
        clock.requestYield();
        resolve(clientSide);
      });
    });
  });
}
