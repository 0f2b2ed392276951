/**
 * 500 friends on one node, idle: the node is a whole ToxNode (DHT, the real onion client
 * and node, net_crypto, the friend layer) on a 24-node simulated Tox network. Four of its
 * friends are whole ToxNodes too, found through the onion. The other 496 are light friends
 * (net_crypto and the friend layer only; see `lightFriend` in sim-tox.ts) that know the
 * node's DHT key and address as from a saved state and connect to it: 500 ToxNodes would
 * also be 500 DHT nodes all talking to each other, minutes of CPU for a simulated minute,
 * while what is measured here is the one node's cost per friend, which does not depend on
 * how its friends found it.
 *
 * Every friend stays connected for the simulated minutes measured, and the node's datagrams
 * per second per friend stay under the bound below.
 */
import test from 'ava';
import { simToxNet } from '../onion/sim-tox-net.ts';
import { type LightFriend, type ToxPeer, befriend, bothOnline, lightFriend, toxPeer, until } from './sim-tox.ts';

const FRIENDS = 500;
const FULL = 4;
/** The bound asserted: datagrams per second per friend the node sends while idle. */
const IDLE_PACKETS_PER_FRIEND_BOUND = 2.5;
const MEASURE_MS = 60_000;

test(`${FRIENDS} friends on one node stay connected, idle under ${IDLE_PACKETS_PER_FRIEND_BOUND} datagrams a second per friend`, async (t) => {
  const wallStart = Date.now();
  const net = await simToxNet(24, { seed: 41 });
  t.teardown(() => net.close());
  const hub = await toxPeer(net, { name: 'hub' });
  const full: ToxPeer[] = [];
  const light: LightFriend[] = [];
  t.teardown(async () => {
    for (const f of light) await f.close();
    for (const p of [hub, ...full]) await p.node.close();
  });
  for (let i = 0; i < FULL; i++) {
    const p = await toxPeer(net, { name: `full-${i}` });
    befriend(hub, p);
    full.push(p);
  }
  for (let i = 0; i < FRIENDS - FULL; i++) light.push(await lightFriend(net, hub, `light-${i}`));
  const hubKey = hub.realKeyPair.publicKey;
  const allOnline = (): boolean => hub.node.friends.friends().every((f) => f.online)
    && full.every((p) => bothOnline(hub, p)) && light.every((f) => f.friends.path(hubKey) !== 'none');
  t.is(hub.node.friends.size, FRIENDS);

  const took = await until(net, allOnline, 120_000, 500);
  t.true(allOnline(), `all ${FRIENDS} online after ${took} ms`);
  t.log(`all ${FRIENDS} friends online ${took} simulated ms after start (the ${FULL} ToxNodes through the onion)`);

  await until(net, () => false, 10_000, 1000);
  const from = net.clock.now();
  const sentBefore = hub.sent.packets;
  const bytesBefore = hub.sent.bytes;
  const byIdBefore = new Map(hub.sent.byId);
  await until(net, () => false, MEASURE_MS, 1000);
  const seconds = MEASURE_MS / 1000;
  const perFriend = (hub.sent.packets - sentBefore) / seconds / FRIENDS;
  const bytesPerFriend = (hub.sent.bytes - bytesBefore) / seconds / FRIENDS;
  t.true(allOnline(), 'everyone still online');
  t.deepEqual(hub.statuses.filter((s) => s.at >= from && !s.online), [], 'no friend went offline while measured');
  t.true(perFriend <= IDLE_PACKETS_PER_FRIEND_BOUND, `idle: ${perFriend.toFixed(2)} datagrams/s per friend`);
  const kinds = [...hub.sent.byId].map(([id, n]) => [id, (n - (byIdBefore.get(id) ?? 0)) / seconds / FRIENDS] as const)
    .filter(([, r]) => r >= 0.01).sort((a, b) => b[1] - a[1]).map(([id, r]) => `0x${id.toString(16)}: ${r.toFixed(2)}`);
  t.log(`idle, over ${seconds} simulated s: ${perFriend.toFixed(2)} datagrams (${bytesPerFriend.toFixed(0)} bytes) a second per friend; by packet id: ${kinds.join(', ')}`);
  t.log(`run took ${((Date.now() - wallStart) / 1000).toFixed(0)} s of real time`);
  t.deepEqual([...hub.errors, ...full.flatMap((p) => p.errors)], []);
});
