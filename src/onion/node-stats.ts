/**
 * What an onion node counts: packets handled by kind, packets dropped by reason, what it
 * sent. Every packet the receive path refuses is counted here, never thrown.
 *
 * @see spec/onion.md#the-onion-hop
 * @see spec/onion.md#the-announce-node
 * @module
 */

/** Why an onion node dropped a packet. */
export type OnionDropReason =
  /** Shorter than the packet's minimum (a `DecodeError` of code `truncated`). */
  | 'malformed-truncated'
  /** Longer than the packet's maximum (`trailing-bytes`). */
  | 'malformed-trailing-bytes'
  /** A next hop, or an address in a return blob, that is not IPv4 or IPv6 (`bad-family`). */
  | 'malformed-bad-family'
  /** A payload or response id a hop does not pass on (`bad-value`). */
  | 'malformed-bad-value'
  /** A public key libsodium refuses (a low-order point). */
  | 'bad-key'
  /** A box that does not open with our key. */
  | 'bad-mac'
  /** A return blob that does not open: sealed by another node, or with a key we replaced. */
  | 'bad-return-path'
  /** A hop 1 blob naming a TCP relay client: this node runs no relay. */
  | 'tcp-client'
  /** A data request for a key not announced here (or whose announcement expired). */
  | 'not-announced'
  /** An exception nothing expected; a bug, counted rather than thrown. */
  | 'internal-error';

/** Kinds of packets an onion node handled. */
export type OnionPacketKind =
  | 'request-hop-1'
  | 'request-hop-2'
  | 'request-hop-3'
  | 'response-hop-3'
  | 'response-hop-2'
  | 'response-hop-1'
  | 'announce-request'
  | 'announce-stored'
  | 'data-request';

/** Counters of one onion node. */
export class OnionNodeStats {
  readonly dropped: Partial<Record<OnionDropReason, number>> = {};
  readonly accepted: Partial<Record<OnionPacketKind, number>> = {};
  packetsSent = 0;
  bytesSent = 0;
  /** Times the return-blob key was replaced (`KEY_REFRESH_INTERVAL`). */
  keyRotations = 0;
  /** Announce requests with a valid ping id that found the store full of closer keys. */
  storeRefused = 0;

  drop(reason: OnionDropReason): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  received(kind: OnionPacketKind): void {
    this.accepted[kind] = (this.accepted[kind] ?? 0) + 1;
  }

  sent(bytes: number): void {
    this.packetsSent++;
    this.bytesSent += bytes;
  }

  /** All drops, whatever the reason. */
  get totalDropped(): number {
    return Object.values(this.dropped).reduce((a, b) => a + b, 0);
  }
}
