/**
 * The onion at scale, in the simulator: how long two friends take to find each other's DHT
 * key through the onion on a 500-node Tox network with 10 % loss on every link.
 *
 * Run: npm run bench    (or: node --import=tsx bench/onion.ts [pairs] [nodes] [limit-s] [seed])
 *
 * 1. The network: `nodes` simulated hosts (default 500), each one UDP socket with a DhtNode
 *    and an OnionNode on it (test/onion/sim-tox-net.ts), 10 ms links losing 10 % of the
 *    datagrams each way, every node bootstrapped from node 0; the DHT runs until every close
 *    list holds the 4 nodes truly closest to it, or 300 simulated seconds (the figure says
 *    how many of those relations were still missing).
 * 2. The clients: `pairs` (default 100) random pairs of distinct nodes, each node of a pair
 *    given an OnionClient with a fresh real key, the two friends of each other
 *    (`addFriend`). All 2 × pairs clients start at the same simulated moment, with
 *    toxlink's default client timing.
 * 3. Discovery: a client has found its friend when its `dht-key` event reports the friend's
 *    current DHT key through the onion; a pair is found when both have. What the friend
 *    layer would do next (connect, then `setFriendOnline`) is modelled only by its effect on
 *    the onion: once a pair is found, both clients mark the other online, which stops the
 *    search and the DHT key announcements for it. The run stops when every pair is found or
 *    after `limit-s` simulated seconds (default 300).
 *
 * One JSON line per figure on stdout: {name, impl, value, unit, ...}. Time to discovery in
 * simulated seconds from the clients' start — median, p90, max and how many within 5, 10,
 * 20, 30 and 60 s — per pair (both found), per pair's first (what a friend connection
 * needs: whoever knows the other's DHT key opens net_crypto to it, and its handshake carries
 * its own key) and per direction; how many were found within the run; the wall time of each
 * phase; and the datagrams sent per node per simulated second while the clients ran (all of
 * them, and the onion's alone: ids 0x80–0x8e received at the nodes), beside the DHT's own
 * rate over the 10 s before the clients started. The simulator is exact for a seed, but the
 * clients draw keys and nonces from libsodium, so two runs differ a little.
 * Wall times depend on the machine and on whatever else runs on it.
 */
import { generateKeyPair, type KeyPair } from '../src/crypto/index.ts';
import { OnionClient } from '../src/onion/index.ts';
import { simToxNet, type ToxNetNode } from '../test/onion/sim-tox-net.ts';

const PAIRS = Number(process.argv[2] ?? 100);
const NODES = Number(process.argv[3] ?? 500);
const LIMIT_S = Number(process.argv[4] ?? 300);
const SEED = Number(process.argv[5] ?? 6);
const LOSS = 0.1;
const CONVERGE_LIMIT_MS = 300_000;
if (![PAIRS, NODES, LIMIT_S, SEED].every(Number.isInteger) || PAIRS < 1 || NODES < 2 * PAIRS || LIMIT_S < 1) {
  console.error('usage: node --import=tsx bench/onion.ts [pairs (default 100)] [nodes ≥ 2 × pairs (default 500)] [limit-s (default 300)] [seed]');
  process.exit(2);
}

const emit = (line: Record<string, unknown>): void => console.log(JSON.stringify(line));
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
/** The q-quantile of a sorted list (nearest rank), NaN when empty. */
const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

interface Client {
  readonly node: ToxNetNode;
  readonly real: KeyPair;
  readonly onion: OnionClient;
  /** Simulated ms since the start when it learned its friend's DHT key through the onion. */
  foundAt: number | undefined;
  errors: number;
}

const wallStart = performance.now();
const net = await simToxNet(NODES, { seed: SEED, link: { lossRate: LOSS }, converge: false });
const built = performance.now();
const convergedAfterMs = net.converge(CONVERGE_LIMIT_MS);
const missing = net.missingRelations();
const converged = performance.now();
emit({
  name: `onion sim: ${NODES} nodes, ${LOSS * 100} % loss, DHT convergence`, impl: 'toxlink', value: convergedAfterMs / 1000, unit: 'simulated s',
  missingRelations: missing, wallSeconds: round((converged - built) / 1000, 1), buildWallSeconds: round((built - wallStart) / 1000, 1),
});

// The DHT alone, for scale: datagrams per node per second over 10 s before the clients start.
const BASELINE_MS = 10_000;
const baselineSent = net.sim.stats.sent;
net.clock.advance(BASELINE_MS);
const dhtOnlyPerNodeSecond = round((net.sim.stats.sent - baselineSent) / NODES / (BASELINE_MS / 1000));

// Datagrams the nodes receive while the clients run, by kind.
let onionReceived = 0;
for (const node of net.nodes) {
  node.addHandler((data) => {
    const id = data[0] ?? 0;
    if (id >= 0x80 && id <= 0x8e) onionReceived++;
    return false;
  });
}

