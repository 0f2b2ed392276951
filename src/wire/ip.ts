/**
 * IP addresses and ports. An address travels through toxlink as text in canonical form
 * (`127.0.0.1`, `::1`), which Node's sockets take and give; these functions convert it
 * to and from the 4 or 16 network-order bytes that packets carry.
 *
 * @see spec/wire.md#ip-addresses
 * @module
 */
import { DecodeError, EncodeError } from './errors.ts';

/** A host and port; `host` is canonical IPv4 or IPv6 text. */
export interface IpPort {
  readonly host: string;
  readonly port: number;
}

/** `SIZE_IP4`. */
export const IPV4_SIZE = 4;
/** `SIZE_IP6`. */
export const IPV6_SIZE = 16;

/** Whether `host` is IPv6 text (it has a colon) rather than IPv4. */
export function isIpv6(host: string): boolean {
  return host.includes(':');
}

function parseIpv4Into(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return false;
    const v = Number(p);
    if (v > 255) return false;
    out[at + i] = v;
  }
  return true;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(IPV6_SIZE);
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  // An embedded IPv4 address takes the last two groups.
  const words: number[] = [];
  const all = [...head, ...(halves.length === 2 ? ['::'] : []), ...tail];
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (g === '::') { words.push(-1); continue; }
    if (i === all.length - 1 && g.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!parseIpv4Into(g, v4, 0)) return undefined;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    words.push(parseInt(g, 16));
  }
  const gap = words.indexOf(-1);
  const filled = words.filter((w) => w >= 0);
  if (gap < 0 ? filled.length !== 8 : filled.length > 7) return undefined;
  const expanded = gap < 0 ? filled : [...words.slice(0, gap), ...new Array<number>(8 - filled.length).fill(0), ...words.slice(gap + 1)];
  expanded.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

/**
 * The network-order bytes of an address: 4 for IPv4 text, 16 for IPv6 text. Throws an
 * {@link EncodeError} for text that is not an address (`host` comes from our own code or
 * from Node, never straight from a packet).
 */
export function ipToBytes(host: string): Uint8Array {
  if (isIpv6(host)) {
    const b = parseIpv6(host);
    if (b) return b;
  } else {
    const b = new Uint8Array(IPV4_SIZE);
    if (parseIpv4Into(host, b, 0)) return b;
  }
  throw new EncodeError(`not an IP address: ${JSON.stringify(host)}`);
}

/** Whether `host` is valid IPv4 or IPv6 text. */
export function isIpAddress(host: string): boolean {
  try {
    ipToBytes(host);
    return true;
  } catch {
    return false;
  }
}

/**
 * Canonical text of 4 or 16 address bytes: dotted quad, or RFC 5952 IPv6 (lower case,
 * leading zeros dropped, the longest run of two or more zero groups as `::`,
 * IPv4-mapped addresses as `::ffff:a.b.c.d`).
 */
export function ipFromBytes(bytes: Uint8Array): string {
  if (bytes.length === IPV4_SIZE) return Array.from(bytes).join('.');
  if (bytes.length !== IPV6_SIZE) throw new DecodeError('bad-value', `an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  }
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestAt < 0) return hex(words);
  return `${hex(words.slice(0, bestAt))}::${hex(words.slice(bestAt + bestLen))}`;
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or `host`
 * unchanged. c-toxcore does this to every source address it receives.
 */
export function unmapIpv4(host: string): string {
  if (host.charCodeAt(0) !== 0x3a) return host; // not `::…`: the common case, without the regex
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return m ? m[1]! : host;
}

/** Throws an {@link EncodeError} unless `port` is an integer in 0..65535. */
export function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new EncodeError(`port out of range: ${port}`);
  return port;
}

/** `host:port`, with IPv6 hosts in brackets, for logs and messages. */
export function formatIpPort(ip: IpPort): string {
  return isIpv6(ip.host) ? `[${ip.host}]:${ip.port}` : `${ip.host}:${ip.port}`;
}
