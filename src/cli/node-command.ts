/**
 * `toxlink node`: a long-lived Tox node, like tox-bootstrapd: the DHT, the onion (a hop and
 * announce node for others, and our own announcements), and a TCP relay server, on the
 * profile's identity. It prints its Tox ID, DHT key and ports, shows its progress joining
 * the network on stderr, saves the profile every minute, and on SIGINT or SIGTERM saves it
 * once more and exits 0. With `--json` it is driven by JSON lines ({@link JsonInterface}).
 *
 * @see spec/cli.md#toxlink-node
 * @module
 */
import type { Command } from 'commander';
import { toHex } from '../wire/index.ts';
import {
  type BootstrapFlags, type CommonFlags, bootstrapFlags, loggerOf, portArgument, profileFlags,
} from './common-flags.ts';
import type { Logger } from './log.ts';
import { startCommandNode, stopCommandNode } from './command-node.ts';
import { JsonInterface } from './node-json.ts';
import type { NodeRuntime } from './node-runtime.ts';

/** The port tox-bootstrapd and c-toxcore use by default, for UDP and the TCP relay. */
export const DEFAULT_NODE_PORT = 33445;
/** How often progress is shown while joining the network. */
const PROGRESS_EVERY_MS = 5_000;
/** How long progress is shown before one line says what to check. */
const PROGRESS_FOR_MS = 60_000;

interface NodeFlags extends CommonFlags, BootstrapFlags {
  host: string;
  udpPort: number;
  tcpPort: number;
  relay: boolean;
  keys?: string;
  json?: boolean;
}

/**
 * Shows "joining the DHT" on stderr until the DHT and the onion are connected: a line every
 * 5 s for the first minute, then one saying what to check, then silence until it connects.
 * Returns the function that stops it.
 */
export function showProgress(runtime: NodeRuntime, log: Logger): () => void {
  const started = Date.now();
  let dhtSaid = false;
  let onionSaid = false;
  let gaveUp = false;
  log.info('joining the DHT…');
  const check = (): void => {
    const c = runtime.connection();
    const s = Math.round((Date.now() - started) / 1000);
    if (c.dht && !dhtSaid) {
      dhtSaid = true;
      log.info(`DHT connected after ${s} s (${c.dhtNodes} nodes)`);
    }
    if (c.onion && !onionSaid) {
      onionSaid = true;
      log.info(`onion connected after ${s} s: friends can find us`);
    }
  };
  const tick = setInterval(check, 500);
  const progress = setInterval(() => {
    if ((dhtSaid && onionSaid) || gaveUp) return;
    const c = runtime.connection();
    const elapsed = Date.now() - started;
    const s = Math.round(elapsed / 1000);
    if (elapsed >= PROGRESS_FOR_MS) {
      gaveUp = true;
      log.warn(`not connected after ${s} s: check the bootstrap nodes (--bootstrap, --tcp-relay, --nodes) and the network; still trying`);
    } else if (!c.dht) log.info(`still joining the DHT after ${s} s: ${c.dhtNodes} nodes, ${c.relays} TCP relays connected`);
    else log.info(`DHT connected (${c.dhtNodes} nodes); still waiting for the onion after ${s} s`);
  }, PROGRESS_EVERY_MS);
  return () => {
    clearInterval(tick);
    clearInterval(progress);
  };
}

/** Human output of friend events (without `--json`). */
function showFriends(runtime: NodeRuntime, log: Logger): void {
  const m = runtime.messenger;
  m.on('friend-request', (r) => log.info(`friend request from ${toHex(r.publicKey).toUpperCase()}: ${JSON.stringify(r.text)} (answer it with \`toxlink node --json\`'s accept, or stop this node and use \`toxlink chat\`)`));
  m.on('friend-connection', (c) => {
    log.info(`friend ${c.friendNumber} ${c.status === 'none' ? 'went offline' : `is online (${c.status})`}`);
    runtime.saveSoon();
  });
  m.on('friend-message', (e) => log.info(`message from friend ${e.friendNumber}: ${e.text}`));
}

/** Runs `toxlink node` until a signal or `quit`; resolves with the exit code. */
export async function runNode(flags: NodeFlags, log: Logger): Promise<number> {
  const { runtime, stop } = await startCommandNode('node', flags, log, {
    relayServer: flags.relay ? { address: { host: flags.host, port: flags.tcpPort }, flag: '--tcp-port (or --no-relay)' } : undefined,
    keysFile: flags.keys,
  });
  const dhtKey = toHex(runtime.node.dhtKeyPair.publicKey).toUpperCase();
  const publicKey = toHex(runtime.messenger.publicKey).toUpperCase();
  let json: JsonInterface | undefined;
  let closeInput: (() => void) | undefined;
  let stopProgress: (() => void) | undefined;
  if (flags.json === true) {
    json = new JsonInterface(runtime, (line) => process.stdout.write(`${line}\n`), () => stop.request('quit'));
    // The program reading our events went away: nothing can drive the node any more.
    process.stdout.on('error', () => stop.request('end'));
    json.event('ready', {
      toxId: runtime.toxId, publicKey, dhtKey, udpPort: runtime.udpPort ?? null, tcpPort: runtime.tcpPort ?? null,
      profile: runtime.profilePath, origin: runtime.origin,
    });
    closeInput = json.listen(process.stdin);
  } else {
    console.log(`toxlink node: Tox ID ${runtime.toxId}`);
    console.log(`dht key ${dhtKey}`);
    console.log(`udp ${flags.host}:${runtime.udpPort ?? 0}`);
    console.log(runtime.tcpPort === undefined ? 'tcp off (no relay server)' : `tcp ${flags.host}:${runtime.tcpPort} (TCP relay)`);
    console.log(`profile ${runtime.profilePath} (${runtime.origin})`);
    showFriends(runtime, log);
  }
  stopProgress = showProgress(runtime, log);
  const reason = await stop.stopped;
  stopProgress();
  closeInput?.();
  json?.close();
  const code = await stopCommandNode({ runtime, stop }, log);
  if (json !== undefined) json.event('stopped', { reason, saved: code === 0 });
  else log.info(`stopped on ${reason}${code === 0 ? '; profile saved' : ''}`);
  return code;
}

/** Adds `node` to the program. */
export function registerNodeCommand(cmd: Command): void {
  const node = cmd.command('node')
    .description('run a long-lived Tox node: DHT, onion and a TCP relay server, like tox-bootstrapd, until SIGINT or SIGTERM');
  profileFlags(node);
  bootstrapFlags(node)
    .option('--host <ip>', 'address to bind', '0.0.0.0')
    .option('--udp-port <port>', `UDP port of the DHT and onion; 0 picks a free one`, portArgument, DEFAULT_NODE_PORT)
    .option('--tcp-port <port>', `TCP port of the relay server; 0 picks a free one`, portArgument, DEFAULT_NODE_PORT)
    .option('--no-relay', 'run no TCP relay server')
    .option('--keys <file>', 'keep the DHT key (and relay key) in this file across runs, as tox-bootstrapd does; fresh each run without it')
    .option('--json', 'machine interface: JSON events on stdout, JSON commands on stdin (see the README)')
    .action(async (flags: NodeFlags, command: Command) => {
      process.exitCode = await runNode(flags, loggerOf(command));
      if (flags.json === true) process.stdin.destroy();
    });
}
