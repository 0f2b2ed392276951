/**
 * A running toxlink node as the commands use it: the profile locked and loaded, a
 * {@link ToxNode} on a real UDP socket, the {@link Messenger} restored from the profile, a
 * TCP relay server for others if asked (with its onion hop on a UDP socket of its own), the
 * bootstrap nodes and relays given to it, the profile saved every minute, soon after a change
 * of friends, and on stop, and the status snapshot written every few seconds.
 *
 * @see spec/cli.md#toxlink-node
 * @module
 */
import { existsSync } from 'node:fs';
import { type KeyPair, generateKeyPair } from '../crypto/index.ts';
import { isGood } from '../dht/index.ts';
import { type Address, BindError, type DatagramTransport, NodeNetwork, SystemClock } from '../io/index.ts';
import { Messenger, type Profile, ToxNode, profileKeyPair, writeProfileFile } from '../messenger/index.ts';
import { TcpRelayServer } from '../relay/index.ts';
import { type PackedNode, formatToxId, isIpv6, toHex } from '../wire/index.ts';
import { type BootstrapNode, resolveHost } from './bootstrap-list.ts';
import { CliError, bindMessage } from './errors.ts';
import type { Logger } from './log.ts';
import { type OpenedProfile, type ProfileLock, lockProfile, openProfile, statusPathFor } from './profile-path.ts';
import { readKeysFile, writeKeysFile } from './relay.ts';
import { STATUS_FORMAT, STATUS_VERSION, type StatusSnapshot, writeStatusFile } from './status-file.ts';

/** How often the profile is saved while nothing changes. */
export const SAVE_INTERVAL_MS = 60_000;
/** How soon after a change of friends the profile is saved. */
export const SAVE_SOON_MS = 1_000;
/** How often the status snapshot is written. */
export const STATUS_INTERVAL_MS = 2_000;
/** DHT nodes kept in the profile to start from next time. */
const SAVED_DHT_NODES = 128;
/** TCP relays kept in the profile. */
const SAVED_TCP_RELAYS = 8;

/** What {@link NodeRuntime.start} needs. */
export interface NodeRuntimeOptions {
  readonly command: 'node' | 'chat' | 'expose' | 'forward';
  readonly profilePath: string;
  /** A c-toxcore save to make the profile from (only when none exists yet). */
  readonly importTox?: string | undefined;
  /** The UDP address to bind; `udpFlag` names the flag that chose it, for errors. */
  readonly udp: Address;
  readonly udpFlag: string;
  /** A TCP relay server for others on this address; none if undefined. */
  readonly relayServer?: { readonly address: Address; readonly flag: string } | undefined;
  /** A keys file for a DHT key that stays the same across runs (tox-bootstrapd's format). */
  readonly keysFile?: string | undefined;
  readonly bootstrap: readonly BootstrapNode[];
  readonly log: Logger;
  readonly saveIntervalMs?: number;
  readonly statusIntervalMs?: number;
}

/** The node's view of the network, as progress and the `connection` event show it. */
export interface ConnectionState {
  readonly dht: boolean;
  readonly onion: boolean;
  readonly dhtNodes: number;
  readonly relays: number;
}

/** See the module comment. */
export class NodeRuntime {
  readonly command: 'node' | 'chat' | 'expose' | 'forward';
  readonly profilePath: string;
  readonly origin: OpenedProfile['origin'];
  readonly node: ToxNode;
  readonly messenger: Messenger;
  readonly relay: TcpRelayServer | undefined;
  readonly tcpPort: number | undefined;
  readonly startedAt = new Date();
  readonly #clock: SystemClock;
  readonly #log: Logger;
  readonly #lock: ProfileLock;
  readonly #relayUdp: DatagramTransport | undefined;
  readonly #statusIntervalMs: number;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #listeners: Array<(state: ConnectionState) => void> = [];
  #saveSoon: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();
  #last: ConnectionState = { dht: false, onion: false, dhtNodes: 0, relays: 0 };
  #stopped: Promise<void> | undefined;

