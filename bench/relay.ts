/**
 * TCP relay servers on loopback, toxlink's TcpRelayServer and c-toxcore 0.2.18's
 * tox-bootstrapd side by side, every figure measured in this same run. One JSON line per
 * figure on stdout: {name, impl, value, unit, ...}. MB = 1e6 bytes.
 *
 * Run: npm run bench    (or: node --import=tsx bench/relay.ts [seconds])
 *
 * `seconds` (default 5, at most 60) is the length of each transfer. Each relay runs alone
 * in its own process: toxlink's in a child (bench/relay-server.ts: NodeNetwork,
 * SystemClock, 127.0.0.1), tox-bootstrapd as test/interop/bootstrapd.ts starts it. The
 * clients are the same for both: two toxlink TcpRelayClients in this process, routed to
 * each other through the relay, so that the relay is the only thing that differs.
 *
 * Per relay, each on a fresh pair of clients:
 *   `rtt`             A sends an 8-byte data frame, B echoes it from its listener, A sends
 *                     the next when the echo arrives: 2000 round trips or 10 s. Median, p99,
 *                     max, and how many took over 1 ms.
 *   `transfer`        A keeps its socket full of data frames for `seconds` (sendData until it
 *                     refuses, then wait for drain), three runs, each on fresh clients (the
 *                     summary takes the median run), B counts: frames per second and MB/s over
 *                     the window, frames lost (toxlink's relay counts those it dropped for a
 *                     full socket, `relay_drops`), out of order, the longest silence at B
 *                     (`max_gap_ms`, to the end of the window: a stall) and the rate per
 *                     0.5 s. Twice: payload 1400 bytes (a net_crypto packet's size; MB/s) and
 *                     64 bytes (small frames; frames/s).
 *   `transfer_paced`  1400-byte frames offered at 2, 3, 4, 5, 6, 7, 8, 16, 32 and 64 MB/s for 3 s
 *                     each (A sends no faster, checking about every millisecond). A step is
 *                     `sustained` when nothing is lost, nothing stalls (a silence of 100 ms
 *                     or more) and at least 95 % of the offered load arrives. This finds
 *                     what tox-bootstrapd carries below the load at which it stops reading a
 *                     client (see spec/relay.md#measured-figures). Then 64-byte frames offered
 *                     at 10, 15, 20, 25, 30, 35, 40, 80 and 160 thousand frames/s, judged the
 *                     same way. (Above about 100,000 frames/s the paced sender itself, which
 *                     shares this process with the receiver, is the limit.)
 * Then `memory_per_client`: a fresh toxlink relay child, started with --expose-gc, and
 * 1,000 TcpRelayClients from this process, each connected and confirmed (its ping
 * answered): (heapUsed with them − heapUsed before) / 1000, both after a full GC, and the
 * same for RSS. For scale, tox-bootstrapd's RSS growth (VmRSS of its PID) with 1,000 such
 * clients.
 *
 * Goals (the issue's), stated as `goal_*` fields on the `summary` line: a small-frame RTT
 * through toxlink's relay under 1 ms (median; p99 given beside it), no stalls (no silence of
 * 100 ms or more in any of toxlink's transfers), and throughput at least 10 × tox-bootstrapd's
 * in the same run. The throughput goal is judged against the most tox-bootstrapd could have
 * carried: the lowest paced load above its best sustained step that it did not sustain
 * (`ratio_mb_s_vs_c_failed_above_best`; its ceiling lies between that and its best
 * sustained step, `ratio_mb_s_vs_c_best_paced`), not against its collapse under a full
 * socket (`ratio_mb_s`, also given). The sender corks its bursts (one write per burst of
 * up to 64 frames, `TcpRelayClient.cork`) for both relays alike. The clients are toxlink's for both relays, not
 * c-toxcore's. A section that fails prints a line with `error` and the rest still runs.
 * Every wait is bounded; every child is ended by its PID, on error too.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generateKeyPair } from '../src/crypto/index.ts';
import { NodeNetwork, SystemClock } from '../src/io/index.ts';
import { type RelayEndpoint, TcpRelayClient } from '../src/relay/index.ts';
import { fromHex } from '../src/wire/index.ts';
import { type Bootstrapd, startBootstrapd } from '../test/interop/bootstrapd.ts';
import { type RttReport, type TransferReport, roundTrips, round, routedPair, transfer, until } from './relay-end.ts';
import type { ServerReply, ServerRequest } from './relay-server.ts';
import { atExitUntil, killChild, trackChild, untrack, withTimeout } from './children.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(process.argv[2] ?? 5);
if (!(SECONDS > 0 && SECONDS <= 60)) {
  console.error('usage: node --import=tsx bench/relay.ts [seconds (0 < s <= 60, default 5)]');
  process.exit(2);
}
const RTT_COUNT = 2000;
const RTT_MAX_MS = 10_000;
const MEMORY_CLIENTS = 1000;
const CHILD_REPLY_TIMEOUT_MS = 30_000;
const STALL_MS = 100;
const GOAL_RTT_MS = 1;
const GOAL_THROUGHPUT_RATIO = 10;
/** Each saturating transfer is run this many times, on fresh clients; its figure is the median run. */
const RUNS = [1, 2, 3];
const BIG = 1400;
const SMALL = 64;
/** Offered loads of the paced transfers, MB/s. */
const PACED_RATES = [2, 3, 4, 5, 6, 7, 8, 16, 32, 64];
const PACED_SECONDS = 3;
/** Offered loads of the paced small-frame transfers, frames/s. */
const PACED_FRAME_RATES = [10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 80_000, 160_000];

