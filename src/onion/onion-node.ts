/**
 * The onion node: the part of the onion every Tox node runs for the network, whatever its
 * own friends — an {@link OnionForwarder} (hop of anyone's paths) and an
 * {@link AnnounceNode} (destination of announce and data requests) behind one receive
 * path. Sans-IO: handed datagrams, a clock and a sender; no timers of its own (the hop's
 * key and the store's entries age by the clock, checked as packets arrive).
 *
 * ```ts
 * const onion = new OnionNode({ clock, sender: socket, dhtKeyPair, closeNodes: (k, n) => dht.closeNodes(k, n) });
 * socket.onReceive((data, from) => { if (!onion.receive(data, from)) dht.receive(data, from); });
 * ```
 *
 * @see spec/onion.md#the-onion-hop
 * @see spec/onion.md#the-announce-node
 * @module
 */
import { type KeyPair, PUBLIC_KEY_SIZE, SECRET_KEY_SIZE, randomBytes as cryptoRandomBytes } from '../crypto/index.ts';
import { type DatagramSender, SharedKeyCache } from '../dht/index.ts';
import type { Address, Clock } from '../io/index.ts';
import { DecodeError, type IpPort, NetPacket, unmapIpv4 } from '../wire/index.ts';
import { AnnounceNode, type CloseNodesSource } from './announce-node.ts';
import type { AnnounceStore } from './announce-store.ts';
import { type OnionNodeConfig, defaultOnionNodeConfig, verifyOnionNodeConfig } from './node-config.ts';
import { OnionNodeError } from './node-errors.ts';
import { OnionNodeStats } from './node-stats.ts';
import { OnionForwarder } from './onion-hop.ts';

/** What an {@link OnionNode} is built from. */
export interface OnionNodeOptions {
  readonly clock: Clock;
  /** Where its datagrams go: the node's UDP socket (the one its DHT node uses). */
  readonly sender: DatagramSender;
  /** The node's DHT key pair: hops' boxes and announce requests are sealed to it. */
  readonly dhtKeyPair: KeyPair;
  /** The DHT's good nodes closest to a key (`(k, n) => dht.closeNodes(k, n)`). */
  readonly closeNodes: CloseNodesSource;
  /** Limits and timers; `defaultOnionNodeConfig` for what is not given. */
  readonly config?: Partial<OnionNodeConfig>;
  /** Random bytes for nonces, the return-blob key and the HMAC key; libsodium's CSPRNG by default. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

/** The packet ids an onion node handles; anything else is left to the caller. */
export const ONION_NODE_PACKET_IDS: readonly number[] = [
  NetPacket.ONION_SEND_INITIAL, NetPacket.ONION_SEND_1, NetPacket.ONION_SEND_2,
  NetPacket.ONION_RECV_3, NetPacket.ONION_RECV_2, NetPacket.ONION_RECV_1,
  NetPacket.ANNOUNCE_REQUEST_OLD, NetPacket.ANNOUNCE_REQUEST, NetPacket.ONION_DATA_REQUEST,
];

/** A Tox node's share of the onion: hop and announce node. */
export class OnionNode {
  readonly stats = new OnionNodeStats();
  readonly config: OnionNodeConfig;
  readonly #clock: Clock;
  readonly #sender: DatagramSender;
  readonly #hop: OnionForwarder;
  readonly #announce: AnnounceNode;
  /** The shared-key caches: hops 1, 2 and 3, then the announce node's. */
  readonly #caches: SharedKeyCache[] = [];
  #closed = false;

  constructor(options: OnionNodeOptions) {
    this.config = verifyOnionNodeConfig({ ...defaultOnionNodeConfig, ...options.config });
    const { dhtKeyPair } = options;
    if (!(dhtKeyPair?.publicKey instanceof Uint8Array) || dhtKeyPair.publicKey.length !== PUBLIC_KEY_SIZE
        || !(dhtKeyPair.secretKey instanceof Uint8Array) || dhtKeyPair.secretKey.length !== SECRET_KEY_SIZE) {
      throw new OnionNodeError('bad-key-size', `dhtKeyPair must hold a ${PUBLIC_KEY_SIZE}-byte public and a ${SECRET_KEY_SIZE}-byte secret key`);
    }
    this.#clock = options.clock;
    this.#sender = options.sender;
    const random = options.randomBytes ?? cryptoRandomBytes;
    const cache = (): SharedKeyCache => {
      const made = new SharedKeyCache(dhtKeyPair.secretKey, { capacity: this.config.sharedKeyCacheSize });
      this.#caches.push(made);
      return made;
    };
    const send = (to: IpPort, data: Uint8Array): void => this.#send(to, data);
    this.#hop = new OnionForwarder({
      clock: this.#clock, send, config: this.config, stats: this.stats, sharedKeys: [cache(), cache(), cache()], randomBytes: random,
    });
    this.#announce = new AnnounceNode({
      clock: this.#clock, send, config: this.config, stats: this.stats, dhtKeyPair, sharedKeys: cache(), closeNodes: options.closeNodes,
      randomBytes: random,
    });
  }

  /** The announcements held (read-only use: tests and diagnostics). */
  get announceStore(): AnnounceStore {
    return this.#announce.store;
  }

  /**
   * Shared keys held by each cache — hops 1, 2 and 3, then the announce node — each at most
   * `sharedKeyCacheSize` (read-only use: tests and diagnostics).
   */
  get sharedKeysHeld(): number[] {
    return this.#caches.map((c) => c.size);
  }

  /** When the hop's current return-blob key was made, by our clock (ms). */
  get keyMadeAt(): number {
    return this.#hop.keyMadeAt;
  }

  /**
   * Handles one datagram if it is an onion packet a node handles (0x80–0x82, 0x83, 0x85,
   * 0x87, 0x8c–0x8e) and returns true; returns false for anything else (a DHT packet, or an
   * announce or data response meant for an onion client) so the caller can hand it on.
   * Never throws: a bad packet is counted by reason and dropped.
   */
  receive(data: Uint8Array, from: Address): boolean {
    if (this.#closed || data.length === 0) return false;
    const id = data[0]!;
    if (!ONION_NODE_PACKET_IDS.includes(id)) return false;
    const source: IpPort = normalize(from);
    try {
      switch (id) {
        case NetPacket.ONION_SEND_INITIAL:
        case NetPacket.ONION_SEND_1:
        case NetPacket.ONION_SEND_2:
          this.#hop.handleRequest(data, source);
          break;
        case NetPacket.ONION_RECV_3:
        case NetPacket.ONION_RECV_2:
        case NetPacket.ONION_RECV_1:
          this.#hop.handleResponse(data);
          break;
        case NetPacket.ANNOUNCE_REQUEST_OLD:
        case NetPacket.ANNOUNCE_REQUEST:
          this.#announce.handleAnnounceRequest(data, source);
          break;
        default:
          this.#announce.handleDataRequest(data);
      }
    } catch (error) {
      if (error instanceof DecodeError) this.stats.drop(`malformed-${error.code}` as const);
      else this.stats.drop('internal-error');
    }
    return true;
  }

  /** Stops the node: it handles and sends nothing afterwards, and forgets its keys. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hop.wipe();
    this.#announce.wipe();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #send(to: IpPort, data: Uint8Array): void {
    if (this.#closed) return;
    this.stats.sent(data.length);
    this.#sender.send(to, data);
  }
}

function normalize(ip: Address): IpPort {
  const host = unmapIpv4(ip.host);
  return host === ip.host ? ip : { host, port: ip.port };
}
