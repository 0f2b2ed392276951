/**
 * The session's harder cases on the simulated network: simultaneous open, a restarted peer,
 * two paths at once, backpressure, payload errors.
 */
import test from 'ava';
import { simPair, establish } from './sim-pair.ts';
import { NetCrypto, NetCryptoError } from '../../src/netcrypto/index.ts';
import { generateKeyPair } from '../../src/crypto/index.ts';

test('simultaneous open: both connect at once and end with one session each, keys matching', async (t) => {
  const pair = await simPair();
  const { alice, bob, sim } = pair;
  const a = alice.node.connect(bob.real.publicKey, bob.dht.publicKey, bob.address);
  const b = bob.node.connect(alice.real.publicKey, alice.dht.publicKey, alice.address);
  sim.clock.advance(1000);
  t.is(a.state, 'established');
  t.is(b.state, 'established');
  t.is(alice.accepted.length + bob.accepted.length, 0, 'no second session was made');
  const got: Uint8Array[] = [];
  b.on('lossless', (p) => got.push(p));
  a.sendLossless(Uint8Array.of(170, 1, 2, 3));
  sim.clock.advance(100);
  t.deepEqual(got, [Uint8Array.of(170, 1, 2, 3)]);
});

test('a restarted peer (same real key, new DHT key) replaces its old session', async (t) => {
  const pair = await simPair();
  const { a, b } = establish(pair);
  const { sim, bob, alice } = pair;
  let oldReason = '';
  b.on('closed', (r) => { oldReason = r; });
  // Alice "restarts": a new node with her real key and a fresh DHT key, on the same socket address.
  a.on('closed', () => undefined);
  const socket = await alice.host.bindUdp({ host: '0.0.0.0', port: 33446 });
  const alice2 = new NetCrypto({
    clock: sim.clock, sender: socket, realKeyPair: alice.real, dhtKeyPair: generateKeyPair(), accept: () => true,
  });
  socket.onReceive((d, f) => alice2.receive(d, f));
  const a2 = alice2.connect(bob.real.publicKey, bob.dht.publicKey, bob.address);
  sim.clock.advance(500);
  t.is(oldReason, 'replaced');
  t.is(a2.state, 'established');
  t.is(bob.accepted.length, 2);
  t.is(bob.accepted[1]!.state, 'established');
  t.deepEqual(bob.accepted[1]!.peerDhtPublicKey, alice2.dhtPublicKey);
  t.is(bob.node.connection(alice.real.publicKey), bob.accepted[1]);
});

test('connect() with a new DHT key replaces the session, sending a kill', async (t) => {
  const pair = await simPair();
  const { a, b } = establish(pair);
  let reasonA = '';
  let reasonB = '';
  a.on('closed', (r) => { reasonA = r; });
  b.on('closed', (r) => { reasonB = r; });
  const other = generateKeyPair();
  const a2 = pair.alice.node.connect(pair.bob.real.publicKey, other.publicKey, pair.bob.address);
  t.not(a2, a);
  t.is(reasonA, 'replaced');
  pair.sim.clock.advance(50);
  t.is(reasonB, 'killed-by-peer');
  t.is(pair.alice.node.connect(pair.bob.real.publicKey, other.publicKey), a2, 'same keys: the same session');
});

test('every packet duplicated over a second path (a relay) changes nothing', async (t) => {
  const pair = await simPair({ link: { jitterMs: 5 } });
  const { a, b } = establish(pair);
  const { sim } = pair;
  // The relay path: every packet a sends also arrives at b's node 3 ms later, as if relayed.
  a.setRelay((packet) => {
    sim.clock.setTimer(3, () => b.receive(packet, {}));
  });
  // Make UDP look stale so the relay is used alongside it.
  sim.clock.advance(9000);
  const got: number[] = [];
  const lossy: number[] = [];
  b.on('lossless', (p) => got.push(p[1]!));
  b.on('lossy', (p) => lossy.push(p[1]!));
  for (let i = 0; i < 200; i++) a.sendLossless(Uint8Array.of(160, i));
  for (let i = 0; i < 20; i++) a.sendLossy(Uint8Array.of(210, i));
  sim.clock.advance(2000);
  t.deepEqual(got, [...Array(200).keys()]);
  t.deepEqual([...lossy].sort((x, y) => x - y), [...Array(20).keys()]);
});

