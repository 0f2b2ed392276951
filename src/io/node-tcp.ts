/**
 * TCP on the real network, over `node:net`. A {@link NodeStreamConnection} wraps one
 * `net.Socket` (half-open not allowed: when the peer ends, we end too); a
 * {@link NodeStreamListener} wraps a `net.Server`.
 *
 * @see spec/io.md#the-real-network
 * @module
 */

import * as net from 'node:net';
import { BindError, ConnectError, StreamClosedError, StreamResetError, type ConnectFailure } from './errors.ts';
import { bindFailure } from './node-udp.ts';
import type { NodeAdapterContext } from './node-stats.ts';
import type { Address, StreamCloseHandler, StreamConnection, StreamListener } from './transport.ts';

/** Maps a Node system error code onto a {@link ConnectFailure}. */
function connectFailure(error: unknown): ConnectFailure {
  switch ((error as { code?: unknown } | undefined)?.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

/** Turns the error that broke an established socket into what the close handler gets. */
function closeError(error: Error | undefined): Error | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return new StreamResetError('peer-reset', { cause: error });
  if (code === 'ETIMEDOUT') return new StreamResetError('timeout', { cause: error });
  return error;
}

/** One established TCP connection on the real network. */
export class NodeStreamConnection implements StreamConnection {
  readonly local: Address;
  readonly remote: Address;
  private dataHandler: ((data: Uint8Array) => void) | undefined;
  private drainHandler: (() => void) | undefined;
  private closeHandler: StreamCloseHandler | undefined;
  private ended = false;
  private closed = false;
  private closeReported = false;
  private error: Error | undefined;

  /** @internal Made by `NodeNetwork`. */
  constructor(
    private readonly socket: net.Socket,
    private readonly context: NodeAdapterContext,
  ) {
    this.local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.on('drain', () => this.call(this.drainHandler));
    socket.on('error', (error) => {
      this.error ??= error;
    });
    socket.on('close', () => {
      this.closed = true;
      this.reportClose();
    });
  }

  write(data: Uint8Array): boolean {
    if (this.ended || this.closed || !this.socket.writable) throw new StreamClosedError();
    return this.socket.write(data);
  }

  onData(handler: (data: Uint8Array) => void): void {
    const first = this.dataHandler === undefined;
    this.dataHandler = handler;
    if (!first) return;
    this.socket.on('data', (chunk: Buffer) => {
      const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.call(this.dataHandler, view);
    });
  }

  onDrain(handler: () => void): void {
    this.drainHandler = handler;
  }

  onClose(handler: StreamCloseHandler): void {
    this.closeHandler = handler;
    if (this.closed) queueMicrotask(() => this.reportClose());
  }

  end(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.socket.end();
  }

  destroy(error?: Error): void {
    if (this.closed) return;
    this.ended = true;
    if (error !== undefined) this.error ??= error;
    this.socket.destroy();
  }

  private reportClose(): void {
    const handler = this.closeHandler;
    if (handler === undefined || this.closeReported) return;
    this.closeReported = true;
    this.call(handler, closeError(this.error));
  }

  private call<A extends unknown[]>(handler: ((...args: A) => void) | undefined, ...args: A): void {
    if (handler === undefined) return;
    try {
      handler(...args);
    } catch (error) {
      this.context.onHandlerError(error);
    }
  }
}

/** Opens a TCP connection; rejects with a {@link ConnectError} (refused, unreachable, timeout). */
export function connectNodeTcp(to: Address, context: NodeAdapterContext): Promise<NodeStreamConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: to.host, port: to.port, allowHalfOpen: false });
    let settled = false;
    const fail = (error: ConnectError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      context.stats.tcpConnectErrors++;
      reject(error);
    };
    const timer = setTimeout(() => fail(new ConnectError(to, 'timeout')), context.connectTimeoutMs);
    if (context.unref) timer.unref();
    socket.once('error', (error) => fail(new ConnectError(to, connectFailure(error), { cause: error })));
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (context.unref) socket.unref();
      context.stats.tcpConnected++;
      resolve(new NodeStreamConnection(socket, context));
    });
  });
}

/** A listening TCP socket on the real network. */
export class NodeStreamListener implements StreamListener {
  readonly local: Address;
  private closing: Promise<void> | undefined;

  private constructor(private readonly server: net.Server) {
    const info = server.address() as net.AddressInfo;
    this.local = { host: info.address, port: info.port };
  }

  /** @internal Listens on `address`; rejects with a {@link BindError}. Use `NodeNetwork.listenTcp`. */
  static async listen(
    address: Address,
    onConnection: (conn: StreamConnection) => void,
    context: NodeAdapterContext,
  ): Promise<NodeStreamListener> {
    const server = net.createServer({ allowHalfOpen: false });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.port, address.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw new BindError(address, bindFailure(error), { cause: error });
    }
    // A listening server's later errors (accept failures) do not stop it listening.
    server.on('error', () => undefined);
    server.on('connection', (socket) => {
      if (context.unref) socket.unref();
      context.stats.tcpAccepted++;
      try {
        onConnection(new NodeStreamConnection(socket, context));
      } catch (error) {
        context.onHandlerError(error);
      }
    });
    if (context.unref) server.unref();
    return new NodeStreamListener(server);
  }

  /** Stops accepting; connections already accepted stay open. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.server.close();
      setImmediate(resolve);
    });
    return this.closing;
  }
}
