/**
 * The channel layer measured side by side, in one run. One JSON line per figure on stdout
 * ({name, impl, ..., value, unit}, with the 1-minute load average); the last line is the
 * `summary`, with the goals of issue 8.
 *
 * Run: npm run bench    (or: node --import=tsx bench/mux.ts [--source] [--alone] [--runs=N])
 * `--alone` runs only part 1 (the multiplexers over the in-memory link, about 30 s);
 * `--runs=N` repeats each figure N times instead of 3 (the median is still `value`).
 *
 * Part 1, the multiplexers alone (bench/mux-alone.ts, bench/mux-impls.ts): toxlink's
 * channel layer, @chainsafe/libp2p-yamux 7.0.4, protomux 3.12.1 and multiplex 6.7.0, each
 * over the same in-memory link (bench/mux-link.ts: ordered chunks, 256 KiB in flight each
 * way, one batch per event-loop turn). toxlink sends its real packets (at most 1373 bytes,
 * net_crypto's lossless payload); the others send the frames they make of a 64 KiB write
 * (each line says which). The throughput figures also run yamux with `maxMessageSize` set
 * so that each of its frames fits one 1373-byte Tox packet (`(Tox packet size)`): what yamux
 * would move if it were carried over Tox as toxlink is, and the like-for-like comparison;
 * the summary judges the throughput goal against both. After three warm-up transfers each
 * (1, 100 and 1 channels) and a round of 1,000 opens each way, none of them reported,
 * figure by figure, every multiplexer in turn, three rounds (the median is `value`, every
 * run is on the line):
 *   `mux-throughput`  128 MB over 1 channel, and over 100 channels at once; also MB per
 *                     CPU second of this process, which other work moves less than the clock
 *   `mux-opens`       1,000 opens one after another, and 1,000 at once; also CPU µs per open
 *   `mux-memory`      per open idle channel, both ends, 1,000 channels, each multiplexer in
 *                     a fresh child process (bench/mux-memory.ts); one run
 *   `mux-head-of-line` one channel's reader paused while another moves 64 MB: the paused
 *                     channel's backlog (the largest of the rounds), and the other's speed
 *                     against its speed alone on a fresh pair just before
 * toxlink runs with maxPendingOpens and maxPendingAccepts 1024 for the 1,000 opens at once
 * (the defaults allow 64); everything else is its default. toxlink and the harness around
 * every multiplexer run as plain JavaScript (bench/compiled.ts: tsx's name-keeping
 * wrappers would cost toxlink a property table per closure); `--source` runs them as tsx
 * runs src/ instead.
 *
 * Part 2, the seed's job over loopback UDP (bench/mux-files.ts): Alice sends Bob two files
 * on two channels right after Bob comes online, two files of 10 MB and then two of 100 MB;
 * toxlink (two NetCrypto nodes in this process), and c-toxcore 0.2.18's own file transfer
 * between two C peers (bench/c/filetransfer-bench.c, built on first use). `files` lines.
 *
 * The machine may be shared with other work: figures move by tens of percent from run to
 * run (the load average is on every line). Every wait is bounded; the C and memory
 * children are ended by their pids (bench/children.ts). A section that fails prints a line
 * with `error` and the rest still runs. About 75 seconds in all (the C pairs take 10 s each
 * to connect).
 *
 * @module
 */
import { loadavg } from 'node:os';
import { cToxcoreAvailable } from '../test/interop/build.ts';
import { loadHarness, loadToxlink, type Harness, type Toxlink } from './compiled.ts';
import type { HeadOfLineFigure } from './mux-alone.ts';
import type { MuxerKind } from './mux-impls.ts';
import { memoryInChild } from './mux-memory.ts';
import { cFiles, toxlinkFiles, type FilesFigure } from './mux-files.ts';

