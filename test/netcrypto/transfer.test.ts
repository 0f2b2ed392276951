/**
 * 10 MB of lossless data between two toxlink sessions on the simulated network, at 0, 5,
 * 20 and 40 % loss each way with jitter (reordering) and duplication: it arrives whole, in
 * order, hash for hash. Simulated time only.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { simPair, establish } from './sim-pair.ts';
import { Prng } from '../../src/io/index.ts';

const TOTAL = 10 * 1000 * 1000;
const CHUNK = 1372;

for (const loss of [0, 0.05, 0.2, 0.4]) {
  test(`10 MB arrive byte-exact at ${loss * 100} % loss with reordering and duplication`, async (t) => {
    const pair = await simPair({ seed: 11, link: { lossRate: loss, latencyMs: 10, jitterMs: 8, duplicateRate: 0.02 } });
    const { a, b } = establish(pair, 60_000);
    const prng = new Prng(`data-${loss}`);
    const sent = createHash('sha256');
    const got = createHash('sha256');
    let received = 0;
    b.on('lossless', (p) => {
      got.update(p.subarray(1));
      received += p.length - 1;
    });
    let offset = 0;
    const fill = (): void => {
      while (offset < TOTAL && a.writable) {
        const n = Math.min(CHUNK, TOTAL - offset);
        const payload = new Uint8Array(n + 1);
        payload[0] = 160;
        for (let i = 1; i <= n; i += 4) {
          const v = prng.nextUint32();
          payload[i] = v & 255;
          if (i + 1 <= n) payload[i + 1] = (v >>> 8) & 255;
          if (i + 2 <= n) payload[i + 2] = (v >>> 16) & 255;
          if (i + 3 <= n) payload[i + 3] = v >>> 24;
        }
        sent.update(payload.subarray(1));
        offset += n;
        a.sendLossless(payload);
      }
    };
    a.on('drain', fill);
    const start = pair.sim.clock.now();
    fill();
    const limit = start + 3_600_000;
    while (received < TOTAL && pair.sim.clock.now() < limit && a.state === 'established') pair.sim.clock.advance(100);
    const seconds = (pair.sim.clock.now() - start) / 1000;
    t.is(received, TOTAL);
    t.is(got.digest('hex'), sent.digest('hex'));
    t.log(`${loss * 100} % loss: ${(TOTAL / 1e6 / seconds).toFixed(2)} MB/s simulated, ${seconds.toFixed(1)} s, ${a.stats.packetsSent} data packets sent`);
  });
}
