// Node churn: a fifth of a 300-node network leaves at once. The others keep finding each
// other, and the departed drop out of every close list's answers once they go bad (122 s)
// and out of the live set after 182 s, as c-toxcore's timeouts say.
import test from 'ava';
import { simDht } from '../dht/sim-dht.ts';
import { compareDistance, defaultDhtConfig } from '../../src/dht/index.ts';
import { Prng } from '../../src/io/index.ts';
import { toHex } from '../../src/wire/index.ts';

const NODES = 300;
const SEEDS = 5;
const JOIN_GAP_MS = 50;

test('20 % of nodes leave: the rest keep finding each other, and the departed leave the close lists after the timeouts', async (t) => {
  t.timeout(5 * 60_000);
  const { sim, nodes, addresses } = await simDht(NODES, { seed: 77, link: { lossRate: 0.1, latencyMs: 50, jitterMs: 20 } });
  for (let i = 0; i < SEEDS; i++) nodes[i]!.bootstrap(addresses[(i + 1) % SEEDS]!, nodes[(i + 1) % SEEDS]!.publicKey);
  for (let i = SEEDS; i < NODES; i++) sim.clock.setTimer(i * JOIN_GAP_MS, () => nodes[i]!.bootstrap(addresses[i % SEEDS]!, nodes[i % SEEDS]!.publicKey));
  sim.clock.advanceTo(NODES * JOIN_GAP_MS + 60_000);

  // Every fifth node (never a seed) goes away: it stops answering and sending.
  const prng = new Prng('churn');
  const gone = new Set<number>();
  while (gone.size < NODES / 5) gone.add(SEEDS + prng.nextInt(0, NODES - SEEDS));
  for (const i of gone) nodes[i]!.close();
  const leftAt = sim.clock.now();
  const goneKeys = new Set([...gone].map((i) => toHex(nodes[i]!.publicKey)));
  const staying = nodes.filter((_, i) => !gone.has(i));
  const countGone = (f: (n: typeof nodes[number]) => Iterable<{ publicKey: Uint8Array }>) =>
    staying.reduce((sum, n) => sum + [...f(n)].filter((e) => goneKeys.has(toHex(e.publicKey))).length, 0);

  const listedAtLeave = countGone((n) => n.closeList.entries());
  t.true(listedAtLeave > 0, 'the departed were listed before they left');
  sim.clock.advanceTo(leftAt + defaultDhtConfig.badNodeTimeoutMs + 2_000);
  const given = staying.reduce((sum, n) => sum + n.closeNodes(n.publicKey, 8).filter((p) => goneKeys.has(toHex(p.publicKey))).length, 0);
  t.is(given, 0, 'after 122 s no node gives out a departed node');
  sim.clock.advanceTo(leftAt + defaultDhtConfig.killNodeTimeoutMs + 2_000);
  t.is(countGone((n) => n.closeList.alive(sim.clock.now())), 0, 'after 182 s no departed node is alive in any list');
  t.log(`departed entries listed: ${listedAtLeave} at the leave, ${countGone((n) => n.closeList.entries())} still held as dead slots at +184 s`);

  // The staying nodes still know their true nearest neighbours among the staying.
  sim.clock.advanceTo(leftAt + 240_000);
  let missing = 0;
  for (const node of staying) {
    const truth = staying.filter((n) => n !== node).sort((a, b) => compareDistance(node.publicKey, a.publicKey, b.publicKey)).slice(0, 4);
    for (const near of truth) if (!node.closeList.get(near.publicKey)) missing++;
  }
  t.is(missing, 0, `${missing} of ${staying.length * 4} relations among the staying missing`);

  // And they find each other.
  const found: number[] = [];
  const started = sim.clock.now();
  for (let s = 0; s < 15; s++) {
    const seeker = staying[prng.nextInt(0, staying.length)]!;
    const target = staying[(staying.indexOf(seeker) + 1 + prng.nextInt(0, staying.length - 1)) % staying.length]!;
    const off = seeker.events.on('friend-address', ({ publicKey }) => {
      if (toHex(publicKey) === toHex(target.publicKey)) { found.push(sim.clock.now() - started); off(); }
    });
    seeker.addFriend(target.publicKey);
  }
  sim.clock.advance(10_000);
  t.is(found.length, 15, 'every search among the staying finds its target within 10 s');
  t.log(`searches after churn: max ${Math.max(...found).toFixed(0)} ms simulated`);
});
