/**
 * The limits and timers of port forwarding, in one place, checked at construction.
 *
 * @see spec/mux.md#tunnel-limits-stats-and-events
 * @module
 */
import { ForwardError } from './forward-errors.ts';

/** The settings of a `PortForward` or an `Exposer`. */
export interface ForwardConfig {
  /**
   * Tunnels open at once (256), opening and closing ones included. A forward resets a local
   * connection over it (`too-many-tunnels`); an exposer declines the channel.
   */
  readonly maxTunnels: number;
  /** Exposer: how long a connect to a service's target may take (10 s): then `connect-timeout`. */
  readonly connectTimeoutMs: number;
  /** Forward: how long opening a channel may take, friend connection included (30 s): `connectDevice`'s `timeoutMs`. */
  readonly openTimeoutMs: number;
  /** Exposer: services in its table (1024). */
  readonly maxServices: number;
  /**
   * Forward with a `hold`: the friend connection is let go after this long without a byte
   * through any tunnel, and taken again on the next local connection (0, the default: never).
   */
  readonly idleTimeoutMs: number;
}

/** The defaults. */
export const defaultForwardConfig: Readonly<ForwardConfig> = Object.freeze({
  maxTunnels: 256,
  connectTimeoutMs: 10_000,
  openTimeoutMs: 30_000,
  maxServices: 1024,
  idleTimeoutMs: 0,
});

/** Fills in the defaults and checks every value; throws a `bad-option` {@link ForwardError} naming the bad one. */
export function forwardConfig(partial: Partial<ForwardConfig> = {}): ForwardConfig {
  const c: ForwardConfig = { ...defaultForwardConfig, ...partial };
  const check = (field: keyof ForwardConfig, min: number, max: number): void => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ForwardError('bad-option', `forward config: ${field} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
  };
  check('maxTunnels', 1, 65534);
  check('connectTimeoutMs', 1, 24 * 3600_000);
  check('openTimeoutMs', 1, 24 * 3600_000);
  check('maxServices', 1, 1 << 20);
  check('idleTimeoutMs', 0, 24 * 3600_000);
  return c;
}
