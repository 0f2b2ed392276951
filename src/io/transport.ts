/**
 * The two ways bytes leave a toxlink node: datagrams (UDP) and byte streams (TCP).
 * Protocol objects receive these interfaces at construction; the real adapters
 * (`node:dgram` through dgram-as-promised, `node:net`) and the simulator implement them.
 *
 * @see spec/introduction.md#sans-io
 * @see spec/io.md#transports
 * @module
 */

/**
 * A host and port. `host` is a textual IPv4 (`127.0.0.1`) or IPv6 (`::1`) address in
 * canonical form. Structurally the same as the wire layer's `IpPort`.
 */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** Called with each datagram that arrives and the address it came from. */
export type DatagramHandler = (data: Uint8Array, from: Address) => void;

/** A bound UDP socket. */
export interface DatagramTransport {
  /** The address this socket is bound to (as seen from its own host). */
  readonly local: Address;
  /**
   * Sends one datagram. Fire and forget, as UDP is: a datagram that cannot be sent is
   * dropped and counted, never thrown to the caller.
   */
  send(to: Address, data: Uint8Array): void;
  /** Sets the receive handler; one handler per socket, a new one replaces the old. */
  onReceive(handler: DatagramHandler): void;
  /** Unbinds the socket; idempotent. */
  close(): Promise<void>;
}

/** Why a stream ended. `undefined` is a clean end from the peer or from us. */
export type StreamCloseHandler = (error?: Error) => void;

/** One established TCP connection. */
export interface StreamConnection {
  readonly local: Address;
  readonly remote: Address;
  /**
   * Queues bytes for sending. Returns `false` when the send buffer is above its
   * high-water mark: wait for the drain handler before writing more.
   */
  write(data: Uint8Array): boolean;
  /** Sets the handler for received bytes (chunk boundaries carry no meaning). */
  onData(handler: (data: Uint8Array) => void): void;
  /** Sets the handler called once the send buffer falls below its low-water mark. */
  onDrain(handler: () => void): void;
  /** Sets the handler called exactly once when the connection is gone. */
  onClose(handler: StreamCloseHandler): void;
  /** Sends what is queued, then closes; idempotent. */
  end(): void;
  /** Closes at once, dropping what is queued; idempotent. */
  destroy(error?: Error): void;
}

/** A listening TCP socket. */
export interface StreamListener {
  readonly local: Address;
  close(): Promise<void>;
}

/**
 * A host's view of the network: bind UDP sockets, open and accept TCP connections.
 * `NodeNetwork` is the real one; a `SimHost` of a `SimNetwork` is the simulated one.
 */
export interface Network {
  /** Binds a UDP socket; port 0 picks a free port. */
  bindUdp(address: Address): Promise<DatagramTransport>;
  /** Opens a TCP connection; rejects with a typed error when refused or unreachable. */
  connectTcp(to: Address): Promise<StreamConnection>;
  /** Listens for TCP connections; port 0 picks a free port. */
  listenTcp(address: Address, onConnection: (conn: StreamConnection) => void): Promise<StreamListener>;
}
