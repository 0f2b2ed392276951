/**
 * Test helper: two NetCrypto nodes, Alice and Bob, each on its own simulated host, each
 * accepting the other.
 */
import { SimNetwork, type SimNetworkOptions, type SimHost, type Address } from '../../src/io/index.ts';
import { generateKeyPair, type KeyPair } from '../../src/crypto/index.ts';
import { NetCrypto, type NetCryptoConfig, type CryptoConnection } from '../../src/netcrypto/index.ts';

export const PORT = 33445;

export interface Peer {
  host: SimHost;
  node: NetCrypto;
  real: KeyPair;
  dht: KeyPair;
  address: Address;
  accepted: CryptoConnection[];
  /** What the accept callback says; true by default. */
  acceptAll: boolean;
}

export interface SimPair {
  sim: SimNetwork;
  alice: Peer;
  bob: Peer;
}

async function peer(sim: SimNetwork, config: Partial<NetCryptoConfig> | undefined): Promise<Peer> {
  const host = sim.addHost();
  const socket = await host.bindUdp({ host: '0.0.0.0', port: PORT });
  const real = generateKeyPair();
  const dht = generateKeyPair();
  const p = {} as Peer;
  const node = new NetCrypto({
    clock: sim.clock, sender: socket, realKeyPair: real, dhtKeyPair: dht, config,
    accept: () => p.acceptAll,
  });
  node.on('error', (e) => { throw e; });
  Object.assign(p, { host, node, real, dht, address: { host: host.ip, port: PORT }, accepted: [], acceptAll: true });
  node.on('connection', (c) => p.accepted.push(c));
  socket.onReceive((data, from) => node.receive(data, from));
  return p;
}

export async function simPair(options: SimNetworkOptions & { config?: Partial<NetCryptoConfig> } = {}): Promise<SimPair> {
  const sim = new SimNetwork({ seed: 7, ...options });
  const alice = await peer(sim, options.config);
  const bob = await peer(sim, options.config);
  return { sim, alice, bob };
}

/** Alice connects to Bob; returns both ends once established (bounded by `limitMs` simulated). */
export function establish(pair: SimPair, limitMs = 20_000): { a: CryptoConnection; b: CryptoConnection } {
  const { sim, alice, bob } = pair;
  const a = alice.node.connect(bob.real.publicKey, bob.dht.publicKey, bob.address);
  const deadline = sim.clock.now() + limitMs;
  while (sim.clock.now() < deadline && !(a.state === 'established' && bob.accepted[0]?.state === 'established')) {
    sim.clock.advance(10);
  }
  const b = bob.accepted[0];
  if (a.state !== 'established' || b?.state !== 'established') {
    throw new Error(`not established: alice ${a.state}, bob ${b?.state ?? 'none'}`);
  }
  return { a, b };
}
