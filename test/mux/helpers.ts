/**
 * Test helpers for the channel layer: an in-memory carrier pair on a SimClock (dhtnet's
 * ChannelSocketTest::link idea), managers over it, and drivers that move simulated time
 * while promises and stream callbacks run.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { SimClock, type Clock } from '../../src/io/index.ts';
import { generateKeyPair } from '../../src/crypto/index.ts';
import {
  ConnectionManager, type ChannelSocket, type MuxCarrier, type MuxCarrierEvents, type MuxConfig, type MuxConnector,
} from '../../src/mux/index.ts';

type Listeners = { [K in keyof MuxCarrierEvents]: Array<(v: MuxCarrierEvents[K]) => void> };

/** One end of an in-memory link: packets reach the other end `latencyMs` later, in order. */
export class MemoryCarrier implements MuxCarrier {
  peer!: MemoryCarrier;
  closed = false;
  queued = 0;
  needDrain = false;
  sent: Uint8Array[] = [];
  record = false;
  readonly #l: Listeners = { packet: [], drain: [], closed: [] };

  constructor(readonly friendKey: Uint8Array, readonly clock: Clock, readonly latencyMs: number, readonly highWater: number) {}

  send(packet: Uint8Array): boolean {
    if (this.closed) throw new Error('carrier closed');
    if (packet.length > 1373 || packet.length === 0) throw new Error(`bad packet size ${packet.length}`);
    const copy = Uint8Array.from(packet);
    if (this.record) this.sent.push(copy);
    this.queued++;
    this.clock.setTimer(this.latencyMs, () => {
      this.queued--;
      if (!this.peer.closed) this.peer.emit('packet', copy);
      if (this.needDrain && this.queued < this.highWater / 2 && !this.closed) {
        this.needDrain = false;
        this.emit('drain', undefined);
      }
    });
    const more = this.queued < this.highWater;
    if (!more) this.needDrain = true;
    return more;
  }

