/**
 * Test helper: DHT nodes on a simulated network, each on its own host and UDP socket.
 */
import { SimNetwork, Prng, type SimNetworkOptions } from '../../src/io/index.ts';
import { DhtNode, type DhtConfig } from '../../src/dht/index.ts';
import { keyPairFromSecretKey } from '../../src/crypto/index.ts';

export interface SimDht {
  sim: SimNetwork;
  nodes: DhtNode[];
  addresses: Array<{ host: string; port: number }>;
}

export const DHT_PORT = 33445;

/** `count` DHT nodes on one simulated network; none bootstrapped yet. */
export async function simDht(count: number, options: SimNetworkOptions & { config?: Partial<DhtConfig> } = {}): Promise<SimDht> {
  const sim = new SimNetwork({ seed: 1, ...options });
  const prng = new Prng(`${options.seed ?? 1}-choices`);
  const nodes: DhtNode[] = [];
  const addresses: Array<{ host: string; port: number }> = [];
  for (let i = 0; i < count; i++) {
    const host = sim.addHost();
    const socket = await host.bindUdp({ host: '0.0.0.0', port: DHT_PORT });
    // Keys from the seed too, so that a seed replays the same network exactly.
    const secret = new Uint8Array(32).map(() => prng.nextInt(0, 256));
    const keyPair = keyPairFromSecretKey(secret);
    const node = new DhtNode({ clock: sim.clock, sender: socket, keyPair, config: options.config, randomInt: (n) => prng.nextInt(0, n) });
    socket.onReceive((data, from) => node.receive(data, from));
    nodes.push(node);
    addresses.push({ host: host.ip, port: DHT_PORT });
  }
  return { sim, nodes, addresses };
}
