/**
 * How fast the simulator moves virtual time. Prints one JSON line per figure:
 * `{"name": ..., "value": ..., "unit": ...}`.
 *
 * Run: node --import=tsx bench/sim.ts
 *
 * @see spec/io.md#the-simulated-clock
 */

import { SimClock, SimNetwork } from '../src/io/index.ts';

const TEN_MINUTES_MS = 600_000;

function report(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Number(value.toFixed(3)), unit }));
}

/** Wall-clock milliseconds `fn` takes (the best of `runs`). */
function time(fn: () => void, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function periodicTimers(count: number): () => void {
  return () => {
    const clock = new SimClock();
    for (let i = 0; i < count; i++) {
      const tick = (): void => {
        clock.setTimer(1000, tick);
      };
      clock.setTimer(1000, tick);
    }
    clock.advance(TEN_MINUTES_MS);
  };
}

report('sim-clock: 10 min, 5 periodic 1 s timers', time(periodicTimers(5)), 'ms');
report('sim-clock: 10 min, 1000 periodic 1 s timers', time(periodicTimers(1000)), 'ms');

async function udpRing(hostCount: number): Promise<number> {
  const sim = new SimNetwork({ link: { latencyMs: 20, jitterMs: 10, lossRate: 0.01 } });
  const hosts = Array.from({ length: hostCount }, () => sim.addHost());
  const sockets = await Promise.all(hosts.map((h) => h.bindUdp({ host: '0.0.0.0', port: 33445 })));
  const payload = new Uint8Array(100);
  for (const [i, socket] of sockets.entries()) {
    socket.onReceive(() => undefined);
    const next = sockets[(i + 1) % sockets.length]!.local;
    const tick = (): void => {
      socket.send(next, payload);
      sim.clock.setTimer(1000, tick);
    };
    sim.clock.setTimer(1000, tick);
  }
  const start = performance.now();
  sim.clock.advance(TEN_MINUTES_MS);
  const elapsed = performance.now() - start;
  report(`sim-network: 10 min, ${hostCount} hosts each sending 1 datagram/s`, elapsed, 'ms');
  return sim.stats.sent / (elapsed / 1000);
}

report('sim-network: datagrams simulated per wall second', await udpRing(1000), 'datagrams/s');
