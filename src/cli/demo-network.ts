/**
 * The demo's local Tox network: a bootstrap node (a {@link ToxNode}, so a DHT node and an
 * onion node, with a TCP relay beside it whose first onion hop has its own UDP socket, as
 * `tox-bootstrapd` runs one) and peers, each a ToxNode with a {@link Messenger} and a
 * {@link ConnectionManager} on its friend layer. The same network runs on real UDP and TCP
 * sockets on 127.0.0.1 (no internet) or on the seeded {@link SimNetwork}, where
 * {@link DemoNetwork.wait} drives simulated time.
 *
 * @see spec/cli.md#toxlink-demo
 * @module
 */
import { generateKeyPair, keyPairFromSecretKey } from '../crypto/index.ts';
import {
  type Address, type Clock, type DatagramTransport, type Network, NodeNetwork, Prng, SimNetwork, SystemClock,
} from '../io/index.ts';
import { Messenger, ToxNode } from '../messenger/index.ts';
import { ConnectionManager, friendConnector, type FriendConnector } from '../mux/index.ts';
import { TcpRelayServer } from '../relay/index.ts';

/** Where the demo runs: real sockets on 127.0.0.1, or the simulator. */
export type DemoNetworkKind = 'udp' | 'sim';

/** The bootstrap node, as peers are told of it. */
export interface DemoBootstrap {
  /** Its DHT (and onion) UDP address. */
  readonly udp: Address;
  /** Its TCP relay. */
  readonly tcp: Address;
  /** Its DHT public key, which is also the relay's key. */
  readonly publicKey: Uint8Array;
}

/** One peer of the demo: a whole node, its Messenger and its channel layer. */
export interface DemoPeer {
  readonly name: string;
  readonly node: ToxNode;
  readonly messenger: Messenger;
  readonly manager: ConnectionManager;
  /** Stops the channel layer, the Messenger and the node. Idempotent. */
  close(): Promise<void>;
}

/** The running network. */
export interface DemoNetwork {
  readonly kind: DemoNetworkKind;
  /** The clock every node runs on (simulated with `sim`). */
  readonly clock: Clock;
  readonly bootstrap: DemoBootstrap;
  /** A new peer, bootstrapped from the bootstrap node and told of its relay. */
  peer(name: string): Promise<DemoPeer>;
  /**
   * Where another node of this network binds: the machine's network on 127.0.0.1, or a
   * new simulated host. Bind to `host` (any free port).
   */
  place(name: string): { readonly network: Network; readonly host: string };
  /**
   * Waits for `promise`, at most `limitMs` on the network's clock (simulated time with
   * `sim`, which this drives forward); rejects with a {@link DemoTimeout} naming `what`.
   */
  wait<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T>;
  /** Stops every peer, the relay and the bootstrap node. Idempotent. */
  close(): Promise<void>;
}

/** A step of the demo that took longer than it may. */
export class DemoTimeout extends Error {
  override readonly name = 'DemoTimeout';
}

/** Options of {@link startDemoNetwork}. */
export interface DemoNetworkOptions {
  readonly kind: DemoNetworkKind;
  /** Seeds the simulator and the nodes' keys with `sim`. */
  readonly seed: number;
}

/** The port every simulated node binds (c-toxcore's default). */
const SIM_PORT = 33445;
/** How far simulated time moves per step while the demo waits. */
const SIM_STEP_MS = 20;
/** The simulated hosts' uplinks: 100 Mbit/s. */
const SIM_UPLINK_BYTES_PER_SECOND = 12_500_000;

interface Place {
  readonly network: Network;
  /** Where to bind: 127.0.0.1 for real sockets, any address on a simulated host. */
  readonly bind: Address;
  /** How others reach a socket bound there. */
  reach(local: Address): Address;
}

