/**
 * The nodes a toxlink process starts from: `HOST:PORT:KEY` flags, and JSON files in the
 * format of the public Tox nodes list (`{"nodes": [{"ipv4", "ipv6", "port", "tcp_ports",
 * "public_key", …}]}`), the list clients download to bootstrap.
 *
 * @see spec/cli.md#bootstrap-nodes
 * @module
 */
import { lookup } from 'node:dns/promises';
import { readFile, stat } from 'node:fs/promises';
import { isValidPublicKey } from '../crypto/index.ts';
import { fromHex, isIpAddress } from '../wire/index.ts';
import { CliError } from './errors.ts';

/** A node to start from: a DHT node on UDP, TCP relay ports, or both. */
export interface BootstrapNode {
  /** An IP address, or a host name to look up. */
  readonly host: string;
  /** The DHT's UDP port, if it runs one. */
  readonly udpPort: number | undefined;
  /** TCP relay ports. */
  readonly tcpPorts: readonly number[];
  /** Its DHT public key (also its relay key). */
  readonly publicKey: Uint8Array;
}

/** Longest nodes file read. */
export const MAX_NODES_FILE_BYTES = 4 * 1024 * 1024;
/** Most nodes taken from one file. */
export const MAX_NODES_PER_FILE = 4096;

function port(text: unknown, what: string): number {
  const n = typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : text;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`${what} is not a port from 1 to 65535`);
  return n;
}

function publicKey(text: unknown): Uint8Array {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{64}$/.test(text)) throw new Error('the public key is not 64 hex digits');
  const key = fromHex(text);
  if (!isValidPublicKey(key)) throw new Error('the public key is not valid (its last byte is 0x80 or more)');
  return key;
}

/**
 * Parses `HOST:PORT:KEY` (an IPv6 host in brackets: `[::1]:33445:KEY`). `kind` says whether
 * the port is the DHT's UDP port or a TCP relay port. Throws a {@link CliError}.
 */
export function parseNodeFlag(text: string, kind: 'udp' | 'tcp'): BootstrapNode {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d+):([^:\s]*)$/.exec(text.trim());
  const flag = kind === 'udp' ? '--bootstrap' : '--tcp-relay';
  if (m === null) throw new CliError(`${flag} ${JSON.stringify(text)}: expected HOST:PORT:KEY, e.g. 127.0.0.1:33445:<64 hex digits>`);
  try {
    const host = m[1] ?? m[2]!;
    const p = port(m[3], 'the port');
    const key = publicKey(m[4]);
    return { host, udpPort: kind === 'udp' ? p : undefined, tcpPorts: kind === 'tcp' ? [p] : [], publicKey: key };
  } catch (error) {
    throw new CliError(`${flag} ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
}

/** A nodes file's content as nodes; entries that do not parse are counted in `skipped`. */
export interface NodesList {
  readonly nodes: BootstrapNode[];
  readonly skipped: number;
}

function hostOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  return s === '' || s === '-' ? undefined : s;
}

/**
 * Reads the public nodes list's JSON: each entry's `ipv4` (or, without one, `ipv6`),
 * `port`, `tcp_ports` and `public_key`. An entry without an address or key, or with a bad
 * one, is skipped and counted. Throws a {@link CliError} when the text is not such a list.
 */
export function parseNodesJson(text: string, source: string): NodesList {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source}: not JSON (${(error as Error).message}); expected the Tox nodes list format {"nodes": [...]}`);
  }
  const list = (json as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(list)) throw new CliError(`${source}: no "nodes" list; expected the Tox nodes list format {"nodes": [...]}`);
  const nodes: BootstrapNode[] = [];
  let skipped = 0;
  for (const entry of list.slice(0, MAX_NODES_PER_FILE) as unknown[]) {
    try {
      const e = entry as Record<string, unknown>;
      const host = hostOf(e['ipv4']) ?? hostOf(e['ipv6']);
      if (host === undefined) throw new Error('no address');
      const tcp = Array.isArray(e['tcp_ports']) ? (e['tcp_ports'] as unknown[]).slice(0, 16).map((p) => port(p, 'a TCP port')) : [];
      const udp = e['port'] === undefined || e['port'] === null ? undefined : port(e['port'], 'the port');
      if (udp === undefined && tcp.length === 0) throw new Error('no port');
      nodes.push({ host, udpPort: udp, tcpPorts: tcp, publicKey: publicKey(e['public_key']) });
    } catch {
      skipped++;
    }
  }
  return { nodes, skipped: skipped + Math.max(0, list.length - MAX_NODES_PER_FILE) };
}

/** Reads a nodes file ({@link parseNodesJson}); a {@link CliError} for a file it cannot read. */
export async function readNodesFile(path: string): Promise<NodesList> {
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > MAX_NODES_FILE_BYTES) throw new CliError(`${path}: ${size} bytes is too large for a nodes list (at most ${MAX_NODES_FILE_BYTES})`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the nodes file ${path} (${(error as Error).message})`, { cause: error });
  }
  return parseNodesJson(text, path);
}

/**
 * The node's host as an IPv4 address: as it is when it is an address, else looked up (IPv4
 * only: the node's socket is IPv4). Undefined when the name does not resolve.
 */
export async function resolveHost(host: string): Promise<string | undefined> {
  if (isIpAddress(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return undefined;
  }
}
