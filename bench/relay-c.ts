/**
 * What c-toxcore clients get through a TCP relay, against what toxlink gets, in one run on
 * loopback. One JSON line per figure on stdout: {name, impl, relay, value, unit, ...};
 * MB = 1e6 bytes. The last line is the `summary`, with the ratios and the issue's goals.
 *
 * Run: npm run bench    (or: node --import=tsx bench/relay-c.ts [seconds])
 *
 * `seconds` (default 10, at most 30) is the length of each transfer. One tox-bootstrapd
 * 0.2.18 (test/interop/bootstrapd.ts: DHT node, onion node and TCP relay) and one toxlink
 * relay in a child process (bench/relay-server.ts --onion: NodeNetwork, SystemClock,
 * 127.0.0.1, with its UDP onion hop) serve three pairs of clients:
 *
 *   (a) `c-toxcore via tox-bootstrapd`  two C peers (test/interop/peer/toxpeer.c, one
 *       process each) with UDP off, given only tox-bootstrapd's relay;
 *   (b) `c-toxcore via toxlink`  two more such C peers, given only toxlink's relay;
 *   (c) `toxlink via toxlink`  two toxlink ends, each a TcpRelayClient with a NetCrypto node
 *       on top (bench/relay-c-ends.ts), given toxlink's relay: mode `one-process` with both
 *       in this process (one event loop), mode `two-process` with the receiver in a child
 *       (bench/relay-c-receiver.ts), as each C peer has its own process.
 *
 * The C peers bootstrap from tox-bootstrapd and find each other through the onion, which
 * they reach through their relay (both pairs at once, before anything is measured; all four
 * stay up, idle, while the others are measured). Their friend connection comes up as 'tcp'.
 * Then, per pair, on the same session:
 *
 *   `rtt`       8-byte lossless pings (161, sequence number), echoed by the other end, the
 *               next sent when the echo is back. C peers: B echoes from its callback
 *               (`echo_lossless`), A's event reaches us as a JSON line; at most 300 round
 *               trips or 8 s, each including both peers' loops (they iterate at
 *               tox_iteration_interval) and the pipes to A. toxlink: 2000 or 10 s.
 *   `transfer`  1373-byte custom lossless packets (160, sequence number) for `seconds`,
 *               counted at the receiver. C peers: A's `blast` (send until toxcore refuses,
 *               iterate, again), B counts (`count_lossless`), read every 20 ms for the
 *               timeline and the longest silence (known to within the poll). toxlink: the
 *               sender keeps its queue full (bench/netcrypto-end.ts `pushFor`), the
 *               receiver's listener counts. `max_gap_ms` is the longest silence at the
 *               receiver from its first packet to the end of the transfer; `relay_drops` the
 *               frames toxlink's relay dropped for a full socket meanwhile; `last_half_mb_s`
 *               the rate over the second half (c-toxcore ramps up from a fresh session for
 *               seconds, so the whole-transfer rate depends on `seconds`).
 *
 * Summary: throughput ratios (c)/(a) and (b)/(a). The goals are judged on (c) two-process
 * (the like-for-like arrangement; `goals_one_process` gives the same for one-process):
 * `goal_throughput_10x` (at least 10 × (a)), `goal_rtt_under_1ms` (its median),
 * `goal_no_stall` (no silence of 100 ms or more at its receiver, nor of 1 s or more at the
 * C receiver of (b): a C peer hands over packets once per loop, so its receiver sees gaps of
 * its iteration interval whatever the relay does).
 *
 * The toxlink ends send as the relay manager does (routed, else out of band; a frame the
 * client's full socket refuses is dropped, net_crypto recovers it), so what net_crypto's
 * loss recovery does over a relay shows in these figures: see spec/relay.md#measured-figures.
 *
 * A section that fails prints a line with `error` and the rest still runs.
 * Every wait is bounded; every child and the daemon are ended by their pid, on error too.
 *
 * @module
 */
import { type Bootstrapd, startBootstrapd } from '../test/interop/bootstrapd.ts';
import { cToxcoreAvailable } from '../test/interop/build.ts';
import { pingPong, pushFor, round2, round4, rttFigures } from './netcrypto-end.ts';
import { type RelayChild, startRelayChild } from './relay-child.ts';
import { type CPair, type CTransferReport, type RelayAddress, cRoundTrips, cTransfer, startCPair } from './relay-c-peers.ts';
import { type ToxlinkSession, toxlinkSession } from './relay-c-ends.ts';
import { atExitUntil, untrack, withTimeout } from './children.ts';

