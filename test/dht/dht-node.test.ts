import test from 'ava';
import { simDht } from './sim-dht.ts';
import { toHex } from '../../src/wire/index.ts';
import { compareDistance } from '../../src/dht/index.ts';

test('two nodes: one bootstraps from the other and both end up in each other\'s close list', async (t) => {
  const { sim, nodes: [a, b], addresses } = await simDht(2);
  a!.bootstrap(addresses[1]!, b!.publicKey);
  sim.clock.advance(10_000);
  t.truthy(a!.closeList.get(b!.publicKey), 'a heard b answer');
  t.truthy(b!.closeList.get(a!.publicKey), 'b pinged a back and a answered');
  t.true(a!.isConnected && b!.isConnected);
  t.is(a!.stats.totalDropped + b!.stats.totalDropped, 0);
});

test('thirty nodes bootstrapped from one converge: each knows the nodes truly closest to it', async (t) => {
  const { sim, nodes, addresses } = await simDht(30, { seed: 5 });
  for (let i = 1; i < nodes.length; i++) nodes[i]!.bootstrap(addresses[0]!, nodes[0]!.publicKey);
  sim.clock.advance(120_000);
  let missing = 0;
  for (const node of nodes) {
    const truth = nodes.filter((n) => n !== node).sort((a, b) => compareDistance(node.publicKey, a.publicKey, b.publicKey)).slice(0, 4);
    for (const near of truth) if (!node.closeList.get(near.publicKey)) missing++;
  }
  t.is(missing, 0, `${missing} of ${nodes.length * 4} closest-4 relations missing`);
  t.true(nodes.every((n) => n.closeList.size >= 4));
});

test('a friend search reports the friend\'s address', async (t) => {
  const { sim, nodes, addresses } = await simDht(20, { seed: 9 });
  for (let i = 1; i < nodes.length; i++) nodes[i]!.bootstrap(addresses[0]!, nodes[0]!.publicKey);
  sim.clock.advance(30_000);
  const seeker = nodes[3]!, target = nodes[17]!;
  const found: string[] = [];
  seeker.events.on('friend-address', ({ publicKey, ipPort }) => { if (toHex(publicKey) === toHex(target.publicKey)) found.push(ipPort.host); });
  seeker.addFriend(target.publicKey);
  sim.clock.advance(30_000);
  t.true(found.includes(addresses[17]!.host), `found ${found.join(',')}`);
  t.deepEqual(seeker.friendAddress(target.publicKey), addresses[17]);
});
