/**
 * What a DHT node counts: packets received by kind, packets dropped by reason, bytes sent.
 *
 * @see spec/dht.md#bad-input
 * @module
 */

/** Why a DHT packet was dropped. */
export type DhtDropReason =
  | 'malformed-truncated'
  | 'malformed-trailing-bytes'
  | 'malformed-bad-family'
  | 'malformed-bad-value'
  | 'bad-size'
  | 'bad-key'
  | 'bad-mac'
  | 'from-self'
  | 'unsolicited'
  | 'rate-limited'
  | 'unroutable'
  | 'unknown-request'
  | 'internal-error';

/** Kinds of accepted packets. */
export type DhtPacketKind = 'ping-request' | 'ping-response' | 'nodes-request' | 'nodes-response' | 'dht-request' | 'routed';

/** Counters of one DHT node. */
export class DhtStats {
  readonly dropped: Partial<Record<DhtDropReason, number>> = {};
  readonly accepted: Partial<Record<DhtPacketKind, number>> = {};
  packetsSent = 0;
  bytesSent = 0;
  /** Nodes requests not answered because the requester had not yet answered us from that address. */
  unverifiedRequests = 0;
  /** Ping requests sent to guessed addresses while punching holes. */
  punchPings = 0;

  punched(pings: number): void {
    this.punchPings += pings;
  }

  drop(reason: DhtDropReason): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  received(kind: DhtPacketKind): void {
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
