/**
 * Every timer and limit of the DHT in one place, as c-toxcore 0.2.18 names them, and the
 * {@link DhtConfig} that a node is built with, checked by {@link verifyDhtConfig}.
 *
 * c-toxcore counts time in whole seconds; toxlink counts milliseconds, and each constant
 * below is the c-toxcore value times 1000. Where c-toxcore compares `last + interval <= now`
 * (`mono_time_is_timeout`) toxlink does the same in ms; the few timers that c-toxcore tests
 * with a strict `<` are marked.
 *
 * @see spec/dht.md#timers
 * @module
 */
import { MAX_SET_TIMEOUT_MS } from '../io/index.ts';
import { ConfigError } from './errors.ts';
// `MAX_SENT_NODES` (4) is a packet limit and lives with the packet sizes.
import { MAX_SENT_NODES } from './packet-sizes.ts';

// ─── Node liveness (DHT.h, DHT.c) ─────────────────────────────────────────────

/** `PING_INTERVAL` (DHT.h): each node in a list gets a getnodes (our "ping") this often. 60 s. */
export const PING_INTERVAL_MS = 60_000;
/** `PINGS_MISSED_NODE_GOES_BAD` (DHT.h): unanswered pings before a node is bad. */
export const PINGS_MISSED_NODE_GOES_BAD = 1;
/** `PING_ROUNDTRIP` (DHT.h): time allowed for an answer to arrive. 2 s. */
export const PING_ROUNDTRIP_MS = 2_000;
/**
 * `BAD_NODE_TIMEOUT` (DHT.h): a node not heard for this long is bad: it is not given to
 * others and its slot may be reused. `PING_INTERVAL + 1 × (PING_INTERVAL + PING_ROUNDTRIP)`
 * = 122 s. Good means `now < lastHeard + BAD_NODE_TIMEOUT` (`assoc_timeout`).
 */
export const BAD_NODE_TIMEOUT_MS = PING_INTERVAL_MS + PINGS_MISSED_NODE_GOES_BAD * (PING_INTERVAL_MS + PING_ROUNDTRIP_MS);
/**
 * `KILL_NODE_TIMEOUT` (DHT.c): a node not heard for this long is no longer pinged.
 * `BAD_NODE_TIMEOUT + PING_INTERVAL` = 182 s.
 */
export const KILL_NODE_TIMEOUT_MS = BAD_NODE_TIMEOUT_MS + PING_INTERVAL_MS;
/** `GET_NODE_INTERVAL` (DHT.c): a random good node of each list gets a getnodes this often. 20 s. */
export const GET_NODE_INTERVAL_MS = 20_000;
/**
 * `MAX_BOOTSTRAP_TIMES` (DHT.c): the first this many random getnodes of each list go out
 * once per DHT round (every second in c-toxcore) instead of every `GET_NODE_INTERVAL`.
 */
export const MAX_BOOTSTRAP_TIMES = 5;
/**
 * How often the DHT does its rounds (pings, random getnodes, the to-ping batch): c-toxcore's
 * `do_dht` acts at most once per whole second (it returns early while `mono_time_get` is
 * unchanged), whatever the caller's iteration interval. 1 s.
 */
export const DHT_TICK_MS = 1_000;

// ─── Ping ids and sendbacks (DHT.h, ping.c, ping_array.c) ────────────────────

/** `PING_TIMEOUT` (DHT.h): a ping id or getnodes sendback answers only within this. 5 s. */
export const PING_TIMEOUT_MS = 5_000;
/** `DHT_PING_ARRAY_SIZE` (DHT.h): getnodes sendbacks outstanding at once; the oldest is overwritten. */
export const DHT_PING_ARRAY_SIZE = 512;
/** `PING_NUM_MAX` (ping.c): ping-request ids outstanding at once; the oldest is overwritten. */
export const PING_NUM_MAX = 512;
/** `TIME_TO_PING` (ping.c): the queue of nodes to ping is flushed this often. 2 s. */
export const TIME_TO_PING_MS = 2_000;
/** `MAX_TO_PING` (ping.c): nodes queued for a ping request per `TIME_TO_PING`; the farthest from us give way. */
export const MAX_TO_PING = 32;

// ─── Shared keys (DHT.h) ──────────────────────────────────────────────────────

