/**
 * Test fixture of the friend simulations (test/friend/sim-*.test.ts): whole ToxNodes — DHT,
 * the real onion client and node, net_crypto, TCP relay connections and the friend layer on
 * one socket — on the seeded SimNetwork of test/onion/sim-tox-net.ts, with what those tests
 * need around them: peers behind NATs, toxlink relay servers on public hosts, a crash
 * (nothing said to anyone) and a restart with a new DHT key, and a count of the datagrams a
 * node sends.
 *
 * ```ts
 * const net = await simToxNet(24, { seed: 5 });
 * const alice = await toxPeer(net, { name: 'alice' });
 * const bob = await toxPeer(net, { name: 'bob', nat: { type: 'symmetric', publicIp: '198.51.100.2' } });
 * befriend(alice, bob);
 * const ms = await until(net, () => bothOnline(alice, bob), 60_000);
 * ```
 */
import { type KeyPair, generateKeyPair } from '../../src/crypto/index.ts';
import { FriendConnections, type FriendDht, type FriendOnion, type FriendPath } from '../../src/friend/index.ts';
import { NetCrypto } from '../../src/netcrypto/index.ts';
import type { Address, DatagramTransport, NatConfig, Network, SimHost, StreamConnection } from '../../src/io/index.ts';
import { ToxNode, type ToxNodeOptions } from '../../src/messenger/index.ts';
import { type RelayEndpoint, TcpRelayServer } from '../../src/relay/index.ts';
import { TOX_PORT, type SimToxNet } from '../onion/sim-tox-net.ts';

/** The port toxlink relay servers of these tests listen on. */
export const RELAY_PORT = 3389;

/** Datagrams one node sent, counted at its socket. */
export interface SendCounter {
  packets: number;
  bytes: number;
  /** Datagrams by their first byte (the packet id). */
  readonly byId: Map<number, number>;
  /** While true, nothing the node sends leaves the host (UDP or TCP): a crash. */
  muted: boolean;
}

/** A ToxNode on its simulated host, and what it saw. */
export interface ToxPeer {
  readonly name: string;
  readonly host: SimHost;
  readonly realKeyPair: KeyPair;
  /** The running node (a new one after {@link restart}). */
  node: ToxNode;
  /** Datagrams sent by every node this peer ran. */
  readonly sent: SendCounter;
  /** Every status event, with the simulated time. */
  readonly statuses: Array<{ at: number; friend: string; online: boolean; path: FriendPath }>;
  /** Every `error` event of the friend layer and the onion client. */
  readonly errors: string[];
  /** Friends this peer holds (locked again at each restart). */
  readonly friendKeys: Uint8Array[];
  /** Relays this peer's nodes are given (again at each restart). */
  readonly relays: RelayEndpoint[];
}

/** Options of {@link toxPeer}. */
export interface ToxPeerOptions {
  readonly name: string;
  /** Behind a NAT of its own. */
  readonly nat?: NatConfig;
  readonly realKeyPair?: KeyPair;
  readonly relays?: readonly RelayEndpoint[];
  readonly config?: ToxNodeOptions['config'];
}

/** A `Network` whose UDP sockets count what they send into `counter`, and that sends nothing while it is muted. */
function countingNetwork(inner: Network, counter: SendCounter): Network {
  const muteStream = (conn: StreamConnection): StreamConnection => ({
    local: conn.local,
    remote: conn.remote,
    write: (data) => (counter.muted ? true : conn.write(data)),
    onData: (handler) => conn.onData(handler),
    onDrain: (handler) => conn.onDrain(handler),
    onClose: (handler) => conn.onClose(handler),
    end: () => (counter.muted ? conn.destroy() : conn.end()),
    destroy: (error) => conn.destroy(error),
  });
  return {
    async bindUdp(address: Address): Promise<DatagramTransport> {
      const socket = await inner.bindUdp(address);
      return {
        local: socket.local,
        send(to, data) {
          if (counter.muted) return;
          counter.packets++;
          counter.bytes += data.length;
          counter.byId.set(data[0] ?? -1, (counter.byId.get(data[0] ?? -1) ?? 0) + 1);
          socket.send(to, data);
        },
        onReceive: (handler) => socket.onReceive(handler),
        close: () => socket.close(),
      };
    },
    connectTcp: async (to) => muteStream(await inner.connectTcp(to)),
    listenTcp: (address, onConnection) => inner.listenTcp(address, onConnection),
  };
}

