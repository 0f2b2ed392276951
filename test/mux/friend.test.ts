/**
 * Channels over real friend connections: two ToxNodes on the simulator (DHT, onion,
 * net_crypto and the friend layer, all real) with a ConnectionManager each on
 * `friendConnector`. `connectDevice` before the friend is online waits for it, the channel
 * carries data both ways, and a key that is not a friend is refused at once.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { ToxNode } from '../../src/messenger/index.ts';
import { ConnectionManager, friendConnector, MuxError, type ChannelSocket } from '../../src/mux/index.ts';
import { simToxNet, type SimToxNet } from '../onion/sim-tox-net.ts';

async function node(net: SimToxNet, name: string): Promise<ToxNode> {
  const host = net.sim.addHost({ name });
  const n = await ToxNode.start({ network: host, clock: net.clock, realKeyPair: generateKeyPair(), udp: { host: '0.0.0.0', port: 33445 }, randomInt: (k) => net.prng.nextInt(0, k) });
  n.bootstrap(net.nodes[0]!.address, net.nodes[0]!.dht.publicKey);
  return n;
}

/** Advances simulated time until the promise settles (bounded). */
async function settle<T>(net: SimToxNet, promise: Promise<T>, limitMs: number): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => { settled = true; });
  const start = net.clock.now();
  while (!settled && net.clock.now() - start < limitMs) await net.clock.advanceAsync(50);
  return watched;
}

test('connectDevice to a friend not yet online waits for it, then the channel carries 256 KiB each way', async (t) => {
  const net = await simToxNet(20, { seed: 21 });
  t.teardown(() => net.close());
  const alice = await node(net, 'alice');
  const bob = await node(net, 'bob');
  const aKey = alice.realKeyPair.publicKey;
  const bKey = bob.realKeyPair.publicKey;
  alice.friends.lock(bKey);
  bob.friends.lock(aKey);
  const aConn = friendConnector(alice.friends);
  const bConn = friendConnector(bob.friends);
  const am = new ConnectionManager({ selfKey: aKey, connector: aConn, clock: net.clock, config: { connectTimeoutMs: 120_000 } });
  const bm = new ConnectionManager({ selfKey: bKey, connector: bConn, clock: net.clock });
  t.teardown(async () => { am.close(); bm.close(); aConn.close(); bConn.close(); await alice.close(); await bob.close(); });

  const requests: string[] = [];
  bm.onChannelRequest((r) => { requests.push(r.uri); return r.uri === 'file://a'; });
  bm.on('channel', (socket: ChannelSocket) => socket.pipe(socket)); // echo

  const data = new Uint8Array(256 * 1024).map((_, i) => (i * 7 + 3) & 0xff);
  const socket = await settle(net, am.connectDevice(bKey, 'file://a'), 120_000);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => socket.on('end', resolve));
  socket.end(data);
  await settle(net, ended, 60_000);
  const back = Buffer.concat(chunks);
  t.is(back.length, data.length);
  t.is(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(data).digest('hex'));
  t.deepEqual(requests, ['file://a']);

  const refused = await settle(net, am.connectDevice(bKey, 'file://b').then(() => 'opened', (e: unknown) => (e as MuxError).code), 10_000);
  t.is(refused, 'declined');
});

test('connectDevice to a key that is not a friend fails with connect-failed at once', async (t) => {
  const net = await simToxNet(4, { seed: 22 });
  t.teardown(() => net.close());
  const alice = await node(net, 'alice');
  const conn = friendConnector(alice.friends);
  const am = new ConnectionManager({ selfKey: alice.realKeyPair.publicKey, connector: conn, clock: net.clock });
  t.teardown(async () => { am.close(); conn.close(); await alice.close(); });
  const error = await settle(net, am.connectDevice(generateKeyPair().publicKey, 'file://a').then(() => undefined, (e: unknown) => e), 1_000);
  t.true(error instanceof MuxError);
  t.is((error as MuxError).code, 'connect-failed');
});

test('a manager made after its friend came online still hears the friend\'s channel requests', async (t) => {
  const net = await simToxNet(20, { seed: 23 });
  t.teardown(() => net.close());
  const alice = await node(net, 'alice');
  const bob = await node(net, 'bob');
  const aKey = alice.realKeyPair.publicKey;
  const bKey = bob.realKeyPair.publicKey;
  alice.friends.lock(bKey);
  bob.friends.lock(aKey);
  const online = new Promise<void>((resolve) => bob.friends.on('status', (s) => s.online && resolve()));
  await settle(net, online, 120_000);
  // Only now the channel layers: Bob's hears of the session that is up already.
  const aConn = friendConnector(alice.friends);
  const bConn = friendConnector(bob.friends);
  const am = new ConnectionManager({ selfKey: aKey, connector: aConn, clock: net.clock });
  const bm = new ConnectionManager({ selfKey: bKey, connector: bConn, clock: net.clock });
  t.teardown(async () => { am.close(); bm.close(); aConn.close(); bConn.close(); await alice.close(); await bob.close(); });
  bm.onChannelRequest(() => true);
  const accepted: string[] = [];
  bm.on('channel', (socket: ChannelSocket) => {
    socket.on('error', () => {}); // the managers close under it at the end
    accepted.push(socket.uri);
  });
  const socket = await settle(net, am.connectDevice(bKey, 'late://x', { timeoutMs: 10_000 }), 10_000);
  socket.on('error', () => {});
  t.is(socket.uri, 'late://x');
  t.deepEqual(accepted, ['late://x']);
});