/** `KEYS_TIMEOUT` (DHT.h): a cached shared key unused this long is the first to be evicted. 600 s. */
export const KEYS_TIMEOUT_MS = 600_000;
/** `MAX_KEYS_PER_SLOT` (DHT.h): c-toxcore's cache has 256 slots of this many keys. */
export const MAX_KEYS_PER_SLOT = 4;
/** `256 * MAX_KEYS_PER_SLOT` (`Shared_Keys`): shared keys one cache holds. */
export const SHARED_KEYS_CAPACITY = 256 * MAX_KEYS_PER_SLOT;

// ─── Lists (DHT.h, DHT.c) ─────────────────────────────────────────────────────

/** `MAX_FRIEND_CLIENTS` (DHT.h): nodes kept per searched key (DHT friend). */
export const MAX_FRIEND_CLIENTS = 8;
/** `LCLIENT_NODES` (DHT.h, = `MAX_FRIEND_CLIENTS`): nodes per close-list bucket. */
export const LCLIENT_NODES = MAX_FRIEND_CLIENTS;
/** `LCLIENT_LENGTH` (DHT.h): close-list buckets, indexed by common prefix length with our key. */
export const LCLIENT_LENGTH = 128;
/** `LCLIENT_LIST` (DHT.h): close-list capacity, `LCLIENT_LENGTH × LCLIENT_NODES` = 1024. */
export const LCLIENT_LIST = LCLIENT_LENGTH * LCLIENT_NODES;
/** `MAX_CLOSE_TO_BOOTSTRAP_NODES` (DHT.h): nodes learned from responses queued for a getnodes to fill the close list. */
export const MAX_CLOSE_TO_BOOTSTRAP_NODES = 8;
/** `DHT_FAKE_FRIEND_NUMBER` (DHT.h): random keys searched from start-up, so onion paths have unrelated nodes. */
export const DHT_FAKE_FRIEND_NUMBER = 2;
/** `DHT_FRIEND_MAX_LOCKS` (DHT.h): references one searched key may hold (`dht_addfriend`). */
export const DHT_FRIEND_MAX_LOCKS = 32;
/** Searched keys a node holds at once. toxlink's own bound; c-toxcore's list grows without one. */
export const MAX_DHT_FRIENDS = 1024;

// ─── NAT hole punching (DHT.c) ────────────────────────────────────────────────

/**
 * `PUNCH_INTERVAL` (DHT.c): NAT ping requests and punching rounds per friend at most this
 * often. 3 s; c-toxcore tests `last + PUNCH_INTERVAL < now` (strict).
 */
export const PUNCH_INTERVAL_MS = 3_000;
/** `PUNCH_RESET_TIME` (DHT.c): punching state (tries, port indices) resets after this long idle. 40 s. */
export const PUNCH_RESET_TIME_MS = 40_000;
/** `MAX_PUNCHING_PORTS` (DHT.c): ports tried per punching round. */
export const MAX_PUNCHING_PORTS = 48;
/** `MAX_NORMAL_PUNCHING_TRIES` (DHT.c): rounds of guessed ports before sequential ports from 1024 are tried too. */
export const MAX_NORMAL_PUNCHING_TRIES = 5;
/** `MAX_FRIEND_CLIENTS / 2` (`do_NAT`): reports of a friend's address needed before punching. */
export const PUNCH_MIN_REPORTS = MAX_FRIEND_CLIENTS / 2;
/** `PUNCH_INTERVAL * 2` (`do_NAT`): punch only if the friend's NAT ping arrived this recently. 6 s. */
export const PUNCH_RECV_WINDOW_MS = 2 * PUNCH_INTERVAL_MS;
/** The first port of the sequential sweep after `MAX_NORMAL_PUNCHING_TRIES` (`punch_holes`). */
export const PUNCH_SWEEP_PORT_BASE = 1024;

// ─── LAN discovery (LAN_discovery.h, friend_connection.c, network.h) ──────────

/**
 * `LAN_DISCOVERY_INTERVAL` (LAN_discovery.h): a LAN discovery broadcast this often. 10 s;
 * c-toxcore tests `last + interval < now` (strict).
 */
