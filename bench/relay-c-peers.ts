/**
 * The c-toxcore ends of bench/relay-c.ts: two C peers with UDP off
 * (test/interop/peer/toxpeer.c through ToxPeer, one process each), friends through one TCP
 * relay. A blasts custom lossless packets, B counts them (`count_lossless`) and echoes pings
 * (`echo_lossless`); A pings.
 *
 * @module
 */
import { ToxPeer } from '../test/interop/peer.ts';
import { round2 } from './netcrypto-end.ts';
import { killChild, trackChild } from './children.ts';

/** The first byte of the C peer's pings (its `echo_lossless` returns these). */
const PING_ID = 161;
const BUCKET_MS = 500;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A relay as the C peer is given it: host, port, upper-case hex key. */
export interface RelayAddress {
  readonly host: string;
  readonly port: number;
  readonly publicKey: string;
}

/** Two C peers with UDP off, friends through one relay. */
export interface CPair {
  readonly a: ToxPeer;
  readonly b: ToxPeer;
  /** B's friend number at A, and A's at B. */
  readonly friendOfA: number;
  readonly friendOfB: number;
  /** From adding each other to both friend connections up ('tcp'). */
  readonly connectMs: number;
  stop(): Promise<void>;
}

/**
 * Starts two C peers with UDP off, gives each only `relay` and the DHT node `bootstrap`,
 * makes them friends (no request) and waits until both see the friend connection up over
 * TCP (at most `timeoutMs`; they find each other's DHT keys through the onion, which they
 * reach through the relay). B counts lossless packets and echoes pings.
 */
