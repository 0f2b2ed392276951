/**
 * The figures of the multiplexers alone (bench/mux.ts, first part), each on a fresh
 * in-memory link (bench/mux-link.ts) and a fresh pair of ends:
 *
 *   throughput   `total` bytes over 1 channel, or split over 100 channels at once, written
 *                in 64 KiB writes with backpressure; MB/s from the first write to the last
 *                byte read (MB = 1e6 bytes).
 *   opens        1,000 opens one after another (each waited for), and 1,000 at once; opens
 *                per second. An open is done when both ends hold the channel: one way for
 *                yamux and multiplex (the opener does not wait), a round trip for toxlink
 *                and protomux (the opener hears the acceptor's answer).
 *   memory       heap and array buffers after a full GC, with 1,000 idle channels open
 *                minus with none; per channel, both ends together (they share the process).
 *   head-of-line channel A's reader never reads while its writer writes all it may (at most
 *                `cap`), and channel B streams `total`: A's backlog (bytes its writer got rid
 *                of; none was read), what of it waits at the reader's end where the
 *                multiplexer says, and B's speed against B alone on a fresh pair just before.
 *
 * Every wait is bounded (`TRANSFER_LIMIT_MS`); a transfer that stops moving for a while is
 * reported as not complete rather than waited for.
 *
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { BenchChannel, BenchMuxer, MuxerKind, Progress } from './mux-impls.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1e6;
const CHUNK = Buffer.alloc(64 * 1024, 0x5a);
/** Longest wait for any one transfer (real time). */
const TRANSFER_LIMIT_MS = 30_000;

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const progress = (): Progress => ({ accepted: 0, read: 0 });

/** Waits until `done()`, or until nothing moved (`moved()` the same) for `quietMs`, or `limitMs`. */
async function waitFor(done: () => boolean, moved: () => number, quietMs: number, limitMs: number): Promise<boolean> {
  const start = performance.now();
  let last = moved();
  let lastAt = start;
  while (!done()) {
    const now = performance.now();
    if (now - start > limitMs) return false;
    const m = moved();
    if (m !== last) {
      last = m;
      lastAt = now;
    } else if (now - lastAt > quietMs) return false;
    await sleep(2);
  }
  return true;
}

/** `promise`, or an error naming `what` after `TRANSFER_LIMIT_MS`. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${TRANSFER_LIMIT_MS} ms`)), TRANSFER_LIMIT_MS);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens `n` channels at once (bounded in time). */
function openMany(m: { open(): Promise<BenchChannel> }, n: number): Promise<BenchChannel[]> {
  return bounded(Promise.all(Array.from({ length: n }, () => m.open())), `${n} opens`);
}

export interface ThroughputFigure {
  mbPerS: number;
  seconds: number;
  bytes: number;
  complete: boolean;
  /** CPU seconds this process used meanwhile (both ends): less moved by other work on the machine than the wall clock. */
  cpuS: number;
}

/** CPU seconds used since `start` (a `process.cpuUsage()`). */
function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

/** `total` bytes over `channels` channels at once. */
export async function throughput(kind: MuxerKind, channels: number, total: number): Promise<ThroughputFigure> {
  const m = kind.make();
  try {
    const open = await openMany(m, channels);
    const per = Math.floor(total / channels);
    const ps = open.map(progress);
    const cpu = process.cpuUsage();
    const start = performance.now();
    let done = 0;
    open.forEach((c, i) => void c.read(per, ps[i]!).then(() => { done++; }));
    open.forEach((c, i) => void c.write(per, CHUNK, ps[i]!));
    const complete = await waitFor(() => done === channels, () => ps.reduce((a, p) => a + p.read, 0), 5_000, TRANSFER_LIMIT_MS);
    const seconds = (performance.now() - start) / 1000;
    const cpuS = cpuSince(cpu);
    const bytes = ps.reduce((a, p) => a + p.read, 0);
    return { mbPerS: round(bytes / MB / seconds), seconds: round(seconds, 3), bytes, complete, cpuS: round(cpuS, 3) };
  } finally {
    await m.close();
  }
}

