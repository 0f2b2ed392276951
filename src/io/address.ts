/**
 * Small helpers for {@link Address} values: printing them, telling IPv4 from IPv6, and a
 * string key for maps.
 *
 * @see spec/io.md#transports
 * @module
 */

import type { Address } from './transport.ts';

/** True when `host` is written as an IPv6 address (it contains a colon). */
export function isIpv6(host: string): boolean {
  return host.includes(':');
}

/** Renders an address as `host:port`, or `[host]:port` for IPv6. Also a map key. */
export function formatAddress(address: Address): string {
  return isIpv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** True when both addresses name the same host and port. */
export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && a.host === b.host;
}

/** True when `host` is a wildcard that means "every address of this host". */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}