/** Starts the bootstrap node and its relay; peers come with {@link DemoNetwork.peer}. */
export async function startDemoNetwork(options: DemoNetworkOptions): Promise<DemoNetwork> {
  const sim = options.kind === 'sim'
    ? new SimNetwork({ seed: options.seed, link: { latencyMs: 5 }, uplink: { bytesPerSecond: SIM_UPLINK_BYTES_PER_SECOND, queueBytes: 4 << 20 } })
    : undefined;
  const clock: Clock = sim?.clock ?? new SystemClock();
  const real = sim === undefined ? new NodeNetwork() : undefined;
  const keys = sim === undefined ? undefined : new Prng(`${options.seed}-demo-keys`);
  const choices = sim === undefined ? undefined : new Prng(`${options.seed}-demo-choices`);
  const keyPair = () => (keys === undefined ? generateKeyPair() : keyPairFromSecretKey(new Uint8Array(32).map(() => keys.nextInt(0, 256))));
  const randomInt = choices === undefined ? undefined : (n: number) => choices.nextInt(0, n);

  const place = (name: string): Place => {
    if (sim === undefined) {
      return { network: real!, bind: { host: '127.0.0.1', port: 0 }, reach: (local) => local };
    }
    const host = sim.addHost({ name });
    return { network: host, bind: { host: '0.0.0.0', port: SIM_PORT }, reach: (local) => ({ host: host.ip, port: local.port }) };
  };

  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  };

  let bootstrap: DemoBootstrap;
  try {
    const at = place('bootstrap');
    const boot = await ToxNode.start({ network: at.network, clock, realKeyPair: keyPair(), dhtKeyPair: keyPair(), udp: at.bind, ...(randomInt ? { randomInt } : {}) });
    closers.push(() => boot.close());
    const hopSocket: DatagramTransport = await at.network.bindUdp({ host: at.bind.host, port: sim === undefined ? 0 : SIM_PORT + 1 });
    closers.push(() => hopSocket.close());
    const relay = new TcpRelayServer({ network: at.network, clock, keyPair: boot.dhtKeyPair, onionSocket: hopSocket });
    closers.push(() => relay.close());
    const listener = await relay.listen({ host: at.bind.host, port: sim === undefined ? 0 : SIM_PORT });
    bootstrap = { udp: at.reach(boot.udpAddress!), tcp: at.reach(listener.local), publicKey: boot.dhtKeyPair.publicKey };
  } catch (error) {
    await close();
    throw error;
  }

  const peer = async (name: string): Promise<DemoPeer> => {
    const at = place(name);
    const realKeyPair = keyPair();
    const node = await ToxNode.start({ network: at.network, clock, realKeyPair, dhtKeyPair: keyPair(), udp: at.bind, ...(randomInt ? { randomInt } : {}) });
    node.bootstrap(bootstrap.udp, bootstrap.publicKey);
    node.addTcpRelay({ address: bootstrap.tcp, publicKey: bootstrap.publicKey });
    const nospam = keys?.nextInt(0, 2 ** 32) ?? (Math.random() * 2 ** 32) >>> 0;
    const messenger = new Messenger({ clock, friends: node.friends, identity: { realKeyPair, nospam } });
    messenger.setName(name);
    const connector: FriendConnector = friendConnector(node.friends);
    const manager = new ConnectionManager({ selfKey: realKeyPair.publicKey, connector, clock });
    let closing: Promise<void> | undefined;
    const stop = (): Promise<void> => (closing ??= (async () => {
      manager.close();
      connector.close();
      messenger.close();
      await node.close();
    })());
    closers.push(stop);
    return { name, node, messenger, manager, close: stop };
  };

  const wait = async <T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> => {
    let settled = false;
    let expired = false;
    let onExpiry: () => void = () => {};
    const timer = clock.setTimer(limitMs, () => {
      expired = true;
      onExpiry();
    });
    const watched = promise.finally(() => {
      settled = true;
      timer.cancel();
    });
    watched.catch(() => {}); // a rejection after the time is up is not the caller's any more
    const timeout = new Promise<never>((_, reject) => {
      onExpiry = () => reject(new DemoTimeout(`${what} took longer than ${(limitMs / 1000).toFixed(0)} s`));
      if (expired) onExpiry();
    });
    const outcome = Promise.race([watched, timeout]);
    outcome.catch(() => {}); // the caller awaits it below; a rejection while time is driven is not unhandled
    if (sim !== undefined) {
      // Simulated time moves only when told: step it until the promise settles or time is
      // up, letting real I/O (files, local sockets) run between steps.
      while (!settled && !expired) {
        await sim.clock.advanceAsync(SIM_STEP_MS);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return outcome;
  };

  const placeFor = (name: string): { network: Network; host: string } => {
    const at = place(name);
    return { network: at.network, host: at.bind.host };
  };

  return { kind: options.kind, clock, bootstrap, peer, place: placeFor, wait, close };
}
