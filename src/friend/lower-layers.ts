/**
 * What the friend layer needs of the onion client and of the DHT node, as interfaces: the
 * onion's `OnionClient` and the DHT's `DhtNode` satisfy them as they are, and a test can
 * hand in its own. net_crypto and the relay manager are used as their classes.
 *
 * @see spec/friend.md#the-layers-below
 * @module
 */
import type { IpPort, PackedNode } from '../wire/index.ts';

/** The onion client's events the friend layer listens to. */
export interface FriendOnionEvents {
  /**
   * A friend's DHT key and relays, from its announcement over the onion or routed through
   * the DHT (`via`).
   */
  'dht-key': {
    readonly realPublicKey: Uint8Array;
    readonly dhtPublicKey: Uint8Array;
    readonly relays: readonly PackedNode[];
    readonly via: 'onion' | 'dht';
  };
  /** A friend request from anyone, over the onion. */
  'friend-request': { readonly realPublicKey: Uint8Array; readonly nospam: number; readonly message: Uint8Array };
}

/**
 * The onion client, as the friend layer uses it (c-toxcore's `onion_addfriend`,
 * `onion_delfriend`, `onion_set_friend_online`, `onion_set_friend_DHT_pubkey`,
 * `send_onion_data` of a friend request, and the relays we announce).
 */
export interface FriendOnion {
  /** Starts searching for a friend and announcing ourselves to it. */
  addFriend(realPublicKey: Uint8Array): void;
  /** Stops it. */
  removeFriend(realPublicKey: Uint8Array): boolean;
  /** Online: stop searching (the session does the work); offline: search again. */
  setFriendOnline(realPublicKey: Uint8Array, online: boolean): void;
  /** The friend's DHT key, as the friend layer learned it (from any source). */
  setFriendDhtKey(realPublicKey: Uint8Array, dhtPublicKey: Uint8Array): void;
  /** The relays we are connected to, to put in our own announcements. */
  setOwnRelays(relays: readonly PackedNode[]): void;
  /** A friend request through the onion; returns how many paths it went out on. */
  sendFriendRequest(realPublicKey: Uint8Array, nospam: number, message: Uint8Array): number;
  readonly events: {
    on<K extends keyof FriendOnionEvents>(event: K, listener: (value: FriendOnionEvents[K]) => void): () => void;
  };
}

/** The DHT's `friend-address` event: the friend's DHT node answered us from `ipPort`. */
export interface FriendAddressReport {
  readonly publicKey: Uint8Array;
  readonly ipPort: IpPort;
}

/** The DHT node, as the friend layer uses it (`dht_addfriend`, `dht_delfriend`, `dht_getfriendip`). */
export interface FriendDht {
  /** Starts searching for a DHT key; reference-counted. */
  addFriend(publicKey: Uint8Array): void;
  /** Drops one reference. */
  removeFriend(publicKey: Uint8Array): boolean;
  /** The searched key's address, if a node answered for it lately. */
  friendAddress(publicKey: Uint8Array): IpPort | undefined;
  readonly events: {
    on(event: 'friend-address', listener: (value: FriendAddressReport) => void): () => void;
  };
}
