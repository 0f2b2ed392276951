import test from 'ava';
import { SimNetwork, totalDropped, type SimStats } from '../../src/io/index.ts';
import { ANY, collect, numbered, numberOf } from './sim-helpers.ts';

/** Every datagram sent (and every duplicate) is delivered or dropped once nothing is in flight. */
function balanced(stats: SimStats): boolean {
  return stats.sent + stats.duplicated === stats.delivered + totalDropped(stats);
}

test('a datagram arrives after the link latency, from the sender address', async (t) => {
  const sim = new SimNetwork({ link: { latencyMs: 25 } });
  const alice = sim.addHost({ ip: '1.1.1.1' });
  const bob = sim.addHost();
  const a = await alice.bindUdp({ host: ANY, port: 33445 });
  const b = await bob.bindUdp({ host: bob.ip, port: 0 });
  const got = collect(b, sim.clock);
  a.send(b.local, new Uint8Array([1, 2, 3]));
  sim.clock.advance(24.9);
  t.is(got.length, 0);
  sim.clock.advance(0.1);
  t.is(got.length, 1);
  t.is(got[0]?.at, 25);
  t.deepEqual(got[0]?.from, { host: '1.1.1.1', port: 33445 });
  t.deepEqual([...(got[0]?.data ?? [])], [1, 2, 3]);
  t.is(sim.stats.delivered, 1);
});

test('the sender may reuse its buffer at once', async (t) => {
  const sim = new SimNetwork();
  const a = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const b = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const got = collect(b, sim.clock);
  const buffer = new Uint8Array([7]);
  a.send(b.local, buffer);
  buffer[0] = 8;
  sim.clock.advance(100);
  t.is(got[0]?.data[0], 7);
});

test('loss over 10,000 datagrams is near the configured rate', async (t) => {
  const sim = new SimNetwork({ seed: 2024, link: { lossRate: 0.2 } });
  const a = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const b = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const got = collect(b, sim.clock);
  for (let i = 0; i < 10_000; i++) a.send(b.local, numbered(i));
  sim.clock.runUntilIdle();
  const lost = sim.stats.dropped.loss / 10_000;
  // 3 sigma of a binomial(10000, 0.2) fraction is 0.012.
  t.true(Math.abs(lost - 0.2) < 0.02, `loss ${lost}`);
  t.is(got.length, 10_000 - sim.stats.dropped.loss);
  t.true(balanced(sim.stats));
});

test('duplication delivers extra copies at the configured rate', async (t) => {
  const sim = new SimNetwork({ seed: 5, link: { duplicateRate: 0.1, jitterMs: 5 } });
  const a = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const b = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const got = collect(b, sim.clock);
  for (let i = 0; i < 10_000; i++) a.send(b.local, numbered(i));
  sim.clock.runUntilIdle();
  const rate = sim.stats.duplicated / 10_000;
  t.true(Math.abs(rate - 0.1) < 0.015, `duplication ${rate}`);
  t.is(got.length, 10_000 + sim.stats.duplicated);
  t.is(new Set(got.map((r) => numberOf(r.data))).size, 10_000);
  t.true(balanced(sim.stats));
});

test('jitter reorders datagrams but loses none', async (t) => {
  const sim = new SimNetwork({ seed: 11, link: { latencyMs: 20, jitterMs: 30 } });
  const a = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const b = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const got = collect(b, sim.clock);
  for (let i = 0; i < 200; i++) {
    a.send(b.local, numbered(i));
    sim.clock.advance(1);
  }
  sim.clock.runUntilIdle();
  const order = got.map((r) => numberOf(r.data));
  t.is(order.length, 200);
  t.notDeepEqual(order, [...order].sort((x, y) => x - y));
  for (const r of got) t.true(r.at >= 20);
});

test('a bandwidth cap spaces a burst by size / rate, and a full queue drops', async (t) => {
  const sim = new SimNetwork({ link: { latencyMs: 10 } });
  const alice = sim.addHost({ uplink: { bytesPerSecond: 10_000, queueBytes: 5_000 } });
  const a = await alice.bindUdp({ host: ANY, port: 1 });
  const b = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const got = collect(b, sim.clock);
  for (let i = 0; i < 8; i++) a.send(b.local, numbered(i, 1000));
  sim.clock.runUntilIdle();
  // 1000 bytes at 10 kB/s take 100 ms each; the queue holds five of them.
  t.deepEqual(
    got.map((r) => r.at),
    [110, 210, 310, 410, 510],
  );
  t.is(sim.stats.dropped['bandwidth-queue-full'], 3);
  // Once drained, the uplink is free again.
  a.send(b.local, numbered(99, 500));
  sim.clock.runUntilIdle();
  t.is(got.at(-1)?.at, sim.clock.now());
  t.is((got.at(-1)?.at ?? 0) - 510, 60);
});

