/**
 * Every timer and limit of the onion node — the hop and the announce node — in one place,
 * named as c-toxcore 0.2.18 names them (`onion.c`, `onion_announce.h`, `timed_auth.c`), and
 * the {@link OnionNodeConfig} a node is built with, checked by {@link verifyOnionNodeConfig}.
 * c-toxcore counts whole seconds; toxlink counts milliseconds, each constant the c-toxcore
 * value times 1000, compared as `mono_time_is_timeout` does (`last + timeout <= now`).
 *
 * @see spec/onion.md#the-announce-node
 * @see spec/onion.md#the-onion-hop
 * @module
 */
import { ONION_ANNOUNCE_MAX_ENTRIES, ONION_ANNOUNCE_TIMEOUT, ONION_KEY_REFRESH_INTERVAL } from './packet-sizes.ts';
import type { SocketKind } from './ping-id.ts';
import { OnionNodeConfigError } from './node-errors.ts';

/** `KEY_REFRESH_INTERVAL` (`onion.c`): a hop replaces the key it seals return blobs with this often (7200 s). */
export const KEY_REFRESH_INTERVAL_MS = ONION_KEY_REFRESH_INTERVAL * 1000;

/** `ONION_ANNOUNCE_TIMEOUT` (`onion_announce.h`): an announcement is kept this long after its last refresh (300 s). */
export const ONION_ANNOUNCE_TIMEOUT_MS = ONION_ANNOUNCE_TIMEOUT * 1000;

/**
 * `PING_ID_TIMEOUT` (`onion_announce.h`, = `ONION_ANNOUNCE_TIMEOUT`): the length of a ping
 * id's time window; a ping id holds in its own window and the next (300 s).
 */
export const PING_ID_TIMEOUT_MS = ONION_ANNOUNCE_TIMEOUT * 1000;

/**
 * The shared keys a node caches per use (c-toxcore keeps one `Shared_Keys` of 256 × 4 for
 * each hop position and one for the announce node). Worked out again when evicted.
 */
export const ONION_SHARED_KEYS_CAPACITY = 256 * 4;

/** What an onion node is built with. */
export interface OnionNodeConfig {
  /** `ONION_ANNOUNCE_MAX_ENTRIES`: announcements stored (160). */
  readonly onionAnnounceMaxEntries: number;
  /** `ONION_ANNOUNCE_TIMEOUT`: an announcement's lifetime, ms (300 s). */
  readonly onionAnnounceTimeoutMs: number;
  /** `PING_ID_TIMEOUT`: a ping id's window, whole seconds in ms (300 s). */
  readonly pingIdTimeoutMs: number;
  /** `KEY_REFRESH_INTERVAL`: how often the return-blob key is replaced, ms (7200 s). */
  readonly keyRefreshIntervalMs: number;
  /** Shared keys cached for each hop position and for the announce node. */
  readonly sharedKeyCacheSize: number;
  /**
   * How the node's socket receives IPv4 senders, which shapes the bytes a ping id
   * authenticates (see `announcePingIdData`). Private to the node; `dual-stack` as c-toxcore's
   * default socket.
   */
  readonly socketKind: SocketKind;
}

/** c-toxcore 0.2.18's values. */
export const defaultOnionNodeConfig: OnionNodeConfig = Object.freeze({
  onionAnnounceMaxEntries: ONION_ANNOUNCE_MAX_ENTRIES,
  onionAnnounceTimeoutMs: ONION_ANNOUNCE_TIMEOUT_MS,
  pingIdTimeoutMs: PING_ID_TIMEOUT_MS,
  keyRefreshIntervalMs: KEY_REFRESH_INTERVAL_MS,
  sharedKeyCacheSize: ONION_SHARED_KEYS_CAPACITY,
  socketKind: 'dual-stack',
});

function checkInteger(field: string, value: unknown, min: number, max: number, why = ''): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OnionNodeConfigError(field, `${field} must be an integer from ${min} to ${max}${why}, got ${String(value)}`);
  }
}

/**
 * Returns `config` if every field is in range, else throws an {@link OnionNodeConfigError}
 * naming the first field that is not.
 */
export function verifyOnionNodeConfig<T extends OnionNodeConfig>(config: T): T {
  const big = 1 << 20;
  checkInteger('onionAnnounceMaxEntries', config.onionAnnounceMaxEntries, 1, big);
  checkInteger('onionAnnounceTimeoutMs', config.onionAnnounceTimeoutMs, 1, 2 ** 31);
  checkInteger('keyRefreshIntervalMs', config.keyRefreshIntervalMs, 1, 2 ** 40);
  checkInteger('sharedKeyCacheSize', config.sharedKeyCacheSize, 1, big);
  checkInteger('pingIdTimeoutMs', config.pingIdTimeoutMs, 1000, 0xffff * 1000, ' (a timed-auth window of 1 to 65535 s)');
  if (config.pingIdTimeoutMs % 1000 !== 0) {
    throw new OnionNodeConfigError('pingIdTimeoutMs', `pingIdTimeoutMs must be whole seconds, got ${config.pingIdTimeoutMs}`);
  }
  if (config.socketKind !== 'dual-stack' && config.socketKind !== 'ipv4') {
    throw new OnionNodeConfigError('socketKind', `socketKind must be 'dual-stack' or 'ipv4', got ${String(config.socketKind)}`);
  }
  return config;
}

/** `defaultOnionNodeConfig` with `overrides` applied, checked by {@link verifyOnionNodeConfig}. */
export function onionNodeConfig(overrides: Partial<OnionNodeConfig> = {}): OnionNodeConfig {
  return verifyOnionNodeConfig({ ...defaultOnionNodeConfig, ...overrides });
}
