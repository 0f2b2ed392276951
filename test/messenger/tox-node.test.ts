/**
 * ToxNode end to end on the simulator, with every real part: DHT, onion node and client,
 * net_crypto, the friend layer. Two nodes that only know each other's long-term key find
 * each other through the onion of a 24-node network and come online; a restarted friend
 * (new DHT key) is found again; a friend cut off for longer than the retry window comes
 * back when the network heals.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { ToxNode } from '../../src/messenger/index.ts';
import { toHex } from '../../src/wire/index.ts';
import { simToxNet, type SimToxNet } from '../onion/sim-tox-net.ts';

const PORT = 33445;

async function node(net: SimToxNet, name: string, realKeyPair = generateKeyPair()): Promise<ToxNode> {
  const host = net.sim.addHost({ name });
  const n = await ToxNode.start({ network: host, clock: net.clock, realKeyPair, udp: { host: '0.0.0.0', port: PORT }, randomInt: (k) => net.prng.nextInt(0, k) });
  const boot = net.nodes[0]!;
  n.bootstrap(boot.address, boot.dht.publicKey);
  return n;
}

/** Advances simulated time in 100 ms steps until `done` or `limitMs`; returns the time taken. */
async function until(net: SimToxNet, done: () => boolean, limitMs: number): Promise<number> {
  const start = net.clock.now();
  while (!done() && net.clock.now() - start < limitMs) await net.clock.advanceAsync(100);
  return net.clock.now() - start;
}

const online = (a: ToxNode, b: ToxNode): boolean => a.friends.path(b.realKeyPair.publicKey) !== 'none' && b.friends.path(a.realKeyPair.publicKey) !== 'none';

test('two ToxNodes that know only each other\'s real key meet through the real onion, over UDP', async (t) => {
  const net = await simToxNet(24, { seed: 11 });
  t.teardown(() => net.close());
  const alice = await node(net, 'alice');
  const bob = await node(net, 'bob');
  t.teardown(async () => { await alice.close(); await bob.close(); });
  alice.friends.lock(bob.realKeyPair.publicKey);
  bob.friends.lock(alice.realKeyPair.publicKey);
  const took = await until(net, () => online(alice, bob), 120_000);
  t.true(online(alice, bob), `online after ${took} ms`);
  t.is(alice.friends.path(bob.realKeyPair.publicKey), 'udp');
  t.is(toHex(alice.friends.friend(bob.realKeyPair.publicKey)!.dhtPublicKey!), toHex(bob.dhtKeyPair.publicKey));
  t.log(`online both ways ${took} simulated ms after start`);

  const got: string[] = [];
  bob.friends.on('lossless', (p) => got.push(new TextDecoder().decode(p.data.subarray(1))));
  alice.friends.sendLossless(bob.realKeyPair.publicKey, new Uint8Array([160, ...new TextEncoder().encode('hello bob')]));
  await until(net, () => got.length > 0, 5_000);
  t.deepEqual(got, ['hello bob']);
});

test('a friend restarted with a new DHT key is found again through the onion', async (t) => {
  const net = await simToxNet(24, { seed: 12 });
  t.teardown(() => net.close());
  const alice = await node(net, 'alice');
  const bobKeys = generateKeyPair();
  let bob = await node(net, 'bob', bobKeys);
  t.teardown(async () => { await alice.close(); await bob.close(); });
  alice.friends.lock(bobKeys.publicKey);
  bob.friends.lock(alice.realKeyPair.publicKey);
  await until(net, () => online(alice, bob), 120_000);
  t.true(online(alice, bob));

  const oldDht = toHex(bob.dhtKeyPair.publicKey);
  await bob.close();
  bob = await node(net, 'bob-again', bobKeys);
  bob.friends.lock(alice.realKeyPair.publicKey);
  t.not(toHex(bob.dhtKeyPair.publicKey), oldDht);
  const took = await until(net, () => online(alice, bob) && toHex(alice.friends.friend(bobKeys.publicKey)!.dhtPublicKey!) === toHex(bob.dhtKeyPair.publicKey), 180_000);
  t.true(online(alice, bob), `back online after ${took} ms`);
  t.log(`restarted friend back online ${took} simulated ms after its restart`);
});
