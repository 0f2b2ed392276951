/**
 * The timers and limits of the friend layer, with c-toxcore 0.2.18's values where the
 * protocol fixes them (`friend_connection.h`) and toxlink's own where c-toxcore has none.
 *
 * c-toxcore counts these timers in whole seconds and checks them once per iteration
 * (`last + interval < now`, so an 8 s timer fires after 8 to 9 s); toxlink counts
 * milliseconds and sets a timer for the moment itself.
 *
 * @see spec/friend.md#timers
 * @see spec/friend.md#bounds
 * @module
 */
import { MAX_SET_TIMEOUT_MS } from '../io/index.ts';
import { MAX_FRIEND_TCP_CONNECTIONS, RECOMMENDED_FRIEND_TCP_CONNECTIONS } from '../relay/index.ts';
import { FriendError } from './errors.ts';

/** `FRIEND_PING_INTERVAL`: an alive packet (16) goes to each online friend this often (8 s). */
export const FRIEND_PING_INTERVAL_MS = 8_000;

/** `FRIEND_CONNECTION_TIMEOUT`: a session that brought no alive packet for this long is killed (32 s). */
export const FRIEND_CONNECTION_TIMEOUT_MS = 4 * FRIEND_PING_INTERVAL_MS;

/**
 * `FRIEND_DHT_TIMEOUT` (= `BAD_NODE_TIMEOUT`): the retry window (122 s). While it is open a
 * failed session is made again; when it closes the friend's DHT key and address are
 * forgotten and only the onion search is left.
 */
export const FRIEND_DHT_TIMEOUT_MS = 122_000;

/** toxlink's default interval of relay sharing (5 min, what the Tox spec says). */
export const SHARE_RELAYS_INTERVAL_MS = 300_000;

/** `SHARE_RELAYS_INTERVAL` of c-toxcore 0.2.18 (120 s); a c-toxcore friend shares this often. */
export const C_TOXCORE_SHARE_RELAYS_INTERVAL_MS = 120_000;

/** `MAX_SHARED_RELAYS` (= `RECOMMENDED_FRIEND_TCP_CONNECTIONS`): relays in one share-relays packet (3). */
export const MAX_SHARED_RELAYS = RECOMMENDED_FRIEND_TCP_CONNECTIONS;

/** `FRIEND_MAX_STORED_TCP_RELAYS` (`MAX_FRIEND_TCP_CONNECTIONS * 4`): relays remembered per friend (24). */
export const FRIEND_MAX_STORED_TCP_RELAYS = MAX_FRIEND_TCP_CONNECTIONS * 4;

/** Settings of a {@link FriendConnections}. */
export interface FriendConnectionsConfig {
  /** Alive packet interval (8 s). */
  readonly pingIntervalMs: number;
  /** No alive packet for this long kills the session (32 s); more than `pingIntervalMs`. */
  readonly connectionTimeoutMs: number;
  /** The retry window after the last DHT key or the last time the friend went offline (122 s). */
  readonly dhtTimeoutMs: number;
  /**
   * Relay sharing interval (5 min). c-toxcore 0.2.18 shares every 120 s
   * ({@link C_TOXCORE_SHARE_RELAYS_INTERVAL_MS}); either interoperates, the receiver keeps
   * whatever comes whenever it comes.
   */
  readonly shareRelaysIntervalMs: number;
  /** Relays in one share-relays packet (3); at most 3, what a c-toxcore receiver reads. */
  readonly maxSharedRelays: number;
  /** Relays remembered per friend, newest first out last (24). */
  readonly maxStoredRelays: number;
  /** Remembered relays linked to a new session (3: half of the 6 a peer may have, as c-toxcore). */
  readonly sessionRelays: number;
  /**
   * Wait before a failed session is made again while the window is open (1 s). c-toxcore
   * makes it again on the next iteration; a wait keeps a session that fails at once (a bad
   * key, a full node) from spinning.
   */
  readonly retryDelayMs: number;
  /**
   * How often the path of an online friend (UDP or a relay) is looked at (1 s): to report
   * a change, and to tell the relay manager whether the friend is reachable directly.
   */
  readonly pathCheckMs: number;
  /** Friends held (4096); `lock` of one more throws `too-many-friends`. */
  readonly maxFriends: number;
  /** Locks on one friend (65535, c-toxcore's `uint16_t lock_count`). */
  readonly maxLocks: number;
}

/** The defaults. */
export const defaultFriendConnectionsConfig: Readonly<FriendConnectionsConfig> = Object.freeze({
  pingIntervalMs: FRIEND_PING_INTERVAL_MS,
  connectionTimeoutMs: FRIEND_CONNECTION_TIMEOUT_MS,
  dhtTimeoutMs: FRIEND_DHT_TIMEOUT_MS,
  shareRelaysIntervalMs: SHARE_RELAYS_INTERVAL_MS,
  maxSharedRelays: MAX_SHARED_RELAYS,
  maxStoredRelays: FRIEND_MAX_STORED_TCP_RELAYS,
  sessionRelays: MAX_FRIEND_TCP_CONNECTIONS / 2,
  retryDelayMs: 1_000,
  pathCheckMs: 1_000,
  maxFriends: 4096,
  maxLocks: 0xffff,
});

/** Fills in the defaults and checks every value; throws a `FriendError` (`bad-config`) naming the bad one. */
export function friendConnectionsConfig(partial: Partial<FriendConnectionsConfig> = {}): FriendConnectionsConfig {
  const c: FriendConnectionsConfig = { ...defaultFriendConnectionsConfig, ...partial };
  const check = (field: keyof FriendConnectionsConfig, min: number, max: number): void => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new FriendError('bad-config', `friend config: ${field} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
  };
  check('pingIntervalMs', 1, MAX_SET_TIMEOUT_MS);
  check('connectionTimeoutMs', c.pingIntervalMs + 1, MAX_SET_TIMEOUT_MS);
  check('dhtTimeoutMs', 1, MAX_SET_TIMEOUT_MS);
  check('shareRelaysIntervalMs', 1, MAX_SET_TIMEOUT_MS);
  check('maxSharedRelays', 1, MAX_SHARED_RELAYS);
  check('maxStoredRelays', 1, 1024);
  check('sessionRelays', 0, MAX_FRIEND_TCP_CONNECTIONS);
  check('retryDelayMs', 1, MAX_SET_TIMEOUT_MS);
  check('pathCheckMs', 1, MAX_SET_TIMEOUT_MS);
  check('maxFriends', 1, 1 << 20);
  check('maxLocks', 1, 0xffff);
  return c;
}