type Line = Record<string, unknown>;

function emit(line: Line): void {
  console.log(JSON.stringify(line));
}

/** toxlink's relay in a child process. */
interface ServerChild {
  readonly pid: number;
  readonly endpoint: RelayEndpoint;
  ask<K extends 'stats' | 'heap'>(kind: K): Promise<Extract<ServerReply, { kind: K }>>;
  stop(): Promise<void>;
}

async function startServerChild(): Promise<ServerChild> {
  const child: ChildProcess = fork(join(here, 'relay-server.ts'), [], {
    execArgv: ['--import=tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (child.pid === undefined) throw new Error('no pid for the relay child');
  const pid = child.pid;
  trackChild(pid, () => child.exitCode !== null || child.signalCode !== null);
  const waiters = new Map<string, Array<(r: ServerReply) => void>>();
  child.on('message', (reply: ServerReply) => waiters.get(reply.kind)?.shift()?.(reply));
  const next = <K extends ServerReply['kind']>(kind: K): Promise<Extract<ServerReply, { kind: K }>> =>
    withTimeout(new Promise((resolve) => {
      const list = waiters.get(kind) ?? [];
      list.push(resolve as (r: ServerReply) => void);
      waiters.set(kind, list);
    }), CHILD_REPLY_TIMEOUT_MS, `relay child ${kind}`);
  try {
    const ready = await next('ready');
    return {
      pid,
      endpoint: { address: { host: '127.0.0.1', port: ready.port }, publicKey: fromHex(ready.publicKey) },
      ask: (kind) => {
        const reply = next(kind);
        child.send({ kind } satisfies ServerRequest);
        return reply as never;
      },
      stop: async () => {
        if (child.exitCode === null) {
          child.send({ kind: 'stop' } satisfies ServerRequest);
          await withTimeout(new Promise((resolve) => child.once('exit', resolve)), 5000, 'relay child exit').catch(() => undefined);
        }
        killChild(pid);
      },
    };
  } catch (error) {
    killChild(pid);
    throw error;
  }
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

// ───────────────────────────── rtt and transfers through one relay ─────────────────────────────

interface RelayFigures {
  rtt?: RttReport;
  /** The saturating transfers, each run; the figure is the median run. */
  bigRuns?: TransferReport[];
  smallRuns?: TransferReport[];
  big?: TransferReport;
  small?: TransferReport;
  /** The best paced transfer it sustained: no frame lost, no stall, at least 95 % of the offered load. */
  bestPaced?: number;
  /** The same for small frames, in frames/s. */
  bestPacedFrames?: number;
  /** Each paced step (1400-byte frames): offered MB/s, and whether it was sustained. */
  paced: Array<{ offered: number; kept: boolean }>;
  /** The longest silence in any of its transfers. */
  maxGapMs?: number;
}

/** A paced transfer the relay kept up with. */
function sustained(r: TransferReport, offered: number): boolean {
  return r.lost === 0 && r.maxGapMs < STALL_MS && r.mbPerSecond >= 0.95 * offered;
}

async function measure(impl: string, endpoint: RelayEndpoint, relayDrops: () => Promise<number | undefined>): Promise<RelayFigures> {
  const figures: RelayFigures = { paced: [] };
  const base = { impl, relay: impl === 'toxlink' ? 'TcpRelayServer (child process)' : 'tox-bootstrapd 0.2.18', clients: 'toxlink TcpRelayClient ×2, this process' };
  const sections: Array<[string, (pair: Awaited<ReturnType<typeof routedPair>>) => Promise<void>]> = [
    ['rtt', async (pair) => {
      const r = await roundTrips(pair, RTT_COUNT, RTT_MAX_MS);
      figures.rtt = r;
      emit({ name: 'rtt', ...base, payload_bytes: 8, value: r.medianMs, unit: 'ms', median_ms: r.medianMs, p99_ms: r.p99Ms, max_ms: r.maxMs, over_1ms: r.over1ms, round_trips: r.count, lost: r.lost });
    }],
    ...[BIG, SMALL].flatMap((size) => RUNS.map((run) => [`transfer ${size} run ${run}`, async (pair: Awaited<ReturnType<typeof routedPair>>) => {
      const before = await relayDrops();
      const r = await transfer(pair, size, SECONDS);
      const after = await relayDrops();
      figures.maxGapMs = Math.max(figures.maxGapMs ?? 0, r.maxGapMs);
      const runs = size === BIG ? (figures.bigRuns ??= []) : (figures.smallRuns ??= []);
      runs.push(r);
      emit({
        name: 'transfer', ...base, payload_bytes: size, seconds: SECONDS, run, of_runs: RUNS.length,
        value: size === BIG ? r.mbPerSecond : r.framesPerSecond, unit: size === BIG ? 'MB/s' : 'frames/s',
        mb_s: r.mbPerSecond, frames_s: r.framesPerSecond, frames_sent: r.framesSent, frames_received: r.framesReceived,
        lost: r.lost, relay_drops: before === undefined || after === undefined ? null : after - before, out_of_order: r.outOfOrder,
        sender_waited_for_drain: r.senderFull, max_gap_ms: r.maxGapMs, timeline_mb_s: r.timelineMbS,
      });
    }] as [string, (pair: Awaited<ReturnType<typeof routedPair>>) => Promise<void>])),
    ...PACED_RATES.map((rate) => [`transfer_paced ${rate}`, async (pair: Awaited<ReturnType<typeof routedPair>>) => {
      const before = await relayDrops();
      const r = await transfer(pair, BIG, PACED_SECONDS, rate);
      const after = await relayDrops();
      const kept = sustained(r, rate);
      figures.maxGapMs = Math.max(figures.maxGapMs ?? 0, r.maxGapMs);
      if (kept) figures.bestPaced = Math.max(figures.bestPaced ?? 0, r.mbPerSecond);
      figures.paced.push({ offered: rate, kept });
      emit({
        name: 'transfer_paced', ...base, payload_bytes: BIG, seconds: PACED_SECONDS, offered_mb_s: rate,
        value: r.mbPerSecond, unit: 'MB/s', sustained: kept, frames_sent: r.framesSent, frames_received: r.framesReceived,
        lost: r.lost, relay_drops: before === undefined || after === undefined ? null : after - before,
        max_gap_ms: r.maxGapMs, timeline_mb_s: r.timelineMbS,
      });
    }] as [string, (pair: Awaited<ReturnType<typeof routedPair>>) => Promise<void>]),
    ...PACED_FRAME_RATES.map((rate) => [`transfer_paced_small ${rate}`, async (pair: Awaited<ReturnType<typeof routedPair>>) => {
      const before = await relayDrops();
      const offered = (rate * SMALL) / 1e6;
      const r = await transfer(pair, SMALL, PACED_SECONDS, offered);
      const after = await relayDrops();
      const kept = sustained(r, offered);
      figures.maxGapMs = Math.max(figures.maxGapMs ?? 0, r.maxGapMs);
      if (kept) figures.bestPacedFrames = Math.max(figures.bestPacedFrames ?? 0, r.framesPerSecond);
      emit({
        name: 'transfer_paced', ...base, payload_bytes: SMALL, seconds: PACED_SECONDS, offered_frames_s: rate,
        value: r.framesPerSecond, unit: 'frames/s', sustained: kept, frames_sent: r.framesSent, frames_received: r.framesReceived,
        lost: r.lost, relay_drops: before === undefined || after === undefined ? null : after - before,
        max_gap_ms: r.maxGapMs, timeline_mb_s: r.timelineMbS,
      });
    }] as [string, (pair: Awaited<ReturnType<typeof routedPair>>) => Promise<void>]),
  ];
  for (const [what, run] of sections) {
    let pair: Awaited<ReturnType<typeof routedPair>> | undefined;
    try {
      pair = await routedPair(endpoint, 20_000);
      await withTimeout(run(pair), (SECONDS + RTT_MAX_MS / 1000 + 30) * 1000, `${impl} ${what}`);
    } catch (error) {
      emit({ name: what.split(' ')[0], ...base, error: (error as Error).message });
    } finally {
      pair?.close();
    }
  }
  figures.big = medianRun(figures.bigRuns, (r) => r.mbPerSecond);
  figures.small = medianRun(figures.smallRuns, (r) => r.framesPerSecond);
  return figures;
}

function medianRun(runs: TransferReport[] | undefined, by: (r: TransferReport) => number): TransferReport | undefined {
  if (runs === undefined || runs.length === 0) return undefined;
  return [...runs].sort((x, y) => by(x) - by(y))[Math.floor((runs.length - 1) / 2)];
}


// ───────────────────────────── memory at 1,000 clients ─────────────────────────────

async function connectClients(endpoint: RelayEndpoint, n: number): Promise<TcpRelayClient[]> {
  const network = new NodeNetwork();
  const clock = new SystemClock();
  const clients: TcpRelayClient[] = [];
  let pongs = 0;
  for (let i = 0; i < n; i += 100) {
    for (let j = i; j < Math.min(n, i + 100); j++) {
      const c = new TcpRelayClient({ network, clock, keyPair: generateKeyPair(), relay: endpoint });
      c.on('pong', () => pongs++);
      clients.push(c);
    }
    await until(`${Math.min(n, i + 100)} clients pinged back`, () => pongs >= Math.min(n, i + 100), 20_000);
  }
  return clients;
}

interface MemoryFigures {
  heapPerClient?: number;
  rssPerClient?: number;
  bootstrapdRssPerClient?: number;
}

async function memory(bootstrapd: Bootstrapd | undefined): Promise<MemoryFigures> {
  const out: MemoryFigures = {};
  let server: ServerChild | undefined;
  let clients: TcpRelayClient[] = [];
  try {
    server = await startServerChild();
    // Warm the code paths once, so that what is compiled is not counted as per-client memory.
    const warm = await connectClients(server.endpoint, 50);
    for (const c of warm) c.close();
    await until('warm-up clients gone', () => false, 500).catch(() => undefined);
    const before = await server.ask('heap');
    clients = await connectClients(server.endpoint, MEMORY_CLIENTS);
    const srv = server;
    await until('relay confirmed every client', () => false, 200).catch(() => undefined);
    const after = await srv.ask('heap');
    out.heapPerClient = Math.round((after.heapUsed - before.heapUsed) / MEMORY_CLIENTS);
    out.rssPerClient = Math.round((after.rss - before.rss) / MEMORY_CLIENTS);
    emit({
      name: 'memory_per_client', impl: 'toxlink', relay: 'TcpRelayServer (child process, --expose-gc)', clients: MEMORY_CLIENTS,
      value: out.heapPerClient, unit: 'bytes', heap_per_client: out.heapPerClient, rss_per_client: out.rssPerClient,
      confirmed_clients: after.clients, heap_before: before.heapUsed, heap_after: after.heapUsed, rss_before: before.rss, rss_after: after.rss,
    });
  } catch (error) {
    emit({ name: 'memory_per_client', impl: 'toxlink', error: (error as Error).message });
  } finally {
    for (const c of clients) c.close();
    await server?.stop();
  }
  if (bootstrapd === undefined) return out;
  clients = [];
  try {
    const endpoint: RelayEndpoint = { address: { host: bootstrapd.host, port: bootstrapd.tcpPort }, publicKey: fromHex(bootstrapd.publicKey.toLowerCase()) };
    const warm = await connectClients(endpoint, 50);
    for (const c of warm) c.close();
    await until('warm-up clients gone', () => false, 500).catch(() => undefined);
    const before = rssOf(bootstrapd.pid);
    clients = await connectClients(endpoint, MEMORY_CLIENTS);
    const after = rssOf(bootstrapd.pid);
    out.bootstrapdRssPerClient = Math.round((after - before) / MEMORY_CLIENTS);
    emit({
      name: 'memory_per_client', impl: 'c-toxcore', relay: 'tox-bootstrapd 0.2.18', clients: MEMORY_CLIENTS,
      value: out.bootstrapdRssPerClient, unit: 'bytes', rss_per_client: out.bootstrapdRssPerClient, rss_before: before, rss_after: after,
      note: 'VmRSS growth of the daemon; c-toxcore has no GC heap to measure',
    });
  } catch (error) {
    emit({ name: 'memory_per_client', impl: 'c-toxcore', error: (error as Error).message });
  } finally {
    for (const c of clients) c.close();
  }
  return out;
}

// ───────────────────────────── the run ─────────────────────────────

async function main(): Promise<void> {
  let toxlink: RelayFigures = { paced: [] };
  let c: RelayFigures = { paced: [] };
  let server: ServerChild | undefined;
  try {
    server = await startServerChild();
    const srv = server;
    toxlink = await measure('toxlink', srv.endpoint, async () => {
      const s = await srv.ask('stats');
      const dropped = s.stats['dropped'] as Record<string, number>;
      return dropped['send-buffer-full'] ?? 0;
    });
  } catch (error) {
    emit({ name: 'relay', impl: 'toxlink', error: (error as Error).message });
  } finally {
    await server?.stop();
  }

  let bootstrapd: Bootstrapd | undefined;
  try {
    bootstrapd = await startBootstrapd();
    const started = bootstrapd;
    atExitUntil(started, () => process.kill(started.pid, 'SIGKILL'));
    const endpoint: RelayEndpoint = { address: { host: bootstrapd.host, port: bootstrapd.tcpPort }, publicKey: fromHex(bootstrapd.publicKey.toLowerCase()) };
    c = await measure('c-toxcore', endpoint, async () => undefined);
  } catch (error) {
    emit({ name: 'relay', impl: 'c-toxcore', error: (error as Error).message });
  }

  let mem: MemoryFigures = {};
  try {
    mem = await memory(bootstrapd);
  } finally {
    if (bootstrapd !== undefined) {
      await bootstrapd.stop().catch(() => undefined);
      untrack(bootstrapd);
    }
  }

  const ratio = (x: number | undefined, y: number | undefined): number | null =>
    x === undefined || y === undefined || y === 0 ? null : round(x / y, 1);
  const maxGap = toxlink.maxGapMs ?? Infinity;
  // The most tox-bootstrapd could have carried: the lowest offered load above its best
  // sustained step that it did not sustain (its ceiling lies below that).
  const cBestOffered = Math.max(0, ...c.paced.filter((p) => p.kept).map((p) => p.offered));
  const cCeiling = Math.min(Infinity, ...c.paced.filter((p) => !p.kept && p.offered > cBestOffered).map((p) => p.offered));
  const cFirstFailed = Number.isFinite(cCeiling) ? cCeiling : undefined;
  emit({
    name: 'summary',
    seconds: SECONDS,
    toxlink_rtt_median_ms: toxlink.rtt?.medianMs ?? null,
    toxlink_rtt_p99_ms: toxlink.rtt?.p99Ms ?? null,
    c_toxcore_rtt_median_ms: c.rtt?.medianMs ?? null,
    toxlink_mb_s: toxlink.big?.mbPerSecond ?? null,
    c_toxcore_mb_s: c.big?.mbPerSecond ?? null,
    ratio_mb_s: ratio(toxlink.big?.mbPerSecond, c.big?.mbPerSecond),
    toxlink_best_paced_mb_s: toxlink.bestPaced ?? null,
    c_toxcore_best_paced_mb_s: c.bestPaced ?? null,
    ratio_mb_s_vs_c_best_paced: ratio(toxlink.big?.mbPerSecond, c.bestPaced),
    c_toxcore_failed_above_best_mb_s: cFirstFailed ?? null,
    ratio_mb_s_vs_c_failed_above_best: ratio(toxlink.big?.mbPerSecond, cFirstFailed),
    toxlink_frames_s: toxlink.small?.framesPerSecond ?? null,
    c_toxcore_frames_s: c.small?.framesPerSecond ?? null,
    ratio_frames_s: ratio(toxlink.small?.framesPerSecond, c.small?.framesPerSecond),
    toxlink_best_paced_frames_s: toxlink.bestPacedFrames ?? null,
    c_toxcore_best_paced_frames_s: c.bestPacedFrames ?? null,
    ratio_frames_s_vs_c_best_paced: ratio(toxlink.small?.framesPerSecond, c.bestPacedFrames),
    toxlink_max_gap_ms: Number.isFinite(maxGap) ? maxGap : null,
    c_toxcore_max_gap_ms: c.maxGapMs ?? null,
    toxlink_heap_per_client: mem.heapPerClient ?? null,
    toxlink_rss_per_client: mem.rssPerClient ?? null,
    c_toxcore_rss_per_client: mem.bootstrapdRssPerClient ?? null,
    goal_rtt_under_1ms: toxlink.rtt === undefined ? null : toxlink.rtt.medianMs < GOAL_RTT_MS,
    goal_no_stall: Number.isFinite(maxGap) ? maxGap < STALL_MS : null,
    // Judged against the most tox-bootstrapd could have carried (see cFirstFailed), not its
    // collapse under a full socket.
    goal_throughput_10x: ratio(toxlink.big?.mbPerSecond, cFirstFailed) === null ? null
      : toxlink.big!.mbPerSecond >= GOAL_THROUGHPUT_RATIO * cFirstFailed!,
  });
}

await main().catch((error: unknown) => {
  emit({ name: 'bench', error: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
});
process.exit();