type Line = Record<string, unknown>;
const MB = 1e6;
const THROUGHPUT_BYTES = 128 * MB;
const HOL_BYTES = 64 * MB;
const HOL_CAP = 256 * MB;
const OPENS = 1000;
const IDLE_CHANNELS = 1000;
const RUNS = ((): number => {
  const arg = process.argv.find((a) => a.startsWith('--runs='));
  const n = arg === undefined ? 3 : Number(arg.slice('--runs='.length));
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`--runs takes 1 to 99, got ${arg}`);
  return n;
})();
const ALONE_ONLY = process.argv.includes('--alone');
const FILE_SIZES = [10 * MB, 100 * MB];
/** toxlink's receive window and writable high-water mark (the defaults), and the bench's write size. */
const TOXLINK_WINDOW = 256 * 1024;
const TOXLINK_BOUND = TOXLINK_WINDOW + 64 * 1024 + 64 * 1024;
const BUILD: 'compiled' | 'source' = process.argv.includes('--source') ? 'source' : 'compiled';

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function emit(line: Line): void {
  console.log(JSON.stringify({ ...line, loadavg_1m: round(loadavg()[0]!) }));
}

function failed(name: string, impl: string, error: unknown, extra: Line = {}): void {
  emit({ name, impl, ...extra, error: String((error as Error)?.stack ?? error).slice(0, 1500) });
}

/** `fn` for every multiplexer, one after another; the figures by impl (those that did not fail). */
async function each<T>(kinds: readonly MuxerKind[], name: string, fn: (kind: MuxerKind, index: number) => Promise<T>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (const [index, kind] of kinds.entries()) {
    try {
      out.set(kind.impl, await fn(kind, index));
    } catch (error) {
      failed(name, kind.impl, error);
    }
  }
  return out;
}

/** `RUNS` rounds of `fn` over every multiplexer in turn (so that each figure sees the same machine); the runs by impl. */
async function rounds<T>(kinds: readonly MuxerKind[], name: string, fn: (kind: MuxerKind) => Promise<T>): Promise<Map<string, T[]>> {
  const out = new Map<string, T[]>(kinds.map((k) => [k.impl, []]));
  for (let run = 0; run < RUNS; run++) {
    const got = await each(kinds, name, fn);
    for (const [impl, v] of got) out.get(impl)!.push(v);
  }
  for (const [impl, v] of [...out]) if (v.length === 0) out.delete(impl);
  return out;
}

