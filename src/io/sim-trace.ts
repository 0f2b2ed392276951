/**
 * What the simulator counts and, when asked, records: every datagram's fate, and the
 * bytes and failures of simulated TCP.
 *
 * @see spec/io.md#counters-and-the-trace
 * @module
 */

import { checkInteger, DEFAULT_TRACE_LIMIT } from './config.ts';

/** Why the simulator dropped a datagram. */
export type DropReason =
  /** The link's loss rate said so. */
  | 'loss'
  /** The sender and the receiver are on opposite sides of a partition. */
  | 'partition'
  /** A NAT had no mapping that let the datagram in. */
  | 'nat-filtered'
  /** A NAT had no free public port for a new mapping. */
  | 'nat-no-port'
  /** Nothing is bound to the destination port. */
  | 'no-listener'
  /** No host or NAT has the destination IP. */
  | 'no-route'
  /** The datagram is larger than the link's `maxDatagramSize`. */
  | 'too-big'
  /** The sender's uplink queue was full. */
  | 'bandwidth-queue-full';

/** Every {@link DropReason}, in a fixed order. */
export const DROP_REASONS: readonly DropReason[] = [
  'loss',
  'partition',
  'nat-filtered',
  'nat-no-port',
  'no-listener',
  'no-route',
  'too-big',
  'bandwidth-queue-full',
];

/** What became of a datagram or segment. */
export type PacketFate = 'delivered' | DropReason;

/** The simulator's counters. `sent + duplicated = delivered + dropped + in flight`. */
export interface SimStats {
  /** Datagrams handed to `send()` on an open socket. */
  sent: number;
  /** Datagrams handed to a receiving socket (a duplicate counts again). */
  delivered: number;
  /** Extra copies created by the duplication rate. */
  duplicated: number;
  /** `send()` calls on a closed socket (not counted as sent). */
  sendErrors: number;
  /** Dropped datagrams by reason. */
  dropped: Record<DropReason, number>;
  /** Simulated TCP. */
  tcp: {
    /** Connections established. */
    connected: number;
    /** Connects refused (nothing listening, or an incoming connect at a NAT). */
    refused: number;
    /** Connects that timed out or found no route. */
    failed: number;
    /** Connection ends broken by a reset or a timeout (each end counts). */
    reset: number;
    /** Payload bytes delivered. */
    bytes: number;
  };
}

/** Zeroed counters. */
export function newSimStats(): SimStats {
  const dropped = {} as Record<DropReason, number>;
  for (const reason of DROP_REASONS) dropped[reason] = 0;
  return { sent: 0, delivered: 0, duplicated: 0, sendErrors: 0, dropped, tcp: { connected: 0, refused: 0, failed: 0, reset: 0, bytes: 0 } };
}

/** The sum of every drop reason's count. */
export function totalDropped(stats: SimStats): number {
  let total = 0;
  for (const reason of DROP_REASONS) total += stats.dropped[reason];
  return total;
}

/** One line of the trace: a datagram (or TCP segment) and its fate. */
export interface TraceRecord {
  /** Virtual time at which the fate was decided, in ms. */
  readonly time: number;
  readonly kind: 'udp' | 'tcp';
  /** The source as the network saw it (after NAT), `host:port`. */
  readonly from: string;
  /** The destination as addressed, `host:port`. */
  readonly to: string;
  /** Payload bytes. */
  readonly size: number;
  readonly fate: PacketFate;
}

/** A bounded recorder of {@link TraceRecord}s; records past the limit are counted, not kept. */
export class SimTrace {
  readonly records: TraceRecord[] = [];
  /** Records not kept because the limit was reached. */
  overflow = 0;

  constructor(readonly limit: number = DEFAULT_TRACE_LIMIT) {
    checkInteger('trace limit', limit, 0, Number.MAX_SAFE_INTEGER);
  }

  record(record: TraceRecord): void {
    if (this.records.length < this.limit) this.records.push(record);
    else this.overflow++;
  }

  /** Forgets every record. */
  clear(): void {
    this.records.length = 0;
    this.overflow = 0;
  }
}
