/**
 * Friends behind NATs, end to end: two ToxNodes (the real onion, DHT, net_crypto, relays and
 * friend layer) on a 24-node simulated Tox network, each behind a symmetric NAT of its own
 * with random port allocation, so that no hole can be punched between them. A toxlink relay
 * server on a public host is given to both. They meet through the onion and stay connected
 * through the relay; when one of them moves behind a full-cone NAT the same session moves to
 * direct UDP; when it changes address again the session goes on.
 */
import test from 'ava';
import { simToxNet } from '../onion/sim-tox-net.ts';
import { befriend, bothOnline, pathTo, simRelay, statusesSince, toxPeer, until } from './sim-tox.ts';

test('symmetric NATs: connected through a relay; one peer moves to a full-cone NAT: the same session goes direct; it moves again: the session goes on', async (t) => {
  const net = await simToxNet(24, { seed: 21 });
  t.teardown(() => net.close());
  const relay = await simRelay(net);
  t.teardown(() => relay.server.close());
  const alice = await toxPeer(net, { name: 'alice', nat: { type: 'symmetric', publicIp: '198.51.100.1', portAllocation: 'random' }, relays: [relay.endpoint] });
  const bob = await toxPeer(net, { name: 'bob', nat: { type: 'symmetric', publicIp: '198.51.100.2', portAllocation: 'random' }, relays: [relay.endpoint] });
  t.teardown(async () => { await alice.node.close(); await bob.node.close(); });
  befriend(alice, bob);

  // Phase 1: both behind symmetric NATs, only the relay joins them.
  const took = await until(net, () => bothOnline(alice, bob), 60_000);
  t.true(bothOnline(alice, bob), `online after ${took} ms`);
  t.is(pathTo(alice, bob), 'tcp');
  t.is(pathTo(bob, alice), 'tcp');
  t.log(`phase 1: online through the relay ${took} simulated ms after start`);
  // Ten minutes: the path stays on the relay, the friendship never drops.
  const hourFrom = net.clock.now();
  const session = alice.node.friends.connection(bob.realKeyPair.publicKey);
  await until(net, () => false, 600_000, 1000);
  t.deepEqual(statusesSince(alice, bob, hourFrom), [], 'no status change in 10 minutes on the relay');
  t.is(alice.node.friends.connection(bob.realKeyPair.publicKey), session, 'the same session');
  t.is(pathTo(alice, bob), 'tcp');

  // Phase 2: bob moves behind a full-cone NAT (a new network, as a phone leaving Wi-Fi).
  const moved = net.clock.now();
  bob.host.setAddress('10.9.0.2', { nat: { type: 'full-cone', publicIp: '198.51.100.9' } });
  const direct = await until(net, () => pathTo(alice, bob) === 'udp' && pathTo(bob, alice) === 'udp', 300_000);
  t.is(pathTo(alice, bob), 'udp', `direct after ${direct} ms`);
  t.is(pathTo(bob, alice), 'udp');
  t.is(alice.node.friends.connection(bob.realKeyPair.publicKey)?.address?.host, '198.51.100.9');
  t.log(`phase 2: direct UDP ${direct} simulated ms after bob moved behind a full-cone NAT; alice saw ${statusesSince(alice, bob, moved).join(' → ')}`);
  t.false(statusesSince(alice, bob, moved).includes('offline'), 'never offline');
  t.false(statusesSince(bob, alice, moved).includes('offline'), 'never offline, seen from bob');
  t.is(alice.node.friends.connection(bob.realKeyPair.publicKey), session, 'the same session');

  // Phase 3: bob changes address again (another full-cone NAT): the session goes on, direct again.
  const again = net.clock.now();
  bob.host.setAddress('10.9.0.3', { nat: { type: 'full-cone', publicIp: '198.51.100.10' } });
  const bobAt = (): string | undefined => alice.node.friends.connection(bob.realKeyPair.publicKey)?.address?.host;
  const back = await until(net, () => bobAt() === '198.51.100.10' && pathTo(alice, bob) === 'udp' && pathTo(bob, alice) === 'udp', 300_000);
  t.is(bobAt(), '198.51.100.10', 'alice\'s session sends to bob\'s new address');
  t.is(pathTo(alice, bob), 'udp', `direct again after ${back} ms`);
  t.false(statusesSince(alice, bob, again).includes('offline'), 'never offline');
  t.false(statusesSince(bob, alice, again).includes('offline'), 'never offline, seen from bob');
  t.is(alice.node.friends.connection(bob.realKeyPair.publicKey), session, 'the same session');
  t.log(`phase 3: after bob's second move, UDP to his new address ${back} simulated ms later; alice saw ${statusesSince(alice, bob, again).join(' → ') || 'no change'}`);

  // The session still carries data both ways.
  const got: string[] = [];
  bob.node.friends.on('lossless', (p) => got.push(new TextDecoder().decode(p.data.subarray(1))));
  alice.node.friends.sendLossless(bob.realKeyPair.publicKey, new Uint8Array([160, ...new TextEncoder().encode('still here')]));
  await until(net, () => got.length > 0, 5_000);
  t.deepEqual(got, ['still here']);
  t.deepEqual([...alice.errors, ...bob.errors], []);
});