async function alone(t: Toxlink, h: Harness, summary: Line): Promise<void> {
  const { headOfLine, opens, throughput } = h.alone;
  const kinds = h.impls.muxers(t);
  const [toxlink, yamux, protomux] = kinds.map((k) => k.impl) as [string, string, string];
  // Throughput also for yamux held to frames that fit a Tox packet, as toxlink's must.
  const tputKinds = [...kinds, h.impls.yamuxPacketKind];
  const yamuxPacket = h.impls.yamuxPacketKind.impl;
  // Warm-up, not reported: the JIT takes a few transfers to settle, for every one of them.
  for (const channels of [1, 100, 1]) await each(tputKinds, 'mux-warm-up', (kind) => throughput(kind, channels, 64 * MB));
  const tput = async (channels: number): Promise<Map<string, number>> => {
    const runs = await rounds(tputKinds, 'mux-throughput', (kind) => throughput(kind, channels, THROUGHPUT_BYTES));
    const out = new Map<string, number>();
    for (const kind of tputKinds) {
      const r = runs.get(kind.impl);
      if (r === undefined) continue;
      const value = median(r.map((f) => f.mbPerS));
      out.set(kind.impl, value);
      emit({
        name: 'mux-throughput', impl: kind.impl, channels, value, unit: 'MB/s', runs_mb_s: r.map((f) => f.mbPerS),
        mb_per_cpu_s: median(r.map((f) => round(f.bytes / MB / f.cpuS, 1))), bytes: THROUGHPUT_BYTES, complete: r.every((f) => f.complete), frames: kind.frames,
      });
    }
    return out;
  };
  const t1 = await tput(1);
  const t100 = await tput(100);
  const opensFigure = async (concurrent: boolean): Promise<Map<string, number>> => {
    const runs = await rounds(kinds, 'mux-opens', (kind) => opens(kind, OPENS, concurrent));
    const out = new Map<string, number>();
    for (const kind of kinds) {
      const r = runs.get(kind.impl);
      if (r === undefined) continue;
      const value = median(r.map((f) => f.perS));
      out.set(kind.impl, value);
      emit({
        name: 'mux-opens', impl: kind.impl, mode: concurrent ? 'concurrent' : 'sequential', value, unit: 'opens/s', runs_per_s: r.map((f) => f.perS),
        cpu_us_per_open: median(r.map((f) => f.cpuUs)), count: OPENS, open_is: kind.openIs,
      });
    }
    return out;
  };
  // Warm-up, not reported: the first rounds of opens run at a third of the speed of later
  // ones while the JIT compiles the open path, for every one of them.
  for (const concurrent of [false, true]) await each(kinds, 'mux-warm-up', (kind) => opens(kind, OPENS, concurrent));
  const seq = await opensFigure(false);
  const conc = await opensFigure(true);
  const mem = await each(kinds, 'mux-memory', async (kind, index) => {
    const bytes = await memoryInChild(index, t.build, IDLE_CHANNELS);
    emit({ name: 'mux-memory', impl: kind.impl, value: round(bytes / 1024, 1), unit: 'KiB per idle channel (both ends)', channels: IDLE_CHANNELS, note: 'heap and array buffers after a full GC, in a fresh child process' });
    return bytes;
  });
  const holRuns = await rounds(kinds, 'mux-head-of-line', (kind) => headOfLine(kind, HOL_BYTES, HOL_CAP));
  const hol = new Map<string, HeadOfLineFigure>();
  for (const kind of kinds) {
    const r = holRuns.get(kind.impl);
    if (r === undefined) continue;
    const ratios = r.map((f) => round(f.otherMbPerS / f.aloneMbPerS));
    const mid = r[ratios.indexOf(median(ratios))] ?? r[0]!;
    hol.set(kind.impl, { ...mid, backlogBytes: Math.max(...r.map((f) => f.backlogBytes)) });
    emit({
      name: 'mux-head-of-line', impl: kind.impl, value: Math.max(...r.map((f) => f.backlogBytes)), unit: 'bytes of backlog on the paused channel (largest of the runs)',
      paused_held_bytes: Math.max(...r.map((f) => f.heldBytes ?? NaN)), other_speed_ratio: median(ratios), runs_other_speed_ratio: ratios,
      other_mb_s: mid.otherMbPerS, other_alone_mb_s: mid.aloneMbPerS, other_done: r.every((f) => f.otherDone),
      other_bytes: mid.otherBytes, other_total: HOL_BYTES, seconds: mid.seconds, paused_writer_cap: HOL_CAP, window: kind.window,
    });
  }
  const ge = (m: Map<string, number>, a: string, b: string): boolean | undefined =>
    m.has(a) && m.has(b) ? m.get(a)! >= m.get(b)! : undefined;
  summary['toxlink_build'] = t.build;
  summary['throughput_1ch_mb_s'] = Object.fromEntries(t1);
  summary['throughput_100ch_mb_s'] = Object.fromEntries(t100);
  summary['opens_sequential_per_s'] = Object.fromEntries(seq);
  summary['opens_concurrent_per_s'] = Object.fromEntries(conc);
  summary['memory_kib_per_channel'] = Object.fromEntries([...mem].map(([k, v]) => [k, round(v / 1024, 1)]));
  summary['paused_backlog_bytes'] = Object.fromEntries([...hol].map(([k, v]) => [k, v.backlogBytes]));
  summary['goal_throughput_1ch_ge_yamux'] = ge(t1, toxlink, yamux);
  summary['goal_throughput_100ch_ge_yamux'] = ge(t100, toxlink, yamux);
  summary['goal_throughput_1ch_ge_yamux_at_tox_packet_size'] = ge(t1, toxlink, yamuxPacket);
  summary['goal_throughput_100ch_ge_yamux_at_tox_packet_size'] = ge(t100, toxlink, yamuxPacket);
  summary['goal_opens_sequential_ge_protomux'] = ge(seq, toxlink, protomux);
  summary['goal_opens_concurrent_ge_protomux'] = ge(conc, toxlink, protomux);
  summary['goal_memory_le_protomux'] = mem.has(toxlink) && mem.has(protomux) ? mem.get(toxlink)! <= mem.get(protomux)! : undefined;
  const th = hol.get(toxlink);
  summary['goal_paused_backlog_bounded_by_window'] = th === undefined ? undefined
    : (th.heldBytes ?? Infinity) <= TOXLINK_WINDOW && th.backlogBytes <= TOXLINK_BOUND && th.otherDone;
}

