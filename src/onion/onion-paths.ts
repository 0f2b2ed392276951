/**
 * The onion client's paths: the nodes they are drawn from ({@link PathNodeStore}) and the
 * two sets of paths, one for announcing ourselves and one for friend work
 * ({@link OnionPaths}), made, used and replaced with c-toxcore 0.2.18's timers
 * (`random_path`, `path_timed_out`, `is_path_used`, `set_path_timeouts`, `path_exists`).
 *
 * A path is three nodes. It is replaced when it is 1200 s old, or when it has been used 4
 * times without a response and its last use is 4 s ago (a path that never answered) or 10 s
 * ago (one that did). A new path starts at 2 unanswered uses, so two unanswered requests
 * and 4 s are enough to give up on it. Each path carries a random 32-bit number, `path_num`,
 * whose remainder by 6 is its slot; a request's sendback names it, and a response credits
 * the path only if the slot still holds that number.
 *
 * @see spec/onion.md#onion-paths
 * @module
 */
import { type KeyPair, generateKeyPair } from '../crypto/index.ts';
import type { IpPort } from '../wire/index.ts';
import { type OnionPath, type PathNode, createOnionPath } from './onion-request.ts';
import type { OnionClientConfig } from './client-config.ts';

/**
 * A TCP relay connection the client may use as hop 1 when it has no UDP connection to the
 * DHT (c-toxcore's `get_random_tcp_onion_conn_number` and `tcp_send_onion_request`). The
 * relay manager (`TcpConnections`) provides both: `nextOnionRelay` and `sendOnionRequest`.
 */
export interface OnionTcpPath {
  /** A connected relay reserved for onion traffic, or `undefined` when none is. */
  randomRelay(): { readonly publicKey: Uint8Array } | undefined;
  /**
   * Sends an onion request whose hop 1 is that relay: the nonce, then `[hop 2's IP_Port][the
   * rest]` (what `encodeTcpOnionRequest` wrote after its nonce). False if it could not.
   */
  sendOnionRequest(relayPublicKey: Uint8Array, nonce: Uint8Array, payload: Uint8Array): boolean;
  /**
   * Told every round, from 6 s after the start, whether relays should be reserved for the
   * onion: true while the DHT has no UDP connection (`set_tcp_onion_status`). Optional.
   */
  setOnionStatus?(enabled: boolean): void;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameIpPort(a: IpPort, b: IpPort): boolean {
  return a.host === b.host && a.port === b.port;
}

/**
 * The nodes paths are drawn from (`path_nodes`, `path_nodes_bs`): two rings of up to 32
 * nodes each, one of nodes seen working (DHT nodes, nodes of paths that answered, announce
 * nodes that answered) and one of bootstrap nodes, the last resort. A node already in a
 * ring is not added again; a new node overwrites the oldest.
 */
export class PathNodeStore {
  readonly #nodes: PathNode[] = [];
  readonly #bootstrap: PathNode[] = [];
  #added = 0;
  #bootstrapAdded = 0;

  constructor(readonly capacity: number) {}

