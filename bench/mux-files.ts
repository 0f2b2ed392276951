/**
 * The seed's job over loopback UDP (bench/mux.ts, second part): Alice sends Bob two files
 * on two channels right after Bob comes online — toxlink, and c-toxcore's own file
 * transfer (bench/c/filetransfer-bench.c) between two C peers, in the same run.
 *
 * toxlink: two NetCrypto nodes in this process, each on its own 127.0.0.1 UDP port, a
 * ConnectionManager each over `cryptoCarrier`. Alice brings the net_crypto session up;
 * "online" is the moment it is established on her side. Then she opens `file://1` and
 * `file://2` at once (one round trip) and writes `size` bytes on each in 64 KiB writes with
 * backpressure, then ends them. A file is done when Bob's channel gives its EOF. The bytes
 * are a 64 KiB random block repeated (a different one per file), made before "online";
 * Bob checks the first and last byte of every chunk against its place in the file.
 *
 * Figures per size, for both: seconds from online to both files done, MB/s of both
 * together (MB = 1e6 bytes), when each file was done, how many bytes of the other file Bob
 * had when the first was done, and the receive rate per 0.5 s.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyPair } from '../src/crypto/index.ts';
import type { Address, DatagramTransport, NodeNetwork, SystemClock } from '../src/io/index.ts';
import type { NetCrypto } from '../src/netcrypto/index.ts';
import type { ChannelSocket, MuxCarrier, MuxConnector } from '../src/mux/index.ts';
import { buildCBench } from './netcrypto-c.ts';
import { killChild, trackChild, withTimeout } from './children.ts';
import type { Toxlink } from './compiled.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The C source. */
export const FILETRANSFER_BENCH_SOURCE = join(here, 'c', 'filetransfer-bench.c');
/** Where it is built (gitignored). */
export const FILETRANSFER_BENCH_BINARY = join(here, 'c', 'build', 'filetransfer-bench');

const MB = 1e6;
const BLOCK = 64 * 1024;
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** One run of the job, toxlink's or c-toxcore's. */
export interface FilesFigure {
  impl: string;
  size_bytes: number;
  seconds: number;
  value: number;
  unit: 'MB/s';
  first_done_s: number;
  second_done_s: number;
  other_at_first_bytes: number;
  timeline_mb_s: number[];
  [more: string]: unknown;
}

// ─── c-toxcore ──────────────────────────────────────────────────────────────

/** Builds bench/c/filetransfer-bench.c (bench/netcrypto-c.ts `buildCBench`). */
export function buildFiletransferBench(): string {
  return buildCBench(FILETRANSFER_BENCH_SOURCE, FILETRANSFER_BENCH_BINARY);
}

/** Runs the C program for one size (a fresh pair of C peers); its JSON line, or its error line. */
export async function cFiles(size: number, limitMs: number): Promise<FilesFigure | { error: string }> {
  const binary = buildFiletransferBench();
  const child = spawn(binary, ['tight', String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.pid === undefined) throw new Error('no pid for filetransfer-bench');
  const pid = child.pid;
  trackChild(pid, () => child.exitCode !== null || child.signalCode !== null);
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  try {
    await withTimeout(new Promise<void>((resolve) => child.once('exit', () => resolve())), limitMs, 'c-toxcore file transfer');
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    killChild(pid);
  }
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) return { error: `no output (exit ${child.exitCode ?? child.signalCode})` };
  return JSON.parse(line) as FilesFigure | { error: string };
}

// ─── toxlink ────────────────────────────────────────────────────────────────

interface End {
  keys: KeyPair;
  dht: KeyPair;
  node: NetCrypto;
  socket: DatagramTransport;
  clock: SystemClock;
}

async function end(t: Toxlink, network: NodeNetwork): Promise<End> {
  const socket = await network.bindUdp({ host: '127.0.0.1', port: 0 });
  const keys = t.crypto.generateKeyPair();
  const dht = t.crypto.generateKeyPair();
  const clock = new t.io.SystemClock();
  const node = new t.netcrypto.NetCrypto({ clock, sender: socket, realKeyPair: keys, dhtKeyPair: dht, accept: () => true });
  node.on('error', () => {});
  socket.onReceive((data, from) => { node.receive(data, from); });
  return { keys, dht, node, socket, clock };
}

