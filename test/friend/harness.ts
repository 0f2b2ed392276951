/**
 * Test harness of the friend layer: peers on one SimNetwork, each with a real DhtNode, a
 * real NetCrypto, optionally a real TcpConnections (with toxlink relay servers on their own
 * hosts), and a FriendConnections on top.
 *
 * The onion side is NOT the real OnionClient (being written at the same time): it is
 * {@link FakeOnion}, an in-test directory that implements `FriendOnion` with the shape the
 * OnionClient will have. Every `announceMs` it hands each peer the DHT key and relays of
 * every friend it is searching for (as the real onion does while a friend is offline),
 * as long as that friend is published and the directory is not paused. An end-to-end test
 * with the real OnionClient is for the lead to add when it lands.
 *
 * UDP between two peers can be cut (both ways) at the harness's socket wrapper, leaving
 * TCP (the relays) and UDP to everyone else untouched.
 */
import { generateKeyPair, type KeyPair } from '../../src/crypto/index.ts';
import { DhtNode } from '../../src/dht/index.ts';
import { type Address, type Clock, type DatagramTransport, type SimHost, SimNetwork, type SimNetworkOptions, type Timer } from '../../src/io/index.ts';
import { NetCrypto } from '../../src/netcrypto/index.ts';
import { type RelayEndpoint, TcpConnections, type TcpConnectionsConfig, TcpRelayServer } from '../../src/relay/index.ts';
import { type PackedNode, toHex } from '../../src/wire/index.ts';
import type { OnionClient } from '../../src/onion/index.ts';
import {
  type FriendConnectionsConfig, type FriendConnectionsEvents, FriendConnections, type FriendDht, type FriendOnion,
} from '../../src/friend/index.ts';

export const PORT = 33445;
export const RELAY_PORT = 3389;

