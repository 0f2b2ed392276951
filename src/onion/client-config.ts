/**
 * Every timer and limit of the onion client — paths, announcing ourselves, searching for
 * friends, sending onion data, being online — in one place, named as c-toxcore 0.2.18 names
 * them (`onion_client.h`, `onion_client.c`), and the {@link OnionClientConfig} a client is
 * built with, checked by {@link verifyOnionClientConfig}.
 *
 * c-toxcore counts whole seconds and runs its onion client at most once a second
 * (`do_onion_client` returns while `mono_time_get` is unchanged); toxlink counts
 * milliseconds, each constant the c-toxcore value times 1000, compared as
 * `mono_time_is_timeout` does (`last + timeout <= now`), and ticks once a second — except
 * in toxlink's fast start, the first 10 s (the `FAST_…` constants, off with
 * {@link cToxcoreOnionClientTiming}).
 *
 * @see spec/onion.md#the-client-and-the-node
 * @see spec/onion.md#onion-paths
 * @see spec/onion.md#announcing-ourselves
 * @see spec/onion.md#searching-for-friends
 * @see spec/onion.md#sending-onion-data
 * @see spec/onion.md#being-online
 * @see spec/onion.md#fast-start
 * @module
 */
import { OnionClientConfigError } from './client-errors.ts';

// ─── Paths (onion_client.h) ───────────────────────────────────────────────────

/** `NUMBER_ONION_PATHS`: paths kept for self-announcing, and as many for friend work (6). */
export const NUMBER_ONION_PATHS = 6;
/** `ONION_PATH_MAX_LIFETIME`: a path is replaced this long after it was made (1200 s). */
export const ONION_PATH_MAX_LIFETIME_MS = 1_200_000;
/** `ONION_PATH_MAX_NO_RESPONSE_USES`: uses without a response before a path may time out (4). */
export const ONION_PATH_MAX_NO_RESPONSE_USES = 4;
/** `ONION_PATH_FIRST_TIMEOUT`: how long after its last use a path that never answered times out (4 s). */
export const ONION_PATH_FIRST_TIMEOUT_MS = 4_000;
/** `ONION_PATH_TIMEOUT`: the same for a path that answered at least once (10 s). */
export const ONION_PATH_TIMEOUT_MS = 10_000;
/** `MAX_PATH_NODES`: the nodes paths are drawn from, and as many bootstrap nodes (32). */
export const MAX_PATH_NODES = 32;

// ─── Announcing ourselves (onion_client.h, onion_client.c) ───────────────────

/** `ONION_CONNECTION_SECONDS`: announcing starts this long after the first run; also the connected seconds the status needs (3). */
export const ONION_CONNECTION_SECONDS = 3;
/** `MAX_ONION_CLIENTS_ANNOUNCE`: the announce nodes we keep, closest to our real key (12). */
export const MAX_ONION_CLIENTS_ANNOUNCE = 12;
/** `ONION_NODE_PING_INTERVAL`: a node that stores us is announced to this often (15 s). */
export const ONION_NODE_PING_INTERVAL_MS = 15_000;
/** `ONION_NODE_TIMEOUT` (= `ONION_NODE_PING_INTERVAL`): with 3 missed responses, a node is dead this long after the last request (15 s). */
export const ONION_NODE_TIMEOUT_MS = ONION_NODE_PING_INTERVAL_MS;
/** `ONION_NODE_MAX_PINGS`: requests without a response before a node counts as dead (3). */
export const ONION_NODE_MAX_PINGS = 3;
/** `ANNOUNCE_INTERVAL_NOT_ANNOUNCED`: a node that does not store us yet is asked this often (3 s). */
export const ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS = 3_000;
/** `TIME_TO_STABLE` (`ONION_NODE_PING_INTERVAL * 6`): a node and its path are stable after this (90 s). */
export const TIME_TO_STABLE_MS = ONION_NODE_PING_INTERVAL_MS * 6;
/** `ANNOUNCE_INTERVAL_STABLE` (`ONION_NODE_PING_INTERVAL * 8`): a stable node is announced to this often (120 s). */
export const ANNOUNCE_INTERVAL_STABLE_MS = ONION_NODE_PING_INTERVAL_MS * 8;
/** `ANNOUNCE_POPULATE_TIMEOUT`: a list not full is refilled from path nodes at least this often (600 s). */
export const ANNOUNCE_POPULATE_TIMEOUT_MS = 600_000;
/** `ANNOUNCE_ARRAY_SIZE`: sendbacks outstanding at once; the oldest is forgotten (256). */
export const ANNOUNCE_ARRAY_SIZE = 256;
/** `ANNOUNCE_TIMEOUT`: a sendback answers only this long (10 s). */
export const ANNOUNCE_TIMEOUT_MS = 10_000;
/** `MIN_NODE_PING_TIME`: a node learned from a response is not asked again within this (10 s). */
export const MIN_NODE_PING_TIME_MS = 10_000;
/** `MAX_STORED_PINGED_NODES`: how many such nodes each list remembers (9). */
export const MAX_STORED_PINGED_NODES = 9;