const SECONDS = Number(process.argv[2] ?? 10);
if (!(SECONDS > 0 && SECONDS <= 30)) {
  console.error('usage: node --import=tsx bench/relay-c.ts [seconds (0 < s <= 30, default 10)]');
  process.exit(2);
}
const FRIEND_TIMEOUT_MS = 90_000;
const SESSION_TIMEOUT_MS = 20_000;
const C_RTT_COUNT = 300;
const C_RTT_MAX_MS = 8_000;
const RTT_COUNT = 2000;
const RTT_MAX_MS = 10_000;
const POLL_MS = 20;
const STALL_MS = 100;
const C_STALL_MS = 1000;
const GOAL_RTT_MS = 1;
const GOAL_RATIO = 10;
const SECTION_LIMIT_MS = (SECONDS + 60) * 1000;

type Line = Record<string, unknown>;

function emit(line: Line): void {
  console.log(JSON.stringify(line));
}

/** What one pair measured. */
interface Figures {
  rttMedianMs?: number;
  rttP99Ms?: number;
  mbPerSecond?: number;
  /** Over the second half of the transfer. */
  lastHalfMbPerSecond?: number;
  maxGapMs?: number;
}

function rttFields(samples: number[]): Line {
  const f = rttFigures(samples);
  return {
    value: f?.median ?? null, unit: 'ms', payload_bytes: 8, median_ms: f?.median ?? null, p99_ms: f?.p99 ?? null,
    min_ms: f?.min ?? null, max_ms: f?.max ?? null, round_trips: samples.length, over_1ms: samples.filter((x) => x > 1).length,
  };
}

async function relayCounters(relay: RelayChild | undefined): Promise<{ drops: number; relayed: number } | undefined> {
  if (relay === undefined) return undefined;
  const s = await relay.stats();
  return { drops: (s['dropped'] as Record<string, number>)['send-buffer-full'] ?? 0, relayed: Number(s['dataRelayed']) };
}

/** (a) and (b): the round trips, then the blast, between two C peers. */
async function measureC(impl: string, relayName: string, pair: CPair, relay: RelayChild | undefined): Promise<Figures> {
  const figures: Figures = {};
  const base = { impl, relay: relayName, clients: 'c-toxcore 0.2.18 toxpeer ×2, UDP off, one process each', connect_ms: pair.connectMs };
  try {
    const r = await withTimeout(cRoundTrips(pair, C_RTT_COUNT, C_RTT_MAX_MS), SECTION_LIMIT_MS, `${impl} rtt`);
    const fields = rttFields(r.samples);
    figures.rttMedianMs = (fields['median_ms'] as number | null) ?? undefined;
    figures.rttP99Ms = (fields['p99_ms'] as number | null) ?? undefined;
    emit({ name: 'rtt', ...base, ...fields, lost: r.lost });
  } catch (error) {
    emit({ name: 'rtt', ...base, error: (error as Error).message.slice(0, 1500) });
  }
  try {
    const before = await relayCounters(relay);
    const t: CTransferReport = await withTimeout(cTransfer(pair, SECONDS, POLL_MS), SECTION_LIMIT_MS, `${impl} transfer`);
    const after = await relayCounters(relay);
    figures.mbPerSecond = t.mbPerSecond;
    figures.lastHalfMbPerSecond = t.lastHalfMbPerSecond;
    figures.maxGapMs = t.maxGapMs;
    emit({
      name: 'transfer', ...base, payload_bytes: 1373, seconds: SECONDS, value: t.mbPerSecond, unit: 'MB/s', last_half_mb_s: t.lastHalfMbPerSecond,
      packets_s: t.packetsPerSecond, sent_packets: t.sentPackets, sender_refused: t.refused, received_packets: t.receivedPackets,
      not_yet_received: t.notYetReceived, elapsed_ms: t.elapsedMs, first_packet_ms: t.firstPacketMs,
      max_gap_ms: t.maxGapMs, gap_known_to_ms: t.pollMs, polls: t.polls,
      relay_data_frames: before === undefined || after === undefined ? null : after.relayed - before.relayed,
      relay_drops: before === undefined || after === undefined ? null : after.drops - before.drops,
      timeline_mb_s: t.timelineMbS,
    });
  } catch (error) {
    emit({ name: 'transfer', ...base, error: (error as Error).message.slice(0, 1500) });
  }
  return figures;
}

/**
 * (c): a toxlink session through toxlink's relay, the receiver here (`one-process`) or in a
 * child (`two-process`): round trips on the idle session, then a transfer.
 */
