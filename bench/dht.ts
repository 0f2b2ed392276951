/**
 * DHT costs: how many packets one DhtNode answers per second on one core (against
 * c-toxcore 0.2.18's DHT on the identical packets, in the same run), how much memory a node
 * takes in the 1,000-node simulation, and how fast that simulation runs. One JSON line per
 * figure on stdout: {name, impl, value, unit, ...}.
 *
 * Run: npm run bench    (or: node --import=tsx bench/dht.ts [seconds-per-figure])
 *
 * 1. Receive throughput. One workload, built here with toxlink's encoders and sealed for one
 *    DHT key pair: 50 % ping requests and 50 % nodes requests, alternating.
 *    - known senders: 16,384 packets from a pool of 1,000 sender keys (each on its own IPv4
 *      address), picked at random, so the shared-key cache behaves as in a node that has
 *      been up a while; one untimed pass fills the cache first, then the set is replayed.
 *    - every sender new: 8,192 packets, each from a key never seen before (one pass, or as
 *      much of it as the budget allows), on a node primed with the known senders' pass: the
 *      shared key of every packet is an X25519 multiplication.
 *    toxlink: DhtNode.receive with a sender that only counts. c-toxcore: a real DHT
 *    (new_networking_ex + new_dht from the Debian libtoxcore.a, bench/c/dht-bench.c) whose
 *    Network table hands networking_poll the same packets and counts what it sends. Both
 *    nodes get the same 256 known nodes in their close lists, so nodes requests have
 *    something to answer with. Only the receive path is timed: neither node's periodic work
 *    (do_dht / the tick) runs. `answered` counts ping and nodes responses sent, `x25519` the
 *    shared keys the cache had to compute. toxlink's clock moves 1 ms per packet (each of
 *    1,000 senders asks about once a second, under toxlink's per-source rate limit).
 *    toxlink answers a nodes request from a requester that has not answered it from that
 *    address with one node (its anti-amplification rule), c-toxcore with four; the
 *    `answerUnverified` figure gives toxlink c-toxcore's behaviour.
 * 2. Heap per node: the 1,000-node join of test/sim/dht-1000.test.ts (one node every 50 ms
 *    through five seeds, 10 % loss each way), run until 60 simulated seconds after the last
 *    join, in a child process started with --expose-gc: (heapUsed after − heapUsed before,
 *    both after a full GC) / 1000. It includes each node's simulated host and socket and
 *    the datagrams in flight.
 *    For scale, the same child reports the heap of 1,000 freshly made nodes (no traffic),
 *    and dht-bench.c what one c-toxcore node (new_networking_ex + new_dht) mallocs: its
 *    tables are allocated at full size up front.
 * 3. Simulated seconds per wall second of that same run, for the join phase, the 60 s
 *    after it, and the whole (building the 1,000 nodes is not counted).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generateKeyPair, precompute, randomBytes, randomNonce, type KeyPair } from '../src/crypto/index.ts';
import { DhtNode, type DhtConfig, encodeNodesRequest, encodePing } from '../src/dht/index.ts';
import { Prng, type Address, type Clock, type Timer } from '../src/io/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

// ───────────────────────────── the simulation (child process) ─────────────────────────────

const NODES = 1000;
const SEEDS = 5;
const JOIN_GAP_MS = 50;
const JOINED_MS = NODES * JOIN_GAP_MS;
const SETTLE_MS = 60_000;

async function simulationChild(): Promise<void> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with --expose-gc');
  const { simDht } = await import('../test/dht/sim-dht.ts');
  const fullGc = (): void => { gc(); gc(); };
  fullGc();
  const before = process.memoryUsage();
  const built = await simDht(NODES, { seed: 1000, link: { lossRate: 0.1, latencyMs: 50, jitterMs: 20 } });
  fullGc();
  const fresh = process.memoryUsage();
  const start = performance.now();
  const { sim, nodes, addresses } = built;
  for (let i = 0; i < SEEDS; i++) nodes[i]!.bootstrap(addresses[(i + 1) % SEEDS]!, nodes[(i + 1) % SEEDS]!.publicKey);
  for (let i = SEEDS; i < NODES; i++) {
    sim.clock.setTimer(i * JOIN_GAP_MS, () => nodes[i]!.bootstrap(addresses[i % SEEDS]!, nodes[i % SEEDS]!.publicKey));
  }
  sim.clock.advanceTo(JOINED_MS);
  const joined = performance.now();
  sim.clock.advanceTo(JOINED_MS + SETTLE_MS);
  const settled = performance.now();
  fullGc();
  const after = process.memoryUsage();

  const rate = (name: string, simMs: number, wallMs: number): void => {
    console.log(JSON.stringify({
      name, impl: 'toxlink', value: Number((simMs / wallMs).toFixed(2)), unit: 'simulated s per wall s',
      simulatedSeconds: simMs / 1000, seconds: Number((wallMs / 1000).toFixed(3)),
    }));
  };
  rate('dht sim: 1,000 nodes, 10 % loss, join phase (one node per 50 ms)', JOINED_MS, joined - start);
  rate('dht sim: 1,000 nodes, 10 % loss, 60 s after the last join', SETTLE_MS, settled - joined);
  rate('dht sim: 1,000 nodes, 10 % loss, whole run', JOINED_MS + SETTLE_MS, settled - start);
  console.log(JSON.stringify({
    name: 'dht node memory, fresh node', impl: 'toxlink', value: Math.round((fresh.heapUsed - before.heapUsed) / NODES), unit: 'bytes/node',
    nodes: NODES, note: 'heapUsed of 1,000 new DhtNodes with their simulated hosts and sockets, no traffic',
  }));
  let closeNodes = 0;
  for (const node of nodes) closeNodes += node.closeList.size;
  console.log(JSON.stringify({
    name: 'dht sim: heap per node, 1,000 nodes', impl: 'toxlink',
    value: Math.round((after.heapUsed - before.heapUsed) / NODES), unit: 'bytes/node',
    arrayBuffersPerNode: Math.round((after.arrayBuffers - before.arrayBuffers) / NODES),
    simulatedSeconds: (JOINED_MS + SETTLE_MS) / 1000, meanCloseListSize: Number((closeNodes / NODES).toFixed(1)),
    datagramsDelivered: sim.stats.delivered,
  }));
}

if (process.argv[2] === '--simulation-child') {
  await simulationChild();
  process.exit(0);
}

// ───────────────────────────── receive throughput ─────────────────────────────

const budget = Number(process.argv[2] ?? 1);
const POOL = 1000;
const WARM_PACKETS = 16_384;
const COLD_PACKETS = 8192;
const CLOSE_NODES = 256;
const BATCH = 256;
/** Virtual time between two packets, ms: 1,000 senders each asking about once a second. */
const PACKET_GAP_MS = 1;
/** Close-list entries are heard again this often (virtual ms), untimed, so none goes bad. */
const REFRESH_MS = 60_000;