// ─── Searching for friends (onion_client.h, onion_client.c) ──────────────────

/** `MAX_ONION_CLIENTS`: the nodes kept per friend, closest to the friend's real key (8). */
export const MAX_ONION_CLIENTS = 8;
/** `ANNOUNCE_FRIEND_NEW_INTERVAL`: a new friend's nodes are asked this often (3 s). */
export const ANNOUNCE_FRIEND_NEW_INTERVAL_MS = 3_000;
/** `ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING`: a friend is new while its run count is at most this (5). */
export const ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING = 5;
/** `MAX_RUN_COUNT_EXPONENT`: the search interval is 2^min(this, run count − 2) seconds (12). */
export const MAX_RUN_COUNT_EXPONENT = 12;
/** `ANNOUNCE_FRIEND_MAX_INTERVAL`: the longest search interval per node (3600 s). */
export const ANNOUNCE_FRIEND_MAX_INTERVAL_MS = 3_600_000;

// ─── Onion data and being online (onion_client.h, onion_client.c) ────────────

/** `ONION_DHTPK_SEND_INTERVAL`: our DHT key goes to each offline friend through the onion this often (30 s). */
export const ONION_DHTPK_SEND_INTERVAL_MS = 30_000;
/** `DHT_DHTPK_SEND_INTERVAL`: and through the DHT this often, once the friend's DHT key is known (20 s). */
export const DHT_DHTPK_SEND_INTERVAL_MS = 20_000;
/** `ONION_OFFLINE_TIMEOUT` (`ONION_NODE_PING_INTERVAL * (ONION_NODE_MAX_PINGS + 2)`): offline without a response for this long (75 s). */
export const ONION_OFFLINE_TIMEOUT_MS = ONION_NODE_PING_INTERVAL_MS * (ONION_NODE_MAX_PINGS + 2);
/** `ONION_CONNECTED_TIMEOUT`: back online after this long offline, friend run counts start again (10 s). */
export const ONION_CONNECTED_TIMEOUT_MS = 10_000;
/** `MAX_RECEIVED_STORED` (`friend_requests.c`): senders whose friend request was taken, remembered to drop repeats (32). */
export const MAX_RECEIVED_STORED = 32;
/** `MAX_SENT_NODES / 2`: the most TCP relays a DHT key announcement carries (2). */
export const MAX_ANNOUNCED_RELAYS = 2;

// ─── toxlink's fast start (no c-toxcore counterpart) ───────────────────────────

/** How long after its first round the client runs its fast start (10 s); 0 turns it off. */
export const FAST_START_MS = 10_000;
/** The client's round during the fast start (250 ms; c-toxcore: one a second). */
export const FAST_TICK_MS = 250;
/** During the fast start, an announce node that does not store us yet is asked again this often (1 s; c-toxcore: 3 s). */
export const FAST_ANNOUNCE_INTERVAL_MS = 1_000;
/** During the fast start, a friend's search nodes are asked this often (1 s; c-toxcore: 3 s). */
export const FAST_SEARCH_INTERVAL_MS = 1_000;
/** During the fast start, search requests on the short interval per round, across all friends (8). */
export const FAST_SEARCH_PER_ROUND = 8;
/** DHT key announcements sent at once when a search node reports an offline friend found, per offline period (3). */
export const FAST_DHTPK_SENDS = 3;