test('datagrams over the link maximum are dropped as too big', async (t) => {
  const sim = new SimNetwork({ link: { maxDatagramSize: 1200 } });
  const a = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const b = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const got = collect(b, sim.clock);
  a.send(b.local, new Uint8Array(1200));
  a.send(b.local, new Uint8Array(1201));
  sim.clock.runUntilIdle();
  t.is(got.length, 1);
  t.is(sim.stats.dropped['too-big'], 1);
});

test('no listener, no route, and a closed socket are counted', async (t) => {
  const sim = new SimNetwork();
  const a = await sim.addHost().bindUdp({ host: ANY, port: 1 });
  const bob = sim.addHost();
  a.send({ host: bob.ip, port: 9 }, new Uint8Array(1));
  a.send({ host: '203.0.113.1', port: 9 }, new Uint8Array(1));
  sim.clock.runUntilIdle();
  t.is(sim.stats.dropped['no-listener'], 1);
  t.is(sim.stats.dropped['no-route'], 1);
  await a.close();
  a.send({ host: bob.ip, port: 9 }, new Uint8Array(1));
  t.is(sim.stats.sendErrors, 1);
  t.is(sim.stats.sent, 2);
});

test('a link can be set per pair and per direction', async (t) => {
  const sim = new SimNetwork({ link: { latencyMs: 10 } });
  const [alice, bob, carol] = [sim.addHost(), sim.addHost(), sim.addHost()];
  const a = await alice.bindUdp({ host: ANY, port: 1 });
  const b = await bob.bindUdp({ host: ANY, port: 1 });
  const c = await carol.bindUdp({ host: ANY, port: 1 });
  sim.setLink(alice, bob, { latencyMs: 100 });
  sim.setLinkOneWay(bob, carol, { lossRate: 1 });
  const atB = collect(b, sim.clock);
  const atC = collect(c, sim.clock);
  const atA = collect(a, sim.clock);
  a.send(b.local, numbered(1));
  a.send(c.local, numbered(2));
  b.send(c.local, numbered(3));
  c.send(b.local, numbered(4));
  b.send(a.local, numbered(5));
  sim.clock.runUntilIdle();
  t.deepEqual(atB.map((r) => [numberOf(r.data), r.at]), [[4, 10], [1, 100]]);
  t.deepEqual(atC.map((r) => [numberOf(r.data), r.at]), [[2, 10]]);
  t.deepEqual(atA.map((r) => [numberOf(r.data), r.at]), [[5, 100]]);
  t.is(sim.stats.dropped.loss, 1);
});

test('a partition drops traffic across it until healed', async (t) => {
  const sim = new SimNetwork();
  const [alice, bob, carol] = [sim.addHost(), sim.addHost(), sim.addHost()];
  const a = await alice.bindUdp({ host: ANY, port: 1 });
  const b = await bob.bindUdp({ host: ANY, port: 1 });
  const c = await carol.bindUdp({ host: ANY, port: 1 });
  const atB = collect(b, sim.clock);
  const split = sim.partition([alice], [bob]);
  a.send(b.local, numbered(1));
  c.send(b.local, numbered(2));
  sim.clock.runUntilIdle();
  t.deepEqual(atB.map((r) => numberOf(r.data)), [2]);
  t.is(sim.stats.dropped.partition, 1);
  split.heal();
  a.send(b.local, numbered(3));
  sim.clock.runUntilIdle();
  t.deepEqual(atB.map((r) => numberOf(r.data)), [2, 3]);
  // One group against everyone else.
  sim.partition([bob]);
  a.send(b.local, numbered(4));
  c.send(b.local, numbered(5));
  sim.clock.runUntilIdle();
  t.is(atB.length, 2);
  // The check is made on arrival: a datagram in flight when the cut heals gets through.
  a.send(b.local, numbered(6));
  sim.clock.advance(5);
  sim.heal();
  sim.partition([alice, bob], [carol]);
  sim.clock.runUntilIdle();
  t.deepEqual(atB.map((r) => numberOf(r.data)), [2, 3, 6]);
  t.is(sim.stats.dropped.partition, 3);
  t.true(balanced(sim.stats));
});
