/**
 * Port forwarding on loopback: a TCP copy through a toxlink tunnel (PortForward → channel →
 * net_crypto over 127.0.0.1 UDP → Exposer) against a direct loopback TCP copy, both in this
 * same run and process, and tunnels opened per second. One JSON line per figure on stdout:
 * {name, impl, mode, value, unit, ...}. MB = 1e6 bytes.
 *
 * Run: node --import=tsx bench/forward.ts [megabytes]
 *
 * `megabytes` (default 32, at most 512) is the size of each copy. In order:
 *   `copy` impl `direct`   a client writes the bytes to a sink server on 127.0.0.1 and ends;
 *                          the time is from the first write to the sink's 'end'.
 *   `copy` impl `tunnel`   the same client and sink, the client connecting to the forward's
 *                          port instead. Two runs on one net_crypto session: `fresh` (the
 *                          session's congestion control starts from its minimum) and `warm`
 *                          (straight after). Both ends of the session, both TCP ends and both
 *                          channel layers share this one process and event loop.
 *   `copy` impl `channel`  the same bytes on the same session from a ChannelSocket to a
 *                          ChannelSocket, no TCP at either end: the tunnel's own cost is the
 *                          gap between this line and the `warm` tunnel line.
 *   `opens` mode `sequential`  one connection after another to the forward's port, each
 *                          writing one byte and waiting for its echo, then ending: tunnels
 *                          per second over 200 (each a channel open: one round trip).
 *   `opens` mode `concurrent`  the same 200 with 50 at a time.
 *
 * The machine is shared with other jobs: figures vary from run to run by tens of percent.
 * Every socket, server, manager and node is closed at the end, on error too.
 *
 * @module
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { generateKeyPair } from '../src/crypto/index.ts';
import { NodeNetwork, SystemClock, type Address, type DatagramTransport } from '../src/io/index.ts';
import { NetCrypto } from '../src/netcrypto/index.ts';
import { ConnectionManager, cryptoCarrier, type MuxConnector } from '../src/mux/index.ts';
import { Exposer, PortForward } from '../src/mux/index.ts';

const LOCAL = '127.0.0.1';
const MB = 1e6;
const size = Math.min(512, Math.max(1, Number(process.argv[2] ?? 32))) * MB;
const cleanups: Array<() => unknown> = [];

/** One figure, with the machine's 1-minute load average at the time (others' jobs show there). */
function emit(line: Record<string, unknown>): void {
  console.log(JSON.stringify({ ...line, loadavg_1m: round(loadavg()[0]!) }));
}

async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen({ host: LOCAL, port: 0 }, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A sink: counts bytes, and resolves the next waiter with the count at 'end'. */
async function sink(): Promise<{ port: number; next: () => Promise<number> }> {
  const waiters: Array<(n: number) => void> = [];
  const { port } = await listen((s) => {
    let n = 0;
    s.on('data', (c: Buffer) => { n += c.length; });
    s.on('end', () => {
      s.end();
      waiters.shift()?.(n);
    });
  });
  return { port, next: () => new Promise<number>((resolve) => waiters.push(resolve)) };
}

/** Writes `total` bytes to `port` and ends; resolves with seconds from the first write to the sink's count. */
async function copy(port: number, total: number, counted: Promise<number>): Promise<{ seconds: number; bytes: number }> {
  const socket = connect({ host: LOCAL, port, allowHalfOpen: true });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const chunk = Buffer.alloc(64 * 1024, 1);
  const start = performance.now();
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!socket.write(sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent))) {
      await new Promise<void>((resolve) => socket.once('drain', resolve));
    }
  }
  socket.end();
  socket.resume();
  const bytes = await counted;
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  return { seconds, bytes };
}

async function node(network: NodeNetwork): Promise<{ node: NetCrypto; socket: DatagramTransport; clock: SystemClock; keys: ReturnType<typeof generateKeyPair>; dht: ReturnType<typeof generateKeyPair> }> {
  const socket = await network.bindUdp({ host: LOCAL, port: 0 });
  const keys = generateKeyPair();
  const dht = generateKeyPair();
  const clock = new SystemClock();
  const n = new NetCrypto({ clock, sender: socket, realKeyPair: keys, dhtKeyPair: dht, accept: () => true });
  socket.onReceive((data, from) => { n.receive(data, from); });
  cleanups.push(async () => { n.close(); await socket.close(); });
  return { node: n, socket, clock, keys, dht };
}

