/**
 * The real network: a {@link Network} on `node:dgram` (through dgram-as-promised) and
 * `node:net`. One `NodeNetwork` holds the shared settings and counters of its sockets.
 *
 * @see spec/io.md#the-real-network
 * @module
 */

import { checkRange, defaultNodeNetworkConfig, MAX_SET_TIMEOUT_MS, type NodeNetworkConfig } from './config.ts';
import { NodeUdpSocket } from './node-udp.ts';
import { connectNodeTcp, NodeStreamListener } from './node-tcp.ts';
import { newNodeNetworkStats, type NodeAdapterContext, type NodeNetworkStats } from './node-stats.ts';
import type { Address, DatagramTransport, Network, StreamConnection, StreamListener } from './transport.ts';

/** Options of a {@link NodeNetwork}. */
export interface NodeNetworkOptions extends Partial<NodeNetworkConfig> {
  /**
   * Receives errors thrown by handlers (datagram, data, drain, close, connection). They are
   * caught so that a bug in one handler never reaches the event loop; counted either way.
   */
  onHandlerError?: (error: unknown) => void;
}

/** A {@link Network} on the host's real sockets. */
export class NodeNetwork implements Network {
  /** Counters of every socket opened through this network. */
  readonly stats: NodeNetworkStats = newNodeNetworkStats();
  private readonly context: NodeAdapterContext;

  constructor(options: NodeNetworkOptions = {}) {
    const config: NodeNetworkConfig = {
      connectTimeoutMs: options.connectTimeoutMs ?? defaultNodeNetworkConfig.connectTimeoutMs,
      unref: options.unref ?? defaultNodeNetworkConfig.unref,
      udpBufferBytes: options.udpBufferBytes ?? defaultNodeNetworkConfig.udpBufferBytes,
    };
    checkRange('udpBufferBytes', config.udpBufferBytes, 0, 2 ** 30);
    checkRange('connectTimeoutMs', config.connectTimeoutMs, 1, MAX_SET_TIMEOUT_MS);
    const stats = this.stats;
    const userHandler = options.onHandlerError;
    this.context = {
      stats,
      unref: config.unref,
      connectTimeoutMs: config.connectTimeoutMs,
      udpBufferBytes: config.udpBufferBytes,
      onHandlerError(error: unknown): void {
        stats.handlerErrors++;
        userHandler?.(error);
      },
    };
  }

  bindUdp(address: Address): Promise<DatagramTransport> {
    return NodeUdpSocket.bind(address, this.context);
  }

  connectTcp(to: Address): Promise<StreamConnection> {
    return connectNodeTcp(to, this.context);
  }

  listenTcp(address: Address, onConnection: (conn: StreamConnection) => void): Promise<StreamListener> {
    return NodeStreamListener.listen(address, onConnection, this.context);
  }
}
