/**
 * Typed errors of the I/O floor. Each one carries a stable `code` and the facts a caller
 * needs to react (which address, which reason), so that no caller parses a message.
 *
 * @see spec/io.md#errors
 * @module
 */

import { formatAddress } from './address.ts';
import type { Address } from './transport.ts';

/** The base class of every error thrown or rejected by `src/io`. */
export class IoError extends Error {
  /** A stable, machine-readable name for the failure. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value is out of range; the message names the field and the range. */
export class ConfigError extends IoError {
  constructor(message: string) {
    super('ERR_IO_CONFIG', message);
  }
}

/** Why a TCP connection attempt failed. */
export type ConnectFailure = 'refused' | 'unreachable' | 'timeout' | 'other';

/** A TCP connection attempt failed; `reason` says how. */
export class ConnectError extends IoError {
  readonly to: Address;
  readonly reason: ConnectFailure;

  constructor(to: Address, reason: ConnectFailure, options?: { cause?: unknown }) {
    super('ERR_IO_CONNECT', `connect to ${formatAddress(to)} failed: ${reason}`, options);
    this.to = to;
    this.reason = reason;
  }
}

/** Why a socket could not be bound or a listener opened. */
export type BindFailure = 'address-in-use' | 'address-not-available' | 'other';

/** Binding a UDP socket or a TCP listener failed. */
export class BindError extends IoError {
  readonly address: Address;
  readonly reason: BindFailure;

  constructor(address: Address, reason: BindFailure, options?: { cause?: unknown }) {
    super('ERR_IO_BIND', `bind to ${formatAddress(address)} failed: ${reason}`, options);
    this.address = address;
    this.reason = reason;
  }
}

/** `write()` was called on a stream that was ended or destroyed, or has closed. */
export class StreamClosedError extends IoError {
  constructor() {
    super('ERR_IO_STREAM_CLOSED', 'write to a stream that is ended or closed');
  }
}

/** Why an established stream broke. */
export type StreamResetReason = 'address-changed' | 'peer-reset' | 'timeout';

/** An established stream broke without a clean end. Passed to the close handler. */
export class StreamResetError extends IoError {
  readonly reason: StreamResetReason;

  constructor(reason: StreamResetReason, options?: { cause?: unknown }) {
    super('ERR_IO_STREAM_RESET', `stream reset: ${reason}`, options);
    this.reason = reason;
  }
}

/** More timers fired in one `SimClock` run than its bound allows: most likely a timer loop. */
export class RunawayTimersError extends IoError {
  readonly limit: number;

  constructor(limit: number, atMs: number) {
    super('ERR_IO_RUNAWAY_TIMERS', `more than ${limit} timers fired in one run (at ${atMs} ms): a timer loop?`);
    this.limit = limit;
  }
}

/** A clock refused a request: a timer queue is full, time would go backwards, or a run nested. */
export class ClockError extends IoError {
  constructor(message: string) {
    super('ERR_IO_CLOCK', message);
  }
}

/** A simulator request was inconsistent: a duplicate IP, an unknown host, a bad NAT. */
export class SimError extends IoError {
  constructor(message: string) {
    super('ERR_IO_SIM', message);
  }
}
