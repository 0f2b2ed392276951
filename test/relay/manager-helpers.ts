/** Helpers for the relay manager tests: several relays and several managers on one simulated network. */
import { generateKeyPair, type KeyPair } from '../../src/crypto/index.ts';
import { SimNetwork, type SimHost, type SimNetworkOptions } from '../../src/io/index.ts';
import {
  type RelayEndpoint, type RelayServerConfig, type TcpConnectionsConfig, type TcpConnectionsEvents, TcpConnections, TcpRelayServer,
  type TcpRelayServerOptions,
} from '../../src/relay/index.ts';
import { toHex } from '../../src/wire/index.ts';

export const RELAY_PORT = 33445;

/** A relay server on its own host, which can be stopped and started again with the same key. */
export interface SimRelay {
  readonly host: SimHost;
  readonly keyPair: KeyPair;
  readonly endpoint: RelayEndpoint;
  server: TcpRelayServer;
  /** Closes the server: its clients are cut off and new connections refused. */
  stop(): Promise<void>;
  /** A new server on the same host, port and key. */
  start(): Promise<void>;
}

/** A manager on its own host and everything it reported. */
export interface Node {
  readonly tcp: TcpConnections;
  readonly keyPair: KeyPair;
  readonly host: SimHost;
  readonly events: Array<{ [K in keyof TcpConnectionsEvents]: { type: K; at: number; value: TcpConnectionsEvents[K] } }[keyof TcpConnectionsEvents]>;
  of<K extends keyof TcpConnectionsEvents>(type: K): Array<TcpConnectionsEvents[K]>;
  /** `relay` events of one relay, as `[time, state]`. */
  relayStates(relay: SimRelay): Array<[number, string]>;
}

export interface World {
  readonly sim: SimNetwork;
  readonly relays: SimRelay[];
  node(options?: { config?: Partial<TcpConnectionsConfig>; keyPair?: KeyPair }): Node;
  advance(ms: number): Promise<void>;
}

export async function world(options: {
  relays?: number;
  sim?: SimNetworkOptions;
  server?: Partial<RelayServerConfig>;
  serverOptions?: Partial<TcpRelayServerOptions>;
} = {}): Promise<World> {
  const sim = new SimNetwork({ link: { latencyMs: 10 }, ...options.sim });
  const relays: SimRelay[] = [];
  for (let i = 0; i < (options.relays ?? 3); i++) {
    const host = sim.addHost({ name: `relay-${i}` });
    const keyPair = generateKeyPair();
    const make = async (): Promise<TcpRelayServer> => {
      const server = new TcpRelayServer({ network: host, clock: sim.clock, keyPair, config: options.server, ...options.serverOptions });
      server.on('error', (e) => { throw e; });
      await server.listen({ host: '0.0.0.0', port: RELAY_PORT });
      return server;
    };
    const relay: SimRelay = {
      host, keyPair,
      endpoint: { address: { host: host.ip, port: RELAY_PORT }, publicKey: keyPair.publicKey },
      server: await make(),
      stop: () => relay.server.close(),
      start: async () => {
        relay.server = await make();
      },
    };
    relays.push(relay);
  }
  return {
    sim,
    relays,
    advance: async (ms) => {
      await sim.clock.advanceAsync(ms);
    },
    node(o = {}) {
      const keyPair = o.keyPair ?? generateKeyPair();
      const host = sim.addHost();
      const tcp = new TcpConnections({ network: host, clock: sim.clock, keyPair, config: o.config });
      const events: Node['events'] = [];
      for (const type of ['packet', 'onion-response', 'relay', 'peer-status', 'error'] as const) {
        tcp.on(type, (value: unknown) => { events.push({ type, at: sim.clock.now(), value } as never); });
      }
      return {
        tcp, keyPair, host, events,
        of: <K extends keyof TcpConnectionsEvents>(type: K) =>
          events.filter((e) => e.type === type).map((e) => e.value as TcpConnectionsEvents[K]),
        relayStates: (relay) => events
          .filter((e) => e.type === 'relay' && toHex(e.value.relay.publicKey) === toHex(relay.keyPair.publicKey))
          .map((e) => [e.at, (e.value as TcpConnectionsEvents['relay']).state]),
      };
    },
  };
}

/** The status of `peer` on `relay` as `node` sees it. */
export function statusOn(node: Node, peer: Node, relay: SimRelay): string | undefined {
  return node.tcp.peerRelays(peer.keyPair.publicKey).find((r) => toHex(r.relay.publicKey) === toHex(relay.keyPair.publicKey))?.status;
}

/** Each of `a` and `b` tracks the other through `relays`. */
export function befriend(a: Node, b: Node, relaysOfA: SimRelay[], relaysOfB: SimRelay[] = relaysOfA): void {
  a.tcp.addPeer(b.keyPair.publicKey);
  b.tcp.addPeer(a.keyPair.publicKey);
  for (const r of relaysOfA) a.tcp.addPeerRelay(b.keyPair.publicKey, r.endpoint);
  for (const r of relaysOfB) b.tcp.addPeerRelay(a.keyPair.publicKey, r.endpoint);
}