/** What an onion client is built with. */
export interface OnionClientConfig {
  /** How often the client does its round (`do_onion_client` acts once per whole second), ms. */
  readonly tickMs: number;
  /** `NUMBER_ONION_PATHS`: paths per kind (self, friends). */
  readonly numberOnionPaths: number;
  /** `ONION_PATH_MAX_LIFETIME`, ms. */
  readonly pathMaxLifetimeMs: number;
  /** `ONION_PATH_MAX_NO_RESPONSE_USES`. */
  readonly pathMaxNoResponseUses: number;
  /** `ONION_PATH_FIRST_TIMEOUT`, ms. */
  readonly pathFirstTimeoutMs: number;
  /** `ONION_PATH_TIMEOUT`, ms. */
  readonly pathTimeoutMs: number;
  /** `MAX_PATH_NODES`. */
  readonly maxPathNodes: number;
  /** `ONION_CONNECTION_SECONDS`: seconds before announcing starts, and connected seconds the status needs. */
  readonly connectionSeconds: number;
  /** `MAX_ONION_CLIENTS_ANNOUNCE`. */
  readonly maxAnnounceNodes: number;
  /** `ONION_NODE_PING_INTERVAL`, ms. */
  readonly nodePingIntervalMs: number;
  /** `ONION_NODE_TIMEOUT`, ms. */
  readonly nodeTimeoutMs: number;
  /** `ONION_NODE_MAX_PINGS`. */
  readonly nodeMaxPings: number;
  /** `ANNOUNCE_INTERVAL_NOT_ANNOUNCED`, ms. */
  readonly announceIntervalNotAnnouncedMs: number;
  /** `TIME_TO_STABLE`, ms. */
  readonly timeToStableMs: number;
  /** `ANNOUNCE_INTERVAL_STABLE`, ms. */
  readonly announceIntervalStableMs: number;
  /** `ANNOUNCE_POPULATE_TIMEOUT`, ms. */
  readonly announcePopulateTimeoutMs: number;
  /** `ANNOUNCE_ARRAY_SIZE`. */
  readonly sendbackArraySize: number;
  /** `ANNOUNCE_TIMEOUT`, ms. */
  readonly sendbackTimeoutMs: number;
  /** `MIN_NODE_PING_TIME`, ms. */
  readonly minNodePingTimeMs: number;
  /** `MAX_STORED_PINGED_NODES`. */
  readonly maxStoredPingedNodes: number;
  /** `MAX_ONION_CLIENTS`. */
  readonly maxFriendNodes: number;
  /** `ANNOUNCE_FRIEND_NEW_INTERVAL`, whole seconds in ms. */
  readonly friendNewIntervalMs: number;
  /** `ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING`. */
  readonly friendRunCountBeginning: number;
  /** `MAX_RUN_COUNT_EXPONENT`. */
  readonly maxRunCountExponent: number;
  /** `ANNOUNCE_FRIEND_MAX_INTERVAL`, whole seconds in ms. */
  readonly friendMaxIntervalMs: number;
  /** `ONION_DHTPK_SEND_INTERVAL`, ms. */
  readonly onionDhtPkSendIntervalMs: number;
  /** `DHT_DHTPK_SEND_INTERVAL`, ms. */
  readonly dhtDhtPkSendIntervalMs: number;
  /** `ONION_OFFLINE_TIMEOUT`, ms. */
  readonly offlineTimeoutMs: number;
  /** `ONION_CONNECTED_TIMEOUT`, ms. */
  readonly connectedTimeoutMs: number;
  /** Friends the client searches for at most (c-toxcore has no bound; toxlink's tables all have one). */
  readonly maxFriends: number;
  /** `MAX_RECEIVED_STORED`: friend request senders remembered. */
  readonly maxReceivedRequests: number;
  /**
   * Added to the clock's whole seconds to make the no-replay number of our DHT key
   * announcements. c-toxcore sends its monotonic clock, which starts near the Unix time,
   * so that a restart never goes backwards; a host program gives the Unix time at start
   * here for the same effect (the protocol object never reads the wall clock). At least 1.
   */
  readonly noReplayOffsetS: number;
  /**
   * toxlink's fast start: for this long after the first round, the client announces and
   * searches as soon as the DHT has a node that answered, on short intervals (the `fast…`
   * fields). 0 turns it off: c-toxcore's timing exactly.
   */
  readonly fastStartMs: number;
  /** The round during the fast start, ms (at most `tickMs`). */
  readonly fastTickMs: number;
  /** During the fast start, how often an announce node that does not store us yet is asked, ms. */
  readonly fastAnnounceIntervalMs: number;
  /** During the fast start, how often each search node of a friend is asked, ms. */
  readonly fastSearchIntervalMs: number;
  /** During the fast start, the most search requests per round on the short interval, across all friends. */
  readonly fastSearchPerRound: number;
  /**
   * DHT key announcements sent at once, at least 1 s apart, when a search node reports an
   * offline friend found, per offline period; then only c-toxcore's every 30 s. 0: none.
   */
  readonly fastDhtPkSends: number;
}