/** Opens per second (`count` one after another, or all at once), and CPU microseconds per open. */
export async function opens(kind: MuxerKind, count: number, concurrent: boolean): Promise<{ perS: number; cpuUs: number }> {
  const m = kind.make();
  try {
    await m.open(); // the first open sets up what every later one shares
    const cpu = process.cpuUsage();
    const start = performance.now();
    if (concurrent) await openMany(m, count);
    else for (let i = 0; i < count; i++) await bounded(m.open(), 'an open');
    const seconds = (performance.now() - start) / 1000;
    return { perS: round(count / seconds, 0), cpuUs: round((cpuSince(cpu) * 1e6) / count, 1) };
  } finally {
    await m.close();
  }
}

function usedMemory(): number {
  gc();
  gc();
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
}

/** Bytes per open idle channel, both ends together. */
export async function memoryPerChannel(kind: MuxerKind, count: number): Promise<number> {
  const m = kind.make();
  try {
    const warm = await openMany(m, 8);
    await sleep(20);
    const before = usedMemory();
    const held = await openMany(m, count);
    await sleep(20);
    const after = usedMemory();
    if (held.length + warm.length === 0) throw new Error('unreachable');
    return (after - before) / count;
  } finally {
    await m.close();
  }
}

export interface HeadOfLineFigure {
  /** Bytes the paused channel's writer got rid of (none were read). */
  backlogBytes: number;
  /** Of those, what waits at the reader's end, where the multiplexer says. */
  heldBytes: number | undefined;
  /** The other channel's speed while A is paused, MB/s. */
  otherMbPerS: number;
  /** The same channel's speed on a fresh pair with no paused channel, measured just before, MB/s. */
  aloneMbPerS: number;
  /** Whether the other channel moved all of `total`. */
  otherDone: boolean;
  otherBytes: number;
  seconds: number;
}

/** Channel B moves `total`, beside channel A if `a` is given; resolves with B's bytes, seconds and whether it finished. */
async function streamBeside(m: BenchMuxer, total: number, pausedCap: number | undefined, signal: AbortSignal): Promise<{ b: Progress; a: Progress; aChannel: BenchChannel | undefined; seconds: number; done: boolean }> {
  const pa = progress();
  const pb = progress();
  // Both open before A writes: a multiplexer that stalls behind A could not open B after.
  const aChannel = pausedCap === undefined ? undefined : await bounded(m.open(), 'opening the paused channel');
  const b = await bounded(m.open(), 'opening the other channel');
  if (aChannel !== undefined) void aChannel.write(pausedCap!, CHUNK, pa, signal);
  await sleep(10);
  const start = performance.now();
  let finished = false;
  void b.read(total, pb).then(() => { finished = true; });
  void b.write(total, CHUNK, pb, signal);
  const done = await waitFor(() => finished, () => pb.read, 1_000, TRANSFER_LIMIT_MS);
  return { b: pb, a: pa, aChannel, seconds: (performance.now() - start) / 1000, done };
}

/**
 * Channel A's reader paused (it never reads) while its writer writes all it may, at most
 * `cap`, and channel B streams `total`; and B alone on a fresh pair just before (the
 * second of two such runs), for the speed it keeps.
 */
export async function headOfLine(kind: MuxerKind, total: number, cap: number): Promise<HeadOfLineFigure> {
  const stop = new AbortController();
  let aloneMbPerS = 0;
  // B alone, twice (the second one counts: the first may still be warming up).
  for (let i = 0; i < 2; i++) {
    const alone = kind.make();
    try {
      const r = await streamBeside(alone, total, undefined, stop.signal);
      aloneMbPerS = round(r.b.read / MB / r.seconds);
    } finally {
      await alone.close();
    }
  }
  const m = kind.make();
  try {
    const r = await streamBeside(m, total, cap, stop.signal);
    return {
      backlogBytes: r.a.accepted - r.a.read,
      heldBytes: r.aChannel!.held(),
      otherMbPerS: round(r.b.read / MB / r.seconds),
      aloneMbPerS,
      otherDone: r.done,
      otherBytes: r.b.read,
      seconds: round(r.seconds, 3),
    };
  } finally {
    stop.abort();
    await m.close();
  }
}
