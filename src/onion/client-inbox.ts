/**
 * What arrives for the onion client as onion data, and the DHT-routed copy of a DHT key
 * announcement (c-toxcore 0.2.18's `handle_data_response`, `handle_dht_dhtpk`,
 * `handle_dhtpk_announce` and the onion half of `friendreq_handlepacket`): opened, checked
 * against our friends and their no-replay numbers, and reported as `dht-key` and
 * `friend-request` events. Every refusal is counted; a `DecodeError` is left to the
 * client's guard, which counts it.
 *
 * @see spec/onion.md#sending-onion-data
 * @see spec/onion.md#the-onion-client
 * @module
 */
import { type KeyPair, decryptPrecomputed, precompute } from '../crypto/index.ts';
import { CryptoPacket, type IpPort, type PackedNode } from '../wire/index.ts';
import type { OnionClientStats } from './client-stats.ts';
import type { Emitter } from '../io/index.ts';
import type { OnionClientEventMap } from './client-events.ts';
import type { FriendSearch } from './friend-search.ts';
import { decodeOnionDataResponse, openOnionData, openOnionDataResponse } from './onion-data.ts';
import { type DecodedDhtPkAnnounce, decodeDhtPkAnnounce, decodeRoutedDhtPk } from './dht-pk-announce.ts';
import { decodeFriendRequest } from './friend-request.ts';

/** What an {@link OnionInbox} works with: the client's state it reads and reports to. */
export interface OnionInboxOptions {
  /** The client's friends, by hex real key. */
  readonly friends: ReadonlyMap<string, FriendSearch>;
  readonly stats: OnionClientStats;
  readonly events: Emitter<OnionClientEventMap>;
  readonly realKeyPair: KeyPair;
  readonly dataKeyPair: KeyPair;
  /** Asks a node for the nodes closest to a key (`dht_getnodes`): a friend's UDP nodes, for its DHT key. */
  readonly requestNodes: (ipPort: IpPort, publicKey: Uint8Array, target: Uint8Array) => void;
  /** `MAX_RECEIVED_STORED`. */
  readonly maxReceivedRequests: number;
}

/** Hex of a key: the friends map's index. */
export function keyId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');
}

/** The receiving side of onion data. */
export class OnionInbox {
  /** Friend request senders taken (with the nospam), oldest first (`received_requests`). */
  readonly #received: string[] = [];

  constructor(private readonly o: OnionInboxOptions) {}

  /** Forgets that a sender's requests were taken (`remove_request_received`, when a friend is deleted). */
  forget(realPublicKey: Uint8Array): void {
    const id = keyId(realPublicKey);
    for (let i = this.#received.length - 1; i >= 0; i--) if (this.#received[i]!.startsWith(id)) this.#received.splice(i, 1);
  }

  /** `handle_data_response`: open both boxes, then hand the payload to its handler by its first byte. */
  onDataResponse(data: Uint8Array): void {
    const { stats } = this.o;
    const envelope = decodeOnionDataResponse(data);
    const dataShared = precompute(envelope.ephemeralPublicKey, this.o.dataKeyPair.secretKey);
    if (dataShared === undefined) return stats.drop('bad-key');
    const sealed = openOnionDataResponse(envelope, dataShared);
    if (sealed === undefined) return stats.drop('bad-mac');
    const friend = this.o.friends.get(keyId(sealed.senderRealPublicKey));
    const realShared = friend?.realSharedKey ?? precompute(sealed.senderRealPublicKey, this.o.realKeyPair.secretKey);
    if (realShared === undefined) return stats.drop('bad-key');
    const payload = openOnionData(sealed, realShared, envelope.nonce);
    if (payload === undefined || payload.length === 0) return stats.drop('bad-mac');
    if (payload[0] === CryptoPacket.DHTPK) return this.#onDhtPk(sealed.senderRealPublicKey, decodeDhtPkAnnounce(payload), 'onion');
    if (payload[0] === CryptoPacket.FRIEND_REQ) return this.#onFriendRequest(sealed.senderRealPublicKey, payload);
    stats.drop('unknown-data-id');
  }

  /** `handle_dht_dhtpk`: the DHT-routed copy; its DHT key must be the key the DHT request came from. */
  onRoutedDhtPk(payload: Uint8Array, dhtSender: Uint8Array): void {
    const { stats } = this.o;
    const envelope = decodeRoutedDhtPk(payload);
    const friend = this.o.friends.get(keyId(envelope.senderRealPublicKey));
    if (friend === undefined) return stats.drop('not-a-friend');
    const plain = decryptPrecomputed(friend.realSharedKey!, envelope.nonce, envelope.box);
    if (plain === undefined) return stats.drop('bad-mac');
    // 0.2.18 hands the plaintext to `handle_dhtpk_announce` directly: its first byte is not looked at.
    const announce = decodeDhtPkAnnounce(plain, { checkId: false });
    if (keyId(announce.dhtPublicKey) !== keyId(dhtSender)) return stats.drop('wrong-dht-key');
    this.#onDhtPk(envelope.senderRealPublicKey, announce, 'dht');
  }

  /**
   * `handle_dhtpk_announce`: from a friend, with a no-replay number above the last one taken
   * (either way): the key is taken before the nodes are read; UDP nodes are asked for the
   * friend's DHT key, TCP relays are reported with the key.
   */
  #onDhtPk(senderReal: Uint8Array, announce: DecodedDhtPkAnnounce, via: 'onion' | 'dht'): void {
    const { stats } = this.o;
    const friend = this.o.friends.get(keyId(senderReal));
    if (friend === undefined) return stats.drop('not-a-friend');
    if (announce.noReplay <= friend.lastNoReplay) return stats.drop('replay');
    friend.lastNoReplay = announce.noReplay;
    friend.dhtPublicKey = announce.dhtPublicKey.slice();
    const relays: PackedNode[] = [];
    for (const node of announce.nodes) {
      if (node.protocol === 'tcp') relays.push(node);
      else this.o.requestNodes(node.ipPort, node.publicKey, announce.dhtPublicKey);
    }
    if (announce.nodesError !== undefined) stats.drop('bad-nodes');
    stats.received(via === 'onion' ? 'dht-key-onion' : 'dht-key-dht');
    this.o.events.emit('dht-key', { realPublicKey: friend.realPublicKey.slice(), dhtPublicKey: announce.dhtPublicKey.slice(), relays, via });
  }

  /**
   * `friendreq_handlepacket`, the part that does not need our nospam: not from a friend
   * (`friend_already_added`), not a sender (with that nospam) already taken; the listener
   * checks the nospam.
   */
  #onFriendRequest(senderReal: Uint8Array, payload: Uint8Array): void {
    const { stats } = this.o;
    const request = decodeFriendRequest(payload);
    if (this.o.friends.has(keyId(senderReal))) return stats.drop('from-friend');
    const nospam = new DataView(request.nospam.buffer, request.nospam.byteOffset, 4).getUint32(0);
    const id = `${keyId(senderReal)}:${nospam}`;
    if (this.#received.includes(id)) return stats.drop('duplicate-request');
    this.#received.push(id);
    if (this.#received.length > this.o.maxReceivedRequests) this.#received.shift();
    stats.received('friend-request');
    this.o.events.emit('friend-request', { realPublicKey: senderReal.slice(), nospam, message: request.message });
  }
}
