/**
 * Every limit and default of the I/O floor in one place, with the checks that turn a bad
 * value into a {@link ConfigError} that names the field.
 *
 * @see spec/io.md#limits
 * @module
 */

import { ConfigError } from './errors.ts';

/** The largest delay `setTimeout` accepts (2^31 - 1 ms, about 24.8 days). */
export const MAX_SET_TIMEOUT_MS = 0x7fff_ffff;

/** Bounds of a `SimClock`. */
export interface SimClockConfig {
  /** The virtual time the clock starts at, in ms. */
  startMs: number;
  /** Most timers one `advance`/`advanceTo`/`runUntilIdle` may fire before it throws. */
  maxTimersPerRun: number;
  /** Most timers that may be pending at once before `setTimer` throws. */
  maxPendingTimers: number;
}

export const defaultSimClockConfig: Readonly<SimClockConfig> = {
  startMs: 0,
  maxTimersPerRun: 10_000_000,
  maxPendingTimers: 4_000_000,
};

/** How far `runUntilIdle()` runs when given no limit: one simulated hour. */
export const DEFAULT_IDLE_LIMIT_MS = 3_600_000;

/** Settings of a `NodeNetwork`. */
export interface NodeNetworkConfig {
  /** A TCP connect that has not completed after this long is rejected as `timeout`. */
  connectTimeoutMs: number;
  /** Unref sockets and timers so that they do not keep the process alive. */
  unref: boolean;
  /**
   * Kernel receive and send buffer of each UDP socket, bytes (2 MiB, as c-toxcore asks for;
   * the kernel caps it at `net.core.rmem_max`/`wmem_max`). The default 208 KB holds fewer
   * than 100 full-size datagrams, which a fast sender overflows between two reads.
   */
  udpBufferBytes: number;
}

export const defaultNodeNetworkConfig: Readonly<NodeNetworkConfig> = {
  connectTimeoutMs: 10_000,
  unref: false,
  udpBufferBytes: 2 * 1024 * 1024,
};

/** One direction of a simulated link between two hosts. */
export interface LinkConfig {
  /** Probability in [0, 1] that a datagram is lost. TCP segments are delayed instead. */
  lossRate: number;
  /** Fixed one-way delay in ms. */
  latencyMs: number;
  /** Extra one-way delay, uniform in [0, jitterMs) ms, drawn per datagram. */
  jitterMs: number;
  /** Probability in [0, 1] that a delivered datagram arrives twice. */
  duplicateRate: number;
  /** Datagrams larger than this many bytes are dropped as `too-big`. */
  maxDatagramSize: number;
}

/** The link every pair of hosts has unless told otherwise: 10 ms, lossless. */
export const defaultLinkConfig: Readonly<LinkConfig> = {
  lossRate: 0,
  latencyMs: 10,
  jitterMs: 0,
  duplicateRate: 0,
  maxDatagramSize: 65_507,
};

/** A host's uplink: the one queue its outgoing datagrams and segments pass through. */
export interface UplinkConfig {
  /** Serialisation rate in bytes per second; `Infinity` means no cap (the default). */
  bytesPerSecond: number;
  /** Datagrams that would make the queue hold more than this many bytes are dropped. */
  queueBytes: number;
}

export const defaultUplinkConfig: Readonly<UplinkConfig> = {
  bytesPerSecond: Infinity,
  queueBytes: 256 * 1024,
};

/** How simulated TCP behaves. */
export interface SimTcpConfig {
  /** `write()` returns false once this many bytes are written but not yet delivered. */
  highWaterMark: number;
  /** After a `false` write, the drain handler runs once in-flight bytes fall to this. */
  lowWaterMark: number;
  /** Writes are cut into segments of at most this many bytes. */
  segmentSize: number;
  /** Delivery pauses while the receiver holds this many unread bytes (no data handler). */
  receiveWindow: number;
  /** Least delay a lost or blocked segment adds before it is tried again, in ms. */
  minRetransmitMs: number;
  /** A connect with no answer (partition) fails as `timeout` after this many ms. */
  connectTimeoutMs: number;
  /** A connection whose segments are blocked this long is reset as `timeout`. */
  userTimeoutMs: number;
}

export const defaultSimTcpConfig: Readonly<SimTcpConfig> = {
  highWaterMark: 64 * 1024,
  lowWaterMark: 16 * 1024,
  segmentSize: 16 * 1024,
  receiveWindow: 256 * 1024,
  minRetransmitMs: 200,
  connectTimeoutMs: 10_000,
  userTimeoutMs: 60_000,
};

