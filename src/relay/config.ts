/**
 * The timers and limits of a relay server and a relay client, with c-toxcore 0.2.18's values
 * where the protocol fixes them and toxlink's own bounds where c-toxcore has none.
 *
 * c-toxcore counts these timers in whole seconds and checks them once per iteration
 * (`mono_time_is_timeout`: `last + interval <= now`); toxlink counts milliseconds and sets a
 * timer for the moment itself.
 *
 * @see spec/relay.md#timers
 * @see spec/relay.md#bounds
 * @see spec/relay.md#the-relay-manager
 * @module
 */
import { MAX_SET_TIMEOUT_MS } from '../io/index.ts';
import { RelayError } from './errors.ts';
import { NUM_CLIENT_CONNECTIONS } from './packet-sizes.ts';

/** `TCP_PING_FREQUENCY`: each side pings the other this often (30 s). */
export const TCP_PING_FREQUENCY_MS = 30_000;

/** `TCP_PING_TIMEOUT`: a ping's pong must be back within this (10 s), or the connection is closed. */
export const TCP_PING_TIMEOUT_MS = 10_000;

/**
 * `TCP_CONNECTION_TIMEOUT` (`TCP_client.h`): a client gives up on a relay that has not
 * answered its handshake this long after it started connecting (10 s). toxlink's relay
 * applies the same deadline to its side, from accept to the client's first frame; c-toxcore's
 * relay has none.
 */
export const TCP_CONNECTION_TIMEOUT_MS = 10_000;

/** Settings of a {@link TcpRelayServer}. */
export interface RelayServerConfig {
  /** From accepting a connection to its first valid frame (10 s): a client slower than this is closed. */
  readonly handshakeTimeoutMs: number;
  /** How often a client is pinged (30 s). */
  readonly pingIntervalMs: number;
  /** How long a ping waits for its pong (10 s). */
  readonly pingTimeoutMs: number;
  /** Clients connected at once (4096; c-toxcore has no bound). A client over it is closed. */
  readonly maxClients: number;
  /**
   * Connections accepted but not yet confirmed (256, c-toxcore's `MAX_INCOMING_CONNECTIONS`;
   * c-toxcore closes the oldest when a new one comes, toxlink closes the new one).
   */
  readonly maxPendingConnections: number;
  /**
   * Control frames (routing responses, notifications, pings, pongs) held per client while
   * its socket does not take more, in bytes (32 KiB). A client that lets more pile up is
   * closed. Data, OOB and onion frames are never held: while a client's socket is full they
   * are dropped, as c-toxcore drops them.
   */
  readonly maxQueuedBytes: number;
  /**
   * Bytes a client's connection may still write after its socket said "full" (64 KiB),
   * until it drains; past that, data, OOB and onion frames are dropped. 0 drops them from
   * the first "full", as c-toxcore does.
   */
  readonly writeBudgetBytes: number;
  /** Routes per client (240, all the connection ids there are). Lower it only to test the bound. */
  readonly maxRoutesPerClient: number;
}

/** The defaults. */
export const defaultRelayServerConfig: Readonly<RelayServerConfig> = Object.freeze({
  handshakeTimeoutMs: TCP_CONNECTION_TIMEOUT_MS,
  pingIntervalMs: TCP_PING_FREQUENCY_MS,
  pingTimeoutMs: TCP_PING_TIMEOUT_MS,
  maxClients: 4096,
  maxPendingConnections: 256,
  maxQueuedBytes: 32 * 1024,
  writeBudgetBytes: 64 * 1024,
  maxRoutesPerClient: NUM_CLIENT_CONNECTIONS,
});

/** Settings of a {@link TcpRelayClient}. */
export interface RelayClientConfig {
  /** From starting to connect to the relay's handshake (10 s, `TCP_CONNECTION_TIMEOUT`). */
  readonly connectTimeoutMs: number;
  /** How often the relay is pinged (30 s). */
  readonly pingIntervalMs: number;
  /** How long a ping waits for its pong (10 s). */
  readonly pingTimeoutMs: number;
  /** Control frames held while the socket does not take more, in bytes (32 KiB); more closes the connection. */
  readonly maxQueuedBytes: number;
  /** Bytes that may still be written after the socket said "full" (64 KiB), until it drains; then sends return false. */
  readonly writeBudgetBytes: number;
}

