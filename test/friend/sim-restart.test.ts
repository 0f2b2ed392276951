/**
 * Friends that come and go, end to end, with 10 % loss on every link: two ToxNodes (the
 * real onion, DHT, net_crypto and friend layer) on a 24-node simulated Tox network.
 *
 * - Bob is killed (no kill packet) and started again with a new DHT key, 20 times, after a
 *   short outage (2 s: back before alice can notice) or a long one (40 s: alice's alive
 *   timeout passes first). Alice must see him offline within the alive timeout, and both
 *   must be online again, with bob's new DHT key, within the bound below of his restart.
 * - Bob's host loses the network for longer than the 122 s retry window, twice: both sides
 *   forget the DHT key and go back to the onion, and the friendship comes back after each
 *   outage (c-toxcore's old "never reconnects after a second outage" bug).
 */
import test from 'ava';
import { FRIEND_CONNECTION_TIMEOUT_MS, FRIEND_DHT_TIMEOUT_MS } from '../../src/friend/index.ts';
import { ONION_DHTPK_SEND_INTERVAL_MS } from '../../src/onion/index.ts';
import { simToxNet } from '../onion/sim-tox-net.ts';
import { befriend, bothOnline, bothOnlineWithCurrentKeys, crash, pathTo, restart, statusesSince, toxPeer, until } from './sim-tox.ts';

/**
 * The bound on a reconnection after a restart: the alive timeout (32 s: the old session of
 * the survivor may still stand that long) plus one retry cycle (30 s: the onion's DHT key
 * announcement to an offline friend, which a lost announcement waits for).
 */
const RECONNECT_BOUND_MS = FRIEND_CONNECTION_TIMEOUT_MS + ONION_DHTPK_SEND_INTERVAL_MS;

test(`10 % loss: a friend killed and restarted 20 times with new DHT keys is back within ${RECONNECT_BOUND_MS / 1000} s each time`, async (t) => {
  const net = await simToxNet(24, { seed: 31, link: { lossRate: 0.1 }, convergeLimitMs: 300_000 });
  t.teardown(() => net.close());
  const alice = await toxPeer(net, { name: 'alice' });
  const bob = await toxPeer(net, { name: 'bob' });
  t.teardown(async () => { await alice.node.close(); await bob.node.close(); });
  befriend(alice, bob);
  const first = await until(net, () => bothOnlineWithCurrentKeys(alice, bob), 120_000);
  t.true(bothOnline(alice, bob), `first meeting after ${first} ms`);

  const back: number[] = [];
  const noticed: number[] = [];
  const keys = new Set<string>([Buffer.from(bob.node.dhtKeyPair.publicKey).toString('hex')]);
  for (let i = 0; i < 20; i++) {
    await until(net, () => false, 10_000, 1000); // settle: alive packets flowing
    const crashedAt = net.clock.now();
    await crash(bob);
    const long = i % 2 === 1;
    await until(net, () => false, long ? 40_000 : 2_000, 100);
    if (long) {
      const seen = alice.statuses.find((s) => s.at >= crashedAt && !s.online);
      t.truthy(seen, `round ${i}: alice saw bob offline during the long outage`);
      if (seen) noticed.push(seen.at - crashedAt);
    }
    const restartedAt = net.clock.now();
    await restart(net, bob);
    keys.add(Buffer.from(bob.node.dhtKeyPair.publicKey).toString('hex'));
    const took = await until(net, () => bothOnlineWithCurrentKeys(alice, bob), 2 * RECONNECT_BOUND_MS);
    t.true(bothOnlineWithCurrentKeys(alice, bob), `round ${i}: back online after ${took} ms`);
    back.push(took);
    t.true(statusesSince(alice, bob, restartedAt).at(-1) !== 'offline');
  }
  t.is(keys.size, 21, 'a new DHT key at every start');
  const max = Math.max(...back);
  t.true(max <= RECONNECT_BOUND_MS, `every reconnection within ${RECONNECT_BOUND_MS} ms of the restart; max ${max} ms`);
  t.true(Math.max(...noticed) <= FRIEND_CONNECTION_TIMEOUT_MS + 1_000, `alice saw the crash within the alive timeout: ${noticed.join(' ')} ms`);
  const sorted = [...back].sort((a, b) => a - b);
  t.log(`back online after a restart (ms): max ${max}, median ${sorted[10]}, all ${back.join(' ')}`);
  t.log(`killed peer seen offline after (ms): ${noticed.join(' ')}`);
  t.deepEqual([...alice.errors, ...bob.errors], []);
});

test('10 % loss: an outage longer than the retry window, then a second one: the friends reconnect after each', async (t) => {
  const net = await simToxNet(24, { seed: 32, link: { lossRate: 0.1 }, convergeLimitMs: 300_000 });
  t.teardown(() => net.close());
  const alice = await toxPeer(net, { name: 'alice' });
  const bob = await toxPeer(net, { name: 'bob' });
  t.teardown(async () => { await alice.node.close(); await bob.node.close(); });
  befriend(alice, bob);
  await until(net, () => bothOnline(alice, bob), 120_000);
  t.true(bothOnline(alice, bob));
  const outageMs = FRIEND_DHT_TIMEOUT_MS + 30_000;
  const forgotten = (): boolean => alice.node.friends.friend(bob.realKeyPair.publicKey)?.dhtPublicKey === undefined;
  for (const outage of ['first', 'second']) {
    await until(net, () => false, 20_000, 1000);
    const cut = net.sim.partition([bob.host]);
    await until(net, () => false, outageMs, 1000);
    t.false(bothOnline(alice, bob), `${outage} outage: offline`);
    t.true(forgotten(), `${outage} outage: alice forgot bob's DHT key when the window closed`);
    cut.heal();
    const took = await until(net, () => bothOnline(alice, bob), 300_000);
    t.true(bothOnline(alice, bob), `${outage} outage: back online ${took} ms after the network came back`);
    t.log(`${outage} outage of ${outageMs / 1000} s: back online ${took} simulated ms after the network came back (path ${pathTo(alice, bob)})`);
  }
  t.deepEqual([...alice.errors, ...bob.errors], []);
});