function connector(me: NetCrypto, otherKey: Uint8Array, otherDht: Uint8Array, otherAddress: Address): MuxConnector {
  const listeners: Array<(c: ReturnType<typeof cryptoCarrier>) => void> = [];
  me.on('connection', (conn) => { for (const l of listeners) l(cryptoCarrier(conn)); });
  return {
    async connect() {
      const conn = me.connect(otherKey, otherDht, otherAddress);
      const carrier = cryptoCarrier(conn);
      for (const l of listeners) l(carrier);
      await conn.established();
      return carrier;
    },
    onCarrier(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}

/** `count` connections to `port`, `parallel` at a time, each a one-byte echo; returns tunnels per second. */
async function opens(port: number, count: number, parallel: number): Promise<number> {
  const one = () => new Promise<void>((resolve, reject) => {
    const s = connect({ host: LOCAL, port, allowHalfOpen: true });
    s.once('error', reject);
    s.once('data', () => s.end());
    s.once('end', () => { s.destroy(); resolve(); });
    s.write('x');
  });
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      next++;
      await one();
    }
  }));
  return count / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const target = await sink();
  const direct = await copy(target.port, size, target.next());
  emit({ name: 'copy', impl: 'direct', mode: 'loopback-tcp', value: round(direct.bytes / MB / direct.seconds), unit: 'MB/s', bytes: direct.bytes, seconds: round(direct.seconds) });

  const network = new NodeNetwork();
  const a = await node(network);
  const b = await node(network);
  const alice = new ConnectionManager({ selfKey: a.keys.publicKey, clock: a.clock, connector: connector(a.node, b.keys.publicKey, b.dht.publicKey, b.socket.local) });
  const bob = new ConnectionManager({ selfKey: b.keys.publicKey, clock: b.clock, connector: connector(b.node, a.keys.publicKey, a.dht.publicKey, a.socket.local) });
  cleanups.push(() => { alice.close(); bob.close(); });
  const echo = await listen((s) => s.pipe(s));
  // The channel alone, no TCP on either end: what the tunnel's TCP legs cost is the difference.
  const channelSink: Array<(n: number) => void> = [];
  bob.on('channel', (s) => {
    if (s.uri !== 'bench://sink') return;
    let n = 0;
    s.on('error', () => {});
    s.on('data', (c: Buffer) => { n += c.length; });
    s.on('end', () => {
      s.end();
      channelSink.shift()?.(n);
    });
  });
  const exposer = new Exposer({
    manager: bob, clock: b.clock, otherRequests: ({ uri }) => uri === 'bench://sink',
    services: [{ name: 'sink', target: { host: LOCAL, port: target.port } }, { name: 'echo', target: { host: LOCAL, port: echo.port } }],
  });
  cleanups.push(() => exposer.close());
  const toSink = new PortForward({ manager: alice, friendKey: b.keys.publicKey, service: 'sink', clock: a.clock });
  const toEcho = new PortForward({ manager: alice, friendKey: b.keys.publicKey, service: 'echo', clock: a.clock, config: { maxTunnels: 1024 } });
  cleanups.push(() => toSink.close(), () => toEcho.close());
  const sinkPort = (await toSink.listen()).port;
  const echoPort = (await toEcho.listen()).port;

  for (const mode of ['fresh', 'warm']) {
    const r = await copy(sinkPort, size, target.next());
    emit({
      name: 'copy', impl: 'tunnel', mode, value: round(r.bytes / MB / r.seconds), unit: 'MB/s', bytes: r.bytes, seconds: round(r.seconds),
      ratio_to_direct: round((r.bytes / r.seconds) / (direct.bytes / direct.seconds)),
    });
  }
  {
    const socket = await alice.connectDevice(b.keys.publicKey, 'bench://sink');
    socket.on('error', () => {});
    socket.resume();
    const counted = new Promise<number>((resolve) => channelSink.push(resolve));
    const chunk = Buffer.alloc(64 * 1024, 1);
    const start = performance.now();
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (!socket.write(sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent))) {
        await new Promise<void>((resolve) => socket.once('drain', resolve));
      }
    }
    socket.end();
    const bytes = await counted;
    const seconds = (performance.now() - start) / 1000;
    emit({ name: 'copy', impl: 'channel', mode: 'warm', value: round(bytes / MB / seconds), unit: 'MB/s', bytes, seconds: round(seconds), note: 'a ChannelSocket to a ChannelSocket on the same session: no TCP legs' });
  }
  emit({ name: 'opens', impl: 'tunnel', mode: 'sequential', value: round(await opens(echoPort, 200, 1)), unit: 'tunnels/s', count: 200 });
  emit({ name: 'opens', impl: 'tunnel', mode: 'concurrent', value: round(await opens(echoPort, 200, 50)), unit: 'tunnels/s', count: 200, parallel: 50 });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main().catch((error: unknown) => {
  emit({ name: 'error', error: error instanceof Error ? error.stack : String(error) });
  process.exitCode = 1;
}).finally(async () => {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch {
      // Best effort: the rest still closes.
    }
  }
});