/** The defaults. */
export const defaultRelayClientConfig: Readonly<RelayClientConfig> = Object.freeze({
  connectTimeoutMs: TCP_CONNECTION_TIMEOUT_MS,
  pingIntervalMs: TCP_PING_FREQUENCY_MS,
  pingTimeoutMs: TCP_PING_TIMEOUT_MS,
  maxQueuedBytes: 32 * 1024,
  writeBudgetBytes: 64 * 1024,
});

/**
 * `MAX_FRIEND_TCP_CONNECTIONS` (`TCP_connection.h`): the most relays one peer is reached
 * through (6).
 */
export const MAX_FRIEND_TCP_CONNECTIONS = 6;

/**
 * `RECOMMENDED_FRIEND_TCP_CONNECTIONS`: the relays to aim for per peer, and the connected
 * relays kept when some go unused (3, half of the most).
 */
export const RECOMMENDED_FRIEND_TCP_CONNECTIONS = MAX_FRIEND_TCP_CONNECTIONS / 2;

/** `NUM_ONION_TCP_CONNECTIONS`: relays reserved for onion traffic while UDP is not available (3). */
export const NUM_ONION_TCP_CONNECTIONS = RECOMMENDED_FRIEND_TCP_CONNECTIONS;

/**
 * `TCP_CONNECTION_ANNOUNCE_TIMEOUT` (= `TCP_CONNECTION_TIMEOUT`, 10 s): after routing
 * requests go out on a relay, how long its peers have to come online there before the
 * relay may be put to sleep or, unused, closed.
 */
export const TCP_CONNECTION_ANNOUNCE_TIMEOUT_MS = TCP_CONNECTION_TIMEOUT_MS;

/** Settings of a {@link TcpConnections} relay manager. */
export interface TcpConnectionsConfig {
  /** Relays held at once, in any state (64; c-toxcore has no bound). Adding one more is a `RelayError` (`too-many`). */
  readonly maxRelays: number;
  /** Peers held at once (4096; c-toxcore has no bound). Adding one more is a `RelayError` (`too-many`). */
  readonly maxPeers: number;
  /** Relays one peer is reached through (6, `MAX_FRIEND_TCP_CONNECTIONS`). */
  readonly maxRelaysPerPeer: number;
  /**
   * Relays to aim for (3, `RECOMMENDED_FRIEND_TCP_CONNECTIONS`): a peer online on this many
   * takes no new relay, and connected relays nobody uses are closed down to this many.
   */
  readonly recommendedRelays: number;
  /** Relays reserved for onion traffic while onion use is on (3, `NUM_ONION_TCP_CONNECTIONS`). */
  readonly onionRelays: number;
  /** The announce window (10 s, `TCP_CONNECTION_ANNOUNCE_TIMEOUT`). */
  readonly announceTimeoutMs: number;
  /** The first wait before reconnecting to a relay that dropped (1 s); it doubles with each failure. */
  readonly reconnectBaseMs: number;
  /** The longest wait between reconnects (60 s). */
  readonly reconnectMaxMs: number;
  /** Failed connections in a row after which a relay is given up and removed (10). */
  readonly maxReconnectAttempts: number;
  /** A connection that lasted this long (60 s) clears the failure count when it drops. */
  readonly reconnectResetMs: number;
}

/** The defaults: c-toxcore's numbers where it has them. */
export const defaultTcpConnectionsConfig: Readonly<TcpConnectionsConfig> = Object.freeze({
  maxRelays: 64,
  maxPeers: 4096,
  maxRelaysPerPeer: MAX_FRIEND_TCP_CONNECTIONS,
  recommendedRelays: RECOMMENDED_FRIEND_TCP_CONNECTIONS,
  onionRelays: NUM_ONION_TCP_CONNECTIONS,
  announceTimeoutMs: TCP_CONNECTION_ANNOUNCE_TIMEOUT_MS,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 60_000,
  maxReconnectAttempts: 10,
  reconnectResetMs: 60_000,
});

