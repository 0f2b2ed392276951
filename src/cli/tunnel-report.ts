/**
 * What `toxlink expose` and `toxlink forward` share: the channel layer on a running node
 * (a {@link ConnectionManager} on `friendConnector(node.friends)`), friends named on the
 * command line, and their output: a few lines for people (stdout for what a script reads,
 * the rest on stderr through the logger), or with `--json` one JSON object per line on
 * stdout for every event.
 *
 * @see spec/cli.md#toxlink-expose-and-toxlink-forward
 * @module
 */
import { SystemClock } from '../io/index.ts';
import { ConnectionManager, friendConnector, type FriendConnector } from '../mux/index.ts';
import { ForwardError, type TunnelClosed, type TunnelStats } from './port-forwarding.ts';
import { toHex } from '../wire/index.ts';
import type { FriendSpec } from './chat-session.ts';
import { CliError } from './errors.ts';
import type { Logger } from './log.ts';
import type { NodeRuntime } from './node-runtime.ts';
import type { StopReason, StopRequest } from './signals.ts';
import { stopCommandNode } from './command-node.ts';

/** The channel layer of a command, on the runtime's friend layer. */
export interface CommandMux {
  readonly clock: SystemClock;
  readonly manager: ConnectionManager;
  close(): void;
}

/** A ConnectionManager on the runtime's friend layer. */
export function startMux(runtime: NodeRuntime, log: Logger): CommandMux {
  const clock = new SystemClock();
  const connector: FriendConnector = friendConnector(runtime.node.friends);
  const manager = new ConnectionManager({ selfKey: runtime.messenger.publicKey, connector, clock });
  manager.on('error', (error) => log.error(`channel layer: ${error.message}`));
  return {
    clock, manager,
    close: () => {
      manager.close();
      connector.close();
    },
  };
}

/** The long-term key of a friend named on the command line (a friend number must be a friend). */
export function friendKeyOf(runtime: NodeRuntime, spec: FriendSpec): Uint8Array {
  if (spec.kind !== 'number') return spec.publicKey;
  return runtime.messenger.friend(spec.number).publicKey;
}

/** A key as people see it: the first 16 hex digits. */
export function shortKey(key: Uint8Array): string {
  return `${toHex(key).toUpperCase().slice(0, 16)}…`;
}

/** A `ForwardError` (a bad name, a bad target, a port in use) as the one line a user reads. */
export function userError(error: unknown, listenFlag?: string): unknown {
  if (!(error instanceof ForwardError)) return error;
  if (error.code === 'listen-failed') {
    return new CliError(`${error.message}${listenFlag === undefined ? '' : `; choose another with ${listenFlag}`}`, { cause: error });
  }
  return new CliError(error.message, { cause: error });
}

/** Output in text or JSON lines; see the module comment. */
export class Reporter {
  readonly json: boolean;
  readonly #log: Logger;

  constructor(json: boolean, log: Logger) {
    this.json = json;
    this.#log = log;
  }

  /** A line a script may read: on stdout (as JSON with `--json`). */
  result(event: string, fields: Record<string, unknown>, text: string): void {
    process.stdout.write(`${this.json ? JSON.stringify({ event, ...fields }) : text}\n`);
  }

  /** Something that happened: a JSON line with `--json`, else a line on stderr (`debug` for the frequent ones). */
  event(event: string, fields: Record<string, unknown>, text: string, level: 'info' | 'debug' = 'info'): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
    else this.#log[level](text);
  }

  /** The friend layer's status of `friendKey`, as `friend` events. */
  watchFriend(runtime: NodeRuntime, friendKey?: Uint8Array): () => void {
    const keyHex = friendKey === undefined ? undefined : toHex(friendKey);
    return runtime.node.friends.on('status', (s) => {
      const hex = toHex(s.realPublicKey);
      if (keyHex !== undefined && hex !== keyHex) return;
      const who = shortKey(s.realPublicKey);
      this.event('friend', { publicKey: hex.toUpperCase(), online: s.online, path: s.path },
        s.online ? `friend ${who} is online (${s.path === 'udp' ? 'UDP' : 'TCP relay'})` : `friend ${who} went offline`);
    });
  }

  /** A tunnel joined: bytes flow. */
  tunnel(t: TunnelStats): void {
    this.event('tunnel', { id: t.id, side: t.side, service: t.service, friend: toHex(t.friendKey).toUpperCase(), channelId: t.channelId ?? null },
      `tunnel ${t.id} open (${t.service}, channel ${t.channelId ?? '?'})`, 'debug');
  }

  /** A tunnel ended, with its counters. */
  tunnelClosed({ tunnel: t, reason }: TunnelClosed): void {
    this.event('tunnel-closed', {
      id: t.id, service: t.service, code: reason.code, message: reason.message, remoteCode: reason.remoteCode ?? null,
      bytesToFriend: t.bytesToFriend, bytesFromFriend: t.bytesFromFriend,
    }, `tunnel ${t.id} closed: ${reason.code === 'end' ? 'done' : reason.message} (${t.bytesToFriend} bytes sent, ${t.bytesFromFriend} received)`,
    reason.code === 'end' ? 'debug' : 'info');
  }
}

/**
 * How `expose` and `forward` end once a stop was asked for: listeners off, the exposer or
 * forward closed, the channel layer closed, the node stopped and its profile saved, then
 * the `stopped` event. Returns the exit code: 1 if the profile could not be saved.
 */
export async function finishTunnelCommand(o: {
  readonly reason: StopReason;
  readonly offs: ReadonlyArray<() => void>;
  readonly tunnels: { close(): Promise<void> };
  readonly mux: { close(): void };
  readonly runtime: NodeRuntime;
  readonly stop: StopRequest;
  readonly log: Logger;
  readonly reporter: Reporter;
}): Promise<number> {
  for (const off of o.offs) off();
  o.log.debug(`stop (${o.reason}): closing the tunnels`);
  await o.tunnels.close();
  o.log.debug('stop: tunnels closed; closing the channel layer');
  o.mux.close();
  o.log.debug('stop: stopping the node and saving the profile');
  const code = await stopCommandNode(o, o.log);
  o.reporter.event('stopped', { reason: o.reason, saved: code === 0 }, `stopped on ${o.reason}${code === 0 ? '; profile saved' : ''}`);
  return code;
}
