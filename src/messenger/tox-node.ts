/**
 * A whole Tox node on one UDP socket: the DHT, the onion (as a hop and announce node for
 * others, and as our own client), net_crypto, TCP relay connections and the friend layer,
 * wired the way c-toxcore's `Messenger` wires its parts. This is the piece a program starts;
 * the Messenger API and the channel layer sit on its {@link ToxNode.friends}.
 *
 * One UDP socket carries every datagram protocol. A received datagram goes to the first
 * part that takes it, by packet id: the onion client (responses addressed to us), the onion
 * node (layers to forward, announce and data requests), net_crypto (cookies, handshakes and
 * data), and the DHT for the rest. Packets that came through a TCP relay reach net_crypto
 * through the friend layer and onion responses reach the onion client.
 *
 * ```ts
 * const node = await ToxNode.start({ network: new NodeNetwork(), clock: new SystemClock(), realKeyPair });
 * node.bootstrap({ host: '127.0.0.1', port: 33445 }, bootstrapKey);
 * node.friends.lock(friendRealKey);
 * node.friends.on('status', (s) => console.log(s.online, s.path));
 * ```
 *
 * @see spec/messenger.md#the-node
 * @module
 */
import { generateKeyPair, type KeyPair } from '../crypto/index.ts';
import { DhtNode, type DhtConfig } from '../dht/index.ts';
import { FriendConnections, type FriendConnectionsConfig } from '../friend/index.ts';
import type { Address, Clock, DatagramTransport, Network } from '../io/index.ts';
import { NetCrypto, type NetCryptoConfig } from '../netcrypto/index.ts';
import { OnionClient, type OnionClientConfig, OnionNode, type OnionTcpPath } from '../onion/index.ts';
import { type RelayEndpoint, TcpConnections, type TcpConnectionsConfig } from '../relay/index.ts';
import type { IpPort } from '../wire/index.ts';

/** What {@link ToxNode.start} needs. */
export interface ToxNodeOptions {
  readonly network: Network;
  readonly clock: Clock;
  /** Our long-term key pair: the public key is the start of our Tox ID. */
  readonly realKeyPair: KeyPair;
  /** The DHT key pair; a fresh one by default, as c-toxcore makes at every start. */
  readonly dhtKeyPair?: KeyPair;
  /**
   * Where to bind the UDP socket (default `0.0.0.0`, port 0: any free port). `false` runs
   * without UDP: every friend and the onion go through TCP relays.
   */
  readonly udp?: Address | false;
  /** Uniform integer in `[0, n)`; a simulation passes a seeded one. */
  readonly randomInt?: (n: number) => number;
  /**
   * Unix time now, in seconds (default: the system's). Our DHT-key announcements are
   * numbered from it, as c-toxcore numbers them by `unix_time()`, so that a friend that
   * still remembers an earlier run of ours takes the announcements of this one. On a
   * simulated clock give Unix time on that clock: the system's barely moves while minutes
   * are simulated, so a node restarted there would number its announcements as its last run
   * did, and its friends would drop them as replays.
   */
  readonly unixTimeS?: number;
  readonly config?: {
    readonly dht?: Partial<DhtConfig>;
    readonly netCrypto?: Partial<NetCryptoConfig>;
    readonly onion?: Partial<OnionClientConfig>;
    readonly friends?: Partial<FriendConnectionsConfig>;
    readonly tcp?: Partial<TcpConnectionsConfig>;
  };
}

/** A datagram sender that drops everything: the node's stand-in for a socket when UDP is off. */
const noUdp = { send: (): void => undefined };

/** The parts of one Tox node, wired together; see the module comment. */
export class ToxNode {
  readonly realKeyPair: KeyPair;
  readonly dhtKeyPair: KeyPair;
  readonly dht: DhtNode;
  /** Our onion client: announcing ourselves, finding friends, friend requests. */
  readonly onion: OnionClient;
  /** The onion hop and announce node we run for others. */
  readonly onionNode: OnionNode;
  readonly netCrypto: NetCrypto;
  readonly tcp: TcpConnections;
  readonly friends: FriendConnections;
  readonly #socket: DatagramTransport | undefined;
  readonly #offs: Array<() => void> = [];
  #closed: Promise<void> | undefined;