async function measureToxlink(relay: RelayChild, mode: 'one-process' | 'two-process'): Promise<Figures> {
  const figures: Figures = {};
  const base = {
    impl: 'toxlink', relay: 'toxlink TcpRelayServer (child process)', mode,
    clients: `toxlink TcpRelayClient + NetCrypto ×2, ${mode === 'one-process' ? 'both in this process' : 'the receiver in a child process'}`,
  };
  let session: ToxlinkSession | undefined;
  try {
    session = await toxlinkSession(relay.endpoint, relay.publicKeyHex, mode === 'two-process', SESSION_TIMEOUT_MS);
    const { conn, receiver, sender } = session;
    const r = await withTimeout(pingPong(conn, RTT_COUNT, RTT_MAX_MS), SECTION_LIMIT_MS, 'toxlink rtt');
    const fields = rttFields(r.samples);
    figures.rttMedianMs = (fields['median_ms'] as number | null) ?? undefined;
    figures.rttP99Ms = (fields['p99_ms'] as number | null) ?? undefined;
    emit({ name: 'rtt', ...base, ...fields, connect_ms: session.connectMs, mismatched: r.mismatched, ...(r.error === undefined ? {} : { error: r.error }) });

    const before = await relayCounters(relay);
    const sent0 = conn.stats.packetsSent - conn.stats.requestsSent - conn.stats.lossySent;
    await receiver.begin();
    const push = await withTimeout(pushFor(conn, SECONDS), SECTION_LIMIT_MS, 'toxlink transfer');
    const rx = await receiver.end();
    const after = await relayCounters(relay);
    const sent = conn.stats.packetsSent - conn.stats.requestsSent - conn.stats.lossySent - sent0;
    figures.mbPerSecond = round2(rx.count.bytes / 1e6 / rx.count.seconds);
    const secondHalf = rx.count.timeline.slice(Math.floor(rx.count.timeline.length / 2));
    figures.lastHalfMbPerSecond = round2(secondHalf.reduce((x, y) => x + y, 0) / Math.max(1, secondHalf.length));
    figures.maxGapMs = rx.count.maxGapMs;
    emit({
      name: 'transfer', ...base, payload_bytes: 1373, seconds: round4(rx.count.seconds), value: figures.mbPerSecond, unit: 'MB/s',
      last_half_mb_s: figures.lastHalfMbPerSecond,
      packets_s: Math.round(rx.count.packets / rx.count.seconds), queued_packets: push.queued, sent_packets: sent,
      received_packets: rx.count.packets, duplicates_received: rx.duplicates, out_of_order: rx.count.outOfOrder,
      first_packet_ms: rx.count.firstPacketMs, max_gap_ms: rx.count.maxGapMs, max_gap_at_ms: rx.count.maxGapAtMs,
      sender_waits: push.waits, sender_max_wait_ms: push.maxWaitMs,
      relay_data_frames: before === undefined || after === undefined ? null : after.relayed - before.relayed,
      relay_drops: before === undefined || after === undefined ? null : after.drops - before.drops,
      sender_client_drops: { ...sender.client.stats.dropped.toJSON() }, errors: [...sender.errors, ...rx.errors].slice(0, 5),
      timeline_mb_s: rx.count.timeline, ...(push.error === undefined ? {} : { error: push.error }),
    });
  } catch (error) {
    emit({ name: 'toxlink', ...base, error: (error as Error).message.slice(0, 1500) });
  } finally {
    await session?.close();
  }
  return figures;
}