/** A connector over a NetCrypto node: the session to the friend (brought up if needed), every session reported as it appears. */
function connector(t: Toxlink, me: End, otherKey: Uint8Array, otherDht: Uint8Array, otherAddress: Address): MuxConnector {
  const listeners: Array<(c: MuxCarrier) => void> = [];
  me.node.on('connection', (conn) => { for (const l of [...listeners]) l(t.mux.cryptoCarrier(conn)); });
  return {
    async connect() {
      const conn = me.node.connection(otherKey) ?? me.node.connect(otherKey, otherDht, otherAddress);
      await conn.established();
      return t.mux.cryptoCarrier(conn);
    },
    onCarrier(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}

/** Writes `size` bytes of `block` repeated to `socket` with backpressure, then ends it. */
async function sendFile(socket: ChannelSocket, block: Buffer, size: number): Promise<void> {
  for (let at = 0; at < size; at += block.length) {
    const n = Math.min(block.length, size - at);
    if (!socket.write(n === block.length ? block : block.subarray(0, n))) {
      await new Promise<void>((resolve) => {
        const go = (): void => {
          socket.off('drain', go);
          socket.off('close', go);
          resolve();
        };
        socket.on('drain', go);
        socket.on('close', go);
      });
    }
    if (socket.destroyed) throw new Error('the channel closed while sending');
  }
  socket.end();
}

/** The job over toxlink on loopback UDP, for two files of `size` bytes. */
export async function toxlinkFiles(t: Toxlink, size: number, limitMs: number): Promise<FilesFigure> {
  const network = new t.io.NodeNetwork();
  const a = await end(t, network);
  const b = await end(t, network);
  const { ConnectionManager } = t.mux;
  const alice = new ConnectionManager({ selfKey: a.keys.publicKey, clock: a.clock, connector: connector(t, a, b.keys.publicKey, b.dht.publicKey, b.socket.local) });
  const bob = new ConnectionManager({ selfKey: b.keys.publicKey, clock: b.clock, connector: connector(t, b, a.keys.publicKey, a.dht.publicKey, a.socket.local) });
  const blocks = [randomBytes(BLOCK), randomBytes(BLOCK)];
  const received = [0, 0];
  const doneAt: number[] = [];
  let otherAtFirst = 0;
  let badChunks = 0;
  let online = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => { allDone = resolve; });
  bob.onChannelRequest(({ uri }) => uri === 'file://1' || uri === 'file://2');
  bob.on('channel', (s) => {
    const i = s.uri === 'file://1' ? 0 : 1;
    const block = blocks[i]!;
    s.on('error', () => {});
    s.on('data', (c: Buffer) => {
      const at = received[i]!;
      if (c[0] !== block[at % BLOCK] || c[c.length - 1] !== block[(at + c.length - 1) % BLOCK]) badChunks++;
      received[i] = at + c.length;
    });
    s.on('end', () => {
      doneAt[i] = (performance.now() - online) / 1000;
      if (doneAt.filter((d) => d !== undefined).length === 1) otherAtFirst = received[1 - i]!;
      else allDone();
      s.end();
    });
  });
  const timeline: number[] = [];
  let sampled = 0;
  const sampler = setInterval(() => {
    const total = received[0]! + received[1]!;
    timeline.push(round((total - sampled) / MB / 0.5, 2));
    sampled = total;
  }, 500);
  try {
    const conn = a.node.connect(b.keys.publicKey, b.dht.publicKey, b.socket.local);
    await withTimeout(conn.established(), 10_000, 'the net_crypto session');
    online = performance.now();
    sampler.refresh();
    const sockets = await withTimeout(Promise.all([alice.connectDevice(b.keys.publicKey, 'file://1'), alice.connectDevice(b.keys.publicKey, 'file://2')]), 10_000, 'the two channels');
    for (const s of sockets) s.on('error', () => {});
    const sent = sockets.map((s, i) => sendFile(s, blocks[i]!, size));
    await withTimeout(Promise.all([finished, ...sent]), limitMs, 'the two files');
    const seconds = (performance.now() - online) / 1000;
    const total = received[0]! + received[1]!;
    const [first, second] = [Math.min(doneAt[0]!, doneAt[1]!), Math.max(doneAt[0]!, doneAt[1]!)];
    return {
      impl: t.build === 'compiled' ? 'toxlink' : 'toxlink (src under tsx)', size_bytes: size, files: 2, seconds: round(seconds), value: round(total / MB / seconds), unit: 'MB/s',
      first_done_s: round(first), second_done_s: round(second), other_at_first_bytes: otherAtFirst, received_bytes: total, bad_chunks: badChunks,
      timeline_mb_s: timeline, congestion_after: conn.congestion,
    };
  } finally {
    clearInterval(sampler);
    alice.close();
    bob.close();
    a.node.close();
    b.node.close();
    await a.socket.close();
    await b.socket.close();
  }
}
