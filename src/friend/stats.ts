/**
 * Counters of the friend layer: what it did, and what it refused, by reason. Every packet
 * of its own (16, 17, 18) and every onion report it refuses is counted under exactly one
 * reason.
 *
 * @see spec/friend.md#bad-input
 * @module
 */

/** Why the friend layer dropped something that came from the network. */
export type FriendDropReason =
  /** A share-relays packet (17) whose relays do not decode: truncated, an unknown family. */
  | 'share-relays-malformed'
  /** A relay in a share-relays packet with a UDP family: skipped, the others kept. */
  | 'share-relays-udp-node'
  /** A friend request packet (18) too short, too long or otherwise unreadable. */
  | 'friend-request-malformed'
  /** An onion report of a DHT key for a real key that is not a friend. */
  | 'dht-key-not-friend'
  /** An onion report whose DHT key is not 32 bytes. */
  | 'bad-dht-key'
  /** A relay the relay manager would not link to the friend, or a friend it would not track (its bounds). */
  | 'relay-not-linked'
  /** A DHT key net_crypto would not make a session with (a key X25519 refuses, a full node); tried again later. */
  | 'session-refused';

/** Counts by reason. */
export class FriendDropCounts {
  readonly #counts = new Map<FriendDropReason, number>();
  total = 0;

  add(reason: FriendDropReason): void {
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1);
    this.total++;
  }

  /** Drops for `reason`. */
  get(reason: FriendDropReason): number {
    return this.#counts.get(reason) ?? 0;
  }

  /** A plain object of the non-zero counts. */
  toJSON(): Partial<Record<FriendDropReason, number>> {
    return Object.fromEntries(this.#counts) as Partial<Record<FriendDropReason, number>>;
  }
}

/** Counters of a {@link FriendConnections}. */
export class FriendConnectionsStats {
  /** Sessions we made (`NetCrypto.connect`). */
  sessionsOpened = 0;
  /** Sessions a friend made to us that we took. */
  sessionsAccepted = 0;
  /** Transitions to online, and to offline. */
  wentOnline = 0;
  wentOffline = 0;
  /** Sessions killed because no alive packet came for `connectionTimeoutMs`. */
  timeouts = 0;
  aliveSent = 0;
  aliveReceived = 0;
  /** Share-relays packets sent, and relays received in them. */
  shareRelaysSent = 0;
  relaysReceived = 0;
  /** DHT keys that replaced another or none, and keys forgotten when a retry window closed. */
  dhtKeyChanges = 0;
  dhtKeysForgotten = 0;
  friendRequestsSent = 0;
  friendRequestsReceived = 0;
  readonly dropped = new FriendDropCounts();
}
