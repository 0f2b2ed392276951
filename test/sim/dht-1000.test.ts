// 1,000 toxlink DHT nodes on the simulated network with 10 % loss each way: the close lists
// converge (each node knows the 4 nodes truly closest to it), and a search for a random
// node's key finds its address within a bound measured here, in simulated time.
import test from 'ava';
import { simDht } from '../dht/sim-dht.ts';
import { compareDistance } from '../../src/dht/index.ts';
import { Prng } from '../../src/io/index.ts';

const NODES = 1000;
const SEEDS = 5;
/** One node joins every 50 simulated ms, each through one of the five seed nodes. */
const JOIN_GAP_MS = 50;
const JOINED_MS = NODES * JOIN_GAP_MS;
/**
 * Convergence is checked this long after the last join. Measured with this seed (the run is
 * deterministic): 27 of 4,000 relations missing 30 s after the last join, 2 at 60 s, none at
 * 120 s.
 */
const SETTLE_MS = 120_000;
/** The bound a search must meet: measured with this seed, p50 2.1 s and max 5.1 s. */
const SEARCH_BOUND_MS = 10_000;
const SEARCHES = 25;

test('1,000 nodes, 10 % loss: close lists converge and searches finish within the bound', async (t) => {
  t.timeout(10 * 60_000);
  const { sim, nodes, addresses } = await simDht(NODES, { seed: 1000, link: { lossRate: 0.1, latencyMs: 50, jitterMs: 20 } });
  for (let i = 0; i < SEEDS; i++) nodes[i]!.bootstrap(addresses[(i + 1) % SEEDS]!, nodes[(i + 1) % SEEDS]!.publicKey);
  for (let i = SEEDS; i < NODES; i++) {
    sim.clock.setTimer(i * JOIN_GAP_MS, () => nodes[i]!.bootstrap(addresses[i % SEEDS]!, nodes[i % SEEDS]!.publicKey));
  }
  sim.clock.advanceTo(JOINED_MS + SETTLE_MS);

  let missing = 0;
  for (const node of nodes) {
    const truth = nodes.filter((n) => n !== node).sort((a, b) => compareDistance(node.publicKey, a.publicKey, b.publicKey)).slice(0, 4);
    for (const near of truth) if (!node.closeList.get(near.publicKey)) missing++;
  }
  t.is(missing, 0, `${missing} of ${NODES * 4} nearest-neighbour relations missing`);

  // Searches: a random node looks for another random node's key.
  const prng = new Prng('searches');
  const started = sim.clock.now();
  const took: number[] = [];
  for (let s = 0; s < SEARCHES; s++) {
    const seeker = nodes[prng.nextInt(0, NODES)]!;
    let target = nodes[prng.nextInt(0, NODES)]!;
    if (target === seeker) target = nodes[(nodes.indexOf(seeker) + 1) % NODES]!;
    const expected = addresses[nodes.indexOf(target)]!;
    const off = seeker.events.on('friend-address', ({ publicKey, ipPort }) => {
      if (compareDistance(publicKey, publicKey, target.publicKey) === 0 && ipPort.host === expected.host) {
        took.push(sim.clock.now() - started);
        off();
      }
    });
    seeker.addFriend(target.publicKey);
  }
  sim.clock.advance(SEARCH_BOUND_MS);
  took.sort((a, b) => a - b);
  t.log(`searches found: ${took.length}/${SEARCHES}; simulated ms p50 ${took[took.length >> 1]?.toFixed(0)}, max ${took.at(-1)?.toFixed(0)}`);
  t.log(`datagrams delivered ${sim.stats.delivered}, lost ${sim.stats.dropped.loss}`);
  t.is(took.length, SEARCHES, 'every search found its target within the bound');
  const drops: Record<string, number> = {};
  for (const node of nodes) for (const [reason, n] of Object.entries(node.stats.dropped)) drops[reason] = (drops[reason] ?? 0) + n!;
  t.log(`drops by reason: ${JSON.stringify(drops)}`);
  // The only packets a node of this network refuses are NAT ping requests from seekers it is
  // not searching for itself (c-toxcore refuses them the same way): nothing malformed,
  // nothing unsolicited.
  t.deepEqual(Object.keys(drops).filter((r) => r !== 'unknown-request'), []);
});
