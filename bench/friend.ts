/**
 * How fast friends come online, and what an idle friend costs, toxlink and c-toxcore 0.2.18
 * side by side in one run on one loopback Tox network. One JSON line per figure on stdout:
 * {name, ..., value, unit}; the last line is the `summary`, with the goals.
 *
 * Run: npm run bench    (or: node --import=tsx bench/friend.ts [runs (1..5, default 2)] [--only=connect|idle])
 *
 * `--only=idle` runs the `friend-idle` section alone (about 6 minutes); `--only=connect` the
 * connect times alone. With `FRIEND_HUB_PROF=<dir>` in the environment the toxlink hub child
 * writes a V8 CPU profile of each measurement window to <dir>/measure-<n>.cpuprofile; with
 * `FRIEND_HUB_SNAPSHOT=<dir>` it writes a heap snapshot after each measurement with friends online.
 *
 * The network: one tox-bootstrapd (test/interop/bootstrapd.ts) and two background C peers
 * (test/interop/peer/toxpeer.c), up for the whole run.
 *
 *   `friend-connect`   (bench/friend-pairs.ts) per pairing and run: two friends started at
 *                      once, ms from the start until each sees the other online
 *                      (`connect_ms`), then one of them restarted with a new DHT key, ms from
 *                      the restart until both see it online again (`restart_ms`).
 *                      Pairings: toxlink↔toxlink, toxlink↔c-toxcore (the toxlink side
 *                      restarts), c-toxcore↔c-toxcore.
 *   `friend-idle`      a toxlink node (ToxNode and Messenger) alone in a child process
 *                      (bench/friend-hub.ts), measured idle over 60 s with 500 friends online
 *                      (from 10 s after the last came online)
 *                      (light friends in another child, bench/friend-lights.ts), and over the
 *                      10 s after 500 offline friends (keys nobody runs) were added, while
 *                      their onion searches start (`just_added_…`), and over 20 s from 60 s
 *                      after they were added, the searches settled (`settled_offline_…`): datagrams per second per
 *                      friend, CPU per second, and heap per friend (after a full GC, minus
 *                      the node with no friend). For scale, a C peer with 500 offline
 *                      friends, the same windows: RSS growth per friend and CPU per second
 *                      (c-toxcore has no GC heap). Then, like for like, a C peer with 500
 *                      ONLINE friends (the same light friends): CPU per second over 60 s from
 *                      10 s after the last came online, and RSS growth per friend.
 *
 * The machine may be shared: wall-clock figures are noisy. Every wait is bounded; every child
 * and the daemon are ended by their pid, on error too (bench/children.ts). A section that
 * fails prints a line with `error` and the rest still runs.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generateKeyPair } from '../src/crypto/index.ts';
import { toHex } from '../src/wire/index.ts';
import { type Bootstrapd, startBootstrapd } from '../test/interop/bootstrapd.ts';
import { cToxcoreAvailable } from '../test/interop/build.ts';
import { type BootNode, type PairFigures, cPair, mixedPair, startC, stopC, toxlinkPair } from './friend-pairs.ts';
import type { HubMeasure, HubReply, HubRequest } from './friend-hub.ts';
import type { LightsReply, LightsRequest } from './friend-lights.ts';
import { atExitUntil, killChild, trackChild, untrack, withTimeout } from './children.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const FRIENDS = 500;
const REPLY_TIMEOUT_MS = 120_000; // more than the longest measurement window
const ONLINE_LIMIT_MS = 60_000;
const GOAL_MS = 3_000;
/**
 * The online idle window: a whole 60 s DHT ping cycle (the friends' close nodes are pinged
 * every 60 s, in a burst, since all 500 came at once), so a window does not land on or off it.
 */
const ONLINE_WINDOW_S = 60;
/** Offline friends: how long after the 10 s just-added window the settled window starts (50 s: 60 s after adding), and its length. */
const SETTLE_S = 50;
const SETTLED_WINDOW_S = 20;