export const LAN_DISCOVERY_INTERVAL_MS = 10_000;
/** `PORTS_PER_DISCOVERY` (friend_connection.c): extra ports each broadcast round goes to. */
export const PORTS_PER_DISCOVERY = 10;
/** `TOX_PORTRANGE_FROM` (network.h): first port of the default range. */
export const TOX_PORTRANGE_FROM = 33445;
/** `TOX_PORTRANGE_TO` (network.h): last port of the default range. */
export const TOX_PORTRANGE_TO = 33545;
/** `TOX_PORT_DEFAULT` (network.h): the port every LAN discovery round goes to. */
export const TOX_PORT_DEFAULT = TOX_PORTRANGE_FROM;

// ─── Rate limiting (toxlink's own) ───────────────────────────────────────────

/** Requests per second one source may make of us before we drop. c-toxcore 0.2.18 has no limit. */
export const REQUEST_RATE_PER_SECOND = 20;
/** Requests one source may make in a burst. */
export const REQUEST_BURST = 100;
/** Sources whose rate is tracked at once; the least recently seen gives way. */
export const RATE_LIMIT_SOURCES = 4096;

/** toxlink's own: while offline, bootstrap nodes are asked again this often. */
export const BOOTSTRAP_RETRY_MS = 5_000;
/** toxlink's own: bootstrap nodes remembered for retries. */
export const MAX_BOOTSTRAP_NODES = 32;
/** toxlink's own: requesters remembered as verified, for answering their nodes requests. */
export const MAX_VERIFIED_SOURCES = 4096;

// ─── The configuration ───────────────────────────────────────────────────────

/** The settings of a DHT node. Times are in milliseconds. */
export interface DhtConfig {
  /** How often the node does its rounds (`do_dht`, once a second). */
  tickMs: number;
  /** `PING_INTERVAL`: getnodes to each known node this often. */
  pingIntervalMs: number;
  /** `GET_NODE_INTERVAL`: getnodes to a random good node of each list this often. */
  getNodeIntervalMs: number;
  /** `MAX_BOOTSTRAP_TIMES`: first random getnodes of a list sent every round. */
  maxBootstrapTimes: number;
  /** `PING_TIMEOUT`: ping ids and sendbacks are valid this long. */
  pingTimeoutMs: number;
  /** `BAD_NODE_TIMEOUT`: a node unheard this long is bad. */
  badNodeTimeoutMs: number;
  /** `KILL_NODE_TIMEOUT`: a node unheard this long is no longer pinged. */
  killNodeTimeoutMs: number;
  /** `TIME_TO_PING`: the to-ping queue is flushed this often. */
  timeToPingMs: number;
  /** `MAX_TO_PING`: length of the to-ping queue. */
  maxToPing: number;
  /** `KEYS_TIMEOUT`: a cached shared key unused this long is evicted first. */
  sharedKeyTimeoutMs: number;
  /** `256 * MAX_KEYS_PER_SLOT`: shared keys one cache holds. */
  sharedKeyCacheSize: number;
  /** `LCLIENT_LENGTH`: close-list buckets (at most 256, one per prefix length). */
  closeListBuckets: number;
  /** `LCLIENT_NODES`: nodes per close-list bucket. */
  closeListBucketSize: number;
  /** `MAX_FRIEND_CLIENTS`: nodes kept per searched key. */
  maxFriendClients: number;
  /** `MAX_SENT_NODES`: nodes per nodes response (1 to 4). */
  maxSentNodes: number;
  /** `MAX_CLOSE_TO_BOOTSTRAP_NODES`: queue of new nodes to ask for the close list. */
  maxCloseToBootstrap: number;
  /** `DHT_FAKE_FRIEND_NUMBER`: random keys searched from start-up. */
  fakeFriendNumber: number;
  /** Searched keys held at once, fake ones included (toxlink's bound). */
  maxFriends: number;
  /** `DHT_FRIEND_MAX_LOCKS`: references one searched key may hold. */
  maxFriendLocks: number;
  /** `DHT_PING_ARRAY_SIZE`: outstanding getnodes sendbacks. */
  pingArraySize: number;
  /** `PING_NUM_MAX`: outstanding ping-request ids. */
  pingRequestArraySize: number;
  /** Whether to hole-punch (c-toxcore's `hole_punching_enabled`). */
  holePunching: boolean;
  /** `PUNCH_INTERVAL`. */
  punchIntervalMs: number;
  /** `PUNCH_RESET_TIME`. */
  punchResetTimeMs: number;
  /** `MAX_PUNCHING_PORTS`. */
  maxPunchingPorts: number;
  /** `MAX_NORMAL_PUNCHING_TRIES`. */
  maxNormalPunchingTries: number;
  /** Whether to send and honour LAN discovery (c-toxcore's `lan_discovery_enabled`). */
  lanDiscovery: boolean;
  /** `LAN_DISCOVERY_INTERVAL`. */
  lanDiscoveryIntervalMs: number;
  /** Requests per second allowed per source (toxlink's own). */
  requestsPerSecondPerSource: number;
  /** Burst of requests allowed per source (toxlink's own). */
  requestBurstPerSource: number;
  /** Sources tracked by the rate limiter (toxlink's own). */
  rateLimitSources: number;
  /** How often bootstrap nodes are asked again while no node in the close list is good (toxlink's own). */
  bootstrapRetryMs: number;
  /** Bootstrap nodes remembered for those retries; the oldest is forgotten first. */
  maxBootstrapNodes: number;
  /** Answer nodes requests from requesters that have not answered us from that address (c-toxcore does; toxlink's default is false: no amplification). */
  answerUnverified: boolean;
  /** Requesters remembered as verified (answered us from their address). */
  maxVerifiedSources: number;
}