interface Sender { keys: KeyPair; shared: Uint8Array; from: Address; ip: number[] }
interface Packet { data: Uint8Array; sender: Sender }

const prng = new Prng('bench/dht');
const receiver = generateKeyPair();

function sender(ip: number[], keys = generateKeyPair()): Sender {
  return { keys, shared: precompute(receiver.publicKey, keys.secretKey)!, from: { host: ip.join('.'), port: 33445 }, ip };
}

/** Request number `i` from `s`: even numbers are ping requests, odd ones nodes requests. */
function request(i: number, s: Sender): Packet {
  const data = i % 2 === 0
    ? encodePing('request', s.keys.publicKey, s.shared, randomNonce(), randomBytes(8))
    : encodeNodesRequest(s.keys.publicKey, s.shared, randomNonce(), randomBytes(32), randomBytes(8));
  return { data, sender: s };
}

const pool = Array.from({ length: POOL }, (_, i) => sender([45, 1 + (i >> 8), i & 255, 9]));
const warm = Array.from({ length: WARM_PACKETS }, (_, i) => request(i, pool[prng.nextInt(0, POOL)]!));
const cold = Array.from({ length: COLD_PACKETS }, (_, i) => request(i, sender([46, 1 + (i >> 16), (i >> 8) & 255, i & 255])));
const closeNodes = Array.from({ length: CLOSE_NODES }, (_, i) => ({
  publicKey: generateKeyPair().publicKey, ipPort: { host: `77.${1 + (i >> 8)}.${i & 255}.7`, port: 33445 }, ip: [77, 1 + (i >> 8), i & 255, 7],
}));

/** A clock that the bench moves by hand; the node's timers never fire. */
class ManualClock implements Clock {
  t = 0;
  now(): number { return this.t; }
  setTimer(): Timer { return { cancel() {} }; }
}

interface Bench { node: DhtNode; clock: ManualClock; out: { answered: number; other: number; bytes: number } }

function newNode(config: Partial<DhtConfig> = {}): Bench {
  const clock = new ManualClock();
  const out = { answered: 0, other: 0, bytes: 0 };
  const node = new DhtNode({
    clock, keyPair: receiver, config, randomInt: (n) => prng.nextInt(0, n),
    sender: { send(_to, data) { if (data[0] === 0x01 || data[0] === 0x04) out.answered++; else out.other++; out.bytes += data.length; } },
  });
  refresh(node, clock);
  return { node, clock, out };
}

function refresh(node: DhtNode, clock: ManualClock): void {
  for (const c of closeNodes) node.closeList.heard(c.publicKey, c.ipPort, clock.now());
}

/** Shared keys the node's cache had to compute (a private counter, read for the report only). */
function x25519(node: DhtNode): number | null {
  const misses = (node as unknown as { sharedKeys?: { misses?: unknown } }).sharedKeys?.misses;
  return typeof misses === 'number' ? misses : null;
}

function feed(b: Bench, set: Packet[], from: number, count: number): void {
  for (let i = from; i < from + count; i++) {
    const p = set[i]!;
    b.clock.t += PACKET_GAP_MS;
    b.node.receive(p.data, p.sender.from);
  }
}

