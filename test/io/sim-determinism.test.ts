import test from 'ava';
import { Prng, SimNetwork, totalDropped, type NatType, type TraceRecord } from '../../src/io/index.ts';
import { ANY, numbered } from './sim-helpers.ts';

const NAT_TYPES: Array<NatType | undefined> = [undefined, 'full-cone', 'address-restricted', 'port-restricted', 'symmetric'];

/** A fixed script (its choices come from its own generator) run on a network seeded with `seed`. */
async function run(seed: number): Promise<{ records: TraceRecord[]; sim: SimNetwork }> {
  const sim = new SimNetwork({ seed, trace: true, link: { latencyMs: 15, jitterMs: 25, lossRate: 0.1, duplicateRate: 0.05 } });
  const script = new Prng('script');
  const hosts = Array.from({ length: 20 }, (_, i) => {
    const type = NAT_TYPES[i % NAT_TYPES.length];
    return sim.addHost(type === undefined ? {} : { nat: { type, publicIp: `198.51.100.${i}`, portAllocation: i % 2 ? 'random' : 'sequential' } });
  });
  sim.setLink(hosts[0]!, hosts[1]!, { lossRate: 0.5 });
  const sockets = await Promise.all(hosts.map((h) => h.bindUdp({ host: ANY, port: 33445 })));
  for (const [i, socket] of sockets.entries()) {
    socket.onReceive((data, from) => {
      if (data[4] === 0) socket.send(from, Uint8Array.of(0, 0, 0, 0, 1));
    });
    const tick = (): void => {
      const target = hosts[script.nextInt(0, hosts.length)]!;
      socket.send({ host: target.publicIp, port: 33445 }, numbered(i, 8 + script.nextInt(0, 1200)));
      if (sim.clock.now() < 20_000) sim.clock.setTimer(500 + script.nextInt(0, 500), tick);
    };
    sim.clock.setTimer(script.nextInt(0, 1000), tick);
  }
  await hosts[0]!.listenTcp({ host: ANY, port: 443 }, (conn) => conn.onData((d) => conn.write(d)));
  const connecting = hosts[2]!.connectTcp({ host: hosts[0]!.ip, port: 443 });
  sim.clock.advance(200);
  const conn = await connecting;
  conn.onData(() => undefined);
  for (let i = 0; i < 50; i++) conn.write(new Uint8Array(700));
  sim.clock.runUntilIdle();
  return { records: sim.trace!.records, sim };
}

test('the same seed and script give the same packet trace', async (t) => {
  const first = await run(1);
  const second = await run(1);
  t.true(first.records.length > 500);
  t.deepEqual(second.records, first.records);
  t.deepEqual(second.sim.stats, first.sim.stats);
  const udp = first.records.filter((r) => r.kind === 'udp').length;
  t.is(udp, first.sim.stats.delivered + totalDropped(first.sim.stats));
  const fates = new Set(first.records.map((r) => r.fate));
  for (const fate of ['delivered', 'loss', 'nat-filtered'] as const) t.true(fates.has(fate), fate);
});

test('another seed gives another trace', async (t) => {
  const first = await run(1);
  const other = await run(2);
  t.notDeepEqual(other.records, first.records);
});
