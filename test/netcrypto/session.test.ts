import test from 'ava';
import { simPair, establish } from './sim-pair.ts';

test('alice connects to bob: both sessions reach established within a few round trips', async (t) => {
  const pair = await simPair();
  const start = pair.sim.clock.now();
  const { a, b } = establish(pair);
  t.is(a.state, 'established');
  t.is(b.state, 'established');
  // cookie request/response, handshake both ways, first data packet: about 3 RTT of 20 ms.
  t.true(pair.sim.clock.now() - start <= 100, `took ${pair.sim.clock.now() - start} ms`);
  t.deepEqual(b.peerRealPublicKey, pair.alice.real.publicKey);
  t.deepEqual(b.peerDhtPublicKey, pair.alice.dht.publicKey);
});

test('lossless payloads arrive in order, byte-exact, both ways', async (t) => {
  const pair = await simPair();
  const { a, b } = establish(pair);
  const gotB: number[] = [];
  const gotA: number[] = [];
  b.on('lossless', (p) => gotB.push(p[1]! | (p[2]! << 8)));
  a.on('lossless', (p) => gotA.push(p[1]! | (p[2]! << 8)));
  for (let i = 0; i < 500; i++) {
    a.sendLossless(Uint8Array.of(160, i & 255, i >> 8, 7, 7));
    b.sendLossless(Uint8Array.of(161, i & 255, i >> 8));
  }
  pair.sim.clock.advance(2000);
  t.deepEqual(gotB, [...Array(500).keys()]);
  t.deepEqual(gotA, [...Array(500).keys()]);
  t.is(a.queued, 0, 'everything acknowledged');
  t.is(b.queued, 0);
});

test('lossy payloads arrive once, unordered delivery allowed', async (t) => {
  const pair = await simPair({ link: { duplicateRate: 0.5 } });
  const { a, b } = establish(pair);
  const got: number[] = [];
  b.on('lossy', (p) => got.push(p[1]!));
  for (let i = 0; i < 50; i++) t.true(a.sendLossy(Uint8Array.of(200, i)));
  pair.sim.clock.advance(500);
  t.deepEqual([...got].sort((x, y) => x - y), [...Array(50).keys()]);
  t.true(b.stats.dropped.get('duplicate') > 0, 'duplicates were seen and dropped');
});

test('a kill packet closes the other side at once', async (t) => {
  const pair = await simPair();
  const { a, b } = establish(pair);
  let reason = '';
  b.on('closed', (r) => { reason = r; });
  a.close();
  t.is(a.state, 'closed');
  pair.sim.clock.advance(50);
  t.is(reason, 'killed-by-peer');
  t.is(pair.bob.node.connection(pair.alice.real.publicKey), undefined);
});

test('a refused peer gets no session', async (t) => {
  const pair = await simPair();
  pair.bob.acceptAll = false;
  const a = pair.alice.node.connect(pair.bob.real.publicKey, pair.bob.dht.publicKey, pair.bob.address);
  let reason = '';
  a.on('closed', (r) => { reason = r; });
  pair.sim.clock.advance(20_000);
  t.is(reason, 'handshake-timeout');
  t.is(pair.bob.accepted.length, 0);
  t.true(pair.bob.node.stats.dropped.get('not-accepted') >= 1);
});

test('handshake phase gives up after 8 sends, one a second', async (t) => {
  const pair = await simPair();
  pair.sim.setLink(pair.alice.host, pair.bob.host, { lossRate: 1 });
  const a = pair.alice.node.connect(pair.bob.real.publicKey, pair.bob.dht.publicKey, pair.bob.address);
  let closedAt = -1;
  a.on('closed', () => { closedAt = pair.sim.clock.now(); });
  pair.sim.clock.advance(7_500);
  t.is(a.state, 'cookie-requesting');
  pair.sim.clock.advance(2_000);
  t.is(a.state, 'closed');
  t.true(closedAt >= 8000 && closedAt <= 9000, `closed at ${closedAt}`);
  t.is(pair.sim.stats.sent, 8, 'eight cookie requests, nothing else');
  t.is(pair.sim.stats.dropped.loss, 8);
});
