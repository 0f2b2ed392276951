/**
 * The client ends of bench/relay.ts: two toxlink TcpRelayClients routed to each other
 * through a relay on loopback, and the three measurements made between them (one-way
 * transfer, round trips, and the figures computed from them). Used for toxlink's relay and
 * for tox-bootstrapd's alike, so that the relay is the only thing that differs.
 *
 * @module
 */
import { generateKeyPair } from '../src/crypto/index.ts';
import { type Network, NodeNetwork, SystemClock } from '../src/io/index.ts';
import { type RelayEndpoint, TcpRelayClient } from '../src/relay/index.ts';

/** Two clients with an online route to each other. */
export interface RoutedPair {
  readonly a: TcpRelayClient;
  readonly b: TcpRelayClient;
  /** A's connection id for B, and B's for A. */
  readonly aToB: number;
  readonly bToA: number;
  close(): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds; rejects after `ms`. */
export async function until(what: string, condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

/** Connects two clients to `relay` and routes them to each other (at most `ms`). */
export async function routedPair(relay: RelayEndpoint, ms = 10_000, network: Network = new NodeNetwork()): Promise<RoutedPair> {
  const clock = new SystemClock();
  const ka = generateKeyPair();
  const kb = generateKeyPair();
  const a = new TcpRelayClient({ network, clock, keyPair: ka, relay });
  const b = new TcpRelayClient({ network, clock, keyPair: kb, relay });
  const close = (): void => {
    a.close();
    b.close();
  };
  try {
    a.on('connected', () => a.routingRequest(kb.publicKey));
    b.on('connected', () => b.routingRequest(ka.publicKey));
    await until('route online at both ends', () => a.route(kb.publicKey)?.online === true && b.route(ka.publicKey)?.online === true, ms);
  } catch (error) {
    close();
    throw error;
  }
  return { a, b, aToB: a.route(kb.publicKey)!.connectionId, bToA: b.route(ka.publicKey)!.connectionId, close };
}

/** What one transfer measured. */
export interface TransferReport {
  readonly payloadBytes: number;
  readonly seconds: number;
  readonly framesSent: number;
  /** Sends refused because A's socket was full (A then waited for drain). */
  readonly senderFull: number;
  readonly framesReceived: number;
  readonly bytesReceived: number;
  readonly framesPerSecond: number;
  readonly mbPerSecond: number;
  /** Frames sent but never received: dropped by the relay (or still in flight at the end). */
  readonly lost: number;
  /** Frames that arrived out of order (sequence number below one already seen). */
  readonly outOfOrder: number;
  /** The longest time with nothing arriving, from the first arrival to the end of the transfer. */
  readonly maxGapMs: number;
  /** Received frames per 0.5 s bucket, as MB/s. */
  readonly timelineMbS: number[];
}

/**
 * A keeps its socket full of `payloadBytes`-byte data frames for `seconds` (sendData until
 * it refuses, then wait for drain), or with `rateMbS` offers no more than that (checked
 * every millisecond or so); B counts what arrives. Each payload carries a 32-bit sequence
 * number. Waits up to 2 s after the end for frames in flight. The largest gap counts the
 * silence from the last arrival to the end of the window.
 */
export async function transfer(pair: RoutedPair, payloadBytes: number, seconds: number, rateMbS = Infinity): Promise<TransferReport> {
  const { a, b, aToB } = pair;
  const payload = new Uint8Array(payloadBytes);
  const view = new DataView(payload.buffer);
  let sent = 0;
  let full = 0;
  let received = 0;
  let bytes = 0;
  let highest = -1;
  let outOfOrder = 0;
  let first = 0;
  let last = 0;
  let maxGap = 0;
  const bucketMs = 500;
  const buckets: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  const off = b.on('data', (d) => {
    const now = performance.now();
    if (received === 0) first = now;
    else if (now - last > maxGap && now <= end) maxGap = now - last;
    last = now;
    received++;
    bytes += d.data.length;
    const seq = new DataView(d.data.buffer, d.data.byteOffset, d.data.byteLength).getUint32(0);
    if (seq < highest) outOfOrder++;
    else highest = seq;
    const bucket = Math.floor((now - start) / bucketMs);
    buckets[bucket] = (buckets[bucket] ?? 0) + d.data.length;
  });
  await new Promise<void>((resolve) => {
    let waiting = false;
    const pump = (): void => {
      waiting = false;
      // One write per burst, not one per frame (the relay client's cork).
      a.cork();
      try {
        burst();
      } finally {
        a.uncork();
      }
    };
    const burst = (): void => {
      for (let n = 0; n < 64; n++) {
        const now = performance.now();
        if (now >= end) {
          offDrain();
          resolve();
          return;
        }
        if (sent * payloadBytes > ((now - start) / 1000) * rateMbS * 1e6) {
          setTimeout(pump, 1);
          return;
        }
        view.setUint32(0, sent);
        if (!a.sendData(aToB, payload)) {
          full++;
          waiting = true;
          return;
        }
        sent++;
      }
      setImmediate(pump);
    };
    const offDrain = a.on('drain', () => {
      if (waiting) pump();
    });
    // A drain that never comes must not hang the bench.
    const guard = setInterval(() => {
      if (performance.now() >= end) {
        clearInterval(guard);
        offDrain();
        resolve();
      }
    }, 100);
    pump();
  });
  // A silence that lasts to the end of the window is a gap too.
  if (received > 0 && last < end) maxGap = Math.max(maxGap, end - last);
  const settle = performance.now() + 2000;
  while (received < sent && performance.now() < settle) await sleep(10);
  off();
  const elapsed = (Math.min(last, end) - start) / 1000 || seconds;
  const inWindow = buckets.slice(0, Math.ceil((seconds * 1000) / bucketMs)).reduce((x, y) => x + (y ?? 0), 0);
  return {
    payloadBytes,
    seconds: round(elapsed, 3),
    framesSent: sent,
    senderFull: full,
    framesReceived: received,
    bytesReceived: bytes,
    framesPerSecond: Math.round(inWindow / payloadBytes / seconds),
    mbPerSecond: round(inWindow / 1e6 / seconds, 3),
    lost: sent - received,
    outOfOrder,
    maxGapMs: round(first === 0 ? seconds * 1000 : maxGap, 2),
    timelineMbS: Array.from({ length: Math.ceil((seconds * 1000) / bucketMs) }, (_, i) => round((buckets[i] ?? 0) / 1e6 / (bucketMs / 1000), 2)),
  };
}

/** What the round trips measured, in ms. */
export interface RttReport {
  readonly count: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly over1ms: number;
  readonly lost: number;
}

/**
 * Ping-pong: A sends an 8-byte data frame, B echoes it from its listener, A sends the next
 * from its listener when the echo arrives; `count` round trips or `maxMs`, whichever first.
 * A round trip that takes longer than 2 s counts as lost and the next one starts.
 */
export async function roundTrips(pair: RoutedPair, count: number, maxMs: number): Promise<RttReport> {
  const { a, b, aToB, bToA } = pair;
  const times: number[] = [];
  let lost = 0;
  const offEcho = b.on('data', (d) => b.sendData(bToA, d.data));
  const deadline = performance.now() + maxMs;
  await new Promise<void>((resolve) => {
    let seq = 0;
    let sentAt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ping = (): void => {
      clearTimeout(timer);
      if (times.length + lost >= count || performance.now() >= deadline) {
        offPong();
        resolve();
        return;
      }
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setUint32(0, ++seq);
      sentAt = performance.now();
      a.sendData(aToB, payload);
      timer = setTimeout(() => {
        lost++;
        ping();
      }, 2000);
    };
    const offPong = a.on('data', (d) => {
      if (new DataView(d.data.buffer, d.data.byteOffset, d.data.byteLength).getUint32(0) !== seq) return;
      times.push(performance.now() - sentAt);
      ping();
    });
    ping();
  });
  offEcho();
  const sorted = [...times].sort((x, y) => x - y);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    count: times.length,
    medianMs: round(at(0.5), 4),
    p99Ms: round(at(0.99), 4),
    maxMs: round(sorted.at(-1) ?? NaN, 3),
    over1ms: times.filter((x) => x > 1).length,
    lost,
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