/** How a NAT maps and filters, after RFC 4787's vocabulary. */
export type NatType =
  /** One mapping per internal socket; anyone may send to it. */
  | 'full-cone'
  /** One mapping per internal socket; only IPs it has sent to may send back. */
  | 'address-restricted'
  /** One mapping per internal socket; only IP:port pairs it has sent to may send back. */
  | 'port-restricted'
  /** One mapping per internal socket and destination; only that destination may send back. */
  | 'symmetric';

/** How a NAT picks the public port of a new mapping. */
export type PortAllocation = 'sequential' | 'random';

/** How to build a NAT. */
export interface NatConfig {
  type: NatType;
  /** The one public IP every host behind the NAT shares. */
  publicIp: string;
  /** A mapping dies this long after the last outgoing packet through it (default 30 s). */
  mappingTimeoutMs?: number;
  /** `sequential` (the default: predictable, so port guessing can work) or `random`. */
  portAllocation?: PortAllocation;
  /** The first port of sequential allocation (default 20000). */
  portBase?: number;
}

/** The NAT defaults: mappings live 30 s after the last outgoing packet. */
export const DEFAULT_NAT_MAPPING_TIMEOUT_MS = 30_000;
/** The first public port a NAT hands out. */
export const DEFAULT_NAT_PORT_BASE = 20_000;
/** The lowest port a NAT picks at random. */
export const NAT_RANDOM_PORT_MIN = 1024;
/** The first ephemeral port a simulated host picks for port 0. */
export const SIM_EPHEMERAL_PORT_BASE = 49_152;
/** The highest port number. */
export const MAX_PORT = 65_535;
/** The default bound on recorded trace entries. */
export const DEFAULT_TRACE_LIMIT = 1_000_000;

/** Throws a {@link ConfigError} unless `value` is a number in [min, max]. */
export function checkRange(field: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new ConfigError(`${field} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
}

/** Throws a {@link ConfigError} unless `value` is an integer in [min, max]. */
export function checkInteger(field: string, value: number, min: number, max: number): void {
  checkRange(field, value, min, max);
  if (!Number.isInteger(value)) throw new ConfigError(`${field} must be an integer, got ${value}`);
}

/** Checks every field of a link configuration. */
export function verifyLinkConfig(config: LinkConfig): void {
  checkRange('lossRate', config.lossRate, 0, 1);
  checkRange('latencyMs', config.latencyMs, 0, MAX_SET_TIMEOUT_MS);
  checkRange('jitterMs', config.jitterMs, 0, MAX_SET_TIMEOUT_MS);
  checkRange('duplicateRate', config.duplicateRate, 0, 1);
  checkInteger('maxDatagramSize', config.maxDatagramSize, 0, 65_535);
}

/** Checks an uplink configuration. */
export function verifyUplinkConfig(config: UplinkConfig): void {
  if (!(config.bytesPerSecond > 0)) {
    throw new ConfigError(`bytesPerSecond must be > 0 (Infinity for no cap), got ${config.bytesPerSecond}`);
  }
  checkInteger('queueBytes', config.queueBytes, 0, Number.MAX_SAFE_INTEGER);
}

/** Checks a simulated-TCP configuration. */
export function verifySimTcpConfig(config: SimTcpConfig): void {
  checkInteger('highWaterMark', config.highWaterMark, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('lowWaterMark', config.lowWaterMark, 0, config.highWaterMark);
  checkInteger('segmentSize', config.segmentSize, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('receiveWindow', config.receiveWindow, 1, Number.MAX_SAFE_INTEGER);
  checkRange('minRetransmitMs', config.minRetransmitMs, 1, MAX_SET_TIMEOUT_MS);
  checkRange('connectTimeoutMs', config.connectTimeoutMs, 1, MAX_SET_TIMEOUT_MS);
  checkRange('userTimeoutMs', config.userTimeoutMs, 1, MAX_SET_TIMEOUT_MS);
}

/** Checks a simulated clock's bounds. */
export function verifySimClockConfig(config: SimClockConfig): void {
  checkRange('startMs', config.startMs, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('maxTimersPerRun', config.maxTimersPerRun, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('maxPendingTimers', config.maxPendingTimers, 1, Number.MAX_SAFE_INTEGER);
}
