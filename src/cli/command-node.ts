/**
 * How every long-lived command starts its node: the bootstrap list from the flags, the
 * stop signals listened to before anything is printed, then the `NodeRuntime` on the
 * profile. If the node cannot start, the signals are let go and the error goes up.
 *
 * @see spec/cli.md#toxlink-node
 * @module
 */
import { type BootstrapFlags, type CommonFlags, bootstrapNodesOf, resolveProfilePath } from './common-flags.ts';
import type { Logger } from './log.ts';
import { NodeRuntime, type NodeRuntimeOptions } from './node-runtime.ts';
import { type StopRequest, listenForStop } from './signals.ts';

/** The flags every node command has. */
export interface NodeCommandFlags extends CommonFlags, BootstrapFlags {
  host: string;
  udpPort: number;
}

/** A started node and the stop request of its command. */
export interface StartedCommand {
  readonly runtime: NodeRuntime;
  readonly stop: StopRequest;
}

/**
 * Stops the node and saves its profile, then lets the stop signals go. Returns the exit
 * code: 0, or 1 (with one line logged) if the profile could not be saved.
 */
export async function stopCommandNode({ runtime, stop }: StartedCommand, log: Logger): Promise<number> {
  let code = 0;
  try {
    await runtime.stop();
  } catch (error) {
    log.error(`could not save the profile on the way out: ${(error as Error).message}`);
    code = 1;
  }
  stop.dispose();
  return code;
}

/** Starts the node of `command`; `extra` adds the options only some commands have (a relay server, a keys file). */
export async function startCommandNode(
  command: NodeRuntimeOptions['command'],
  flags: NodeCommandFlags,
  log: Logger,
  extra: Pick<NodeRuntimeOptions, 'relayServer' | 'keysFile'> = {},
): Promise<StartedCommand> {
  const bootstrap = await bootstrapNodesOf(flags, (line) => log.warn(line));
  const stop = listenForStop();
  try {
    const runtime = await NodeRuntime.start({
      command, profilePath: resolveProfilePath(flags), importTox: flags.importTox,
      udp: { host: flags.host, port: flags.udpPort }, udpFlag: '--udp-port', bootstrap, log, ...extra,
    });
    return { runtime, stop };
  } catch (error) {
    stop.dispose();
    throw error;
  }
}