async function main(): Promise<void> {
  const available = cToxcoreAvailable();
  if (!available.ok) {
    emit({ name: 'relay-c', skipped: available.why });
    return;
  }
  let bootstrapd: Bootstrapd | undefined;
  let relay: RelayChild | undefined;
  const pairs: CPair[] = [];
  let a: Figures = {};
  let b: Figures = {};
  let c1: Figures = {};
  let c2: Figures = {};
  try {
    bootstrapd = await startBootstrapd();
    const started = bootstrapd;
    atExitUntil(started, () => process.kill(started.pid, 'SIGKILL'));
    relay = await startRelayChild(['--onion']);
    const dht = { host: '127.0.0.1', port: bootstrapd.tcpPort, udpPort: bootstrapd.udpPort, publicKey: bootstrapd.publicKey };
    const viaBootstrapd: RelayAddress = { host: '127.0.0.1', port: bootstrapd.tcpPort, publicKey: bootstrapd.publicKey };
    const viaToxlink: RelayAddress = { host: '127.0.0.1', port: relay.endpoint.address.port, publicKey: relay.publicKeyHex };
    const [pa, pb] = await Promise.allSettled([
      startCPair('c-via-bootstrapd', viaBootstrapd, dht, FRIEND_TIMEOUT_MS),
      startCPair('c-via-toxlink', viaToxlink, dht, FRIEND_TIMEOUT_MS),
    ]);
    for (const p of [pa, pb]) if (p.status === 'fulfilled') pairs.push(p.value);
    if (pa.status === 'fulfilled') a = await measureC('c-toxcore', 'tox-bootstrapd 0.2.18', pa.value, undefined);
    else emit({ name: 'c-pair', impl: 'c-toxcore', relay: 'tox-bootstrapd 0.2.18', error: String(pa.reason).slice(0, 1500) });
    if (pb.status === 'fulfilled') b = await measureC('c-toxcore', 'toxlink TcpRelayServer (child process)', pb.value, relay);
    else emit({ name: 'c-pair', impl: 'c-toxcore', relay: 'toxlink TcpRelayServer (child process)', error: String(pb.reason).slice(0, 1500) });
    c1 = await measureToxlink(relay, 'one-process');
    c2 = await measureToxlink(relay, 'two-process');
  } catch (error) {
    emit({ name: 'relay-c', error: (error as Error).stack ?? String(error) });
  } finally {
    await Promise.all(pairs.map((p) => p.stop()));
    await relay?.stop();
    if (bootstrapd !== undefined) {
      await bootstrapd.stop().catch(() => undefined);
      untrack(bootstrapd);
    }
  }

  const ratio = (x: number | undefined, y: number | undefined): number | null =>
    x === undefined || y === undefined || y === 0 ? null : round2(x / y);
  const goals = (t: Figures): Line => {
    const r = ratio(t.mbPerSecond, a.mbPerSecond);
    return {
      throughput_10x: r === null ? null : r >= GOAL_RATIO,
      rtt_under_1ms: t.rttMedianMs === undefined ? null : t.rttMedianMs < GOAL_RTT_MS,
      no_stall: t.maxGapMs === undefined || b.maxGapMs === undefined ? null : t.maxGapMs < STALL_MS && b.maxGapMs < C_STALL_MS,
    };
  };
  const two = goals(c2);
  emit({
    name: 'summary',
    seconds: SECONDS,
    c_via_bootstrapd_mb_s: a.mbPerSecond ?? null,
    c_via_toxlink_mb_s: b.mbPerSecond ?? null,
    toxlink_via_toxlink_mb_s: c2.mbPerSecond ?? null,
    toxlink_via_toxlink_one_process_mb_s: c1.mbPerSecond ?? null,
    ratio_toxlink_vs_c_via_bootstrapd: ratio(c2.mbPerSecond, a.mbPerSecond),
    ratio_toxlink_one_process_vs_c_via_bootstrapd: ratio(c1.mbPerSecond, a.mbPerSecond),
    ratio_c_via_toxlink_vs_c_via_bootstrapd: ratio(b.mbPerSecond, a.mbPerSecond),
    c_via_bootstrapd_last_half_mb_s: a.lastHalfMbPerSecond ?? null,
    c_via_toxlink_last_half_mb_s: b.lastHalfMbPerSecond ?? null,
    toxlink_via_toxlink_last_half_mb_s: c2.lastHalfMbPerSecond ?? null,
    ratio_last_half_toxlink_vs_c_via_bootstrapd: ratio(c2.lastHalfMbPerSecond, a.lastHalfMbPerSecond),
    c_via_bootstrapd_rtt_median_ms: a.rttMedianMs ?? null,
    c_via_toxlink_rtt_median_ms: b.rttMedianMs ?? null,
    toxlink_via_toxlink_rtt_median_ms: c2.rttMedianMs ?? null,
    toxlink_via_toxlink_rtt_p99_ms: c2.rttP99Ms ?? null,
    toxlink_via_toxlink_one_process_rtt_median_ms: c1.rttMedianMs ?? null,
    c_via_bootstrapd_max_gap_ms: a.maxGapMs ?? null,
    c_via_toxlink_max_gap_ms: b.maxGapMs ?? null,
    toxlink_via_toxlink_max_gap_ms: c2.maxGapMs ?? null,
    toxlink_via_toxlink_one_process_max_gap_ms: c1.maxGapMs ?? null,
    goal_throughput_10x: two['throughput_10x'],
    goal_rtt_under_1ms: two['rtt_under_1ms'],
    goal_no_stall: two['no_stall'],
    goals_one_process: goals(c1),
  });
}

await main().catch((error: unknown) => {
  emit({ name: 'relay-c', error: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
});
process.exit();