  /** Adds a working node (`onion_add_path_node`); false if its key is in the ring already. */
  add(node: PathNode): boolean {
    if (this.#nodes.some((n) => sameKey(n.publicKey, node.publicKey))) return false;
    const copy: PathNode = { publicKey: node.publicKey.slice(), ipPort: { host: node.ipPort.host, port: node.ipPort.port } };
    this.#nodes[this.#added % this.capacity] = copy;
    this.#added++;
    return true;
  }

  /** Adds a bootstrap node (`onion_add_bs_path_node`); false if its key is there already. */
  addBootstrap(node: PathNode): boolean {
    if (this.#bootstrap.some((n) => sameKey(n.publicKey, node.publicKey))) return false;
    this.#bootstrap[this.#bootstrapAdded % this.capacity] = { publicKey: node.publicKey.slice(), ipPort: { ...node.ipPort } };
    this.#bootstrapAdded++;
    return true;
  }

  /** Working nodes held (at most the capacity). */
  get size(): number {
    return this.#nodes.length;
  }

  /** Bootstrap nodes held. */
  get bootstrapSize(): number {
    return this.#bootstrap.length;
  }

  /**
   * How many working nodes were ever added (`path_nodes_index`): c-toxcore's test of
   * whether we are online compares with it, not with the ring's size.
   */
  get added(): number {
    return this.#added;
  }

  /** The working nodes, oldest slot first (a copy of the list). */
  nodes(): PathNode[] {
    return [...this.#nodes];
  }

  /** The bootstrap nodes (a copy of the list). */
  bootstrapNodes(): PathNode[] {
    return [...this.#bootstrap];
  }

  /** Whether `key` is a working node. */
  has(key: Uint8Array): boolean {
    return this.#nodes.some((n) => sameKey(n.publicKey, key));
  }
}

/** One slot of a path set. */
interface PathSlot {
  readonly path: OnionPath;
  /** The three nodes (hop 1 is the relay when {@link tcpRelay} is set). */
  readonly nodes: readonly [PathNode, PathNode, PathNode];
  /** `path_num`: a random number whose remainder by the path count is this slot. */
  readonly pathNum: number;
  /** Hop 1 is this TCP relay (its public key), not a UDP node. */
  readonly tcpRelay: Uint8Array | undefined;
  readonly created: number;
  lastSuccess: number;
  lastUsed: number;
  /** Uses since the last response. */
  usedTimes: number;
}

/** A path handed out for one request. */
export interface PickedPath {
  readonly path: OnionPath;
  /** The path's number, for the sendback. */
  readonly pathNum: number;
  /** Set when hop 1 is a TCP relay: send with `encodeTcpOnionRequest` through it. */
  readonly tcpRelay: Uint8Array | undefined;
}

/** What an {@link OnionPaths} is built with. */
export interface OnionPathsOptions {
  readonly config: OnionClientConfig;
  /** Our DHT key pair: hop 1 sees it. */
  readonly dhtKeyPair: KeyPair;
  readonly store: PathNodeStore;
  /** Uniform integer in `[0, n)`, `n` up to 2^32. */
  readonly randomInt: (n: number) => number;
  /** Whether the DHT has a UDP connection (`dht_isconnected`); without it, hop 1 is a TCP relay. */
  readonly udpConnected: () => boolean;
  readonly tcp?: OnionTcpPath | undefined;
  /** Fresh key pairs for hops 2 and 3; libsodium's by default. */
  readonly newKeyPair?: () => KeyPair;
}

/** How one path stands, for the announce client's test of a stable path. */
export interface PathState {
  readonly created: number;
  readonly lastUsed: number;
  readonly usedTimes: number;
}

/**
 * One set of onion paths (`Onion_Client_Paths`): `numberOnionPaths` slots, each empty or
 * holding a path, used at random or by number.
 */
export class OnionPaths {
  readonly #slots: Array<PathSlot | undefined>;
  readonly #o: OnionPathsOptions;
  readonly #newKeyPair: () => KeyPair;
  /** Paths made so far. */
  created = 0;

  constructor(options: OnionPathsOptions) {
    this.#o = options;
    this.#slots = new Array<PathSlot | undefined>(options.config.numberOnionPaths).fill(undefined);
    this.#newKeyPair = options.newKeyPair ?? generateKeyPair;
  }

  get #count(): number {
    return this.#slots.length;
  }

  /** `path_timed_out`: an empty slot, or a path too old, or used too often without answers. */
  timedOut(slotIndex: number, now: number): boolean {
    const slot = this.#slots[slotIndex % this.#count];
    if (slot === undefined) return true;
    const c = this.#o.config;
    const isNew = slot.lastSuccess === slot.created;
    const timeout = isNew ? c.pathFirstTimeoutMs : c.pathTimeoutMs;
    return (slot.usedTimes >= c.pathMaxNoResponseUses && slot.lastUsed + timeout <= now) || slot.created + c.pathMaxLifetimeMs <= now;
  }

  /**
   * A path for one request (`random_path`): the path numbered `pathNum` if its slot is still
   * live, else a random live one; a slot whose path timed out gets a new path first, or the
   * live path whose hop 1 is the new draw's last node (`is_path_used`). Counts the use.
   * `undefined` when no path can be made: too few nodes, or no UDP and no relay.
   */
  pick(pathNum: number | undefined, now: number): PickedPath | undefined {
    let index = pathNum === undefined ? this.#o.randomInt(this.#count) : pathNum % this.#count;
    if (this.timedOut(index, now)) {
      const drawn = this.#drawNodes();
      if (drawn === undefined) return undefined;
      const used = this.#pathUsed(drawn.nodes, now);
      if (used === undefined) {
        const path = createOnionPath(this.#o.dhtKeyPair, drawn.nodes, this.#newKeyPair(), this.#newKeyPair());
        if (path === undefined) return undefined;
        const c = this.#o.config;
        // A random number that names this slot: its remainder by the path count is the index.
        const base = Math.floor(this.#o.randomInt(0x1_0000_0000 - c.numberOnionPaths) / this.#count) * this.#count;
        this.#slots[index] = {
          path, nodes: drawn.nodes, pathNum: base + index, tcpRelay: drawn.tcpRelay, created: now, lastSuccess: now, lastUsed: now,
          usedTimes: Math.floor(c.pathMaxNoResponseUses / 2),
        };
        this.created++;
      } else {
        index = used;
      }
    }
    const slot = this.#slots[index]!;
    if (slot.usedTimes < this.#o.config.pathMaxNoResponseUses) slot.lastUsed = now;
    slot.usedTimes++;
    return { path: slot.path, pathNum: slot.pathNum, tcpRelay: slot.tcpRelay };
  }

  /** `path_exists`: whether the path numbered `pathNum` is still live. */
  exists(pathNum: number | undefined, now: number): boolean {
    if (pathNum === undefined) return false;
    const index = pathNum % this.#count;
    return !this.timedOut(index, now) && this.#slots[index]!.pathNum === pathNum;
  }

  /**
   * A response came back over the path numbered `pathNum` (`set_path_timeouts`): if its slot
   * still holds it, its unanswered uses go back to 0 and its UDP nodes become path nodes.
   * Returns `pathNum` if it was credited, `undefined` if the path was replaced since.
   */
  answered(pathNum: number, now: number): number | undefined {
    const slot = this.#slots[pathNum % this.#count];
    if (slot === undefined || slot.pathNum !== pathNum) return undefined;
    slot.lastSuccess = now;
    slot.usedTimes = 0;
    slot.nodes.forEach((node, i) => {
      if (i > 0 || slot.tcpRelay === undefined) this.#o.store.add(node);
    });
    return pathNum;
  }

  /** The state of the slot `pathNum` names, if it holds a path. */
  state(pathNum: number): PathState | undefined {
    const slot = this.#slots[pathNum % this.#count];
    return slot === undefined ? undefined : { created: slot.created, lastUsed: slot.lastUsed, usedTimes: slot.usedTimes };
  }

  /** The nodes of each live path (for tests and diagnostics). */
  livePaths(now: number): Array<readonly PathNode[]> {
    const out: Array<readonly PathNode[]> = [];
    this.#slots.forEach((slot, i) => {
      if (slot !== undefined && !this.timedOut(i, now)) out.push(slot.nodes);
    });
    return out;
  }

  /**
   * Three nodes for a new path (`random_nodes_path_onion`). With UDP: three path nodes at
   * random. Without: a random TCP relay, then two path nodes (or bootstrap nodes when fewer
   * than 2 path nodes are known). c-toxcore draws with replacement; toxlink draws distinct
   * nodes when there are enough, so that no node is two hops of one path.
   */
  #drawNodes(): { nodes: [PathNode, PathNode, PathNode]; tcpRelay: Uint8Array | undefined } | undefined {
    const store = this.#o.store;
    if (this.#o.udpConnected()) {
      const picked = this.#draw(store.nodes(), 3);
      return picked === undefined ? undefined : { nodes: picked as [PathNode, PathNode, PathNode], tcpRelay: undefined };
    }
    const relay = this.#o.tcp?.randomRelay();
    if (relay === undefined) return undefined;
    const from = store.size >= 2 ? store.nodes() : store.bootstrapNodes();
    const picked = this.#draw(from, 2);
    if (picked === undefined) return undefined;
    // The relay's key stands in hop 1's place; its box is never built (`create_onion_packet_tcp`).
    const hop1: PathNode = { publicKey: relay.publicKey.slice(), ipPort: { host: '0.0.0.0', port: 0 } };
    return { nodes: [hop1, picked[0]!, picked[1]!], tcpRelay: relay.publicKey.slice() };
  }

  #draw(from: readonly PathNode[], n: number): PathNode[] | undefined {
    if (from.length === 0) return undefined;
    const pool = [...from];
    const out: PathNode[] = [];
    for (let i = 0; i < n; i++) {
      if (pool.length > 0 && from.length >= n) {
        out.push(pool.splice(this.#o.randomInt(pool.length), 1)[0]!);
      } else {
        out.push(from[this.#o.randomInt(from.length)]!);
      }
    }
    return out;
  }

  /**
   * `is_path_used`: the slot of a live path (answered within 10 s, younger than 1200 s)
   * whose hop 1 is the last of `nodes`. c-toxcore compares with the last node ("do we really
   * have to check it with the last node?"), and so does toxlink: reusing a path there keeps
   * two paths from sharing the node that sees our address.
   */
  #pathUsed(nodes: readonly PathNode[], now: number): number | undefined {
    const c = this.#o.config;
    for (let i = 0; i < this.#count; i++) {
      const slot = this.#slots[i];
      if (slot === undefined || slot.tcpRelay !== undefined) continue;
      if (slot.lastSuccess + c.pathTimeoutMs <= now || slot.created + c.pathMaxLifetimeMs <= now) continue;
      if (sameIpPort(slot.nodes[0].ipPort, nodes[2]!.ipPort)) return i;
    }
    return undefined;
  }
}
