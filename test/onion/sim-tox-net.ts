/**
 * Test fixture: a small Tox network on the seeded SimNetwork. Each node is one simulated
 * host with ONE UDP socket shared by a `DhtNode` and an `OnionNode`, the way a Tox node
 * runs them; received datagrams are dispatched by packet id. The nodes bootstrap from one
 * another and the fixture advances simulated time until every close list holds the nodes
 * truly closest to it.
 *
 * Dispatch of every datagram a node receives, first taker wins:
 *
 * 1. the node's `handlers`, in order (see {@link ToxNetNode.addHandler}): a handler returns
 *    true to claim the datagram. This is the hook for an onion client (it wants the bare
 *    announce and data responses 0x84 / 0x86, and could watch anything else);
 * 2. the `OnionNode` (0x80–0x82, 0x83, 0x85, 0x87, 0x8c–0x8e);
 * 3. the `DhtNode` (pings, nodes, DHT requests 0x20);
 * 4. otherwise it is counted in `unhandled` by packet id.
 *
 * ```ts
 * const net = await simToxNet(12, { seed: 3 });            // converged
 * const me = net.nodes[0]!;
 * const client = new OnionClient({ clock: net.clock, sender: me.socket, dht: me.dht, ... });
 * me.addHandler((data, from) => client.receive(data, from));
 * net.clock.advance(30_000);
 * await net.close();
 * ```
 *
 * The API above (`simToxNet`, `SimToxNet`, `ToxNetNode`, `PacketHandler`) is kept stable:
 * other tests build on it.
 */
import {
  type Address, type DatagramTransport, type NatConfig, Prng, type SimClock, type SimHost, SimNetwork, type SimNetworkOptions,
} from '../../src/io/index.ts';
import { type KeyPair, keyPairFromSecretKey } from '../../src/crypto/index.ts';
import { type DhtConfig, DhtNode, compareDistance } from '../../src/dht/index.ts';
import { OnionNode, type OnionNodeConfig } from '../../src/onion/index.ts';
import type { IpPort } from '../../src/wire/index.ts';

/** The port every node binds (c-toxcore's default). */
export const TOX_PORT = 33445;

/**
 * A receive hook: return true to claim the datagram (nothing after it sees it), false to
 * pass it on. `node` is the node that received it.
 */
export type PacketHandler = (data: Uint8Array, from: Address, node: ToxNetNode) => boolean;

/** One node of the network. */
export interface ToxNetNode {
  /** Its position in `SimToxNet.nodes`. */
  readonly index: number;
  readonly host: SimHost;
  /** The one UDP socket of the node: send through it to appear as this node. */
  readonly socket: DatagramTransport;
  /** Where the other nodes reach it. */
  readonly address: IpPort;
  /** Its DHT key pair (shared by the DHT node and the onion node). */
  readonly dhtKeyPair: KeyPair;
  readonly dht: DhtNode;
  readonly onion: OnionNode;
  /** Receive hooks tried in order before the onion and DHT nodes. Mutable; see {@link addHandler}. */
  readonly handlers: PacketHandler[];
  /** Appends a receive hook; returns a function that removes it. */
  addHandler(handler: PacketHandler): () => void;
  /** Datagrams nothing claimed, by packet id. */
  readonly unhandled: Map<number, number>;
}

/** Options of {@link simToxNet}: the simulator's, plus the nodes' configurations. */
export interface SimToxNetOptions extends SimNetworkOptions {
  /** DHT settings of every node. */
  readonly dht?: Partial<DhtConfig>;
  /** Onion node settings of every node. */
  readonly onion?: Partial<OnionNodeConfig>;
  /** Bootstrap the nodes and wait for convergence (default true). */
  readonly converge?: boolean;
  /** The most simulated time to wait for convergence, ms (default 180 s); the fixture throws past it. */
  readonly convergeLimitMs?: number;
  /** Put node `i` behind a NAT when this returns a config (default: every node public). */
  readonly nat?: (index: number) => NatConfig | undefined;
}

/** The network. */
export interface SimToxNet {
  readonly sim: SimNetwork;
  readonly clock: SimClock;
  readonly nodes: ToxNetNode[];
  /** Seeded choices for the caller (node keys and DHT choices use their own streams). */
  readonly prng: Prng;
  /** Simulated ms the initial convergence took (0 if `converge: false`). */
  readonly convergedAfterMs: number;
  /** Adds a node, bootstrapped from node 0 (from nothing if it is the first); does not wait. */
  addNode(options?: { nat?: NatConfig }): Promise<ToxNetNode>;
  /** How many of the "k truly closest nodes" relations are missing from the close lists now. */
  missingRelations(k?: number): number;
  /**
   * Advances simulated time in 5 s steps until no relation is missing or `limitMs` passed;
   * returns the simulated ms it advanced. Check {@link missingRelations} afterwards.
   */
  converge(limitMs?: number): number;
  /** Closes every node and socket. */
  close(): Promise<void>;
}

