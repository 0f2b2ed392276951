/**
 * Which addresses are on a LAN (c-toxcore's `ip_is_lan` and `ip_is_local` in
 * LAN_discovery.c), and the ports of one LAN discovery round (`lan_discovery` in
 * friend_connection.c).
 *
 * A LAN address is never given to a requester that is not on a LAN itself, an address we
 * know a node at on the Internet is not replaced by a LAN one, and LAN discovery packets
 * are honoured only from LAN addresses.
 *
 * @see spec/dht.md#close-list
 * @module
 */
import { IPV4_SIZE, ipToBytes, isIpAddress } from '../wire/index.ts';
import { PORTS_PER_DISCOVERY, TOX_PORTRANGE_FROM, TOX_PORTRANGE_TO, TOX_PORT_DEFAULT } from './config.ts';

function bytesOf(host: string): Uint8Array | undefined {
  return isIpAddress(host) ? ipToBytes(host) : undefined;
}

/** The IPv4 address inside `::ffff:a.b.c.d` (`ipv6_ipv4_in_v6`), else undefined. */
function mappedIpv4(b: Uint8Array): Uint8Array | undefined {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return undefined;
  return b[10] === 0xff && b[11] === 0xff ? b.subarray(12) : undefined;
}

function ipv4IsLoopback(b: Uint8Array): boolean {
  return b[0] === 127;
}

function ipv4IsLan(b: Uint8Array): boolean {
  const [a0, a1, a2] = [b[0]!, b[1]!, b[2]!];
  if (a0 === 10) return true; // 10.0.0.0/8
  if (a0 === 172 && a1 >= 16 && a1 <= 31) return true; // 172.16.0.0/12
  if (a0 === 192 && a1 === 168) return true; // 192.168.0.0/16
  if (a0 === 169 && a1 === 254 && a2 !== 0 && a2 !== 255) return true; // 169.254.1.0 - 169.254.254.255 only
  return a0 === 100 && (a1 & 0xc0) === 0x40; // 100.64.0.0/10 (RFC 6598)
}

/**
 * Whether `host` is a loopback address (`ip_is_local`): 127.0.0.0/8, `::1`, or 127/8
 * mapped into IPv6. False for text that is not an address.
 */
export function isLocalAddress(host: string): boolean {
  const b = bytesOf(host);
  if (!b) return false;
  if (b.length === IPV4_SIZE) return ipv4IsLoopback(b);
  const v4 = mappedIpv4(b);
  if (v4) return ipv4IsLoopback(v4);
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return false;
  return b[15] === 1;
}

/**
 * Whether `host` is on a LAN, exactly as c-toxcore 0.2.18's `ip_is_lan` decides:
 *
 * - loopback ({@link isLocalAddress}): 127.0.0.0/8, `::1`;
 * - IPv4 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, and 169.254.1.0 to
 *   169.254.254.255 (not the first and last /24 of 169.254/16);
 * - IPv6 link-local fe80::/10, and the multicast "all nodes" pattern: first byte ff,
 *   second byte 00 to 02, last byte 01 (so ff02::1, also ff01::1 and ff00::1);
 * - any of the IPv4 ranges mapped into IPv6 (`::ffff:10.0.0.1`).
 *
 * Text that is not an address is not a LAN address.
 */
export function isLanAddress(host: string): boolean {
  const b = bytesOf(host);
  if (!b) return false;
  if (isLocalAddress(host)) return true;
  if (b.length === IPV4_SIZE) return ipv4IsLan(b);
  if (b[0] === 0xff && b[1]! < 3 && b[15] === 1) return true;
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return true;
  const v4 = mappedIpv4(b);
  return v4 !== undefined && ipv4IsLan(v4);
}

/** The ports of one LAN discovery round and where the next round starts. */
export interface LanDiscoveryRound {
  /** `TOX_PORT_DEFAULT` first, then up to `PORTS_PER_DISCOVERY` ports from `next`. */
  readonly ports: readonly number[];
  /** The `next` of the following round. */
  readonly next: number;
}

/** Where the first LAN discovery round starts (`next_lan_port = TOX_PORTRANGE_FROM + 1`). */
export const LAN_DISCOVERY_FIRST_PORT = TOX_PORTRANGE_FROM + 1;

/**
 * One LAN discovery round (`lan_discovery`): always the default port 33445, and the ports
 * from `next` up to 10 further, stopping before 33545; the next round starts where this
 * one stopped, wrapping to 33446. (So 33545 itself is never swept, as in c-toxcore.)
 */
export function lanDiscoveryRound(next: number = LAN_DISCOVERY_FIRST_PORT): LanDiscoveryRound {
  const first = next;
  const last = Math.min(first + PORTS_PER_DISCOVERY, TOX_PORTRANGE_TO);
  const ports = [TOX_PORT_DEFAULT];
  for (let port = first; port < last; port++) ports.push(port);
  return { ports, next: last !== TOX_PORTRANGE_TO ? last : LAN_DISCOVERY_FIRST_PORT };
}
