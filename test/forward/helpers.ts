/**
 * Test helpers for port forwarding: two channel layers over a real net_crypto session on
 * loopback UDP (NodeNetwork, SystemClock), and real loopback TCP servers (echo, sink,
 * source) and clients. Everything a helper opens is closed in the test's teardown, by
 * handle, and the teardown fails the test if something was still open.
 */
import type { ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { generateKeyPair, type KeyPair } from '../../src/crypto/index.ts';
import { NodeNetwork, SystemClock, type Address, type DatagramTransport } from '../../src/io/index.ts';
import { NetCrypto } from '../../src/netcrypto/index.ts';
import { ConnectionManager, cryptoCarrier, type MuxCarrier, type MuxConfig, type MuxConnector } from '../../src/mux/index.ts';

export const LOCAL = '127.0.0.1';

export interface LivePeer {
  readonly key: Uint8Array;
  readonly real: KeyPair;
  readonly dht: KeyPair;
  readonly address: Address;
  readonly node: NetCrypto;
  readonly manager: ConnectionManager;
  readonly clock: SystemClock;
  readonly errors: Error[];
}

interface Endpoint {
  real: KeyPair;
  dht: KeyPair;
  node: NetCrypto;
  socket: DatagramTransport;
  clock: SystemClock;
  errors: Error[];
}

async function endpoint(network: NodeNetwork): Promise<Endpoint> {
  const socket = await network.bindUdp({ host: LOCAL, port: 0 });
  const real = generateKeyPair();
  const dht = generateKeyPair();
  const clock = new SystemClock();
  const node = new NetCrypto({ clock, sender: socket, realKeyPair: real, dhtKeyPair: dht, accept: () => true });
  const errors: Error[] = [];
  node.on('error', (e) => errors.push(e));
  socket.onReceive((data, from) => {
    node.receive(data, from);
  });
  return { real, dht, node, socket, clock, errors };
}

/** A connector that brings up a net_crypto session to `other` and reports every session of `me` as it appears. */
function connector(me: Endpoint, other: Endpoint, otherAddress: Address): MuxConnector {
  const listeners: Array<(c: MuxCarrier) => void> = [];
  const report = (c: MuxCarrier): void => {
    for (const l of [...listeners]) l(c);
  };
  me.node.on('connection', (conn) => report(cryptoCarrier(conn)));
  return {
    async connect(_friendKey, { signal }) {
      const conn = me.node.connect(other.real.publicKey, other.dht.publicKey, otherAddress);
      const carrier = cryptoCarrier(conn);
      report(carrier);
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
        conn.established().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
      return carrier;
    },
    onCarrier(listener) {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
  };
}

/**
 * Alice and Bob: a NetCrypto node each on its own 127.0.0.1 UDP port, and a
 * ConnectionManager each over cryptoCarrier. The session comes up on the first
 * `connectDevice` (from either side). Closed in teardown.
 */
export async function livePair(t: ExecutionContext, mux?: Partial<MuxConfig>): Promise<{ alice: LivePeer; bob: LivePeer }> {
  const network = new NodeNetwork();
  const a = await endpoint(network);
  const b = await endpoint(network);
  const make = (me: Endpoint, other: Endpoint): LivePeer => {
    const manager = new ConnectionManager({
      selfKey: me.real.publicKey, connector: connector(me, other, other.socket.local), clock: me.clock, config: mux,
    });
    manager.on('error', (e) => me.errors.push(e));
    return {
      key: me.real.publicKey, real: me.real, dht: me.dht, address: me.socket.local, node: me.node, manager, clock: me.clock, errors: me.errors,
    };
  };
  const alice = make(a, b);
  const bob = make(b, a);
  t.teardown(async () => {
    alice.manager.close();
    bob.manager.close();
    a.node.close();
    b.node.close();
    await a.socket.close();
    await b.socket.close();
    const errors = [...a.errors, ...b.errors];
    if (errors.length > 0) throw new Error(`net_crypto or manager errors: ${errors.map((e) => e.stack ?? e.message).join('\n')}`);
  });
  return { alice, bob };
}

/** Every TCP server and socket a test made, closed in teardown; the teardown says which were left open. */
export class Handles {
  readonly servers = new Set<Server>();
  readonly sockets = new Set<Socket>();

  constructor(t: ExecutionContext) {
    t.teardown(async () => {
      // A socket whose both FINs are out closes a moment later: give them up to 2 s.
      const closing = [...this.sockets].filter((s) => !s.closed).map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closing), new Promise<void>((resolve) => { timer = setTimeout(resolve, 2000); })]);
      clearTimeout(timer);
      const openSockets = [...this.sockets].filter((s) => !s.closed).length;
      for (const s of this.sockets) s.destroy();
      await Promise.all([...this.servers].map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
      // ava takes no assertion in a teardown: a throw fails the test.
      if (openSockets > 0) throw new Error(`${openSockets} test sockets were still open at the end`);
    });
  }

  /** A loopback TCP server; `onSocket` gets each connection (half-open allowed). */
  async server(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      this.sockets.add(socket);
      socket.on('error', () => {});
      onSocket(socket);
    });
    this.servers.add(server);
    await new Promise<void>((resolve) => server.listen({ host: LOCAL, port: 0 }, resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }

  /** Echoes every byte back; ends its side after the client's FIN. */
  echo(): Promise<{ server: Server; port: number }> {
    return this.server((socket) => socket.pipe(socket));
  }

  /** A client socket to a loopback port (half-open allowed), not waited for: a reset may beat the connect. */
  dial(port: number): Socket {
    const socket = connect({ host: LOCAL, port, allowHalfOpen: true });
    this.sockets.add(socket);
    return socket;
  }

  /** A client socket to a loopback port (half-open allowed), connected. */
  async client(port: number): Promise<Socket> {
    const socket = connect({ host: LOCAL, port, allowHalfOpen: true });
    this.sockets.add(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return socket;
  }
}

/** What a socket gave until it ended or failed. */
export interface Received {
  bytes: number;
  sha256: string;
  /** 'end' (FIN), or the error code (ECONNRESET), or 'close' (closed without either). */
  how: string;
}

/** Reads `socket` to its end; resolves once it ended, failed or closed. */
export function readAll(socket: Socket): Promise<Received> {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Promise((resolve) => {
    let how: string | undefined;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    socket.once('end', () => {
      how ??= 'end';
      resolve({ bytes, sha256: hash.digest('hex'), how });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      how ??= e.code ?? e.message;
    });
    socket.once('close', () => {
      if (how === 'end') return;
      resolve({ bytes, sha256: hash.digest('hex'), how: how ?? 'close' });
    });
  });
}

/** Writes `data` in chunks with backpressure; then FIN if `end`. */
export async function writeAll(socket: Socket, data: Uint8Array, end = true, chunk = 64 * 1024): Promise<void> {
  for (let at = 0; at < data.length; at += chunk) {
    if (!socket.write(data.subarray(at, at + chunk))) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          socket.off('close', onClose);
          resolve();
        };
        const onClose = (): void => {
          socket.off('drain', onDrain);
          reject(new Error('socket closed while writing'));
        };
        socket.once('drain', onDrain);
        socket.once('close', onClose);
      });
    }
  }
  if (end) socket.end();
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function bytes(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

/** Resolves with the first value of `event` that `accept` takes, or rejects after `ms` real milliseconds. */
export function waitFor<T>(
  on: (listener: (value: T) => void) => () => void, accept: (value: T) => boolean = () => true, ms = 20_000, what = 'an event',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${ms} ms`));
    }, ms);
    const off = on((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Rejects with `what` unless `promise` settles within `ms` real milliseconds. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
