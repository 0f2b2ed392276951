/**
 * The toxlink end of bench/netcrypto.ts, shared by the benchmark process and its receiver
 * child (bench/netcrypto-receiver.ts): a NetCrypto node on a real loopback UDP socket, a
 * counter of received lossless payloads with a 0.5 s timeline, the echo of ping payloads,
 * the sender that keeps a session's queue full, and the ping-pong that times round trips.
 *
 * Payload formats (the same as bench/c/netcrypto-bench.c and the C peer's `blast`):
 *   transfer  1373 bytes: 160, a 32-bit big-endian sequence number, filler;
 *   ping      8 bytes: 161, a 32-bit big-endian sequence number, three zero bytes; the other
 *             end sends it straight back from its 'lossless' listener.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { generateKeyPair, type KeyPair } from '../src/crypto/index.ts';
import { NodeNetwork, SystemClock, type Address, type DatagramTransport } from '../src/io/index.ts';
import { NetCrypto, type ConnectionOffer, type CryptoConnection, type NetCryptoConfig } from '../src/netcrypto/index.ts';

/** TOX_MAX_CUSTOM_PACKET_SIZE. */
export const PACKET_SIZE = 1373;
export const TRANSFER_ID = 160;
export const PING_ID = 161;
export const PING_SIZE = 8;
/** Length of one timeline bucket, ms. */
export const BUCKET_MS = 500;

/** One NetCrypto node on its own loopback socket. */
export interface Endpoint {
  readonly node: NetCrypto;
  readonly socket: DatagramTransport;
  readonly clock: SystemClock;
  readonly real: KeyPair;
  readonly dht: KeyPair;
  readonly address: Address;
  /** Sessions peers made to us, in order. */
  readonly accepted: CryptoConnection[];
  /** Errors the node reported (bugs): kept for the report, never thrown. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Makes a node on 127.0.0.1 (a free port); `accept` judges incoming sessions (default: all). */
export async function makeEndpoint(
  accept: (offer: ConnectionOffer) => boolean = () => true,
  config?: Partial<NetCryptoConfig>,
): Promise<Endpoint> {
  const errors: string[] = [];
  const network = new NodeNetwork({ onHandlerError: (e) => remember(errors, `udp handler: ${String(e)}`) });
  const socket = await network.bindUdp({ host: '127.0.0.1', port: 0 });
  const clock = new SystemClock();
  const real = generateKeyPair();
  const dht = generateKeyPair();
  const node = new NetCrypto({ clock, sender: socket, realKeyPair: real, dhtKeyPair: dht, accept, config });
  const accepted: CryptoConnection[] = [];
  node.on('error', (e) => remember(errors, e.stack ?? e.message));
  node.on('connection', (c) => accepted.push(c));
  socket.onReceive((data, from) => {
    node.receive(data, from);
  });
  return {
    node, socket, clock, real, dht, address: socket.local, accepted, errors,
    close: async () => {
      node.close();
      await socket.close();
    },
  };
}

function remember(list: string[], text: string): void {
  if (list.length < 20) list.push(text.slice(0, 2000));
}

/** Sends every ping payload (161) that arrives on `conn` straight back. Returns the remover. */
export function echoPings(conn: CryptoConnection): () => void {
  return conn.on('lossless', (p) => {
    if (p[0] !== PING_ID) return;
    try {
      conn.sendLossless(p);
    } catch {
      // closed or queue full: the pinger times out and says so
    }
  });
}

/** What a {@link LosslessCounter} saw between `begin` and `end`. */
export interface CountReport {
  readonly seconds: number;
  readonly packets: number;
  readonly bytes: number;
  /** Receive rate per bucket of 0.5 s (the last one may be shorter), MB/s. */
  readonly timeline: number[];
  /** Packets whose sequence number was not the one after the previous packet's. */
  readonly outOfOrder: number;
  /** From `begin` to the first packet, ms (-1: none). */
  readonly firstPacketMs: number;
  /** The longest silence between two packets, ms. */
  readonly maxGapMs: number;
  /** When (ms after `begin`) that silence started. */
  readonly maxGapAtMs: number;
}

/**
 * Counts the transfer payloads (first byte 160) that arrive on a session, or that are
 * reported to it through {@link LosslessCounter.add} (for a c-toxcore receiver's counts).
 */
export class LosslessCounter {
  packets = 0;
  bytes = 0;
  #expect = -1;
  #outOfOrder = 0;
  #start = 0;
  #last = -1;
  #first = -1;
  #maxGap = 0;
  #maxGapAt = 0;
  #base = { packets: 0, bytes: 0, outOfOrder: 0 };
  #timeline: number[] = [];
  #bucketAt = 0;
  #bucketBytes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #counting = false;

