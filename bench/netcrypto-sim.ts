/**
 * net_crypto throughput against loss, in the simulator: two toxlink sessions over a
 * 100 Mbit/s uplink (12.5 MB/s, 256 KB queue) with 20 ms one-way latency and 2 ms jitter,
 * the loss rate applied to both directions. For each loss rate, 20 simulated seconds of
 * lossless 1373-byte payloads from a fresh connection, keeping the send queue full: the
 * goodput (payload bytes delivered in order per simulated second) over the whole run and
 * over its last 10 s, and the share of the ideal (12.5 MB/s × (1 − loss)). One JSON line
 * per loss rate. The simulator is exact for a seed, so the curve is too; no c-toxcore
 * figure here (c-toxcore cannot run on the simulated network): see bench/netcrypto.ts for
 * the side-by-side on real loopback.
 *
 * Run: node --import=tsx bench/netcrypto-sim.ts [seconds]
 */
import { simPair, establish } from '../test/netcrypto/sim-pair.ts';

const SECONDS = Number(process.argv[2] ?? 20);
const LINK_BYTES_PER_SECOND = 12.5e6;

for (const loss of [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4]) {
  const pair = await simPair({
    seed: 5,
    link: { lossRate: loss, latencyMs: 20, jitterMs: 2 },
    uplink: { bytesPerSecond: LINK_BYTES_PER_SECOND, queueBytes: 256 * 1024 },
  });
  const { a, b } = establish(pair, 60_000);
  let received = 0;
  b.on('lossless', (p) => { received += p.length; });
  const payload = new Uint8Array(1373).fill(160);
  const fill = (): void => {
    while (a.writable) a.sendLossless(payload);
  };
  a.on('drain', fill);
  const wall = performance.now();
  const start = pair.sim.clock.now();
  fill();
  pair.sim.clock.advanceTo(start + (SECONDS / 2) * 1000);
  const half = received;
  pair.sim.clock.advanceTo(start + SECONDS * 1000);
  const ideal = (LINK_BYTES_PER_SECOND * (1 - loss)) / 1e6;
  const whole = received / SECONDS / 1e6;
  const lastHalf = (received - half) / (SECONDS / 2) / 1e6;
  console.log(JSON.stringify({
    name: 'netcrypto sim goodput vs loss', impl: 'toxlink', loss, value: Number(whole.toFixed(3)), unit: 'MB/s (simulated)',
    last_half_mb_s: Number(lastHalf.toFixed(3)), ideal_mb_s: Number(ideal.toFixed(3)),
    share_of_ideal_last_half: Number((lastHalf / ideal).toFixed(3)), sim_seconds: SECONDS,
    wall_seconds: Number(((performance.now() - wall) / 1000).toFixed(2)),
    data_packets_sent: a.stats.packetsSent, receiver_drops: b.stats.dropped.toJSON(),
    network_drops: Object.fromEntries(Object.entries(pair.sim.stats.dropped).filter(([, n]) => n > 0)),
    srtt_ms: Number(a.congestion.rttMs.toFixed(1)), min_rtt_ms: Number(a.congestion.minRttMs.toFixed(1)),
  }));
  a.close();
}