async function files(t: Toxlink, summary: Line): Promise<void> {
  const available = cToxcoreAvailable();
  const pairs: Array<{ size: number; toxlink?: FilesFigure; c?: FilesFigure }> = [];
  for (const size of FILE_SIZES) {
    const pair: { size: number; toxlink?: FilesFigure; c?: FilesFigure } = { size };
    pairs.push(pair);
    try {
      pair.toxlink = await toxlinkFiles(t, size, 60_000);
      emit({ name: 'files', ...pair.toxlink });
    } catch (error) {
      failed('files', 'toxlink', error, { size_bytes: size });
    }
    if (!available.ok) {
      emit({ name: 'files', impl: 'c-toxcore 0.2.18', size_bytes: size, skipped: available.why });
      continue;
    }
    try {
      const c = await cFiles(size, 120_000);
      if ('error' in c) failed('files', 'c-toxcore 0.2.18', c.error, { size_bytes: size });
      else {
        pair.c = c;
        emit({ ...c, name: 'files' });
      }
    } catch (error) {
      failed('files', 'c-toxcore 0.2.18', error, { size_bytes: size });
    }
  }
  const spread = (f: FilesFigure): number => (f.second_done_s - f.first_done_s) / f.second_done_s;
  for (const { size, toxlink, c } of pairs) {
    const key = `${size / MB}mb`;
    if (toxlink !== undefined) {
      summary[`files_${key}_toxlink_s`] = toxlink.seconds;
      summary[`files_${key}_toxlink_finish_spread`] = round(spread(toxlink), 3);
    }
    if (c !== undefined) {
      summary[`files_${key}_c_toxcore_s`] = c.seconds;
      summary[`files_${key}_c_toxcore_other_at_first`] = round(c.other_at_first_bytes / size, 3);
    }
    if (toxlink !== undefined && c !== undefined) summary[`files_${key}_times_sooner`] = round(c.seconds / toxlink.seconds);
  }
  const [small, large] = pairs;
  if (small?.toxlink !== undefined && small.c !== undefined) {
    summary['goal_10mb_pair_5x_sooner_under_1.7s'] = small.c.seconds / small.toxlink.seconds >= 5 && small.toxlink.seconds < 1.7;
  }
  if (large?.toxlink !== undefined && large.c !== undefined) summary['goal_100mb_pair_2x_sooner'] = large.c.seconds / large.toxlink.seconds >= 2;
  const runs = pairs.flatMap((p) => (p.toxlink === undefined ? [] : [p.toxlink]));
  if (runs.length > 0) summary['goal_channels_finish_within_10pct'] = runs.every((f) => spread(f) <= 0.1);
}

async function main(): Promise<void> {
  const wall = performance.now();
  const summary: Line = { name: 'summary', note: 'wall-clock figures on a machine that may be shared with other work' };
  const t = await loadToxlink(BUILD);
  const h = await loadHarness(BUILD);
  try {
    await alone(t, h, summary);
  } catch (error) {
    failed('mux', 'all', error);
  }
  if (!ALONE_ONLY) {
    try {
      await files(t, summary);
    } catch (error) {
      failed('files', 'all', error);
    }
  }
  summary['wall_s'] = round((performance.now() - wall) / 1000, 0);
  emit(summary);
}

await main();
process.exit(0);
