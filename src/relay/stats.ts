/**
 * Counters of a relay server and a relay client: connections, frames, and every frame or
 * connection given up, by reason. A frame the receive path refuses is counted under exactly
 * one reason, whether it was only dropped or the connection was closed for it.
 *
 * @see spec/relay.md#bad-input
 * @see spec/relay.md#the-relay-manager
 * @module
 */

/** Why a connection was closed. */
export type RelayCloseReason =
  /** The handshake, or (at a relay) the first frame, did not come in time. */
  | 'handshake-timeout'
  /** The other side's handshake named a key X25519 refuses. */
  | 'handshake-bad-key'
  /** The other side's handshake box did not open. */
  | 'handshake-bad-mac'
  /** A frame length above 2048. */
  | 'frame-too-long'
  /** A frame length below 17. */
  | 'frame-too-short'
  /** A frame whose MAC did not verify. */
  | 'frame-bad-mac'
  /** A frame plaintext that does not decode (an unassigned type, a wrong length, an empty data frame). */
  | 'malformed'
  /** A packet the other side never sends (a routing response from a client, an OOB send from a relay, …). */
  | 'unexpected-packet'
  /** A disconnect notification or data for a connection id that is not routed. */
  | 'bad-connection-id'
  /** A pong with id 0. */
  | 'zero-pong'
  /** An onion request too short for the relay's onion hop (c-toxcore closes on these too). */
  | 'onion-request-too-short'
  /** A ping's pong did not come back in time. */
  | 'ping-timeout'
  /** A newer connection with the same client key took this one's place. */
  | 'replaced'
  /** The relay holds `maxClients` clients. */
  | 'too-many-clients'
  /** The relay holds `maxPendingConnections` unconfirmed connections. */
  | 'too-many-pending'
  /** More control frames piled up for a socket that takes nothing than `maxQueuedBytes`. */
  | 'send-queue-full'
  /** The TCP connection could not be opened. */
  | 'connect-failed'
  /** The other side closed or reset the TCP connection. */
  | 'peer-closed'
  /** We closed it: `close()` on the client or the server. */
  | 'closed'
  /** A bug: an exception inside the relay code. */
  | 'internal-error';

/** Why a frame was dropped without closing its connection. */
export type RelayDropReason =
  /** A data, OOB or onion frame for a socket that takes nothing right now (a slow reader). */
  | 'send-buffer-full'
  /** Data on a route whose peer is not online. */
  | 'route-offline'
  /** An OOB send to a key not connected to this relay. */
  | 'oob-no-destination'
  /** An onion request at a relay without an onion hop. */
  | 'onion-disabled'
  /** An onion request the onion hop refused (too long, a bad address). */
  | 'onion-refused'
  /** A forward request or forwarding frame (group announces): not supported. */
  | 'forwarding'
  /** A ping with id 0: never answered. */
  | 'zero-ping-id'
  /** A pong that does not answer our outstanding ping. */
  | 'stale-pong'
  /** A connect notification from a client: c-toxcore's relay ignores them too. */
  | 'ignored-notification'
  /** At a client: a routing response with id 1–15, or for an id already in use. */
  | 'bad-routing-response'
  /** At a client: a notification or data for a connection id it has no route on. */
  | 'unknown-connection-id';

/** Counts by reason. */
export class ReasonCounts<R extends string> {
  readonly #counts = new Map<R, number>();
  total = 0;

  /** @internal */
  add(reason: R): void {
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1);
    this.total++;
  }

  /** The count for `reason`. */
  get(reason: R): number {
    return this.#counts.get(reason) ?? 0;
  }

  /** A plain object of the non-zero counts. */
  toJSON(): Partial<Record<R, number>> {
    return Object.fromEntries(this.#counts) as Partial<Record<R, number>>;
  }
}

/** Counters of a {@link TcpRelayServer}. */
export class RelayServerStats {
  /** TCP connections handed to the server. */
  accepted = 0;
  /** Client handshakes answered. */
  handshakes = 0;
  /** Connections confirmed (first valid frame after the handshake). */
  confirmed = 0;
  /** Frames received and opened, and frames sent (or queued). */
  framesReceived = 0;
  framesSent = 0;
  /** Data frames passed from one client to another. */
  dataRelayed = 0;
  /** OOB payloads delivered. */
  oobRelayed = 0;
  /** Onion requests handed to the onion hop, onion responses sent to clients. */
  onionRequests = 0;
  onionResponses = 0;
  /** Connections closed, by reason. */
  readonly closed = new ReasonCounts<RelayCloseReason>();
  /** Frames dropped without closing, by reason. */
  readonly dropped = new ReasonCounts<RelayDropReason>();
}

/** Counters of a {@link TcpRelayClient}. */
export class RelayClientStats {
  framesReceived = 0;
  framesSent = 0;
  /** Pings sent, and pongs that answered them. */
  pingsSent = 0;
  pongsReceived = 0;
  /** Pings from the relay, answered. */
  pingsAnswered = 0;
  /** Frames dropped without closing, by reason. */
  readonly dropped = new ReasonCounts<RelayDropReason>();
}

/** Why the relay manager did not send, or did not pass on, a packet. */
export type TcpConnectionsDropReason =
  /** `send` to a peer with no relay on which it is online or registered. */
  | 'no-route'
  /** `send` to a peer online on relays whose sockets were all full (no OOB then, as in c-toxcore). */
  | 'send-buffer-full'
  /** `send` to a peer it does not know. */
  | 'unknown-peer'
  /** Data on a route whose peer the manager no longer knows: dropped, the route given up. */
  | 'unknown-route'
  /** A relay refused a routing request (all its 240 ids taken, or our own key). */
  | 'routing-refused'
  /** An OOB fallback skipped: the packet is longer than an OOB payload may be (1024). */
  | 'oob-too-long';

/** Counters of a {@link TcpConnections} relay manager. */
export class TcpConnectionsStats {
  /** Packets sent on a route, and sends that fell back to OOB (counted once, however many relays it went to). */
  sentRouted = 0;
  sentOob = 0;
  /** Packets received on a route, by OOB from a peer we know on that relay, and by OOB from anyone else. */
  receivedRouted = 0;
  receivedOob = 0;
  receivedOobUnknown = 0;
  /** Onion requests sent, onion responses received. */
  onionRequests = 0;
  onionResponses = 0;
  /** TCP connections to relays started, and those that completed the handshake. */
  connects = 0;
  connected = 0;
  /** Connections to relays lost (not closed by the manager), then waited on before reconnecting. */
  lost = 0;
  /** Relays put to sleep, and woken. */
  slept = 0;
  woken = 0;
  /** Relays removed: unused beyond the recommended count, or given up after `maxReconnectAttempts`. */
  removedUnused = 0;
  gaveUp = 0;
  /** Packets not sent or not passed on, by reason. */
  readonly dropped = new ReasonCounts<TcpConnectionsDropReason>();
}