const CONVERGE_STEP_MS = 5_000;

/**
 * `count` nodes on a new SimNetwork (seed `options.seed`, default 1), each bootstrapped from
 * node 0 (node 0 from node 1), converged unless `converge: false`. Throws if the close lists
 * have not converged within `convergeLimitMs`.
 */
export async function simToxNet(count: number, options: SimToxNetOptions = {}): Promise<SimToxNet> {
  const { dht: dhtConfig, onion: onionConfig, converge: doConverge = true, convergeLimitMs = 180_000, nat, ...simOptions } = options;
  const seed = simOptions.seed ?? 1;
  const sim = new SimNetwork({ ...simOptions, seed });
  const keys = new Prng(`${seed}-keys`);
  const choices = new Prng(`${seed}-dht-choices`);
  const nodes: ToxNetNode[] = [];

  const addNode = async (nodeOptions: { nat?: NatConfig } = {}): Promise<ToxNetNode> => {
    const index = nodes.length;
    const natConfig = nodeOptions.nat ?? nat?.(index);
    const host = sim.addHost(natConfig ? { nat: natConfig } : {});
    const socket = await host.bindUdp({ host: '0.0.0.0', port: TOX_PORT });
    const dhtKeyPair = keyPairFromSecretKey(new Uint8Array(32).map(() => keys.nextInt(0, 256)));
    const dht = new DhtNode({ clock: sim.clock, sender: socket, keyPair: dhtKeyPair, config: dhtConfig, randomInt: (n) => choices.nextInt(0, n) });
    const onion = new OnionNode({ clock: sim.clock, sender: socket, dhtKeyPair, closeNodes: (key, n) => dht.closeNodes(key, n), config: onionConfig });
    const handlers: PacketHandler[] = [];
    const unhandled = new Map<number, number>();
    const node: ToxNetNode = {
      index, host, socket, address: { host: host.ip, port: TOX_PORT }, dhtKeyPair, dht, onion, handlers, unhandled,
      addHandler(handler) {
        handlers.push(handler);
        return () => {
          const at = handlers.indexOf(handler);
          if (at >= 0) handlers.splice(at, 1);
        };
      },
    };
    socket.onReceive((data, from) => {
      for (const handler of [...handlers]) if (handler(data, from, node)) return;
      if (onion.receive(data, from)) return;
      if (dht.receive(data, from)) return;
      const id = data[0] ?? -1;
      unhandled.set(id, (unhandled.get(id) ?? 0) + 1);
    });
    nodes.push(node);
    if (index > 0) dht.bootstrap(nodes[0]!.address, nodes[0]!.dht.publicKey);
    if (index === 1) nodes[0]!.dht.bootstrap(node.address, dht.publicKey);
    return node;
  };

  const missingRelations = (k = 4): number => {
    let missing = 0;
    for (const node of nodes) {
      const truth = nodes
        .filter((n) => n !== node)
        .sort((a, b) => compareDistance(node.dht.publicKey, a.dht.publicKey, b.dht.publicKey))
        .slice(0, k);
      for (const near of truth) if (!node.dht.closeList.get(near.dht.publicKey)) missing++;
    }
    return missing;
  };

  const converge = (limitMs = convergeLimitMs): number => {
    let advanced = 0;
    while (advanced < limitMs && missingRelations() > 0) {
      sim.clock.advance(CONVERGE_STEP_MS);
      advanced += CONVERGE_STEP_MS;
    }
    return advanced;
  };

  for (let i = 0; i < count; i++) await addNode();
  let convergedAfterMs = 0;
  if (doConverge && count > 1) {
    convergedAfterMs = converge(convergeLimitMs);
    const missing = missingRelations();
    if (missing > 0) throw new Error(`simToxNet: ${missing} closest-node relations still missing after ${convergeLimitMs} simulated ms`);
  }

  return {
    sim, clock: sim.clock, nodes, prng: new Prng(`${seed}-caller`), convergedAfterMs,
    addNode, missingRelations, converge,
    async close() {
      for (const node of nodes) {
        node.onion.close();
        node.dht.close();
      }
      await Promise.all(nodes.map((n) => n.socket.close()));
    },
  };
}
