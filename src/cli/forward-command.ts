/**
 * `toxlink forward FRIEND NAME --listen HOST:PORT`: runs a node on the profile's identity
 * and listens on a local TCP port with a `PortForward`: each connection to it becomes
 * a channel to the friend's `tcp://NAME` (which the friend serves with `toxlink expose`).
 * Port 0 takes a free port; the bound one is printed. The friend connection is held while
 * the forward is used and let go after `--idle-timeout` without traffic; the next local
 * connection brings it back. Runs until SIGINT or SIGTERM, then closes every tunnel, saves
 * the profile and exits 0.
 *
 * @see spec/cli.md#toxlink-expose-and-toxlink-forward
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { type ConnectionHold, PortForward, checkServiceName } from './port-forwarding.ts';
import { toHex } from '../wire/index.ts';
import { parseFriendSpec, type FriendSpec } from './chat-session.ts';
import {
  type BootstrapFlags, type CommonFlags, bootstrapFlags, loggerOf, portArgument, profileFlags,
} from './common-flags.ts';
import { positiveSeconds } from './expose-command.ts';
import type { Logger } from './log.ts';
import { startCommandNode } from './command-node.ts';
import { Reporter, finishTunnelCommand, friendKeyOf, shortKey, startMux, userError } from './tunnel-report.ts';

/** The default `--idle-timeout`: ten minutes. */
export const DEFAULT_IDLE_TIMEOUT_S = 600;

interface ForwardFlags extends CommonFlags, BootstrapFlags {
  listen: { host: string; port: number };
  host: string;
  udpPort: number;
  idleTimeout: number;
  openTimeout: number;
  json?: boolean;
}

/** Parses `--listen HOST:PORT` (port 0: any free port; IPv6 in brackets). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65_535)) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:8000 (port 0: any free port)');
  return { host: (m[1] ?? m[2])!, port };
}

/** Parses `--idle-timeout`: whole seconds, 0 for never. */
function idleSeconds(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 86_400) throw new InvalidArgumentError('expected a whole number of seconds from 0 (never) to 86400');
  return n;
}

/** Runs `toxlink forward`; resolves with the exit code. */
export async function runForward(friend: string, name: string, flags: ForwardFlags, log: Logger): Promise<number> {
  let spec: FriendSpec;
  try {
    checkServiceName(name);
    spec = parseFriendSpec(friend);
  } catch (error) {
    throw userError(error);
  }
  const { runtime, stop } = await startCommandNode('forward', flags, log);
  const reporter = new Reporter(flags.json === true, log);
  const mux = startMux(runtime, log);
  let forward: PortForward | undefined;
  const offs: Array<() => void> = [];
  try {
    const friendKey = friendKeyOf(runtime, spec);
    const friends = runtime.node.friends;
    // The forward holds the friend in the friend layer only while it is used; a friend of
    // the profile is held by the Messenger as well, and stays connected.
    const hold: ConnectionHold = { acquire: () => friends.lock(friendKey), release: () => friends.unlock(friendKey) };
    if (runtime.messenger.friendNumber(friendKey) !== undefined && flags.idleTimeout > 0) {
      log.info(`${shortKey(friendKey)} is a friend of this profile, which keeps it connected: --idle-timeout closes quiet tunnels but cannot let the connection go`);
    }
    forward = new PortForward({
      manager: mux.manager, friendKey, service: name, host: flags.listen.host, port: flags.listen.port, clock: mux.clock, hold,
      config: { idleTimeoutMs: flags.idleTimeout * 1000, openTimeoutMs: flags.openTimeout * 1000 },
    });
    forward.on('error', (error) => log.error(`forward: ${error.message}`));
    offs.push(forward.on('tunnel', (t) => reporter.tunnel(t)));
    offs.push(forward.on('tunnel-closed', (c) => reporter.tunnelClosed(c)));
    offs.push(forward.on('idle', (e) => reporter.event('idle', { quietMs: Math.round(e.quietMs), tunnels: e.tunnels },
      `no traffic for ${Math.round(e.quietMs / 1000)} s: let the connection to ${shortKey(friendKey)} go (${e.tunnels} quiet tunnels closed); the next local connection brings it back`)));
    offs.push(forward.on('wake', () => reporter.event('wake', {}, `a local connection: bringing the connection to ${shortKey(friendKey)} back`)));
    offs.push(reporter.watchFriend(runtime, friendKey));
    const bound = await forward.listen();
    reporter.result('ready', {
      toxId: runtime.toxId, publicKey: toHex(runtime.messenger.publicKey).toUpperCase(), udpPort: runtime.udpPort ?? null,
      profile: runtime.profilePath, friend: toHex(friendKey).toUpperCase(), service: name, host: bound.host, port: bound.port,
    }, `toxlink forward: Tox ID ${runtime.toxId}\nlistening ${bound.host}:${bound.port} → "${name}" of ${shortKey(friendKey)}`);
  } catch (error) {
    await forward?.close();
    mux.close();
    await runtime.stop().catch(() => undefined);
    stop.dispose();
    throw userError(error, '--listen');
  }
  const reason = await stop.stopped;
  return finishTunnelCommand({ reason, offs, tunnels: forward, mux, runtime, stop, log, reporter });
}

/** Adds `forward` to the program. */
export function registerForwardCommand(cmd: Command): void {
  const forward = cmd.command('forward')
    .argument('<friend>', 'whose service: a friend number, a public key or a Tox ID')
    .argument('<name>', 'the service name the friend exposes (`toxlink expose NAME …` on its side)')
    .description('make a friend\'s exposed TCP service a local port: each connection to --listen becomes a channel to it');
  profileFlags(forward);
  bootstrapFlags(forward)
    .requiredOption('--listen <host:port>', 'where to listen, e.g. 127.0.0.1:8000 (port 0: any free port, printed)', parseListen)
    .option('--idle-timeout <seconds>', 'let the friend connection go after this long without traffic (0: never)', idleSeconds, DEFAULT_IDLE_TIMEOUT_S)
    .option('--open-timeout <seconds>', 'how long opening a channel may take, finding the friend included', positiveSeconds, 60)
    .option('--host <ip>', 'address to bind the node\'s UDP socket', '0.0.0.0')
    .option('--udp-port <port>', 'UDP port; 0 picks a free one', portArgument, 0)
    .option('--json', 'one JSON object per line on stdout for every event')
    .action(async (friend: string, name: string, flags: ForwardFlags, command: Command) => {
      process.exitCode = await runForward(friend, name, flags, loggerOf(command));
    });
}