  /** Counts the 160 payloads of `conn`. */
  attach(conn: CryptoConnection): () => void {
    return conn.on('lossless', (p) => {
      if (p[0] === TRANSFER_ID) this.#take(p);
    });
  }

  #take(p: Uint8Array): void {
    this.packets++;
    this.bytes += p.length;
    if (p.length >= 5) {
      const seq = ((p[1]! << 24) | (p[2]! << 16) | (p[3]! << 8) | p[4]!) >>> 0;
      if (this.#expect >= 0 && seq !== this.#expect) this.#outOfOrder++;
      this.#expect = (seq + 1) >>> 0;
    }
    if (!this.#counting) return;
    const now = performance.now();
    if (this.#first < 0) this.#first = now;
    else if (now - this.#last > this.#maxGap) {
      this.#maxGap = now - this.#last;
      this.#maxGapAt = this.#last - this.#start;
    }
    this.#last = now;
  }

  /** Starts a measurement: zero point, timeline sampling. */
  begin(): void {
    this.#start = performance.now();
    this.#base = { packets: this.packets, bytes: this.bytes, outOfOrder: this.#outOfOrder };
    this.#first = -1;
    this.#last = -1;
    this.#maxGap = 0;
    this.#maxGapAt = 0;
    this.#timeline = [];
    this.#bucketAt = this.#start;
    this.#bucketBytes = this.bytes;
    this.#counting = true;
    this.#timer = setInterval(() => this.#sample(), BUCKET_MS);
  }

  #sample(): void {
    const now = performance.now();
    const dt = (now - this.#bucketAt) / 1000;
    if (dt <= 0) return;
    this.#timeline.push((this.bytes - this.#bucketBytes) / dt / 1e6);
    this.#bucketAt = now;
    this.#bucketBytes = this.bytes;
  }

  /** Ends the measurement. */
  end(): CountReport {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const now = performance.now();
    // The last, shorter bucket, unless it is a sliver the interval timer nearly covered.
    if (now - this.#bucketAt >= BUCKET_MS / 10 || this.#timeline.length === 0) this.#sample();
    this.#counting = false;
    if (this.#last >= 0 && now - this.#last > this.#maxGap) {
      this.#maxGap = now - this.#last;
      this.#maxGapAt = this.#last - this.#start;
    }
    return {
      seconds: (now - this.#start) / 1000,
      packets: this.packets - this.#base.packets,
      bytes: this.bytes - this.#base.bytes,
      timeline: this.#timeline.map(round2),
      outOfOrder: this.#outOfOrder - this.#base.outOfOrder,
      firstPacketMs: this.#first < 0 ? -1 : round2(this.#first - this.#start),
      maxGapMs: round2(this.#maxGap),
      maxGapAtMs: Math.round(this.#maxGapAt),
    };
  }
}

/** What {@link pushFor} did. */
export interface PushReport {
  readonly seconds: number;
  /** Payloads queued with sendLossless. */
  readonly queued: number;
  /** Times the sender waited for the queue to fall below its high-water mark. */
  readonly waits: number;
  /** The longest such wait, ms. */
  readonly maxWaitMs: number;
  /** Why it stopped early, if it did. */
  readonly error?: string;
}

/** Sequence numbers of transfer payloads, carried on across transfers and sessions. */
let transferSeq = 0;

/**
 * Keeps `conn`'s send queue full of 1373-byte transfer payloads for `seconds`: queues until
 * `sendLossless` returns false, then waits for `whenWritable` (bounded by the deadline).
 */
export async function pushFor(conn: CryptoConnection, seconds: number): Promise<PushReport> {
  const payload = new Uint8Array(PACKET_SIZE);
  for (let i = 5; i < PACKET_SIZE; i++) payload[i] = i & 255;
  payload[0] = TRANSFER_ID;
  const start = performance.now();
  const end = start + seconds * 1000;
  let queued = 0;
  let waits = 0;
  let maxWait = 0;
  try {
    while (performance.now() < end) {
      let more = true;
      for (let i = 0; more && i < 8192; i++) {
        payload[1] = transferSeq >>> 24;
        payload[2] = (transferSeq >>> 16) & 255;
        payload[3] = (transferSeq >>> 8) & 255;
        payload[4] = transferSeq & 255;
        more = conn.sendLossless(payload);
        transferSeq = (transferSeq + 1) >>> 0;
        queued++;
      }
      if (more) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      waits++;
      const before = performance.now();
      await untilWritable(conn, end);
      maxWait = Math.max(maxWait, performance.now() - before);
    }
  } catch (error) {
    return { seconds: (performance.now() - start) / 1000, queued, waits, maxWaitMs: round2(maxWait), error: String(error) };
  }
  return { seconds: (performance.now() - start) / 1000, queued, waits, maxWaitMs: round2(maxWait) };
}

/** `whenWritable`, or the deadline, whichever comes first; rejects if the session closes. */
function untilWritable(conn: CryptoConnection, deadline: number): Promise<void> {
  if (conn.writable) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
    conn.whenWritable().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Round-trip samples, ms, and what went wrong. */
export interface PingReport {
  readonly samples: number[];
  readonly seconds: number;
  /** Echoes that came back with a sequence number other than the one outstanding. */
  readonly mismatched: number;
  /** Why it stopped before `count` samples, if not the time limit. */
  readonly error?: string;
}

/**
 * Lossless ping-pong over `conn`: sends a ping, sends the next one from the listener when
 * its echo arrives; `count` round trips or `maxMs`, whichever comes first. A ping lost for
 * good (no echo within `maxMs`) ends it at the time limit.
 */
export function pingPong(conn: CryptoConnection, count: number, maxMs: number): Promise<PingReport> {
  return new Promise((resolve) => {
    const samples: number[] = [];
    const start = performance.now();
    let seq = 0;
    let sentAt = 0;
    let mismatched = 0;
    let done = false;
    const ping = new Uint8Array(PING_SIZE);
    ping[0] = PING_ID;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      offClosed();
      const seconds = (performance.now() - start) / 1000;
      resolve(error === undefined ? { samples, seconds, mismatched } : { samples, seconds, mismatched, error });
    };
    const send = (): void => {
      ping[1] = seq >>> 24;
      ping[2] = (seq >>> 16) & 255;
      ping[3] = (seq >>> 8) & 255;
      ping[4] = seq & 255;
      sentAt = performance.now();
      try {
        conn.sendLossless(ping);
      } catch (error) {
        finish(String(error));
      }
    };
    const off = conn.on('lossless', (p) => {
      if (p[0] !== PING_ID || p.length < 5) return;
      const now = performance.now();
      const got = ((p[1]! << 24) | (p[2]! << 16) | (p[3]! << 8) | p[4]!) >>> 0;
      if (got !== seq) {
        mismatched++;
        return;
      }
      samples.push(now - sentAt);
      seq++;
      if (samples.length >= count || now - start >= maxMs) finish();
      else send();
    });
    const offClosed = conn.on('closed', (reason) => finish(`session closed: ${reason}`));
    const timer = setTimeout(() => finish(), maxMs);
    send();
  });
}

/** Median, p99 (the sample at rank ceil(0.99 n)), mean, min, max, in ms; as the C bench computes them. */
export function rttFigures(samples: readonly number[]): { median: number; p99: number; mean: number; min: number; max: number } | undefined {
  const n = samples.length;
  if (n === 0) return undefined;
  const s = [...samples].sort((a, b) => a - b);
  const median = n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  const p99 = s[Math.max(0, Math.ceil(0.99 * n) - 1)]!;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  return { median: round4(median), p99: round4(p99), mean: round4(mean), min: round4(s[0]!), max: round4(s[n - 1]!) };
}

/** The median of a list (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** A session's counters, as plain numbers (for deltas and JSON). */
export function sessionSnapshot(conn: CryptoConnection): {
  packetsSent: number; packetsReceived: number; requestsSent: number; losslessReceived: number; delivered: number;
  lossySent: number; sendEnd: number; unsent: number; dropped: Record<string, number>;
} {
  const s = conn.stats;
  const b = conn.buffers;
  return {
    packetsSent: s.packetsSent, packetsReceived: s.packetsReceived, requestsSent: s.requestsSent,
    losslessReceived: s.losslessReceived, delivered: s.delivered, lossySent: s.lossySent,
    sendEnd: b.sendEnd, unsent: b.unsent, dropped: { ...s.dropped.toJSON() } as Record<string, number>,
  };
}

/** `after − before` of each count (drops by reason; zero ones left out). */
export function dropDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/**
 * A node's drops minus its sessions' (the node counts every session drop too): what the node
 * refused before any session saw it.
 */
export function nodeOnly(node: Record<string, number>, sessions: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(node)) {
    const d = v - (sessions[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** UDP counters of the whole machine (/proc/net/snmp): datagrams the kernel dropped. */
export function kernelUdpDrops(): { rcvbufErrors: number; inErrors: number } | undefined {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp: '));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/).map(Number);
    const get = (name: string): number => values[names.indexOf(name)] ?? 0;
    return { rcvbufErrors: get('RcvbufErrors'), inErrors: get('InErrors') };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) since `base`. */
export function cpuSeconds(base: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(base);
  return (d.user + d.system) / 1e6;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

export function toHexString(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHexString(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
