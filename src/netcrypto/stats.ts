/**
 * Counters: what a node and each session sent, received and dropped, drops by reason.
 * Every packet the receive path refuses is counted under exactly one reason.
 *
 * @see spec/netcrypto.md#bad-input
 * @module
 */
import type { HandshakeRefusal } from './handshake.ts';

/** Why a session dropped a packet. */
export type SessionDropReason =
  /** Shorter than its kind allows. */
  | 'truncated'
  /** Longer than its kind allows. */
  | 'trailing-bytes'
  /** A field with a value the protocol does not allow (a data packet of padding only, …). */
  | 'malformed'
  /** The box did not open: forged, damaged, or sealed for another session. */
  | 'bad-mac'
  /** A packet kind the session does not take in its state (a data packet before the handshake, …). */
  | 'unexpected-packet'
  /** A cookie response whose echo id is not the one we sent. */
  | 'cookie-echo-mismatch'
  /** A handshake the checks of `handle_crypto_handshake` refused. */
  | `handshake-${HandshakeRefusal}`
  /** A valid handshake again after the session was up, from the same session. */
  | 'handshake-replayed'
  /** A data packet whose acknowledgement names a number we never sent. */
  | 'ack-out-of-window'
  /** A request packet overtaken by a newer acknowledgement: its list no longer lines up. */
  | 'stale-request'
  /** A payload id from 3 to 15 or 255. */
  | 'unknown-packet-id'
  /** A lossless packet already received, or a lossy packet seen on another path. */
  | 'duplicate'
  /** A lossless packet too far ahead of what we delivered. */
  | 'out-of-window';

/** Why the node dropped a packet before any session saw it. */
export type NodeDropReason =
  | 'truncated'
  | 'trailing-bytes'
  | 'malformed'
  /** A cookie request whose box did not open. */
  | 'bad-mac'
  /** A cookie request over the rate limit. */
  | 'cookie-rate'
  /** A handshake for a new session over the rate limit. */
  | 'handshake-rate'
  /** A new-session handshake the checks refused. */
  | `handshake-${HandshakeRefusal}`
  /** A new session the accept callback refused (or no callback). */
  | 'not-accepted'
  /** A new session over `maxConnections`. */
  | 'too-many-connections'
  /** A cookie response or data packet from an address no session has. */
  | 'unknown-source'
  /** A handshake for a peer whose session is already up, with the same DHT key. */
  | 'handshake-replayed'
  /** Not a net_crypto packet. */
  | 'not-net-crypto';

/** Counts by reason. */
export class DropCounts<R extends string> {
  readonly #counts = new Map<R, number>();
  total = 0;

  add(reason: R): void {
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1);
    this.total++;
  }

  /** Drops for `reason`. */
  get(reason: R): number {
    return this.#counts.get(reason) ?? 0;
  }

  /** A plain object of the non-zero counts. */
  toJSON(): Partial<Record<R, number>> {
    return Object.fromEntries(this.#counts) as Partial<Record<R, number>>;
  }
}

/** Counters of one session. */
export class SessionStats {
  /** Data packets sent (lossless, resends, lossy, requests, kill). */
  packetsSent = 0;
  /** Data packets received that opened. */
  packetsReceived = 0;
  /** Request packets sent. */
  requestsSent = 0;
  /** Lossless payloads handed up, and their bytes. */
  losslessReceived = 0;
  bytesReceived = 0;
  /** Lossless packets the peer acknowledged. */
  delivered = 0;
  lossySent = 0;
  lossyReceived = 0;
  readonly dropped = new DropCounts<SessionDropReason>();

  /** @internal */
  drop(reason: SessionDropReason): void {
    this.dropped.add(reason);
  }
}