const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex');

/**
 * Unix time at simulated time 0. A node numbers its DHT-key announcements by Unix time; taken
 * from the system clock, a node restarted after minutes of simulated time (milliseconds of
 * real time) would number them as its previous run did, and its friend would drop them as
 * replays until it saw the old session time out.
 */
const SIM_UNIX_EPOCH_S = 1_700_000_000;

async function startNode(net: SimToxNet, peer: ToxPeer, config: ToxNodeOptions['config']): Promise<ToxNode> {
  const node = await ToxNode.start({
    network: countingNetwork(peer.host, peer.sent), clock: net.clock, realKeyPair: peer.realKeyPair,
    udp: { host: '0.0.0.0', port: TOX_PORT }, randomInt: (k) => net.prng.nextInt(0, k), config,
    unixTimeS: SIM_UNIX_EPOCH_S + Math.floor(net.clock.now() / 1000),
  });
  const boot = net.nodes[0]!;
  node.bootstrap(boot.address, boot.dht.publicKey);
  for (const relay of peer.relays) node.addTcpRelay(relay);
  node.friends.on('status', (s) => peer.statuses.push({ at: net.clock.now(), friend: hex(s.realPublicKey), online: s.online, path: s.path }));
  node.friends.on('error', (e) => peer.errors.push(`friend: ${e.message}`));
  node.onion.events.on('error', (e) => peer.errors.push(`onion: ${e.message}`));
  for (const key of peer.friendKeys) node.friends.lock(key);
  return node;
}

const configs = new WeakMap<ToxPeer, ToxNodeOptions['config']>();

/** A ToxNode on a new host of `net` (public, or behind its own NAT), bootstrapped from node 0. */
export async function toxPeer(net: SimToxNet, options: ToxPeerOptions): Promise<ToxPeer> {
  const host = net.sim.addHost(options.nat === undefined ? { name: options.name } : { name: options.name, nat: options.nat });
  const peer: ToxPeer = {
    name: options.name, host, realKeyPair: options.realKeyPair ?? generateKeyPair(), node: undefined as unknown as ToxNode,
    sent: { packets: 0, bytes: 0, byId: new Map(), muted: false }, statuses: [], errors: [], friendKeys: [], relays: [...(options.relays ?? [])],
  };
  configs.set(peer, options.config);
  peer.node = await startNode(net, peer, options.config);
  return peer;
}

/** Makes `a` and `b` friends of each other (each locks the other's real key). */
export function befriend(a: ToxPeer, b: ToxPeer): void {
  a.friendKeys.push(b.realKeyPair.publicKey);
  b.friendKeys.push(a.realKeyPair.publicKey);
  a.node.friends.lock(b.realKeyPair.publicKey);
  b.node.friends.lock(a.realKeyPair.publicKey);
}

/**
 * Stops the peer's node without a word to anyone, as a killed process: nothing it sends
 * while closing leaves the host (no kill packets), and its TCP connections are reset.
 */
export async function crash(peer: ToxPeer): Promise<void> {
  peer.sent.muted = true;
  await peer.node.close();
  peer.sent.muted = false;
}

/** Starts the peer again on the same host, with a new DHT key (as c-toxcore at every start), its friends locked again. */
export async function restart(net: SimToxNet, peer: ToxPeer): Promise<ToxNode> {
  peer.node = await startNode(net, peer, configs.get(peer));
  return peer.node;
}

/** `a`'s path to `b` as `a`'s friend layer sees it. */
export function pathTo(a: ToxPeer, b: ToxPeer): FriendPath {
  return a.node.friends.path(b.realKeyPair.publicKey);
}

/** Whether each sees the other online. */
export function bothOnline(a: ToxPeer, b: ToxPeer): boolean {
  return pathTo(a, b) !== 'none' && pathTo(b, a) !== 'none';
}