/** c-toxcore 0.2.18's values, plus toxlink's own bounds where c-toxcore has none. */
export const defaultDhtConfig: Readonly<DhtConfig> = Object.freeze({
  tickMs: DHT_TICK_MS,
  pingIntervalMs: PING_INTERVAL_MS,
  getNodeIntervalMs: GET_NODE_INTERVAL_MS,
  maxBootstrapTimes: MAX_BOOTSTRAP_TIMES,
  pingTimeoutMs: PING_TIMEOUT_MS,
  badNodeTimeoutMs: BAD_NODE_TIMEOUT_MS,
  killNodeTimeoutMs: KILL_NODE_TIMEOUT_MS,
  timeToPingMs: TIME_TO_PING_MS,
  maxToPing: MAX_TO_PING,
  sharedKeyTimeoutMs: KEYS_TIMEOUT_MS,
  sharedKeyCacheSize: SHARED_KEYS_CAPACITY,
  closeListBuckets: LCLIENT_LENGTH,
  closeListBucketSize: LCLIENT_NODES,
  maxFriendClients: MAX_FRIEND_CLIENTS,
  maxSentNodes: MAX_SENT_NODES,
  maxCloseToBootstrap: MAX_CLOSE_TO_BOOTSTRAP_NODES,
  fakeFriendNumber: DHT_FAKE_FRIEND_NUMBER,
  maxFriends: MAX_DHT_FRIENDS,
  maxFriendLocks: DHT_FRIEND_MAX_LOCKS,
  pingArraySize: DHT_PING_ARRAY_SIZE,
  pingRequestArraySize: PING_NUM_MAX,
  holePunching: true,
  punchIntervalMs: PUNCH_INTERVAL_MS,
  punchResetTimeMs: PUNCH_RESET_TIME_MS,
  maxPunchingPorts: MAX_PUNCHING_PORTS,
  maxNormalPunchingTries: MAX_NORMAL_PUNCHING_TRIES,
  lanDiscovery: true,
  lanDiscoveryIntervalMs: LAN_DISCOVERY_INTERVAL_MS,
  requestsPerSecondPerSource: REQUEST_RATE_PER_SECOND,
  requestBurstPerSource: REQUEST_BURST,
  rateLimitSources: RATE_LIMIT_SOURCES,
  bootstrapRetryMs: BOOTSTRAP_RETRY_MS,
  maxBootstrapNodes: MAX_BOOTSTRAP_NODES,
  answerUnverified: false,
  maxVerifiedSources: MAX_VERIFIED_SOURCES,
});

function checkInteger(field: string, value: unknown, min: number, max: number, why = ''): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `${field} must be an integer in [${min}, ${max}]${why}, got ${String(value)}`);
  }
}

function checkDuration(field: string, value: unknown): void {
  checkInteger(field, value, 1, MAX_SET_TIMEOUT_MS, ' ms');
}

