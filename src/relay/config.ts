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
}

/** The defaults. */
export const defaultRelayClientConfig: Readonly<RelayClientConfig> = Object.freeze({
  connectTimeoutMs: TCP_CONNECTION_TIMEOUT_MS,
  pingIntervalMs: TCP_PING_FREQUENCY_MS,
  pingTimeoutMs: TCP_PING_TIMEOUT_MS,
  maxQueuedBytes: 32 * 1024,
});

type Bounds<C> = { readonly [K in keyof C]: readonly [number, number] };

const serverBounds: Bounds<RelayServerConfig> = {
  handshakeTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  pingIntervalMs: [1, MAX_SET_TIMEOUT_MS],
  pingTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  maxClients: [1, 1 << 20],
  maxPendingConnections: [1, 1 << 20],
  maxQueuedBytes: [2048, 1 << 30],
  maxRoutesPerClient: [1, NUM_CLIENT_CONNECTIONS],
};

const clientBounds: Bounds<RelayClientConfig> = {
  connectTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  pingIntervalMs: [1, MAX_SET_TIMEOUT_MS],
  pingTimeoutMs: [1, MAX_SET_TIMEOUT_MS],
  maxQueuedBytes: [2048, 1 << 30],
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