/** c-toxcore 0.2.18's values, and toxlink's fast start (see {@link cToxcoreOnionClientTiming} to turn it off). */
export const defaultOnionClientConfig: OnionClientConfig = Object.freeze({
  tickMs: 1_000,
  numberOnionPaths: NUMBER_ONION_PATHS,
  pathMaxLifetimeMs: ONION_PATH_MAX_LIFETIME_MS,
  pathMaxNoResponseUses: ONION_PATH_MAX_NO_RESPONSE_USES,
  pathFirstTimeoutMs: ONION_PATH_FIRST_TIMEOUT_MS,
  pathTimeoutMs: ONION_PATH_TIMEOUT_MS,
  maxPathNodes: MAX_PATH_NODES,
  connectionSeconds: ONION_CONNECTION_SECONDS,
  maxAnnounceNodes: MAX_ONION_CLIENTS_ANNOUNCE,
  nodePingIntervalMs: ONION_NODE_PING_INTERVAL_MS,
  nodeTimeoutMs: ONION_NODE_TIMEOUT_MS,
  nodeMaxPings: ONION_NODE_MAX_PINGS,
  announceIntervalNotAnnouncedMs: ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS,
  timeToStableMs: TIME_TO_STABLE_MS,
  announceIntervalStableMs: ANNOUNCE_INTERVAL_STABLE_MS,
  announcePopulateTimeoutMs: ANNOUNCE_POPULATE_TIMEOUT_MS,
  sendbackArraySize: ANNOUNCE_ARRAY_SIZE,
  sendbackTimeoutMs: ANNOUNCE_TIMEOUT_MS,
  minNodePingTimeMs: MIN_NODE_PING_TIME_MS,
  maxStoredPingedNodes: MAX_STORED_PINGED_NODES,
  maxFriendNodes: MAX_ONION_CLIENTS,
  friendNewIntervalMs: ANNOUNCE_FRIEND_NEW_INTERVAL_MS,
  friendRunCountBeginning: ANNOUNCE_FRIEND_RUN_COUNT_BEGINNING,
  maxRunCountExponent: MAX_RUN_COUNT_EXPONENT,
  friendMaxIntervalMs: ANNOUNCE_FRIEND_MAX_INTERVAL_MS,
  onionDhtPkSendIntervalMs: ONION_DHTPK_SEND_INTERVAL_MS,
  dhtDhtPkSendIntervalMs: DHT_DHTPK_SEND_INTERVAL_MS,
  offlineTimeoutMs: ONION_OFFLINE_TIMEOUT_MS,
  connectedTimeoutMs: ONION_CONNECTED_TIMEOUT_MS,
  maxFriends: 4096,
  maxReceivedRequests: MAX_RECEIVED_STORED,
  noReplayOffsetS: 1,
  fastStartMs: FAST_START_MS,
  fastTickMs: FAST_TICK_MS,
  fastAnnounceIntervalMs: FAST_ANNOUNCE_INTERVAL_MS,
  fastSearchIntervalMs: FAST_SEARCH_INTERVAL_MS,
  fastSearchPerRound: FAST_SEARCH_PER_ROUND,
  fastDhtPkSends: FAST_DHTPK_SENDS,
});

/**
 * c-toxcore 0.2.18's timing exactly, without toxlink's fast start: give it (or spread it into
 * a config) where the c-toxcore schedule itself is what is looked at.
 */