export async function startCPair(name: string, relay: RelayAddress, bootstrap: RelayAddress & { udpPort: number }, timeoutMs: number): Promise<CPair> {
  const peers: ToxPeer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(peers.map(async (p) => {
      await p.quit().catch(() => undefined);
      killChild(p.pid);
    }));
  };
  try {
    for (const side of ['a', 'b']) {
      const p = await ToxPeer.start({ name: `${name}-${side}` });
      trackChild(p.pid, () => p.exited);
      peers.push(p);
    }
    const [a, b] = peers as [ToxPeer, ToxPeer];
    const idA = await a.create({ udp: false });
    const idB = await b.create({ udp: false, countLossless: true, echoLossless: true });
    for (const p of [a, b]) {
      await p.addTcpRelay(relay.host, relay.port, relay.publicKey);
      await p.bootstrap(bootstrap.host, bootstrap.udpPort, bootstrap.publicKey);
    }
    const start = performance.now();
    const friendOfA = await a.addFriendNoRequest(idB.publicKey);
    const friendOfB = await b.addFriendNoRequest(idA.publicKey);
    await Promise.all([
      a.waitFor('friend_connection', (e) => e.friend === friendOfA && e.status === 'tcp', timeoutMs),
      b.waitFor('friend_connection', (e) => e.friend === friendOfB && e.status === 'tcp', timeoutMs),
    ]);
    return { a, b, friendOfA, friendOfB, connectMs: Math.round(performance.now() - start), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What one blast measured at the receiving C peer. */
export interface CTransferReport {
  readonly mbPerSecond: number;
  /** The rate over the second half of the blast (c-toxcore ramps up from a fresh session). */
  readonly lastHalfMbPerSecond: number;
  readonly packetsPerSecond: number;
  readonly sentPackets: number;
  /** Sends toxcore refused (its send queue full: A iterated and tried again). */
  readonly refused: number;
  readonly receivedPackets: number;
  readonly receivedBytes: number;
  /** Sent but not received by the end of the blast (queued at A or in flight). */
  readonly notYetReceived: number;
  readonly elapsedMs: number;
  /** From the start of the blast to the first packet at B, ms (B's clock). */
  readonly firstPacketMs: number | null;
  /** The longest silence at B seen by a poll, from its first packet to the end of the blast. */
  readonly maxGapMs: number;
  /** How often B was asked (the silence is known to within this). */
  readonly pollMs: number;
  readonly polls: number;
  readonly timelineMbS: number[];
}

/**
 * A blasts 1373-byte custom lossless packets to B for `seconds` (toxpeer's `blast`: send
 * until toxcore refuses, iterate, again); meanwhile B's counts are read every `pollMs`.
 * The rate is what B counted by the time A's blast answered, over the blast's length.
 */
export async function cTransfer(pair: CPair, seconds: number, pollMs: number): Promise<CTransferReport> {
  const { a, b, friendOfA, friendOfB } = pair;
  await b.resetLosslessStats();
  const base = await b.losslessStats(friendOfB);
  const polls: Array<{ bytes: number; packets: number; lastMs: number; nowMs: number }> = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const s = await b.losslessStats(friendOfB);
      polls.push({ bytes: s.bytes, packets: s.packets, lastMs: s.lastMs, nowMs: s.nowMs });
      await sleep(pollMs);
    }
  })();
  let blast;
  try {
    blast = await a.blast(friendOfA, { seconds });
  } finally {
    polling = false;
    await poller.catch(() => undefined);
  }
  const end = await b.losslessStats(friendOfB);
  const windowEnd = base.nowMs + blast.elapsedMs;
  let maxGap = 0;
  for (const p of [...polls, { bytes: end.bytes, packets: end.packets, lastMs: end.lastMs, nowMs: end.nowMs }]) {
    if (p.packets === 0) continue;
    maxGap = Math.max(maxGap, Math.min(p.nowMs, windowEnd) - p.lastMs);
  }
  const buckets = Math.ceil(blast.elapsedMs / BUCKET_MS);
  const bytesAt = (t: number): number => {
    let bytes = 0;
    for (const p of polls) if (p.nowMs <= t) bytes = p.bytes;
    return bytes;
  };
  const timeline = Array.from({ length: buckets }, (_, i) =>
    round2((bytesAt(base.nowMs + (i + 1) * BUCKET_MS) - bytesAt(base.nowMs + i * BUCKET_MS)) / 1e6 / (BUCKET_MS / 1000)));
  const elapsed = blast.elapsedMs / 1000;
  return {
    mbPerSecond: round2(end.bytes / 1e6 / elapsed),
    lastHalfMbPerSecond: round2((end.bytes - bytesAt(base.nowMs + blast.elapsedMs / 2)) / 1e6 / (elapsed / 2)),
    packetsPerSecond: Math.round(end.packets / elapsed),
    sentPackets: blast.sentPackets,
    refused: blast.refused,
    receivedPackets: end.packets,
    receivedBytes: end.bytes,
    notYetReceived: blast.sentPackets - end.packets,
    elapsedMs: blast.elapsedMs,
    firstPacketMs: end.packets === 0 ? null : end.firstMs - base.nowMs,
    maxGapMs: end.packets === 0 ? blast.elapsedMs : maxGap,
    pollMs,
    polls: polls.length,
    timelineMbS: timeline,
  };
}

/** Round trips, ms. */
export interface RttSamples {
  readonly samples: number[];
  /** Pings with no echo within 2 s (the next one was sent then). */
  readonly lost: number;
}

/**
 * A sends an 8-byte ping (161, a 32-bit sequence number, zeros) as a custom lossless packet;
 * B's `echo_lossless` returns it from its callback; the next ping goes when the echo's
 * event reaches us. `count` round trips or `maxMs`. Each includes the JSON lines to and
 * from A, and whatever wait each peer's loop adds (they iterate at tox_iteration_interval).
 */
export async function cRoundTrips(pair: CPair, count: number, maxMs: number): Promise<RttSamples> {
  const { a, friendOfA } = pair;
  const samples: number[] = [];
  let lost = 0;
  const deadline = performance.now() + maxMs;
  for (let seq = 1; samples.length + lost < count && performance.now() < deadline; seq++) {
    const ping = Uint8Array.of(PING_ID, seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255, 0, 0, 0);
    const sentAt = performance.now();
    const echo = a.waitFor('lossless', (e) => e.friend === friendOfA && e.data.length === 8 && e.data[0] === PING_ID
      && new DataView(e.data.buffer, e.data.byteOffset).getUint32(1) === seq, 2000);
    try {
      await a.sendLossless(friendOfA, ping);
      await echo;
      samples.push(performance.now() - sentAt);
    } catch {
      await echo.catch(() => undefined);
      lost++;
    }
  }
  a.takeEvents();
  return { samples, lost };
}
