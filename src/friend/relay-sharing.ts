/**
 * The friend layer's side of the relay manager: each friend is a peer of the manager under
 * its DHT key; its session sends through the manager when UDP is not enough; the relays it
 * tells us about (share-relays packets, onion announcements) and those we tell it about
 * are remembered and linked to it; every few minutes an online friend is told up to three
 * of our connected relays; and the onion is told which relays to announce.
 *
 * @see spec/friend.md#relay-sharing
 * @see spec/friend.md#the-session-and-its-path
 * @module
 */
import type { Address } from '../io/index.ts';
import type { CryptoConnection } from '../netcrypto/index.ts';
import { RelayError, type RelayEndpoint, type TcpConnections } from '../relay/index.ts';
import { DecodeError, type IpPort, type PackedNode, toHex } from '../wire/index.ts';
import type { FriendConnectionsConfig } from './config.ts';
import type { FriendRecord } from './friend-record.ts';
import type { FriendOnion } from './lower-layers.ts';
import { decodeShareRelays, encodeShareRelays } from './packets.ts';
import { relayAddressFromFriend } from './relay-book.ts';
import type { FriendConnectionsStats } from './stats.ts';

/**
 * @internal Made by `FriendConnections`. Without a relay manager, relays are still read and
 * remembered (a saved state may want them), but nothing is linked, shared or sent.
 */
export class RelaySharing {
  readonly #tcp: TcpConnections | undefined;
  readonly #config: FriendConnectionsConfig;
  readonly #stats: FriendConnectionsStats;
  readonly #onion: FriendOnion;
  #announced = '';

  constructor(tcp: TcpConnections | undefined, config: FriendConnectionsConfig, stats: FriendConnectionsStats, onion: FriendOnion) {
    this.#tcp = tcp;
    this.#config = config;
    this.#stats = stats;
    this.#onion = onion;
  }

  /** Tells the onion our connected relays, when they changed. */
  announceOwnRelays(): void {
    if (this.#tcp === undefined) return;
    const relays: PackedNode[] = this.#tcp.relays()
      .filter((r) => r.state === 'connected')
      .map((r) => ({ protocol: 'tcp', ipPort: r.relay.address, publicKey: r.relay.publicKey }));
    const key = relays.map((r) => `${toHex(r.publicKey)}@${r.ipPort.host}:${r.ipPort.port}`).join(',');
    if (key === this.#announced) return;
    this.#announced = key;
    this.#onion.setOwnRelays(relays);
  }

  /** The friend's DHT key is new: the manager tracks it, with the newest remembered relays. */
  trackPeer(f: FriendRecord): void {
    f.directTold = undefined;
    if (f.dhtKey === undefined || this.#tcp === undefined) return;
    try {
      this.#tcp.addPeer(f.dhtKey);
    } catch (error) {
      if (!(error instanceof RelayError)) throw error;
      this.#stats.dropped.add('relay-not-linked');
      return;
    }
    for (const relay of f.relays.newest(this.#config.sessionRelays)) this.link(f, relay);
  }

  /** The friend's DHT key is no longer its: the manager forgets that peer. */
  untrackPeer(dhtKey: Uint8Array): void {
    this.#tcp?.removePeer(dhtKey);
  }

  /** A session of the friend's sends through the manager, and the newest remembered relays are (again) linked. */
  attach(f: FriendRecord, conn: CryptoConnection): void {
    const tcp = this.#tcp;
    if (tcp === undefined) return;
    const peer = conn.peerDhtPublicKey;
    conn.setRelay((packet) => {
      try {
        tcp.send(peer, packet);
      } catch (error) {
        if (!(error instanceof RelayError)) throw error;
      }
    });
    for (const relay of f.relays.newest(this.#config.sessionRelays)) this.link(f, relay);
  }

  /** Links a relay to the friend's peer in the manager (`add_tcp_relay_peer`), if it is tracked. */
  link(f: FriendRecord, relay: RelayEndpoint): void {
    if (f.dhtKey === undefined || this.#tcp === undefined || !this.#tcp.hasPeer(f.dhtKey)) return;
    try {
      this.#tcp.addPeerRelay(f.dhtKey, relay);
    } catch (error) {
      if (!(error instanceof RelayError)) throw error;
      this.#stats.dropped.add('relay-not-linked');
    }
  }

  /** Remembers a relay the friend told us about, at the address it is best reached at, and links it. */
  remember(f: FriendRecord, ipPort: IpPort, publicKey: Uint8Array, friendAddress: Address | undefined): void {
    const relay: RelayEndpoint = { address: relayAddressFromFriend(ipPort, friendAddress), publicKey };
    f.relays.add(relay);
    this.link(f, relay);
  }

  /** A share-relays packet (17) from the friend. */
  receive(f: FriendRecord, data: Uint8Array, friendAddress: Address | undefined): void {
    let nodes: PackedNode[];
    try {
      nodes = decodeShareRelays(data);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.#stats.dropped.add('share-relays-malformed');
      return;
    }
    for (const node of nodes) {
      if (node.protocol !== 'tcp') {
        this.#stats.dropped.add('share-relays-udp-node');
        continue;
      }
      this.#stats.relaysReceived++;
      this.remember(f, node.ipPort, node.publicKey, friendAddress);
    }
  }

  /**
   * Tells the friend up to `maxSharedRelays` of our connected relays (`send_relays`), after
   * linking them to it, so that both ends ask the same relays for each other. With none
   * connected, tries again at the next alive packet.
   */
  share(f: FriendRecord, conn: CryptoConnection, now: number): void {
    if (this.#tcp === undefined) {
      f.shareDueAt = Infinity;
      return;
    }
    const relays = this.#tcp.connectedRelays(this.#config.maxSharedRelays);
    if (relays.length === 0) {
      f.shareDueAt = now + this.#config.pingIntervalMs;
      return;
    }
    for (const relay of relays) {
      f.relays.add(relay);
      this.link(f, relay);
    }
    const packet = encodeShareRelays(relays.map((r) => ({ protocol: 'tcp', ipPort: r.address, publicKey: r.publicKey })));
    try {
      conn.sendLossless(packet);
      this.#stats.shareRelaysSent++;
      f.shareDueAt = now + this.#config.shareRelaysIntervalMs;
    } catch {
      f.shareDueAt = now + this.#config.retryDelayMs;
    }
  }

  /** Whether the friend is reachable without a relay now: its relays may sleep (`setPeerDirect`). */
  setDirect(f: FriendRecord, direct: boolean): void {
    // Told every second for every online friend: the manager hears only a change.
    if (f.dhtKey === undefined || f.directTold === direct || this.#tcp === undefined || !this.#tcp.hasPeer(f.dhtKey)) return;
    this.#tcp.setPeerDirect(f.dhtKey, direct);
    f.directTold = direct;
  }
}
