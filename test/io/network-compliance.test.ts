import { NodeNetwork, SimNetwork } from '../../src/io/index.ts';
import { networkCompliance } from './network-compliance.ts';

networkCompliance('NodeNetwork', () => {
  const net = new NodeNetwork();
  return { a: net, b: net, ipA: '127.0.0.1', ipB: '127.0.0.1', wait: (p) => p };
});

networkCompliance('SimHost', () => {
  const sim = new SimNetwork({ seed: 1, link: { latencyMs: 5, jitterMs: 3 } });
  const a = sim.addHost();
  const b = sim.addHost();
  return {
    a,
    b,
    ipA: a.ip,
    ipB: b.ip,
    async wait<T>(promise: Promise<T>): Promise<T> {
      let settled = false;
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (let step = 0; step < 10_000 && !settled; step++) await sim.clock.advanceAsync(10);
      return promise;
    },
  };
});