const order = net.nodes.map((n) => n.index);
for (let i = order.length - 1; i > 0; i--) {
  const j = net.prng.nextInt(0, i + 1);
  [order[i], order[j]] = [order[j]!, order[i]!];
}
const start = net.clock.now();
const clients: Client[] = order.slice(0, 2 * PAIRS).map((index) => {
  const node = net.nodes[index]!;
  const real = generateKeyPair();
  const onion = new OnionClient({
    clock: net.clock, sender: node.socket, dht: node.dht, realKeyPair: real, dhtKeyPair: node.dhtKeyPair,
    randomInt: (n) => net.prng.nextInt(0, n),
  });
  node.addHandler((data, from) => onion.receive(data, from));
  const client: Client = { node, real, onion, foundAt: undefined, errors: 0 };
  onion.events.on('error', () => { client.errors++; });
  return client;
});
const pairs: Array<readonly [Client, Client]> = [];
for (let p = 0; p < PAIRS; p++) pairs.push([clients[2 * p]!, clients[2 * p + 1]!]);
/** Per pair: when the second of the two learned the other's key (the pair is found), and when the first did. */
const pairFoundAt: number[] = [];
const pairFirstAt: number[] = [];
for (const [a, b] of pairs) {
  a.onion.addFriend(b.real.publicKey);
  b.onion.addFriend(a.real.publicKey);
  const watch = (me: Client, friend: Client): void => {
    me.onion.events.on('dht-key', (e) => {
      if (me.foundAt !== undefined || e.via !== 'onion') return;
      if (Buffer.compare(e.dhtPublicKey, friend.node.dht.publicKey) !== 0) return;
      me.foundAt = net.clock.now() - start;
      if (friend.foundAt === undefined) {
        pairFirstAt.push(me.foundAt);
        return;
      }
      pairFoundAt.push(me.foundAt);
      // The friend layer would connect now; the onion stops searching for a friend online.
      me.onion.setFriendOnline(friend.real.publicKey, true);
      friend.onion.setFriendOnline(me.real.publicKey, true);
    });
  };
  watch(a, b);
  watch(b, a);
}

const sentBefore = net.sim.stats.sent;
const droppedBefore = Object.values(net.sim.stats.dropped).reduce((x, y) => x + y, 0);
const runWall = performance.now();
let ranMs = 0;
while (ranMs < LIMIT_S * 1000 && pairFoundAt.length < PAIRS) {
  net.clock.advance(1000);
  ranMs += 1000;
}
const ranWall = performance.now();

const pairTimes = pairFoundAt.map((ms) => ms / 1000).sort((x, y) => x - y);
const firstTimes = pairFirstAt.map((ms) => ms / 1000).sort((x, y) => x - y);
const directionTimes = clients.flatMap((c) => (c.foundAt === undefined ? [] : [c.foundAt / 1000])).sort((x, y) => x - y);
const sent = net.sim.stats.sent - sentBefore;
const dropped = Object.values(net.sim.stats.dropped).reduce((x, y) => x + y, 0) - droppedBefore;
const perNodeSecond = (n: number): number => round(n / NODES / (ranMs / 1000));
const WITHIN_S = [5, 10, 20, 30, 60];
const summary = (xs: readonly number[]) => ({
  median: quantile(xs, 0.5), p90: quantile(xs, 0.9), max: xs.at(-1) ?? NaN,
  within: Object.fromEntries(WITHIN_S.map((w) => [`${w}s`, xs.filter((x) => x <= w).length])),
});
const connected = clients.filter((c) => c.onion.isConnected).length;
let searchSent = 0;
let announceSent = 0;
let dataSent = 0;
for (const c of clients) {
  searchSent += c.onion.stats.sentByKind.search ?? 0;
  announceSent += c.onion.stats.sentByKind.announce ?? 0;
  dataSent += c.onion.stats.sentByKind['onion-data'] ?? 0;
}

emit({
  name: `onion sim: ${PAIRS} friend pairs on ${NODES} nodes, ${LOSS * 100} % loss, time to find each other's DHT key`, impl: 'toxlink',
  value: quantile(pairTimes, 0.5), unit: 'simulated s (median)', ...summary(pairTimes), found: pairTimes.length, pairs: PAIRS,
  limitSeconds: LIMIT_S, note: 'a pair is found when both clients took the other\'s DHT key through the onion; timed from the clients\' start',
});
emit({
  name: `onion sim: ${PAIRS} friend pairs on ${NODES} nodes, ${LOSS * 100} % loss, time until the first of a pair has the other's DHT key`,
  impl: 'toxlink', value: quantile(firstTimes, 0.5), unit: 'simulated s (median)', ...summary(firstTimes), found: firstTimes.length, pairs: PAIRS,
  note: 'what a friend connection needs: the one that knows the other\'s DHT key opens net_crypto to it, and the handshake carries its own',
});
emit({
  name: `onion sim: one direction (a client learns its friend's DHT key), ${NODES} nodes, ${LOSS * 100} % loss`, impl: 'toxlink',
  value: quantile(directionTimes, 0.5), unit: 'simulated s (median)', ...summary(directionTimes), found: directionTimes.length,
  directions: 2 * PAIRS, min: directionTimes[0] ?? NaN,
});
emit({
  name: `onion sim: datagrams per node per simulated second while ${2 * PAIRS} clients ran`, impl: 'toxlink', value: perNodeSecond(sent),
  unit: 'datagrams/node/s', onionReceivedPerNodeSecond: perNodeSecond(onionReceived), dhtOnlyPerNodeSecondBefore: dhtOnlyPerNodeSecond,
  simulatedSeconds: ranMs / 1000,
  droppedByNetwork: dropped, clientRequests: { announce: announceSent, search: searchSent, onionData: dataSent },
  clientsOnionConnectedAtEnd: connected, clientErrors: clients.reduce((n, c) => n + c.errors, 0),
});
emit({
  name: `onion sim: wall time of the client run (${ranMs / 1000} simulated s)`, impl: 'toxlink', value: round((ranWall - runWall) / 1000, 1),
  unit: 'wall s', simulatedPerWallSecond: round(ranMs / (ranWall - runWall)), wholeBenchWallSeconds: round((ranWall - wallStart) / 1000, 1),
  note: 'one process, one core; the machine was shared with other work',
});

for (const c of clients) c.onion.close();
await net.close();