test('backpressure: false at the high-water mark, drain when it empties, queue-full at the bound', async (t) => {
  const pair = await simPair({ config: { sendHighWaterPackets: 64, sendQueuePackets: 128 } });
  const { a } = establish(pair);
  pair.sim.setLink(pair.alice.host, pair.bob.host, { lossRate: 1 });
  let results: boolean[] = [];
  for (let i = 0; i < 64; i++) results.push(a.sendLossless(Uint8Array.of(160, i)));
  t.true(results.slice(0, 63).every(Boolean));
  t.false(results[63]!);
  t.false(a.writable);
  results = [];
  for (let i = 0; i < 64; i++) results.push(a.sendLossless(Uint8Array.of(160, i)));
  t.true(results.every((r) => !r));
  const error = t.throws(() => a.sendLossless(Uint8Array.of(160)), { instanceOf: NetCryptoError });
  t.is(error?.code, 'queue-full');
  let drained = false;
  const writable = a.whenWritable().then(() => { drained = true; });
  pair.sim.clock.advance(1000);
  t.false(drained, 'nothing gets through a dead link');
  pair.sim.setLink(pair.alice.host, pair.bob.host, { lossRate: 0 });
  await pair.sim.clock.advanceAsync(5000);
  await writable;
  t.true(drained);
  t.is(a.queued, 0);
});

test('payload errors are typed and name the rule', async (t) => {
  const pair = await simPair();
  const { a } = establish(pair);
  const code = (f: () => unknown): string | undefined => t.throws(f, { instanceOf: NetCryptoError })?.code;
  t.is(code(() => a.sendLossless(new Uint8Array(0))), 'payload-empty');
  t.is(code(() => a.sendLossless(new Uint8Array(1374).fill(160))), 'payload-too-long');
  t.is(code(() => a.sendLossless(Uint8Array.of(15))), 'bad-packet-id');
  t.is(code(() => a.sendLossless(Uint8Array.of(192))), 'bad-packet-id');
  t.is(code(() => a.sendLossy(Uint8Array.of(191))), 'bad-packet-id');
  t.is(code(() => a.sendLossy(Uint8Array.of(255))), 'bad-packet-id');
  t.true(a.sendLossless(new Uint8Array(1373).fill(191)));
  t.true(a.sendLossy(new Uint8Array(1373).fill(254)));
  a.close();
  t.is(code(() => a.sendLossless(Uint8Array.of(160))), 'connection-closed');
  t.false(a.sendLossy(Uint8Array.of(200)));
  await t.throwsAsync(a.established(), { instanceOf: NetCryptoError });
});

test('payloads queued before the session is up go out once it is', async (t) => {
  const pair = await simPair();
  const a = pair.alice.node.connect(pair.bob.real.publicKey, pair.bob.dht.publicKey, pair.bob.address);
  for (let i = 0; i < 10; i++) a.sendLossless(Uint8Array.of(160, i));
  const got: number[] = [];
  pair.bob.node.on('connection', (b) => b.on('lossless', (p) => got.push(p[1]!)));
  await Promise.all([a.established(), pair.sim.clock.advanceAsync(500)]);
  pair.sim.clock.advance(200);
  t.deepEqual(got, [...Array(10).keys()]);
});

test('a session with no address waits, then starts when given one', async (t) => {
  const pair = await simPair();
  const a = pair.alice.node.connect(pair.bob.real.publicKey, pair.bob.dht.publicKey);
  pair.sim.clock.advance(20_000);
  t.is(a.state, 'cookie-requesting', 'no path: no sends counted, no timeout');
  t.is(pair.sim.stats.sent, 0);
  a.setAddress(pair.bob.address);
  pair.sim.clock.advance(500);
  t.is(a.state, 'established');
});

test('a session over a relay only: cookie, handshake and data all through receiveRelayed', async (t) => {
  const pair = await simPair();
  const { sim, alice, bob } = pair;
  sim.setLink(alice.host, bob.host, { lossRate: 1 });
  // The "relay": 5 ms each way, out of band, replying the same way.
  const toBob = (packet: Uint8Array): void => {
    sim.clock.setTimer(5, () => bob.node.receiveRelayed(packet, { peerDhtPublicKey: alice.dht.publicKey, reply: toAlice }));
  };
  const toAlice = (packet: Uint8Array): void => {
    sim.clock.setTimer(5, () => alice.node.receiveRelayed(packet, { peerDhtPublicKey: bob.dht.publicKey, reply: toBob }));
  };
  const a = alice.node.connect(bob.real.publicKey, bob.dht.publicKey);
  a.setRelay(toBob);
  sim.clock.advance(200);
  t.is(a.state, 'established');
  const b = bob.accepted[0]!;
  t.is(b.state, 'established');
  t.is(a.path, 'relay');
  t.is(b.path, 'relay');
  const got: number[] = [];
  const back: number[] = [];
  b.on('lossless', (p) => got.push(p[1]!));
  a.on('lossless', (p) => back.push(p[1]!));
  for (let i = 0; i < 100; i++) {
    a.sendLossless(Uint8Array.of(160, i));
    b.sendLossless(Uint8Array.of(161, i));
  }
  sim.clock.advance(1000);
  t.deepEqual(got, [...Array(100).keys()]);
  t.deepEqual(back, [...Array(100).keys()]);
  t.is(sim.stats.delivered, 0, 'nothing went by UDP');
  t.false(alice.node.receiveRelayed(Uint8Array.of(0x20, 1), { peerDhtPublicKey: bob.dht.publicKey, reply: toBob }));
});