const onlyArg = process.argv.slice(2).find((a) => a.startsWith('--only='));
const ONLY = onlyArg?.slice('--only='.length);
const runsArg = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '2';
const RUNS = Number(runsArg);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 5 || (ONLY !== undefined && ONLY !== 'connect' && ONLY !== 'idle')) {
  console.error('usage: node --import=tsx bench/friend.ts [runs (1..5, default 2)] [--only=connect|idle]');
  process.exit(2);
}

type Line = Record<string, unknown>;
function emit(line: Line): void {
  console.log(JSON.stringify(line));
}
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A forked child speaking typed IPC, tracked until stopped. */
function forkChild<Req, Rep extends { kind: string }>(file: string, args: readonly string[], execArgv: readonly string[]) {
  const child: ChildProcess = fork(join(here, file), [...args], { execArgv: ['--import=tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid === undefined) throw new Error(`no pid for ${file}`);
  const pid = child.pid;
  trackChild(pid, () => child.exitCode !== null || child.signalCode !== null);
  const waiters = new Map<string, Array<(r: Rep) => void>>();
  child.on('message', (reply: Rep) => {
    if (reply.kind === 'error') console.error(`${file}: ${(reply as unknown as { message: string }).message}`);
    waiters.get(reply.kind)?.shift()?.(reply);
  });
  const next = <K extends Rep['kind']>(kind: K): Promise<Extract<Rep, { kind: K }>> =>
    withTimeout(new Promise((resolve) => {
      const list = waiters.get(kind) ?? [];
      list.push(resolve as (r: Rep) => void);
      waiters.set(kind, list);
    }), REPLY_TIMEOUT_MS, `${file} '${kind}'`);
  return {
    next,
    ask: <K extends Rep['kind']>(request: Req, kind: K): Promise<Extract<Rep, { kind: K }>> => {
      const reply = next(kind);
      child.send(request as object);
      return reply;
    },
    tell: (request: Req): void => void child.send(request as object),
    stop: async (request: Req): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null && child.connected) {
        child.send(request as object);
        await withTimeout(new Promise((resolve) => child.once('exit', resolve)), 5_000, `${file} exit`).catch(() => undefined);
      }
      killChild(pid);
    },
  };
}

// ─── Connect times ───────────────────────────────────────────────────────────

async function connectTimes(boot: BootNode): Promise<Map<string, PairFigures[]>> {
  const pairings: Array<[string, (b: BootNode) => Promise<PairFigures>]> = [
    ['toxlink↔toxlink', toxlinkPair], ['toxlink↔c-toxcore', mixedPair], ['c-toxcore↔c-toxcore', cPair],
  ];
  const figures = new Map<string, PairFigures[]>(pairings.map(([p]) => [p, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const [pair, measure] of pairings) {
      try {
        const f = await measure(boot);
        figures.get(pair)!.push(f);
        emit({ name: 'friend-connect', pair, run, connect_ms: round(f.connectMs, 0), restart_ms: round(f.restartMs, 0), unit: 'ms' });
      } catch (error) {
        emit({ name: 'friend-connect', pair, run, error: String((error as Error).message).slice(0, 1500) });
      }
    }
  }
  return figures;
}

// ─── Idle cost and memory ────────────────────────────────────────────────────

/** /proc figures of a process: RSS bytes and CPU seconds. */
function procOf(pid: number): { rss: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rss, cpuS: (Number(fields[11]) + Number(fields[12])) / 100 };
}

async function toxlinkIdle(boot: BootNode): Promise<Record<string, number>> {
  const hub = forkChild<HubRequest, HubReply>('friend-hub.ts', [String(boot.udpPort), boot.publicKey], ['--expose-gc']);
  let lights: ReturnType<typeof forkChild<LightsRequest, LightsReply>> | undefined;
  try {
    const ready = await hub.next('ready');
    // Let the node join the network and leave the onion's 10 s fast start behind.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const base = (await hub.ask({ kind: 'measure', seconds: 5 }, 'measure')).measure;
    await hub.ask({ kind: 'add-random', count: FRIENDS }, 'added');
    const offline = (await hub.ask({ kind: 'measure', seconds: 10 }, 'measure')).measure;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
    const settled = (await hub.ask({ kind: 'measure', seconds: SETTLED_WINDOW_S }, 'measure')).measure;
    await hub.ask({ kind: 'remove-all' }, 'added');
    lights = forkChild<LightsRequest, LightsReply>('friend-lights.ts', [String(FRIENDS), ready.realKey, ready.dhtKey, String(ready.port)], []);
    const keys = (await lights.next('ready')).keys;
    await hub.ask({ kind: 'add', keys }, 'added');
    const start = performance.now();
    lights.tell({ kind: 'connect' });
    let online = 0;
    while (performance.now() - start < ONLINE_LIMIT_MS) {
      online = (await hub.ask({ kind: 'online' }, 'online')).online;
      if (online === FRIENDS) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const connectS = (performance.now() - start) / 1000;
    // Let the node's DHT searches for the 500 new DHT keys get past their first rounds.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const live = (await hub.ask({ kind: 'measure', seconds: ONLINE_WINDOW_S }, 'measure')).measure;
    const lightsOnline = (await lights.ask({ kind: 'online' }, 'online')).online;
    const per = (m: HubMeasure, key: 'packetsPerSecond' | 'bytesPerSecond' | 'cpuMsPerSecond'): number => (m[key] - base[key]) / FRIENDS;
    const figures = {
      online_friends: live.online,
      light_friends_seeing_it_online: lightsOnline,
      connect_all_s: round(connectS, 1),
      online_packets_per_s_per_friend: round(per(live, 'packetsPerSecond'), 3),
      online_bytes_per_s_per_friend: round(per(live, 'bytesPerSecond'), 1),
      online_cpu_ms_per_s: round(live.cpuMsPerSecond, 1),
      online_cpu_user_ms_per_s: round(live.userMsPerSecond, 1),
      online_heap_kib_per_friend: round((live.heapUsedBytes - base.heapUsedBytes) / FRIENDS / 1024, 1),
      online_external_kib_per_friend: round((live.externalBytes - base.externalBytes) / FRIENDS / 1024, 1),
      online_rss_kib_per_friend: round((live.rssBytes - base.rssBytes) / FRIENDS / 1024, 1),
      offline_heap_kib_per_friend: round((offline.heapUsedBytes - base.heapUsedBytes) / FRIENDS / 1024, 1),
      just_added_offline_packets_per_s_per_friend: round(per(offline, 'packetsPerSecond'), 3),
      just_added_offline_cpu_ms_per_s: round(offline.cpuMsPerSecond, 1),
      settled_offline_packets_per_s_per_friend: round(per(settled, 'packetsPerSecond'), 3),
      settled_offline_cpu_ms_per_s: round(settled.cpuMsPerSecond, 1),
      no_friend_heap_mib: round(base.heapUsedBytes / 2 ** 20, 1),
      no_friend_cpu_ms_per_s: round(base.cpuMsPerSecond, 1),
      no_friend_packets_per_s: round(base.packetsPerSecond, 1),
    };
    emit({ name: 'friend-idle', impl: 'toxlink', friends: FRIENDS, ...figures });
    emit({ name: 'friend-idle-kinds', impl: 'toxlink', note: 'datagrams/s sent by first byte', no_friend: base.packetsPerSecondByKind,
      just_added_offline: offline.packetsPerSecondByKind, settled_offline: settled.packetsPerSecondByKind, online: live.packetsPerSecondByKind });
    return figures;
  } finally {
    await lights?.stop({ kind: 'stop' });
    await hub.stop({ kind: 'stop' });
  }
}

async function cIdle(boot: BootNode): Promise<Record<string, number>> {
  const { peer } = await startC('c-500');
  try {
    await peer.bootstrap('127.0.0.1', boot.udpPort, boot.publicKey);
    await peer.waitFor('self_connection', (e) => e.status !== 'none', 30_000);
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    const before = procOf(peer.pid);
    await sleep(3_000);
    const base = procOf(peer.pid);
    for (let i = 0; i < FRIENDS; i++) await peer.addFriendNoRequest(toHex(generateKeyPair().publicKey).toUpperCase());
    const added = procOf(peer.pid);
    await sleep(10_000);
    const after = procOf(peer.pid);
    await sleep(SETTLE_S * 1000);
    const settleStart = procOf(peer.pid);
    await sleep(SETTLED_WINDOW_S * 1000);
    const settleEnd = procOf(peer.pid);
    const figures = {
      offline_rss_kib_per_friend: round((after.rss - base.rss) / FRIENDS / 1024, 1),
      just_added_offline_cpu_ms_per_s: round(((after.cpuS - added.cpuS) / 10) * 1000, 1),
      settled_offline_cpu_ms_per_s: round(((settleEnd.cpuS - settleStart.cpuS) / SETTLED_WINDOW_S) * 1000, 1),
      no_friend_cpu_ms_per_s: round(((base.cpuS - before.cpuS) / 3) * 1000, 1),
      no_friend_rss_mib: round(base.rss / 2 ** 20, 1),
    };
    emit({ name: 'friend-idle', impl: 'c-toxcore 0.2.18', friends: FRIENDS, ...figures, note: 'VmRSS growth of the C peer; CPU from /proc (10 ms ticks)' });
    return figures;
  } finally {
    await stopC(peer);
  }
}

/**
 * Like for like with the toxlink hub: a C peer with 500 ONLINE friends (the same light
 * friends, in their own child, pointed at the C peer's real key, DHT key and UDP port),
 * measured over 60 s from 10 s after the last came online: CPU per second and RSS growth per
 * friend (VmRSS, minus the peer with no friend).
 */
async function cOnlineIdle(boot: BootNode): Promise<Record<string, number>> {
  const { peer, id } = await startC('c-500-online');
  let lights: ReturnType<typeof forkChild<LightsRequest, LightsReply>> | undefined;
  try {
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    await peer.bootstrap('127.0.0.1', boot.udpPort, boot.publicKey);
    await peer.waitFor('self_connection', (e) => e.status !== 'none', 30_000);
    await sleep(3_000);
    const base = procOf(peer.pid);
    lights = forkChild<LightsRequest, LightsReply>('friend-lights.ts', [String(FRIENDS), id.publicKey, id.dhtId, String(id.udpPort)], []);
    const keys = (await lights.next('ready')).keys;
    for (const key of keys) await peer.addFriendNoRequest(key.toUpperCase());
    const start = performance.now();
    lights.tell({ kind: 'connect' });
    let online = 0;
    while (performance.now() - start < ONLINE_LIMIT_MS) {
      online = (await peer.info()).friends.filter((f) => f.status !== 'none').length;
      if (online === FRIENDS) break;
      await sleep(250);
    }
    const connectS = (performance.now() - start) / 1000;
    await sleep(10_000);
    const from = procOf(peer.pid);
    await sleep(ONLINE_WINDOW_S * 1000);
    const to = procOf(peer.pid);
    const figures = {
      online_friends: (await peer.info()).friends.filter((f) => f.status !== 'none').length,
      light_friends_seeing_it_online: (await lights.ask({ kind: 'online' }, 'online')).online,
      connect_all_s: round(connectS, 1),
      online_cpu_ms_per_s: round(((to.cpuS - from.cpuS) / ONLINE_WINDOW_S) * 1000, 1),
      online_rss_kib_per_friend: round((to.rss - base.rss) / FRIENDS / 1024, 1),
    };
    emit({ name: 'friend-idle', impl: 'c-toxcore 0.2.18', friends: FRIENDS, ...figures, note: 'online friends: the same light friends as the toxlink hub; RSS growth; CPU from /proc' });
    return figures;
  } finally {
    await lights?.stop({ kind: 'stop' });
    await stopC(peer);
  }
}

// ─── Main ────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const available = cToxcoreAvailable();
  if (!available.ok) {
    emit({ name: 'friend', skipped: available.why });
    return;
  }
  const wall = performance.now();
  let bootstrapd: Bootstrapd | undefined;
  const background: Array<Awaited<ReturnType<typeof startC>>> = [];
  const summary: Line = { name: 'summary', note: 'wall-clock times on a machine that may be shared' };
  try {
    bootstrapd = await startBootstrapd();
    const started = bootstrapd;
    atExitUntil(started, () => process.kill(started.pid, 'SIGKILL'));
    const boot: BootNode = { udpPort: bootstrapd.udpPort, publicKey: bootstrapd.publicKey };
    for (const name of ['background-1', 'background-2']) background.push(await startC(name));
    for (const { peer } of background) await peer.bootstrap('127.0.0.1', boot.udpPort, boot.publicKey);
    await Promise.all(background.map(({ peer }) => peer.waitFor('self_connection', (e) => e.status !== 'none', 30_000)));
    emit({ name: 'network', nodes: 'tox-bootstrapd 0.2.18 and 2 background C peers on 127.0.0.1', runs: RUNS });

    const times = ONLY === 'idle' ? new Map<string, PairFigures[]>() : await connectTimes(boot);
    for (const [pair, list] of times) {
      if (list.length === 0) continue;
      summary[`${pair} connect_ms_median`] = round(median(list.map((f) => f.connectMs)), 0);
      summary[`${pair} restart_ms_median`] = round(median(list.map((f) => f.restartMs)), 0);
    }
    const tt = times.get('toxlink↔toxlink') ?? [];
    if (tt.length > 0) {
      summary['goal_online_within_3s'] = tt.every((f) => f.connectMs <= GOAL_MS);
      summary['goal_back_within_3s'] = tt.every((f) => f.restartMs <= GOAL_MS);
    }
    if (ONLY !== 'connect') {
      try {
        const t = await toxlinkIdle(boot);
        summary['toxlink_online_heap_kib_per_friend'] = t['online_heap_kib_per_friend'];
        summary['toxlink_online_packets_per_s_per_friend'] = t['online_packets_per_s_per_friend'];
        summary['toxlink_online_cpu_ms_per_s'] = t['online_cpu_ms_per_s'];
        summary['toxlink_offline_heap_kib_per_friend'] = t['offline_heap_kib_per_friend'];
        summary['toxlink_just_added_offline_cpu_ms_per_s'] = t['just_added_offline_cpu_ms_per_s'];
        summary['toxlink_settled_offline_cpu_ms_per_s'] = t['settled_offline_cpu_ms_per_s'];
      } catch (error) {
        emit({ name: 'friend-idle', impl: 'toxlink', error: String((error as Error).stack ?? error).slice(0, 1500) });
      }
      try {
        const c = await cIdle(boot);
        summary['c_offline_rss_kib_per_friend'] = c['offline_rss_kib_per_friend'];
        summary['c_just_added_offline_cpu_ms_per_s'] = c['just_added_offline_cpu_ms_per_s'];
        summary['c_settled_offline_cpu_ms_per_s'] = c['settled_offline_cpu_ms_per_s'];
      } catch (error) {
        emit({ name: 'friend-idle', impl: 'c-toxcore 0.2.18', error: String((error as Error).stack ?? error).slice(0, 1500) });
      }
      try {
        const c = await cOnlineIdle(boot);
        summary['c_online_rss_kib_per_friend'] = c['online_rss_kib_per_friend'];
        summary['c_online_cpu_ms_per_s'] = c['online_cpu_ms_per_s'];
      } catch (error) {
        emit({ name: 'friend-idle', impl: 'c-toxcore 0.2.18', online: true, error: String((error as Error).stack ?? error).slice(0, 1500) });
      }
    }
  } catch (error) {
    emit({ name: 'friend', error: String((error as Error).stack ?? error).slice(0, 1500) });
  } finally {
    for (const { peer } of background) await stopC(peer);
    if (bootstrapd !== undefined) {
      await bootstrapd.stop();
      untrack(bootstrapd);
    }
  }
  summary['wall_s'] = round((performance.now() - wall) / 1000, 0);
  emit(summary);
}

await main();
process.exit(0);
