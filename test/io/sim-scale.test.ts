import test from 'ava';
import { SimNetwork, totalDropped } from '../../src/io/index.ts';
import { ANY, numbered } from './sim-helpers.ts';

test('1000 hosts, each sending on a 1 s timer for 10 simulated minutes', async (t) => {
  const sim = new SimNetwork({ link: { latencyMs: 20, jitterMs: 10 } });
  const hosts = Array.from({ length: 1000 }, () => sim.addHost());
  const sockets = await Promise.all(hosts.map((h) => h.bindUdp({ host: ANY, port: 33445 })));
  const received = new Array<number>(hosts.length).fill(0);
  let ticks = 0;
  for (const [i, socket] of sockets.entries()) {
    socket.onReceive(() => {
      received[i]! += 1;
    });
    const next = sockets[(i + 1) % sockets.length]!.local;
    const tick = (): void => {
      ticks++;
      socket.send(next, numbered(i));
      if (sim.clock.now() < 600_000) sim.clock.setTimer(1000, tick);
    };
    sim.clock.setTimer(1000, tick);
  }
  sim.clock.advance(600_000);
  t.is(sim.clock.now(), 600_000);
  t.is(ticks, 600_000);
  sim.clock.runUntilIdle();
  t.is(sim.clock.pending, 0);
  t.is(sim.stats.sent, 600_000);
  t.is(sim.stats.delivered, 600_000);
  t.is(totalDropped(sim.stats), 0);
  t.true(received.every((n) => n === 600));
});