type Bounds<C> = { readonly [K in keyof C]: readonly [number, number] };

const serverBounds: Bounds<RelayServerConfig> = {
  handshakeTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  pingIntervalMs: [1, MAX_SET_TIMEOUT_MS],
  pingTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  maxClients: [1, 1 << 20],
  maxPendingConnections: [1, 1 << 20],
  maxQueuedBytes: [2048, 1 << 30],
  writeBudgetBytes: [0, 1 << 30],
  maxRoutesPerClient: [1, NUM_CLIENT_CONNECTIONS],
};

const clientBounds: Bounds<RelayClientConfig> = {
  connectTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  pingIntervalMs: [1, MAX_SET_TIMEOUT_MS],
  pingTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  maxQueuedBytes: [2048, 1 << 30],
  writeBudgetBytes: [0, 1 << 30],
};

const managerBounds: Bounds<TcpConnectionsConfig> = {
  maxRelays: [1, 4096],
  maxPeers: [1, 1 << 20],
  maxRelaysPerPeer: [1, MAX_FRIEND_TCP_CONNECTIONS],
  recommendedRelays: [1, MAX_FRIEND_TCP_CONNECTIONS],
  onionRelays: [1, 64],
  announceTimeoutMs: [0, MAX_SET_TIMEOUT_MS],
  reconnectBaseMs: [1, MAX_SET_TIMEOUT_MS],
  reconnectMaxMs: [1, MAX_SET_TIMEOUT_MS],
  maxReconnectAttempts: [1, 1000],
  reconnectResetMs: [0, MAX_SET_TIMEOUT_MS],
};

function verify<C extends object>(what: string, defaults: C, bounds: Bounds<C>, partial: Partial<C>): C {
  const config = { ...defaults, ...partial };
  for (const key of Object.keys(bounds) as Array<keyof C>) {
    const [min, max] = bounds[key];
    const value = config[key] as unknown;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RelayError('bad-config', `${what}: ${String(key)} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
  }
  return Object.freeze(config);
}

/** Fills in the defaults and checks every value; throws a `RelayError` (`bad-config`) naming the bad one. */
export function relayServerConfig(partial: Partial<RelayServerConfig> = {}): RelayServerConfig {
  return verify('relay server config', defaultRelayServerConfig, serverBounds, partial);
}

/** Fills in the defaults and checks every value; throws a `RelayError` (`bad-config`) naming the bad one. */
export function relayClientConfig(partial: Partial<RelayClientConfig> = {}): RelayClientConfig {
  return verify('relay client config', defaultRelayClientConfig, clientBounds, partial);
}

/**
 * Fills in the defaults and checks every value, and that `recommendedRelays` is at most
 * `maxRelaysPerPeer` and `reconnectBaseMs` at most `reconnectMaxMs`; throws a `RelayError`
 * (`bad-config`) naming the bad one.
 */
export function tcpConnectionsConfig(partial: Partial<TcpConnectionsConfig> = {}): TcpConnectionsConfig {
  const config = verify('relay manager config', defaultTcpConnectionsConfig, managerBounds, partial);
  if (config.recommendedRelays > config.maxRelaysPerPeer) {
    throw new RelayError('bad-config', `relay manager config: recommendedRelays (${config.recommendedRelays}) must be at most maxRelaysPerPeer (${config.maxRelaysPerPeer})`);
  }
  if (config.reconnectBaseMs > config.reconnectMaxMs) {
    throw new RelayError('bad-config', `relay manager config: reconnectBaseMs (${config.reconnectBaseMs}) must be at most reconnectMaxMs (${config.reconnectMaxMs})`);
  }
  return config;
}
