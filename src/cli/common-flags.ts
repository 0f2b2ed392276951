/**
 * Flags that several commands share: the profile (`--profile`, `--import-tox`), ports, the
 * bootstrap nodes (`--bootstrap`, `--tcp-relay`, `--nodes`), and the logger that
 * `--log-level` (a flag of the program) sets.
 *
 * @see spec/cli.md#the-profile
 * @see spec/cli.md#bootstrap-nodes
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { type BootstrapNode, parseNodeFlag, readNodesFile } from './bootstrap-list.ts';
import { type LogLevel, Logger } from './log.ts';
import { defaultProfilePath } from './profile-path.ts';

/** The flags of {@link profileFlags}. */
export interface CommonFlags {
  profile?: string;
  importTox?: string;
}

/** Adds `--profile` and `--import-tox` to a command. */
export function profileFlags(cmd: Command): Command {
  return cmd
    .option('--profile <path>', `the profile file (default ${defaultProfilePath()})`)
    .option('--import-tox <file>', 'make the profile from a c-toxcore save (a qTox or toxic .tox file, unencrypted); only when there is no profile yet');
}

/** The profile path the flags choose, absolute. */
export function resolveProfilePath(flags: CommonFlags): string {
  return resolve(flags.profile ?? defaultProfilePath());
}

/** Parses a port flag: an integer from 0 (any free port) to 65535. */
export function portArgument(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n > 65_535) throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free port)');
  return n;
}

/** Collects a repeatable flag's values. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The flags of {@link bootstrapFlags}. */
export interface BootstrapFlags {
  bootstrap?: string[];
  tcpRelay?: string[];
  nodes?: string[];
}

/** Adds `--bootstrap`, `--tcp-relay` and `--nodes` to a command. */
export function bootstrapFlags(cmd: Command): Command {
  return cmd
    .option('--bootstrap <host:port:key>', 'a DHT node to join through (UDP), repeatable', repeatable)
    .option('--tcp-relay <host:port:key>', 'a TCP relay to use, repeatable', repeatable)
    .option('--nodes <file>', 'a JSON file in the format of the public Tox nodes list (nodes.tox.chat/json), repeatable', repeatable);
}

/** The bootstrap nodes the flags name, files read; `warn` hears about skipped entries. */
export async function bootstrapNodesOf(flags: BootstrapFlags, warn: (line: string) => void): Promise<BootstrapNode[]> {
  const nodes: BootstrapNode[] = [];
  for (const text of flags.bootstrap ?? []) nodes.push(parseNodeFlag(text, 'udp'));
  for (const text of flags.tcpRelay ?? []) nodes.push(parseNodeFlag(text, 'tcp'));
  for (const file of flags.nodes ?? []) {
    const list = await readNodesFile(file);
    if (list.skipped > 0) warn(`${file}: skipped ${list.skipped} entries without a usable address, port or key`);
    nodes.push(...list.nodes);
  }
  return nodes;
}

/** The logger `--log-level` chose (a flag of the whole program). */
export function loggerOf(cmd: Command): Logger {
  const level = (cmd.optsWithGlobals() as { logLevel?: LogLevel }).logLevel ?? 'info';
  return new Logger(level);
}
