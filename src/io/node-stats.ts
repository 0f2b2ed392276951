/**
 * The counters of a `NodeNetwork`: what its sockets sent, received and failed to do.
 *
 * @see spec/io.md#the-real-network
 * @module
 */

/** Counters shared by every socket of one `NodeNetwork`. */
export interface NodeNetworkStats {
  /** Datagrams the kernel accepted. */
  udpSent: number;
  /** Datagrams that could not be sent (closed socket, bad address, too big, ...). */
  udpSendErrors: number;
  /** Datagrams received and handed to a handler. */
  udpReceived: number;
  /** Outgoing TCP connections established. */
  tcpConnected: number;
  /** Outgoing TCP connections that failed (refused, unreachable, timed out). */
  tcpConnectErrors: number;
  /** Incoming TCP connections accepted. */
  tcpAccepted: number;
  /** Handlers (receive, data, connection) that threw; each error went to `onHandlerError`. */
  handlerErrors: number;
}

/** A fresh set of zeroed counters. */
export function newNodeNetworkStats(): NodeNetworkStats {
  return { udpSent: 0, udpSendErrors: 0, udpReceived: 0, tcpConnected: 0, tcpConnectErrors: 0, tcpAccepted: 0, handlerErrors: 0 };
}

/** What the adapters need from their network: counters and where handler errors go. */
export interface NodeAdapterContext {
  readonly stats: NodeNetworkStats;
  readonly unref: boolean;
  readonly connectTimeoutMs: number;
  readonly udpBufferBytes: number;
  onHandlerError(error: unknown): void;
}
