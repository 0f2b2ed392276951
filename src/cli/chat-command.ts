/**
 * `toxlink chat [FRIEND]`: an interactive chat on the profile's identity, with c-toxcore
 * clients (qTox, toxic, …) or other toxlink nodes on the other side. It runs a node of its
 * own (DHT, onion, no relay server), reads lines with readline and hands them to a
 * {@link ChatSession}; it leaves on `/quit`, at the end of the input (Ctrl-D), or on SIGINT
 * or SIGTERM, saving the profile.
 *
 * @see spec/cli.md#toxlink-chat
 * @module
 */
import type { Command } from 'commander';
import { clearLine, createInterface, cursorTo } from 'node:readline';
import {
  type BootstrapFlags, type CommonFlags, bootstrapFlags, loggerOf, portArgument, profileFlags,
} from './common-flags.ts';
import { ChatSession, type FriendSpec, parseFriendSpec } from './chat-session.ts';
import { Logger } from './log.ts';
import { startCommandNode, stopCommandNode } from './command-node.ts';
import { showProgress } from './node-command.ts';

interface ChatFlags extends CommonFlags, BootstrapFlags {
  host: string;
  udpPort: number;
  message?: string;
  name?: string;
}

/** Runs `toxlink chat`; resolves with the exit code. */
export async function runChat(friend: string | undefined, flags: ChatFlags, stderrLog: Logger): Promise<number> {
  let log = stderrLog;
  // A FRIEND the command cannot read is a mistake to report before anything starts.
  const spec: FriendSpec | undefined = friend === undefined ? undefined : parseFriendSpec(friend);
  const { runtime, stop } = await startCommandNode('chat', flags, log);
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty, crlfDelay: Infinity });
  let prompting = tty;
  const print = (line: string): void => {
    if (prompting) {
      clearLine(process.stdout, 0);
      cursorTo(process.stdout, 0);
    }
    process.stdout.write(`${line}\n`);
    if (prompting) rl.prompt(true);
  };
  // On a terminal, diagnostics too must keep the prompt below them.
  if (tty) {
    log = new Logger(stderrLog.level, (line) => {
      if (prompting) {
        clearLine(process.stdout, 0);
        cursorTo(process.stdout, 0);
      }
      process.stderr.write(`${line}\n`);
      if (prompting) rl.prompt(true);
    });
  }
  let session: ChatSession;
  try {
    if (flags.name !== undefined) runtime.messenger.setName(flags.name);
    session = new ChatSession(runtime, print, flags.message === undefined ? {} : { requestMessage: flags.message });
    session.greet();
    if (spec !== undefined) session.open(spec);
  } catch (error) {
    rl.close();
    await runtime.stop().catch(() => undefined);
    stop.dispose();
    throw error;
  }
  session.onQuit = () => stop.request('quit');
  rl.on('line', (line) => session.line(line));
  rl.on('close', () => stop.request('end'));
  rl.on('SIGINT', () => stop.request('SIGINT'));
  if (tty) {
    rl.setPrompt('> ');
    rl.prompt();
  }
  const stopProgress = showProgress(runtime, log);
  const reason = await stop.stopped;
  stopProgress();
  prompting = false;
  rl.removeAllListeners('close');
  rl.close();
  const code = await stopCommandNode({ runtime, stop }, log);
  log.info(`left the chat (${reason})${code === 0 ? '; profile saved' : ''}`);
  return code;
}

/** Adds `chat` to the program. */
export function registerChatCommand(cmd: Command): void {
  const chat = cmd.command('chat')
    .argument('[friend]', 'whom to talk to: a friend number, a public key, or a Tox ID (sends a friend request if not a friend yet)')
    .description('chat with your friends: add friends, accept requests, send and read messages');
  profileFlags(chat);
  bootstrapFlags(chat)
    .option('--host <ip>', 'address to bind', '0.0.0.0')
    .option('--udp-port <port>', 'UDP port; 0 picks a free one', portArgument, 0)
    .option('--message <text>', 'the friend request message')
    .option('--name <name>', 'set your name (friends see it)')
    .action(async (friend: string | undefined, flags: ChatFlags, command: Command) => {
      process.exitCode = await runChat(friend, flags, loggerOf(command));
      process.stdin.destroy();
    });
}