function checkBoolean(field: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new ConfigError(field, `${field} must be true or false, got ${String(value)}`);
}

/**
 * Returns `config` if every field is in range, else throws a {@link ConfigError} naming the
 * first field that is out of range or inconsistent with another (a node must go bad before
 * it is killed, and be pinged before it goes bad).
 */
export function verifyDhtConfig<T extends DhtConfig>(config: T): T {
  for (const field of [
    'tickMs', 'pingIntervalMs', 'getNodeIntervalMs', 'pingTimeoutMs', 'badNodeTimeoutMs', 'killNodeTimeoutMs', 'timeToPingMs',
    'sharedKeyTimeoutMs', 'punchIntervalMs', 'punchResetTimeMs', 'lanDiscoveryIntervalMs', 'bootstrapRetryMs',
  ] as const) checkDuration(field, config[field]);
  if (config.badNodeTimeoutMs <= config.pingIntervalMs) {
    throw new ConfigError('badNodeTimeoutMs', `badNodeTimeoutMs (${config.badNodeTimeoutMs}) must exceed pingIntervalMs (${config.pingIntervalMs}), or healthy nodes go bad between two pings`);
  }
  if (config.killNodeTimeoutMs <= config.badNodeTimeoutMs) {
    throw new ConfigError('killNodeTimeoutMs', `killNodeTimeoutMs (${config.killNodeTimeoutMs}) must exceed badNodeTimeoutMs (${config.badNodeTimeoutMs}): a node goes bad before it is dropped`);
  }
  const big = 1 << 20;
  checkInteger('maxBootstrapTimes', config.maxBootstrapTimes, 0, big);
  checkInteger('maxToPing', config.maxToPing, 1, big);
  checkInteger('sharedKeyCacheSize', config.sharedKeyCacheSize, 1, big);
  checkInteger('closeListBuckets', config.closeListBuckets, 1, 256, ' (one bucket per prefix length of a 256-bit key)');
  checkInteger('closeListBucketSize', config.closeListBucketSize, 1, big);
  checkInteger('maxFriendClients', config.maxFriendClients, 1, big);
  checkInteger('maxSentNodes', config.maxSentNodes, 1, MAX_SENT_NODES, ' (c-toxcore drops nodes responses with more)');
  checkInteger('maxCloseToBootstrap', config.maxCloseToBootstrap, 1, big);
  checkInteger('maxFriends', config.maxFriends, 1, big);
  checkInteger('fakeFriendNumber', config.fakeFriendNumber, 0, config.maxFriends - 1, ' (below maxFriends, to leave room for real friends)');
  checkInteger('maxFriendLocks', config.maxFriendLocks, 1, 0xffff);
  checkInteger('pingArraySize', config.pingArraySize, 1, big);
  checkInteger('pingRequestArraySize', config.pingRequestArraySize, 1, big);
  checkBoolean('holePunching', config.holePunching);
  checkInteger('maxPunchingPorts', config.maxPunchingPorts, 1, 0xffff);
  checkInteger('maxNormalPunchingTries', config.maxNormalPunchingTries, 0, big);
  checkBoolean('lanDiscovery', config.lanDiscovery);
  if (typeof config.requestsPerSecondPerSource !== 'number' || !Number.isFinite(config.requestsPerSecondPerSource) || config.requestsPerSecondPerSource <= 0) {
    throw new ConfigError('requestsPerSecondPerSource', `requestsPerSecondPerSource must be a finite number > 0, got ${String(config.requestsPerSecondPerSource)}`);
  }
  checkInteger('requestBurstPerSource', config.requestBurstPerSource, 1, big);
  checkInteger('rateLimitSources', config.rateLimitSources, 1, big);
  checkInteger('maxBootstrapNodes', config.maxBootstrapNodes, 1, big);
  checkBoolean('answerUnverified', config.answerUnverified);
  checkInteger('maxVerifiedSources', config.maxVerifiedSources, 1, big);
  return config;
}

/** `defaultDhtConfig` with `overrides` applied, checked by {@link verifyDhtConfig}. */
export function dhtConfig(overrides: Partial<DhtConfig> = {}): DhtConfig {
  return verifyDhtConfig({ ...defaultDhtConfig, ...overrides });
}