  private constructor(parts: {
    options: NodeRuntimeOptions; opened: OpenedProfile; lock: ProfileLock; clock: SystemClock; node: ToxNode; messenger: Messenger;
    relay: TcpRelayServer | undefined; relayUdp: DatagramTransport | undefined; tcpPort: number | undefined;
  }) {
    this.command = parts.options.command;
    this.profilePath = parts.opened.path;
    this.origin = parts.opened.origin;
    this.#log = parts.options.log;
    this.#lock = parts.lock;
    this.#clock = parts.clock;
    this.node = parts.node;
    this.messenger = parts.messenger;
    this.relay = parts.relay;
    this.#relayUdp = parts.relayUdp;
    this.tcpPort = parts.tcpPort;
    this.#statusIntervalMs = parts.options.statusIntervalMs ?? STATUS_INTERVAL_MS;
    const saveEvery = parts.options.saveIntervalMs ?? SAVE_INTERVAL_MS;
    this.#timers.push(setInterval(() => this.#periodicSave(), saveEvery));
    this.#timers.push(setInterval(() => void this.#writeStatus(true), this.#statusIntervalMs));
    this.#timers.push(setInterval(() => this.#poll(), 1_000));
    this.messenger.on('error', (error) => this.#log.error(`messenger: ${error.message}`));
  }

  /**
   * Locks and opens the profile, binds the sockets and starts every part. Throws a
   * {@link CliError} (port in use, profile in use) or a profile error, having undone what
   * it started.
   */
  static async start(options: NodeRuntimeOptions): Promise<NodeRuntime> {
    const lock = await lockProfile(options.profilePath);
    const undo: Array<() => Promise<void> | void> = [() => lock.release()];
    try {
      const opened = await openProfile(options.profilePath, { importTox: options.importTox });
      const dhtKeyPair = loadDhtKeys(options.keysFile);
      const network = new NodeNetwork();
      const clock = new SystemClock();
      const realKeyPair = profileKeyPair(opened.profile);
      const node = await ToxNode.start({ network, clock, realKeyPair, dhtKeyPair, udp: options.udp }).catch((error: unknown) => {
        throw error instanceof BindError ? new CliError(bindMessage(error, options.udpFlag, 'UDP port'), { cause: error }) : error;
      });
      undo.push(() => node.close());
      let relay: TcpRelayServer | undefined;
      let relayUdp: DatagramTransport | undefined;
      let tcpPort: number | undefined;
      if (options.relayServer !== undefined) {
        const { address, flag } = options.relayServer;
        relayUdp = await network.bindUdp({ host: address.host, port: 0 });
        const socket = relayUdp;
        undo.push(() => socket.close());
        const server = new TcpRelayServer({ network, clock, keyPair: node.dhtKeyPair, onionSocket: socket });
        undo.push(() => server.close());
        const listener = await server.listen(address).catch((error: unknown) => {
          throw error instanceof BindError ? new CliError(bindMessage(error, flag, 'TCP port'), { cause: error }) : error;
        });
        relay = server;
        tcpPort = listener.local.port;
      }
      const messenger = Messenger.restore({ clock, friends: node.friends, profile: opened.profile, wallClock: () => Date.now() });
      const runtime = new NodeRuntime({ options, opened, lock, clock, node, messenger, relay, relayUdp, tcpPort });
      await runtime.#startFrom(opened.profile, options.bootstrap);
      await runtime.#writeStatus(true);
      return runtime;
    } catch (error) {
      for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
      throw error;
    }
  }

  /** Gives the node its bootstrap nodes and relays: the ones asked for, then the profile's. */
  async #startFrom(profile: Profile, given: readonly BootstrapNode[]): Promise<void> {
    let dht = 0;
    let relays = 0;
    for (const b of given) {
      const host = await resolveHost(b.host);
      if (host === undefined || isIpv6(host)) {
        this.#log.warn(`skipping bootstrap node ${b.host}: ${host === undefined ? 'the name does not resolve' : 'IPv6 is not used'}`);
        continue;
      }
      if (b.udpPort !== undefined) {
        this.bootstrap({ host, port: b.udpPort }, b.publicKey);
        dht++;
      }
      for (const port of b.tcpPorts) {
        this.node.addTcpRelay({ address: { host, port }, publicKey: b.publicKey });
        relays++;
      }
    }
    for (const n of profile.dhtNodes) {
      if (isIpv6(n.ipPort.host)) continue;
      this.node.bootstrap(n.ipPort, n.publicKey);
    }
    for (const n of profile.tcpRelays) {
      if (isIpv6(n.ipPort.host)) continue;
      this.node.addTcpRelay({ address: n.ipPort, publicKey: n.publicKey });
    }
    this.#log.debug(`bootstrapping from ${dht} DHT nodes and ${relays} TCP relays given, ${profile.dhtNodes.length} DHT nodes and ${profile.tcpRelays.length} relays saved`);
    if (dht === 0 && profile.dhtNodes.length === 0 && relays === 0 && profile.tcpRelays.length === 0 && this.command !== 'node') {
      this.#log.warn('no bootstrap nodes: give some with --bootstrap or --nodes, or this node finds no one');
    }
  }

  /** Bootstraps the DHT from a node (and gives it to the onion), as `tox_bootstrap`. */
  bootstrap(address: Address, publicKey: Uint8Array): void {
    this.node.bootstrap(address, publicKey);
  }

  /** Our Tox ID, upper-case hex. */
  get toxId(): string {
    return this.messenger.toxId();
  }

  /** The bound UDP port. */
  get udpPort(): number | undefined {
    return this.node.udpAddress?.port;
  }

  /** The node's view of the network now. */
  connection(): ConnectionState {
    const list = this.node.dht.closeList;
    const now = this.#clock.now();
    let good = 0;
    for (const e of list.entries()) if (isGood(e, now, list.badTimeoutMs)) good++;
    return { dht: good > 0, onion: this.node.onion.isConnected, dhtNodes: good, relays: this.node.tcp.connectedRelayCount };
  }

