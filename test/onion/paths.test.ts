/**
 * Onion paths and path nodes (src/onion/onion-paths.ts): c-toxcore 0.2.18's timers, in
 * simulated time (a plain number: the paths read no clock of their own).
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { Prng } from '../../src/io/index.ts';
import { OnionPaths, PathNodeStore, defaultOnionClientConfig, type OnionTcpPath, type PathNode } from '../../src/onion/index.ts';

const config = defaultOnionClientConfig;
const dhtKeyPair = generateKeyPair();

function node(i: number): PathNode {
  return { publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.0.${i}`, port: 33445 } };
}

function setup(options: { nodes?: number; udp?: boolean; tcp?: OnionTcpPath; seed?: string } = {}) {
  const store = new PathNodeStore(config.maxPathNodes);
  for (let i = 0; i < (options.nodes ?? 10); i++) store.add(node(i + 1));
  const prng = new Prng(options.seed ?? 'paths');
  let udp = options.udp ?? true;
  const paths = new OnionPaths({
    config, dhtKeyPair, store, randomInt: (n) => prng.nextInt(0, n), udpConnected: () => udp, tcp: options.tcp,
  });
  return { store, paths, setUdp: (v: boolean) => { udp = v; } };
}

test('the store keeps 32 distinct nodes in a ring and counts every node ever added', (t) => {
  const store = new PathNodeStore(32);
  const first = node(1);
  t.true(store.add(first));
  t.false(store.add({ ...first, ipPort: { host: '20.0.0.99', port: 1 } }), 'a key already held is not added again');
  for (let i = 0; i < 40; i++) store.add(node(i + 2));
  t.is(store.size, 32);
  t.is(store.added, 41);
  t.false(store.has(first.publicKey), 'the oldest was overwritten');
  t.true(store.addBootstrap(first));
  t.false(store.addBootstrap(first));
  t.is(store.bootstrapSize, 1);
});

test('a path is three distinct path nodes; its number names its slot; it is used again while live', (t) => {
  const { paths, store } = setup();
  const now = 1_000_000;
  const a = paths.pick(2, now)!;
  t.truthy(a);
  t.is(a.pathNum % config.numberOnionPaths, 2);
  const keys = a.path.hops.map((h) => Buffer.from(h.node.publicKey).toString('hex'));
  t.is(new Set(keys).size, 3);
  for (const hop of a.path.hops) t.true(store.has(hop.node.publicKey));
  t.is(a.path.hops[0].publicKey, dhtKeyPair.publicKey, 'hop 1 sees our DHT key');
  t.true(paths.exists(a.pathNum, now));
  t.false(paths.exists(a.pathNum + config.numberOnionPaths, now), 'another number in the same slot does not exist');
  const b = paths.pick(a.pathNum, now + 1000);
  t.is(b!.pathNum, a.pathNum);
});

test('a new path that never answers is replaced after 2 more uses and 4 s (ONION_PATH_FIRST_TIMEOUT)', (t) => {
  const { paths } = setup();
  const t0 = 1_000_000;
  const first = paths.pick(0, t0)!; // made at 2 unanswered uses, now 3
  t.is(paths.state(first.pathNum)!.usedTimes, 3);
  paths.pick(0, t0 + 1000); // 4 uses without a response
  t.false(paths.timedOut(0, t0 + 4999), 'not before 4 s after the last use');
  t.true(paths.timedOut(0, t0 + 5000), '4 s after the last counted use');
  const next = paths.pick(0, t0 + 5000)!;
  t.not(next.pathNum, first.pathNum);
  t.is(paths.answered(first.pathNum, t0 + 5000), undefined, 'a late response does not count for the replaced path');
  t.false(paths.exists(first.pathNum, t0 + 5000));
});

test('a path that answered times out 10 s after the fourth unanswered use (ONION_PATH_TIMEOUT)', (t) => {
  const { paths } = setup();
  const t0 = 1_000_000;
  const p = paths.pick(1, t0)!;
  t.is(paths.answered(p.pathNum, t0 + 500), p.pathNum);
  t.is(paths.state(p.pathNum)!.usedTimes, 0);
  for (let i = 1; i <= 4; i++) paths.pick(p.pathNum, t0 + i * 1000);
  // Uses beyond the fourth do not move the last use.
  paths.pick(p.pathNum, t0 + 8000);
  t.false(paths.timedOut(1, t0 + 4000 + 9999));
  t.true(paths.timedOut(1, t0 + 4000 + 10_000));
});

test('every path is replaced at 1200 s, answered or not (ONION_PATH_MAX_LIFETIME)', (t) => {
  const { paths } = setup();
  const t0 = 1_000_000;
  const p = paths.pick(3, t0)!;
  for (let s = 1; s < 1200; s += 5) {
    paths.pick(p.pathNum, t0 + s * 1000);
    paths.answered(p.pathNum, t0 + s * 1000);
  }
  t.true(paths.exists(p.pathNum, t0 + 1_199_999));
  t.false(paths.exists(p.pathNum, t0 + 1_200_000));
  t.not(paths.pick(p.pathNum, t0 + 1_200_000)!.pathNum, p.pathNum);
});

test('a response makes the path\'s nodes path nodes again (set_path_timeouts)', (t) => {
  const { paths, store } = setup({ nodes: 3 });
  const p = paths.pick(0, 0)!;
  for (let i = 0; i < 32; i++) store.add(node(100 + i)); // the three are overwritten
  for (const hop of p.path.hops) t.false(store.has(hop.node.publicKey));
  t.is(paths.answered(p.pathNum, 10), p.pathNum);
  for (const hop of p.path.hops) t.true(store.has(hop.node.publicKey));
  const empty = new OnionPaths({ config, dhtKeyPair, store: new PathNodeStore(32), randomInt: () => 0, udpConnected: () => true });
  t.is(empty.pick(0, 0), undefined, 'no nodes, no path');
});

test('with 2 nodes a path still gets 3 hops, as c-toxcore draws with replacement', (t) => {
  const { paths } = setup({ nodes: 2 });
  t.truthy(paths.pick(0, 0));
});

test('without UDP, hop 1 is a TCP relay; without a relay, no path', (t) => {
  const relay = generateKeyPair().publicKey;
  const tcp: OnionTcpPath = { randomRelay: () => ({ publicKey: relay }), sendOnionRequest: () => true };
  const { paths } = setup({ udp: false, tcp });
  const p = paths.pick(0, 0)!;
  t.deepEqual(p.tcpRelay, relay);
  t.deepEqual(p.path.hops[0].node.publicKey, relay);
  const bare = setup({ udp: false });
  t.is(bare.paths.pick(0, 0), undefined);
  // With fewer than 2 path nodes, the others come from bootstrap nodes.
  const few = setup({ udp: false, tcp, nodes: 1 });
  t.is(few.paths.pick(0, 0), undefined, 'no bootstrap nodes either');
  few.store.addBootstrap(node(50));
  few.store.addBootstrap(node(51));
  t.truthy(few.paths.pick(0, 0));
});

test('a new draw whose last node is hop 1 of a live path uses that path (is_path_used)', (t) => {
  // Three nodes only, drawn distinct: every draw of three ends in some live path's hop 1
  // once all three orders were tried, so with 6 slots some pick must reuse a path.
  const { paths } = setup({ nodes: 3, seed: 'reuse' });
  const made = new Set<number>();
  const a = paths.pick(0, 0)!;
  paths.answered(a.pathNum, 0);
  made.add(a.pathNum);
  let reused = 0;
  for (let slot = 1; slot < 6; slot++) {
    const p = paths.pick(slot, 0)!;
    paths.answered(p.pathNum, 0);
    if (made.has(p.pathNum)) reused++;
    made.add(p.pathNum);
  }
  t.true(reused > 0);
  t.true(paths.created < 6);
});