/** A minimal typed emitter, as the OnionClient's. */
export class TinyEmitter<M extends object> {
  readonly #l: { [K in keyof M]?: Array<(v: M[K]) => void> } = {};
  on<K extends keyof M>(event: K, listener: (value: M[K]) => void): () => void {
    const list = (this.#l[event] ??= []) as Array<(v: M[K]) => void>;
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }
  emit<K extends keyof M>(event: K, value: M[K]): void {
    for (const l of [...((this.#l[event] ?? []) as Array<(v: M[K]) => void>)]) l(value);
  }
}

/** The events of the OnionClient being written, exactly as announced to this helper. */
export interface OnionClientEvents {
  'dht-key': { realPublicKey: Uint8Array; dhtPublicKey: Uint8Array; relays: PackedNode[]; via: 'onion' | 'dht' };
  'friend-request': { realPublicKey: Uint8Array; nospam: number; message: Uint8Array };
  connection: { connected: boolean };
}

interface Published {
  dhtPublicKey: Uint8Array;
  relays: PackedNode[];
  onion: FakeOnion;
}

/** Where fake onions find each other: real key → the DHT key and relays its owner announces. */
export class OnionDirectory {
  readonly published = new Map<string, Published>();
  /** While true, no announcement is handed out (the onion is unreachable). */
  paused = false;
  /** Searches that are refused: `${seekerHex}>${soughtHex}`. */
  readonly blocked = new Set<string>();
  constructor(readonly clock: Clock, readonly announceMs = 2000) {}
  block(seeker: Uint8Array, sought: Uint8Array): void {
    this.blocked.add(`${toHex(seeker)}>${toHex(sought)}`);
  }
  unblock(seeker: Uint8Array, sought: Uint8Array): void {
    this.blocked.delete(`${toHex(seeker)}>${toHex(sought)}`);
  }
}

/** A stand-in for the OnionClient, with its shape (see the module comment). */
export class FakeOnion {
  readonly events = new TinyEmitter<OnionClientEvents>();
  readonly isConnected = true;
  /** Every call the friend layer made, in order, for assertions. */
  readonly calls: Array<{ fn: string; key: string; arg?: string | boolean }> = [];
  readonly #friends = new Map<string, { key: Uint8Array; online: boolean }>();
  #timer: Timer | undefined;
  #relays: PackedNode[] = [];

  constructor(readonly directory: OnionDirectory, readonly realPublicKey: Uint8Array, readonly dhtPublicKey: Uint8Array) {
    this.#tick();
  }

  addFriend(realPublicKey: Uint8Array): void {
    this.calls.push({ fn: 'addFriend', key: toHex(realPublicKey) });
    this.#friends.set(toHex(realPublicKey), { key: realPublicKey.slice(), online: false });
  }
  removeFriend(realPublicKey: Uint8Array): boolean {
    this.calls.push({ fn: 'removeFriend', key: toHex(realPublicKey) });
    return this.#friends.delete(toHex(realPublicKey));
  }
  setFriendOnline(realPublicKey: Uint8Array, online: boolean): void {
    this.calls.push({ fn: 'setFriendOnline', key: toHex(realPublicKey), arg: online });
    const f = this.#friends.get(toHex(realPublicKey));
    if (f) f.online = online;
  }
  setFriendDhtKey(realPublicKey: Uint8Array, dhtPublicKey: Uint8Array): void {
    this.calls.push({ fn: 'setFriendDhtKey', key: toHex(realPublicKey), arg: toHex(dhtPublicKey) });
  }
  setOwnRelays(relays: readonly PackedNode[]): void {
    this.#relays = [...relays];
    const me = this.directory.published.get(toHex(this.realPublicKey));
    if (me !== undefined && me.onion === this) me.relays = this.#relays;
  }
  sendFriendRequest(realPublicKey: Uint8Array, nospam: number, message: Uint8Array): number {
    this.calls.push({ fn: 'sendFriendRequest', key: toHex(realPublicKey) });
    const target = this.directory.published.get(toHex(realPublicKey));
    if (target === undefined || this.directory.paused) return 0;
    target.onion.events.emit('friend-request', { realPublicKey: this.realPublicKey.slice(), nospam, message: message.slice() });
    return 1;
  }

  /** Appears in the directory (a running peer). */
  publish(): void {
    this.directory.published.set(toHex(this.realPublicKey), { dhtPublicKey: this.dhtPublicKey, relays: this.#relays, onion: this });
  }
  /** Disappears from it and stops searching (the peer stopped). */
  close(): void {
    const me = this.directory.published.get(toHex(this.realPublicKey));
    if (me?.onion === this) this.directory.published.delete(toHex(this.realPublicKey));
    this.#timer?.cancel();
    this.#timer = undefined;
  }
  /** Calls of one kind about one friend. */
  callsOf(fn: string, key: Uint8Array): Array<string | boolean | undefined> {
    return this.calls.filter((c) => c.fn === fn && c.key === toHex(key)).map((c) => c.arg);
  }

  #tick(): void {
    this.#timer = this.directory.clock.setTimer(this.directory.announceMs, () => {
      this.#tick();
      if (this.directory.paused) return;
      for (const [hex, f] of this.#friends) {
        if (f.online || this.directory.blocked.has(`${toHex(this.realPublicKey)}>${hex}`)) continue;
        const p = this.directory.published.get(hex);
        if (p === undefined) continue;
        this.events.emit('dht-key', { realPublicKey: f.key.slice(), dhtPublicKey: p.dhtPublicKey.slice(), relays: [...p.relays], via: 'onion' });
      }
    });
  }
}

// Compile-time checks: the fake, with the OnionClient's shape, is a FriendOnion, and so is
// the real OnionClient (landing at the same time) and the real DhtNode a FriendDht.
const _shapeCheck = (o: FakeOnion): FriendOnion => o;
const _onionCheck = (o: OnionClient): FriendOnion => o;
const _dhtCheck = (d: DhtNode): FriendDht => d;
void _shapeCheck;
void _onionCheck;
void _dhtCheck;

/** A relay server on its own host. */
export interface SimRelay {
  readonly host: SimHost;
  readonly server: TcpRelayServer;
  readonly endpoint: RelayEndpoint;
}

/** Everything a peer is made of, and what it saw. */
export interface Peer {
  readonly name: string;
  readonly host: SimHost;
  readonly real: KeyPair;
  readonly dhtKeys: KeyPair;
  readonly dht: DhtNode;
  readonly nc: NetCrypto;
  readonly tcp: TcpConnections | undefined;
  readonly onion: FakeOnion;
  readonly friends: FriendConnections;
  readonly socket: DatagramTransport;
  readonly address: Address;
  readonly statuses: Array<{ at: number; key: string; online: boolean; path: string }>;
  readonly lossless: Array<FriendConnectionsEvents['lossless']>;
  readonly lossy: Array<FriendConnectionsEvents['lossy']>;
  readonly requests: Array<FriendConnectionsEvents['friend-request']>;
  readonly errors: string[];
  /** DHT friend-list calls, as `add:<hex>` / `remove:<hex>`. */
  readonly dhtCalls: string[];
  /** Crash: stops everything without a word to anyone (no kill packet). */
  crash(): Promise<void>;
  /** Clean quit: sessions closed with kill packets, then everything stopped. */
  quit(): Promise<void>;
  /** Whether `friend` is online, as this peer's friend layer says. */
  online(friend: Peer): boolean;
}

export interface PeerOptions {
  name?: string;
  /** Reuse a host (a restart) and a real key pair (the same identity). */
  host?: SimHost;
  real?: KeyPair;
  tcp?: boolean;
  /** Relays the peer's relay manager holds from the start. */
  relays?: SimRelay[];
  config?: Partial<FriendConnectionsConfig>;
  tcpConfig?: Partial<TcpConnectionsConfig>;
}

export interface World {
  readonly sim: SimNetwork;
  readonly directory: OnionDirectory;
  readonly boot: { dht: DhtNode; address: Address };
  readonly relays: SimRelay[];
  peer(options?: PeerOptions): Promise<Peer>;
  /** Cuts (or restores) UDP between two hosts, both ways. */
  setUdp(a: Peer, b: Peer, on: boolean): void;
  advance(ms: number): Promise<void>;
  /** Advances in steps of `stepMs` until `done()` or `limitMs` passed; returns the simulated ms it took. */
  until(done: () => boolean, limitMs: number, stepMs?: number): Promise<number>;
}

export async function world(options: { sim?: SimNetworkOptions; relays?: number; announceMs?: number } = {}): Promise<World> {
  const sim = new SimNetwork({ seed: 3, ...options.sim });
  const directory = new OnionDirectory(sim.clock, options.announceMs ?? 2000);
  const bootHost = sim.addHost({ name: 'boot' });
  const bootSocket = await bootHost.bindUdp({ host: '0.0.0.0', port: PORT });
  const bootDht = new DhtNode({ clock: sim.clock, sender: bootSocket });
  bootSocket.onReceive((d, from) => bootDht.receive(d, from));
  const boot = { dht: bootDht, address: { host: bootHost.ip, port: PORT } };
  const relays: SimRelay[] = [];
  for (let i = 0; i < (options.relays ?? 0); i++) {
    const host = sim.addHost({ name: `relay-${i}` });
    const keyPair = generateKeyPair();
    const server = new TcpRelayServer({ network: host, clock: sim.clock, keyPair });
    await server.listen({ host: '0.0.0.0', port: RELAY_PORT });
    relays.push({ host, server, endpoint: { address: { host: host.ip, port: RELAY_PORT }, publicKey: keyPair.publicKey } });
  }
  const cut = new Set<string>();
  const cutKey = (x: string, y: string) => (x < y ? `${x}|${y}` : `${y}|${x}`);
  let count = 0;

  const w: World = {
    sim, directory, boot, relays,
    setUdp(a, b, on) {
      if (on) cut.delete(cutKey(a.host.ip, b.host.ip));
      else cut.add(cutKey(a.host.ip, b.host.ip));
    },
    advance: async (ms) => {
      await sim.clock.advanceAsync(ms);
    },
    async until(done, limitMs, stepMs = 100) {
      const start = sim.clock.now();
      while (!done() && sim.clock.now() - start < limitMs) await sim.clock.advanceAsync(stepMs);
      return sim.clock.now() - start;
    },
    async peer(o = {}) {
      const name = o.name ?? `peer-${++count}`;
      const host = o.host ?? sim.addHost({ name });
      const socket = await host.bindUdp({ host: '0.0.0.0', port: PORT });
      const real = o.real ?? generateKeyPair();
      const dhtKeys = generateKeyPair();
      const blocked = (to: string) => cut.has(cutKey(host.ip, to));
      const sender = { send: (to: Address, data: Uint8Array) => { if (!blocked(to.host)) socket.send(to, data); } };
      const dht = new DhtNode({ clock: sim.clock, sender, keyPair: dhtKeys });
      const dhtCalls: string[] = [];
      const addFriend = dht.addFriend.bind(dht);
      const removeFriend = dht.removeFriend.bind(dht);
      dht.addFriend = (pk) => { dhtCalls.push(`add:${toHex(pk)}`); addFriend(pk); };
      dht.removeFriend = (pk) => { dhtCalls.push(`remove:${toHex(pk)}`); return removeFriend(pk); };
      let friends: FriendConnections | undefined;
      const nc = new NetCrypto({
        clock: sim.clock, sender, realKeyPair: real, dhtKeyPair: dhtKeys, accept: (offer) => friends?.accept(offer) ?? false,
      });
      const tcp = o.tcp === true ? new TcpConnections({ network: host, clock: sim.clock, keyPair: dhtKeys, config: o.tcpConfig }) : undefined;
      for (const r of o.relays ?? []) tcp?.addRelay(r.endpoint);
      const onion = new FakeOnion(directory, real.publicKey, dhtKeys.publicKey);
      friends = new FriendConnections({ clock: sim.clock, dht, netCrypto: nc, onion, tcp, config: o.config });
      socket.onReceive((data, from) => {
        if (blocked(from.host)) return;
        if (!dht.receive(data, from)) nc.receive(data, from);
      });
      dht.bootstrap(boot.address, boot.dht.publicKey);
      onion.publish();
      const errors: string[] = [];
      const statuses: Peer['statuses'] = [];
      const lossless: Peer['lossless'] = [];
      const lossy: Peer['lossy'] = [];
      const requests: Peer['requests'] = [];
      const fc = friends;
      fc.on('error', (e) => errors.push(`friend: ${e.stack ?? e.message}`));
      nc.on('error', (e) => errors.push(`netcrypto: ${e.stack ?? e.message}`));
      dht.events.on('error', (e) => errors.push(`dht: ${e.message}`));
      tcp?.on('error', (e) => errors.push(`tcp: ${e.message}`));
      fc.on('status', (s) => statuses.push({ at: sim.clock.now(), key: toHex(s.realPublicKey), online: s.online, path: s.path }));
      fc.on('lossless', (p) => lossless.push(p));
      fc.on('lossy', (p) => lossy.push(p));
      fc.on('friend-request', (r) => requests.push(r));
      const stop = async (clean: boolean) => {
        if (clean) fc.close();
        onion.close();
        await socket.close();
        tcp?.close();
        if (!clean) fc.close(); // after the socket and the relays: its kill packets go nowhere
        nc.close();
        dht.close();
      };
      return {
        name, host, real, dhtKeys, dht, nc, tcp, onion, friends: fc, socket, address: { host: host.ip, port: PORT },
        statuses, lossless, lossy, requests, errors, dhtCalls,
        crash: () => stop(false),
        quit: () => stop(true),
        online: (friend) => fc.friend(friend.real.publicKey)?.online === true,
      };
    },
  };
  return w;
}

/** Makes `a` and `b` friends of each other (one lock each). */
export function befriend(a: Peer, b: Peer): void {
  a.friends.lock(b.real.publicKey);
  b.friends.lock(a.real.publicKey);
}