  /** Calls `listener` when the DHT or onion connection changes (checked every second). */
  onConnection(listener: (state: ConnectionState) => void): void {
    this.#listeners.push(listener);
  }

  #poll(): void {
    const now = this.connection();
    const before = this.#last;
    this.#last = now;
    if (now.dht === before.dht && now.onion === before.onion) return;
    for (const l of this.#listeners) l(now);
  }

  /** The profile as it would be saved now: the Messenger's state with our DHT nodes and relays. */
  profile(): Profile {
    const state = this.messenger.state();
    const dhtNodes: PackedNode[] = this.node.dht.closeNodes(this.node.dht.publicKey, SAVED_DHT_NODES)
      .filter((n) => n.protocol === 'udp');
    const tcpRelays: PackedNode[] = this.node.tcp.connectedRelays(SAVED_TCP_RELAYS)
      .map((r) => ({ protocol: 'tcp' as const, ipPort: { host: r.address.host, port: r.address.port }, publicKey: r.publicKey }));
    return {
      ...state,
      dhtNodes: dhtNodes.length > 0 ? dhtNodes : state.dhtNodes,
      tcpRelays: tcpRelays.length > 0 ? tcpRelays : state.tcpRelays,
    };
  }

  /** Saves the profile now (after any save under way). */
  save(): Promise<void> {
    const next = this.#saving.then(() => writeProfileFile(this.profilePath, this.profile()));
    this.#saving = next.catch(() => undefined);
    return next;
  }

  /** Saves soon: after a change of friends, a burst of changes makes one write. */
  saveSoon(): void {
    if (this.#saveSoon !== undefined || this.#stopped !== undefined) return;
    this.#saveSoon = setTimeout(() => {
      this.#saveSoon = undefined;
      this.#periodicSave();
    }, SAVE_SOON_MS);
  }

  #periodicSave(): void {
    this.save().catch((error: unknown) => this.#log.warn(`could not save the profile: ${(error as Error).message}`));
  }

  /** The status snapshot now. */
  snapshot(running = true): StatusSnapshot {
    const c = this.connection();
    const pending = this.messenger.pendingRequests().length;
    return {
      format: STATUS_FORMAT, version: STATUS_VERSION, pid: process.pid, command: this.command, running,
      startedAt: this.startedAt.toISOString(), writtenAt: new Date().toISOString(), intervalMs: this.#statusIntervalMs,
      toxId: this.toxId, dhtKey: upper(this.node.dhtKeyPair.publicKey),
      udpPort: this.udpPort ?? null, tcpPort: this.tcpPort ?? null,
      dht: { connected: c.dht, nodes: c.dhtNodes },
      onion: { connected: c.onion },
      relays: this.node.tcp.relays().map((r) => ({
        host: r.relay.address.host, port: r.relay.address.port, publicKey: upper(r.relay.publicKey), state: r.state,
      })),
      relayClients: this.relay?.clientCount ?? null,
      friends: this.messenger.friends().map((f) => ({
        friend: f.friendNumber, publicKey: upper(f.publicKey), name: new TextDecoder().decode(f.name), status: f.status,
        path: f.connection, lastSeen: f.lastSeen === 0n ? null : new Date(Number(f.lastSeen) * 1000).toISOString(),
      })),
      pendingRequests: pending,
    };
  }

  async #writeStatus(running: boolean): Promise<void> {
    try {
      await writeStatusFile(statusPathFor(this.profilePath), this.snapshot(running));
    } catch (error) {
      this.#log.debug(`could not write the status snapshot: ${(error as Error).message}`);
    }
  }

  /** Saves, writes the last snapshot, closes every part and releases the lock. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      for (const t of this.#timers.splice(0)) clearInterval(t);
      if (this.#saveSoon !== undefined) clearTimeout(this.#saveSoon);
      let saveError: unknown;
      await this.save().catch((error: unknown) => { saveError = error; });
      await this.#writeStatus(false);
      this.messenger.close();
      await this.relay?.close();
      await this.#relayUdp?.close();
      await this.node.close();
      await this.#lock.release();
      if (saveError !== undefined) throw saveError;
    })();
    return this.#stopped;
  }
}

function upper(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}

/** The DHT key pair: from the keys file (made if missing), or fresh for this run. */
function loadDhtKeys(path: string | undefined): KeyPair | undefined {
  if (path === undefined) return undefined;
  if (existsSync(path)) return readKeysFile(path);
  const pair = generateKeyPair();
  try {
    writeKeysFile(path, pair);
  } catch (error) {
    throw new CliError(`cannot write the keys file ${path} (${(error as Error).message})`, { cause: error });
  }
  return pair;
}

/** Our Tox ID from a profile, without starting anything (`toxlink id`). */
export function toxIdOf(profile: Profile): string {
  return formatToxId({ publicKey: profileKeyPair(profile).publicKey, nospam: profile.nospam });
}
