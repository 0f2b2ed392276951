/**
 * `toxlink expose NAME HOST:PORT [--friend FRIEND…]`: runs a node on the profile's identity
 * and serves `tcp://NAME` to friends with an `Exposer`: each channel a friend opens to
 * it becomes a TCP connection to HOST:PORT. With `--friend`, only those friends may reach
 * it (each is added to the profile's friends if it is not one yet, without a request);
 * without, every friend in the profile may. Runs until SIGINT or SIGTERM, then closes
 * every tunnel, saves the profile and exits 0.
 *
 * @see spec/cli.md#toxlink-expose-and-toxlink-forward
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { Exposer, type ServiceSpec, checkServiceName, formatTarget, parseTarget } from './port-forwarding.ts';
import { toHex } from '../wire/index.ts';
import { parseFriendSpec, type FriendSpec } from './chat-session.ts';
import {
  type BootstrapFlags, type CommonFlags, bootstrapFlags, loggerOf, portArgument, profileFlags, repeatable,
} from './common-flags.ts';
import type { Logger } from './log.ts';
import { startCommandNode } from './command-node.ts';
import type { NodeRuntime } from './node-runtime.ts';
import { Reporter, finishTunnelCommand, shortKey, startMux, userError } from './tunnel-report.ts';

interface ExposeFlags extends CommonFlags, BootstrapFlags {
  host: string;
  udpPort: number;
  friend?: string[];
  connectTimeout: number;
  json?: boolean;
}

/** The friends `--friend` names, as keys: added to the profile (without a request) if they are not friends yet. */
function allowedFriends(runtime: NodeRuntime, specs: readonly FriendSpec[], reporter: Reporter): Uint8Array[] {
  const m = runtime.messenger;
  const keys: Uint8Array[] = [];
  for (const spec of specs) {
    const key = spec.kind === 'number' ? m.friend(spec.number).publicKey : spec.publicKey;
    if (m.friendNumber(key) === undefined) {
      const n = m.addFriendNoRequest(key);
      runtime.saveSoon();
      reporter.event('friend-added', { friend: n, publicKey: toHex(key).toUpperCase() }, `added ${shortKey(key)} to the friends of this profile (friend ${n})`);
    }
    keys.push(key);
  }
  return keys;
}

/** Runs `toxlink expose`; resolves with the exit code. */
export async function runExpose(name: string, targetText: string, flags: ExposeFlags, log: Logger): Promise<number> {
  // Mistakes on the command line are reported before anything starts.
  let target;
  let specs: FriendSpec[];
  try {
    checkServiceName(name);
    target = parseTarget(targetText);
    specs = (flags.friend ?? []).map(parseFriendSpec);
  } catch (error) {
    throw userError(error);
  }
  const { runtime, stop } = await startCommandNode('expose', flags, log);
  const reporter = new Reporter(flags.json === true, log);
  const mux = startMux(runtime, log);
  let exposer: Exposer | undefined;
  const offs: Array<() => void> = [];
  try {
    const friends = allowedFriends(runtime, specs, reporter);
    const spec: ServiceSpec = { name, target, ...(friends.length > 0 ? { friends } : {}) };
    exposer = new Exposer({ manager: mux.manager, services: [spec], clock: mux.clock, config: { connectTimeoutMs: flags.connectTimeout * 1000 } });
    exposer.on('error', (error) => log.error(`expose: ${error.message}`));
    offs.push(exposer.on('tunnel', (t) => reporter.tunnel(t)));
    offs.push(exposer.on('tunnel-closed', (c) => reporter.tunnelClosed(c)));
    offs.push(exposer.on('refused', (r) => reporter.event('refused', { publicKey: toHex(r.friendKey).toUpperCase(), uri: r.uri, code: r.code },
      `refused ${r.uri} to ${shortKey(r.friendKey)}: ${r.reason}`)));
    offs.push(reporter.watchFriend(runtime));
    const who = friends.length > 0 ? friends.map(shortKey).join(', ') : `every friend of this profile (${runtime.messenger.friendList().length})`;
    reporter.result('ready', {
      toxId: runtime.toxId, publicKey: toHex(runtime.messenger.publicKey).toUpperCase(), udpPort: runtime.udpPort ?? null,
      profile: runtime.profilePath, service: name, target: formatTarget(target), friends: friends.map((k) => toHex(k).toUpperCase()),
    }, `toxlink expose: Tox ID ${runtime.toxId}\nservice "${name}" → ${formatTarget(target)}, for ${who}`);
    if (friends.length === 0 && runtime.messenger.friendList().length === 0) {
      log.warn('this profile has no friends, so no one can reach the service: name them with --friend');
    }
  } catch (error) {
    await exposer?.close();
    mux.close();
    await runtime.stop().catch(() => undefined);
    stop.dispose();
    throw userError(error);
  }
  const reason = await stop.stopped;
  return finishTunnelCommand({ reason, offs, tunnels: exposer, mux, runtime, stop, log, reporter });
}

/** Adds `expose` to the program. */
export function registerExposeCommand(cmd: Command): void {
  const expose = cmd.command('expose')
    .argument('<name>', 'the service name friends ask for (1 to 64 of A-Z a-z 0-9 . _ ~ -)')
    .argument('<host:port>', 'where the service is, e.g. 127.0.0.1:8080')
    .description('let friends reach a TCP service of this machine by name, through `toxlink forward` on their side');
  profileFlags(expose);
  bootstrapFlags(expose)
    .option('--friend <friend>', 'only this friend may reach it (a friend number, public key or Tox ID; added to the friends if new), repeatable', repeatable)
    .option('--host <ip>', 'address to bind', '0.0.0.0')
    .option('--udp-port <port>', 'UDP port; 0 picks a free one', portArgument, 0)
    .option('--connect-timeout <seconds>', 'how long a connect to the service may take', (v: string) => positiveSeconds(v), 10)
    .option('--json', 'one JSON object per line on stdout for every event')
    .action(async (name: string, target: string, flags: ExposeFlags, command: Command) => {
      process.exitCode = await runExpose(name, target, flags, loggerOf(command));
    });
}

/** Parses a number of seconds from 1 to a day. */
export function positiveSeconds(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !(n >= 1 && n <= 86_400)) throw new InvalidArgumentError('expected a whole number of seconds from 1 to 86400');
  return n;
}