  private constructor(options: ToxNodeOptions, socket: DatagramTransport | undefined) {
    const { clock, network } = options;
    this.realKeyPair = options.realKeyPair;
    this.dhtKeyPair = options.dhtKeyPair ?? generateKeyPair();
    this.#socket = socket;
    const sender = socket ?? noUdp;
    const dhtKeyPair = this.dhtKeyPair;
    const randomInt = options.randomInt;
    this.dht = new DhtNode({ clock, sender, keyPair: dhtKeyPair, config: options.config?.dht, ...(randomInt ? { randomInt } : {}) });
    this.tcp = new TcpConnections({ network, clock, keyPair: dhtKeyPair, config: options.config?.tcp });
    const tcp = this.tcp;
    const onionTcp: OnionTcpPath = {
      randomRelay: () => tcp.nextOnionRelay(),
      sendOnionRequest: (relay, nonce, payload) => tcp.sendOnionRequest(relay, nonce, payload),
      setOnionStatus: (enabled) => tcp.setOnion(enabled),
    };
    this.onionNode = new OnionNode({ clock, sender, dhtKeyPair, closeNodes: (key, n) => this.dht.closeNodes(key, n) });
    // The onion numbers announcements clock seconds + offset: make that Unix time.
    const unixNowS = options.unixTimeS ?? Math.floor(Date.now() / 1000);
    const noReplayOffsetS = Math.max(1, unixNowS - Math.floor(clock.now() / 1000));
    this.onion = new OnionClient({
      clock, sender, dht: this.dht, realKeyPair: this.realKeyPair, dhtKeyPair, tcp: onionTcp,
      config: { noReplayOffsetS, ...options.config?.onion },
      ...(randomInt ? { randomInt } : {}),
    });
    let friends: FriendConnections | undefined;
    this.netCrypto = new NetCrypto({
      clock, sender, realKeyPair: this.realKeyPair, dhtKeyPair, config: options.config?.netCrypto,
      accept: (offer) => friends?.accept(offer) ?? false,
    });
    friends = new FriendConnections({ clock, dht: this.dht, netCrypto: this.netCrypto, onion: this.onion, tcp, config: options.config?.friends });
    this.friends = friends;
    this.#offs.push(tcp.on('onion-response', (o) => this.onion.receiveFromRelay(o.data)));
    socket?.onReceive((data, from) => this.receive(data, from));
  }

  /** Binds the UDP socket (unless `udp` is false) and builds the node. */
  static async start(options: ToxNodeOptions): Promise<ToxNode> {
    const socket = options.udp === false ? undefined : await options.network.bindUdp(options.udp ?? { host: '0.0.0.0', port: 0 });
    return new ToxNode(options, socket);
  }

  /** The bound UDP address, or undefined without UDP. */
  get udpAddress(): Address | undefined {
    return this.#socket?.local;
  }

  /**
   * Hands a datagram to the part it is for (see the module comment). Returns whether one
   * took it. The socket calls this itself; a test may too.
   */
  receive(data: Uint8Array, from: Address): boolean {
    if (this.#closed !== undefined) return false;
    return this.onion.receive(data, from) || this.onionNode.receive(data, from) || this.netCrypto.receive(data, from) || this.dht.receive(data, from);
  }

  /** Bootstraps the DHT from a node, and gives it to the onion as a path node of last resort. */
  bootstrap(address: IpPort, publicKey: Uint8Array): void {
    this.dht.bootstrap(address, publicKey);
    this.onion.addBootstrapNode(publicKey, address);
  }

  /** Adds a TCP relay to connect to (`tox_add_tcp_relay`). */
  addTcpRelay(endpoint: RelayEndpoint): void {
    this.tcp.addRelay(endpoint);
  }

  /** Stops every part and closes the socket. Idempotent; resolves when the socket is closed. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const off of this.#offs.splice(0)) off();
      this.friends.close();
      this.netCrypto.close();
      this.onion.close();
      this.onionNode.close();
      this.tcp.close();
      this.dht.close();
      await this.#socket?.close();
    })();
    return this.#closed;
  }
}