export const cToxcoreOnionClientTiming: Readonly<Pick<OnionClientConfig, 'fastStartMs' | 'fastDhtPkSends'>> = Object.freeze({
  fastStartMs: 0,
  fastDhtPkSends: 0,
});

function checkInteger(field: string, value: unknown, min: number, max: number, why = ''): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OnionClientConfigError(field, `${field} must be an integer from ${min} to ${max}${why}, got ${String(value)}`);
  }
}

function checkWholeSeconds(field: string, value: number): void {
  if (value % 1000 !== 0) throw new OnionClientConfigError(field, `${field} must be whole seconds, got ${value} ms`);
}

/**
 * Returns `config` if every field is in range, else throws an {@link OnionClientConfigError}
 * naming the first field that is not.
 */
export function verifyOnionClientConfig<T extends OnionClientConfig>(config: T): T {
  const big = 1 << 20;
  const longMs = 2 ** 40;
  checkInteger('tickMs', config.tickMs, 1, 60_000);
  checkInteger('numberOnionPaths', config.numberOnionPaths, 1, 256);
  for (const f of ['pathMaxLifetimeMs', 'pathFirstTimeoutMs', 'pathTimeoutMs', 'nodePingIntervalMs', 'nodeTimeoutMs',
    'announceIntervalNotAnnouncedMs', 'timeToStableMs', 'announceIntervalStableMs', 'announcePopulateTimeoutMs', 'sendbackTimeoutMs',
    'minNodePingTimeMs', 'onionDhtPkSendIntervalMs', 'dhtDhtPkSendIntervalMs', 'offlineTimeoutMs', 'connectedTimeoutMs'] as const) {
    checkInteger(f, config[f], 1, longMs);
  }
  checkInteger('pathMaxNoResponseUses', config.pathMaxNoResponseUses, 1, big);
  checkInteger('maxPathNodes', config.maxPathNodes, 3, big, ' (a path has 3 nodes)');
  checkInteger('connectionSeconds', config.connectionSeconds, 1, 3600);
  checkInteger('maxAnnounceNodes', config.maxAnnounceNodes, 2, big);
  checkInteger('nodeMaxPings', config.nodeMaxPings, 1, 255);
  checkInteger('sendbackArraySize', config.sendbackArraySize, 1, big);
  checkInteger('maxStoredPingedNodes', config.maxStoredPingedNodes, 1, big);
  checkInteger('maxFriendNodes', config.maxFriendNodes, 2, big);
  checkInteger('friendNewIntervalMs', config.friendNewIntervalMs, 1000, longMs);
  checkWholeSeconds('friendNewIntervalMs', config.friendNewIntervalMs);
  checkInteger('friendRunCountBeginning', config.friendRunCountBeginning, 1, big);
  checkInteger('maxRunCountExponent', config.maxRunCountExponent, 0, 30);
  checkInteger('friendMaxIntervalMs', config.friendMaxIntervalMs, config.friendNewIntervalMs, longMs, ' (at least friendNewIntervalMs)');
  checkWholeSeconds('friendMaxIntervalMs', config.friendMaxIntervalMs);
  checkInteger('maxFriends', config.maxFriends, 1, big);
  checkInteger('maxReceivedRequests', config.maxReceivedRequests, 1, big);
  checkInteger('noReplayOffsetS', config.noReplayOffsetS, 1, 2 ** 52);
  checkInteger('fastStartMs', config.fastStartMs, 0, longMs);
  checkInteger('fastTickMs', config.fastTickMs, 1, config.tickMs, ' (at most tickMs)');
  checkInteger('fastAnnounceIntervalMs', config.fastAnnounceIntervalMs, 1, longMs);
  checkInteger('fastSearchIntervalMs', config.fastSearchIntervalMs, 1, longMs);
  checkInteger('fastSearchPerRound', config.fastSearchPerRound, 0, big);
  checkInteger('fastDhtPkSends', config.fastDhtPkSends, 0, 255);
  return config;
}

/** `defaultOnionClientConfig` with `overrides` applied, checked by {@link verifyOnionClientConfig}. */
export function onionClientConfig(overrides: Partial<OnionClientConfig> = {}): OnionClientConfig {
  return verifyOnionClientConfig({ ...defaultOnionClientConfig, ...overrides });
}