  on<K extends keyof MuxCarrierEvents>(event: K, listener: (value: MuxCarrierEvents[K]) => void): () => void {
    const list = this.#l[event] as Array<(v: MuxCarrierEvents[K]) => void>;
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<K extends keyof MuxCarrierEvents>(event: K, value: MuxCarrierEvents[K]): void {
    for (const l of [...(this.#l[event] as Array<(v: MuxCarrierEvents[K]) => void>)]) l(value);
  }

  /** Closes this end; the other end closes `latencyMs` later (as a dead link would be noticed). */
  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('closed', reason);
    this.clock.setTimer(this.latencyMs, () => this.peer.close(`peer: ${reason}`));
  }

  /** Injects a packet as if the peer had sent it. */
  inject(packet: Uint8Array): void {
    this.emit('packet', packet);
  }
}

export interface MemoryPeer {
  key: Uint8Array;
  manager: ConnectionManager;
  carrier: MemoryCarrier;
  /** Every channel the friend opened and we accepted (each with a no-op 'error' listener). */
  incoming: ChannelSocket[];
}

export interface MemoryPair {
  clock: SimClock;
  alice: MemoryPeer;
  bob: MemoryPeer;
}

/**
 * Alice and Bob, each with a manager, joined by a memory link that exists from the start
 * (the connector hands it out at once, and reports it through onCarrier).
 */
export function memoryPair(options: { latencyMs?: number; highWater?: number; config?: Partial<MuxConfig>; clock?: SimClock } = {}): MemoryPair {
  const clock = options.clock ?? new SimClock();
  const aKey = generateKeyPair().publicKey;
  const bKey = generateKeyPair().publicKey;
  const latency = options.latencyMs ?? 5;
  const hw = options.highWater ?? 256;
  const a = new MemoryCarrier(bKey, clock, latency, hw);
  const b = new MemoryCarrier(aKey, clock, latency, hw);
  a.peer = b;
  b.peer = a;
  const peer = (key: Uint8Array, carrier: MemoryCarrier): MemoryPeer => {
    const connector: MuxConnector = {
      connect: async () => {
        if (carrier.closed) throw new Error('link down');
        return carrier;
      },
      onCarrier: (listener) => {
        listener(carrier);
        return () => {};
      },
    };
    const manager = new ConnectionManager({ selfKey: key, connector, clock, config: options.config });
    manager.on('error', (e) => { throw e; });
    const incoming = keepIncoming(manager);
    return { key, manager, carrier, incoming };
  };
  return { clock, alice: peer(aKey, a), bob: peer(bKey, b) };
}

/** Keeps every socket the manager accepts, each with a no-op 'error' listener (tests look at errors themselves). */
export function keepIncoming(manager: ConnectionManager): ChannelSocket[] {
  const list: ChannelSocket[] = [];
  manager.on('channel', (s) => {
    s.on('error', () => {});
    list.push(s);
  });
  return list;
}

/** Moves simulated time in steps until `done()` or `limitMs` passed; returns whether done. */
export async function runUntil(clock: SimClock, done: () => boolean, limitMs = 60_000, stepMs = 5): Promise<boolean> {
  const end = clock.now() + limitMs;
  await clock.advanceAsync(0);
  while (!done() && clock.now() < end) await clock.advanceAsync(stepMs);
  return done();
}

/** Moves simulated time until `promise` settles (or `limitMs`); returns its value or throws its error. */
export async function settle<T>(clock: SimClock, promise: Promise<T>, limitMs = 60_000, stepMs = 5): Promise<T> {
  let state: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then((value) => { state = { ok: true, value }; }, (error: unknown) => { state = { ok: false, error }; });
  await runUntil(clock, () => state !== undefined, limitMs, stepMs);
  if (state === undefined) throw new Error(`did not settle within ${limitMs} ms simulated`);
  if (!state.ok) throw state.error;
  return state.value;
}

/** Collects what a readable gives, with its sha256, and how it ended. */
export class Sink {
  bytes = 0;
  readonly hash = createHash('sha256');
  ended = false;
  closed = false;
  error: Error | undefined;
  chunks: Buffer[] = [];

  constructor(stream: Duplex, keep = false) {
    stream.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.hash.update(chunk);
      if (keep) this.chunks.push(chunk);
    });
    stream.on('end', () => { this.ended = true; });
    stream.on('error', (e) => { this.error = e; });
    stream.on('close', () => { this.closed = true; });
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Deterministic bytes: `n` of them from `seed`, in chunks of `chunk`. */
export function* pattern(seed: number, n: number, chunk = 16 * 1024): Generator<Buffer> {
  let x = seed >>> 0 || 1;
  for (let at = 0; at < n; at += chunk) {
    const len = Math.min(chunk, n - at);
    const b = Buffer.allocUnsafe(len);
    for (let i = 0; i < len; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      b[i] = x & 0xff;
    }
    yield b;
  }
}

/** sha256 of `pattern(seed, n)`. */
export function patternDigest(seed: number, n: number): string {
  const h = createHash('sha256');
  for (const b of pattern(seed, n)) h.update(b);
  return h.digest('hex');
}

/**
 * Writes `pattern(seed, n)` to `stream` with backpressure (waits for 'drain'), then ends it
 * unless `end` is false. Progress is visible in `progress.sent`.
 */
export function writeAll(stream: Duplex, seed: number, n: number, end = true): { sent: number; done: Promise<void> } {
  const progress = { sent: 0, done: Promise.resolve() };
  progress.done = (async () => {
    for (const b of pattern(seed, n)) {
      if (stream.destroyed) throw new Error('destroyed while writing');
      progress.sent += b.length;
      if (!stream.write(b)) {
        await new Promise<void>((resolve, reject) => {
          const ok = () => { stream.off('close', bad); resolve(); };
          const bad = () => { stream.off('drain', ok); reject(new Error('closed while writing')); };
          stream.once('drain', ok);
          stream.once('close', bad);
        });
      }
    }
    if (end) stream.end();
  })();
  progress.done.catch(() => {});
  return progress;
}