/** Whether each sees the other online with the other's current DHT key. */
export function bothOnlineWithCurrentKeys(a: ToxPeer, b: ToxPeer): boolean {
  if (!bothOnline(a, b)) return false;
  const ab = a.node.friends.friend(b.realKeyPair.publicKey)?.dhtPublicKey;
  const ba = b.node.friends.friend(a.realKeyPair.publicKey)?.dhtPublicKey;
  return ab !== undefined && ba !== undefined && hex(ab) === hex(b.node.dhtKeyPair.publicKey) && hex(ba) === hex(a.node.dhtKeyPair.publicKey);
}

/** Advances simulated time in `stepMs` steps until `done()` or `limitMs`; returns the simulated ms taken. */
export async function until(net: SimToxNet, done: () => boolean, limitMs: number, stepMs = 100): Promise<number> {
  const start = net.clock.now();
  while (!done() && net.clock.now() - start < limitMs) await net.clock.advanceAsync(stepMs);
  return net.clock.now() - start;
}

/** A toxlink relay server on a new public host of `net`. */
export async function simRelay(net: SimToxNet, name = 'relay'): Promise<{ host: SimHost; server: TcpRelayServer; endpoint: RelayEndpoint }> {
  const host = net.sim.addHost({ name });
  const keyPair = generateKeyPair();
  const server = new TcpRelayServer({ network: host, clock: net.clock, keyPair });
  await server.listen({ host: '0.0.0.0', port: RELAY_PORT });
  return { host, server, endpoint: { address: { host: host.ip, port: RELAY_PORT }, publicKey: keyPair.publicKey } };
}

/** The friend's status changes seen by `peer` from `since` on, as `online/path` strings. */
export function statusesSince(peer: ToxPeer, friend: ToxPeer, since: number): string[] {
  const key = hex(friend.realKeyPair.publicKey);
  return peer.statuses.filter((s) => s.friend === key && s.at >= since).map((s) => (s.online ? s.path : 'offline'));
}

/** An onion that finds nobody and says nothing: a friend that is not searched for. */
const silentOnion: FriendOnion = {
  addFriend: () => undefined, removeFriend: () => true, setFriendOnline: () => undefined, setFriendDhtKey: () => undefined,
  setOwnRelays: () => undefined, sendFriendRequest: () => 0, events: { on: () => () => undefined },
};

/** A friend that runs only net_crypto and the friend layer; see {@link lightFriend}. */
export interface LightFriend {
  readonly realKeyPair: KeyPair;
  readonly friends: FriendConnections;
  close(): Promise<void>;
}

/**
 * A light friend of `peer`, on a new host: net_crypto and the friend layer on one socket,
 * with no DHT node and a silent onion. It knows the peer's DHT key and address as from a
 * saved state (`FriendConnections.setDhtKey`; its stand-in DHT answers with the address), and
 * makes the session itself; `peer` locks it as a friend. Many of them cost a simulation far
 * less than as many ToxNodes, whose DHT nodes all talk to each other.
 */
export async function lightFriend(net: SimToxNet, peer: ToxPeer, name: string): Promise<LightFriend> {
  const host = net.sim.addHost({ name });
  const socket = await host.bindUdp({ host: '0.0.0.0', port: TOX_PORT });
  const realKeyPair = generateKeyPair();
  const dhtKeyPair = generateKeyPair();
  const peerAddress = { host: peer.host.publicIp, port: TOX_PORT };
  const dht: FriendDht = { addFriend: () => undefined, removeFriend: () => true, friendAddress: () => peerAddress, events: { on: () => () => undefined } };
  let friends: FriendConnections | undefined;
  const netCrypto = new NetCrypto({ clock: net.clock, sender: socket, realKeyPair, dhtKeyPair, accept: (o) => friends?.accept(o) ?? false });
  friends = new FriendConnections({ clock: net.clock, dht, netCrypto, onion: silentOnion });
  socket.onReceive((data, from) => void netCrypto.receive(data, from));
  peer.friendKeys.push(realKeyPair.publicKey);
  peer.node.friends.lock(realKeyPair.publicKey);
  friends.lock(peer.realKeyPair.publicKey);
  friends.setDhtKey(peer.realKeyPair.publicKey, peer.node.dhtKeyPair.publicKey);
  const f = friends;
  return {
    realKeyPair, friends: f,
    async close() {
      f.close();
      netCrypto.close();
      await socket.close();
    },
  };
}