function emit(name: string, b: Bench, packets: number, seconds: number, x0: number | null, extra: object = {}): void {
  const x = x25519(b.node);
  const dropped = b.node.stats.dropped;
  console.log(JSON.stringify({
    name, impl: 'toxlink', value: Math.round(packets / seconds), unit: 'packets/s', seconds: Number(seconds.toFixed(3)),
    packets, answered: b.out.answered, otherSent: b.out.other, bytesOut: b.out.bytes,
    x25519: x === null || x0 === null ? null : x - x0, ...extra,
    ...(Object.keys(dropped).length > 0 ? { dropped } : {}),
  }));
}

/** One untimed pass over the known senders' packets: fills the caches, warms the JIT. */
function primed(config: Partial<DhtConfig> = {}): Bench {
  const b = newNode(config);
  feed(b, warm, 0, warm.length);
  refresh(b.node, b.clock);
  b.out.answered = b.out.other = b.out.bytes = 0;
  for (const k of Object.keys(b.node.stats.dropped)) delete b.node.stats.dropped[k as keyof typeof b.node.stats.dropped];
  return b;
}

function knownSenders(name: string, config: Partial<DhtConfig> = {}, extra: object = {}): void {
  const b = primed(config);
  const x0 = x25519(b.node);
  let lastRefresh = b.clock.now();
  let packets = 0, at = 0, elapsed = 0;
  while (elapsed < budget) {
    if (b.clock.now() - lastRefresh >= REFRESH_MS) { refresh(b.node, b.clock); lastRefresh = b.clock.now(); }
    const start = performance.now();
    for (let k = 0; k < 8; k++) {
      feed(b, warm, at, BATCH);
      at = (at + BATCH) % warm.length;
      packets += BATCH;
    }
    elapsed += (performance.now() - start) / 1000;
  }
  emit(name, b, packets, elapsed, x0, extra);
}

function newSenders(name: string): void {
  const b = primed();
  const x0 = x25519(b.node);
  let packets = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budget && packets < cold.length) {
    const k = Math.min(BATCH, cold.length - packets);
    feed(b, cold, packets, k);
    packets += k;
    elapsed = (performance.now() - start) / 1000;
  }
  emit(name, b, packets, elapsed, x0);
}

const WARM_NAME = 'dht receive: 50 % ping / 50 % nodes requests, 1,000 known senders';
const COLD_NAME = 'dht receive: 50 % ping / 50 % nodes requests, every sender new';

// JIT warm-up on a throwaway node, then the figures.
primed();
knownSenders(WARM_NAME);
knownSenders(`${WARM_NAME}, answerUnverified`, { answerUnverified: true }, { config: { answerUnverified: true } });
newSenders(COLD_NAME);

// c-toxcore, same packets.
const source = join(here, 'c', 'dht-bench.c');
const build = join(here, 'c', 'build');
const binary = join(build, 'dht-bench');
const workloadFile = join(build, 'dht-workload.bin');
const lib = '/usr/lib/x86_64-linux-gnu/libtoxcore.a';

function workload(): Uint8Array {
  const parts: Uint8Array[] = [];
  const u32 = (n: number): Uint8Array => new Uint8Array([n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255]);
  const port = (p: number): Uint8Array => new Uint8Array([p >> 8, p & 255]);
  parts.push(new TextEncoder().encode('TLDHTW01'), receiver.secretKey, receiver.publicKey, u32(closeNodes.length));
  for (const c of closeNodes) parts.push(c.publicKey, new Uint8Array(c.ip), port(c.ipPort.port));
  for (const set of [warm, cold]) {
    parts.push(u32(set.length));
    for (const p of set) parts.push(new Uint8Array(p.sender.ip), port(p.sender.from.port), new Uint8Array([p.data.length & 255, p.data.length >> 8]), p.data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

try {
  if (!existsSync(lib)) throw new Error(`${lib} not found (apt-get install libtoxcore-dev)`);
  mkdirSync(build, { recursive: true });
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    execFileSync('cc', ['-O2', '-std=c11', '-D_DEFAULT_SOURCE', '-o', binary, source, lib, '-lsodium', '-lpthread', '-lm', '-Wl,--wrap=encrypt_precompute'],
      { stdio: 'inherit', timeout: 60_000 });
  }
  writeFileSync(workloadFile, workload());
  process.stdout.write(execFileSync(binary, [workloadFile, String(budget), WARM_NAME, COLD_NAME, 'dht node memory, fresh node'], { timeout: 60_000 + budget * 10_000 }));
} catch (error) {
  console.log(JSON.stringify({ name: 'c-toxcore dht receive', impl: 'c-toxcore-0.2.18', skipped: (error as Error).message.split('\n')[0] }));
}

// The 1,000-node simulation, in a child process that can force a GC.
try {
  process.stdout.write(execFileSync(process.execPath, ['--expose-gc', '--import=tsx', fileURLToPath(import.meta.url), '--simulation-child'], {
    timeout: 10 * 60_000, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20,
  }));
} catch (error) {
  console.log(JSON.stringify({ name: 'dht sim: 1,000 nodes', impl: 'toxlink', skipped: (error as Error).message.split('\n')[0] }));
}
