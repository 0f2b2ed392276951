/**
 * What an onion client counts: responses and onion data taken by kind, packets dropped by
 * reason, requests sent. Every packet the receive path refuses is counted here, never
 * thrown.
 *
 * @see spec/onion.md#the-onion-client
 * @module
 */

/** Why an onion client dropped a packet. */
export type OnionClientDropReason =
  /** Shorter than the packet's minimum (a `DecodeError` of code `truncated`). */
  | 'malformed-truncated'
  /** Longer than the packet's maximum (`trailing-bytes`). */
  | 'malformed-trailing-bytes'
  /** A wrong id or field value (`bad-value`). */
  | 'malformed-bad-value'
  /** An address family that is not allowed (`bad-family`). */
  | 'malformed-bad-family'
  /** An announce response whose sendback we did not give out, gave out over 10 s ago, or that answered already. */
  | 'unknown-sendback'
  /** A box that does not open: a forged or garbled response, or onion data sealed by someone else. */
  | 'bad-mac'
  /** A public key libsodium refuses (a low-order point). */
  | 'bad-key'
  /** A response for a friend search whose friend was removed since. */
  | 'friend-gone'
  /** A friend search response with a status of 2 or more (0.2.18 drops the whole response). */
  | 'bad-status'
  /** The nodes of an announce response that do not parse: the status counted, the rest dropped. */
  | 'bad-nodes'
  /** A DHT key announcement from someone who is not our friend. */
  | 'not-a-friend'
  /** A DHT key announcement whose no-replay number is not above the last one taken. */
  | 'replay'
  /** A DHT-routed announcement whose DHT key is not the key the DHT request came from. */
  | 'wrong-dht-key'
  /** Onion data whose first byte no handler takes. */
  | 'unknown-data-id'
  /** A friend request from a sender (with that nospam) already taken. */
  | 'duplicate-request'
  /** A friend request from someone who is our friend already (`friend_already_added`). */
  | 'from-friend'
  /** An exception nothing expected; a bug, counted rather than thrown. */
  | 'internal-error';

/** Kinds of packets an onion client took. */
export type OnionClientPacketKind =
  /** An announce response to a self-announce. */
  | 'announce-response'
  /** An announce response to a friend search. */
  | 'search-response'
  /** A DHT key announcement, through the onion. */
  | 'dht-key-onion'
  /** A DHT key announcement, through the DHT. */
  | 'dht-key-dht'
  /** A friend request. */
  | 'friend-request';

/** Kinds of requests an onion client sent. */
export type OnionClientSendKind = 'announce' | 'search' | 'onion-data' | 'dht-key-dht';

/** Counters of one onion client. */
export class OnionClientStats {
  readonly dropped: Partial<Record<OnionClientDropReason, number>> = {};
  readonly accepted: Partial<Record<OnionClientPacketKind, number>> = {};
  readonly sentByKind: Partial<Record<OnionClientSendKind, number>> = {};
  packetsSent = 0;
  bytesSent = 0;
  /** Onion requests sent through a TCP relay as hop 1. */
  tcpRequests = 0;
  /** Requests not sent because no path could be made (too few path nodes, no relay). */
  noPath = 0;
  /** DHT key announcements sent at once because a search node reported the friend (toxlink's fast start). */
  dhtPkSentOnFind = 0;

  drop(reason: OnionClientDropReason): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  received(kind: OnionClientPacketKind): void {
    this.accepted[kind] = (this.accepted[kind] ?? 0) + 1;
  }

  sent(kind: OnionClientSendKind, bytes: number): void {
    this.sentByKind[kind] = (this.sentByKind[kind] ?? 0) + 1;
    this.packetsSent++;
    this.bytesSent += bytes;
  }

  /** All drops, whatever the reason. */
  get totalDropped(): number {
    return Object.values(this.dropped).reduce((a, b) => a + b, 0);
  }
}
