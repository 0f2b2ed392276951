/**
 * How long the relay manager waits before it reconnects to a relay that dropped: the base
 * wait after the first failure, doubled with each further failure in a row, never more than
 * the cap. c-toxcore reconnects at once, once, and removes a relay whose reconnect fails;
 * toxlink keeps trying, more and more slowly, up to a bound.
 *
 * @see spec/relay.md#reconnecting
 * @module
 */
import type { TcpConnectionsConfig } from './config.ts';

/**
 * The wait before the next connection attempt after `failures` failures in a row (1 or
 * more): `reconnectBaseMs × 2^(failures − 1)`, at most `reconnectMaxMs`.
 */
export function reconnectDelayMs(failures: number, config: Pick<TcpConnectionsConfig, 'reconnectBaseMs' | 'reconnectMaxMs'>): number {
  const doublings = Math.min(Math.max(failures - 1, 0), 40);
  return Math.min(config.reconnectBaseMs * 2 ** doublings, config.reconnectMaxMs);
}
