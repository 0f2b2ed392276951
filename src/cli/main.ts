/**
 * The `toxlink` command: one `register…Command` per command file, the program-wide
 * `--log-level`, and the one place where an error becomes one line on stderr.
 *
 * @see spec/introduction.md#goals
 * @see spec/cli.md#errors-and-exit-codes
 * @module
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerDemoCommand } from './demo-command.ts';
import { registerExposeCommand } from './expose-command.ts';
import { registerForwardCommand } from './forward-command.ts';
import { registerRelayCommand } from './relay-command.ts';
import { registerIdCommand } from './id-command.ts';
import { registerNodeCommand } from './node-command.ts';
import { registerStatusCommand } from './status-command.ts';
import { registerChatCommand } from './chat-command.ts';
import { reportError } from './errors.ts';
import { parseLogLevel } from './log.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function integer(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** Builds the command line parser (exported for tests). */
export function program(): Command {
  const cmd = new Command('toxlink')
    .description('the Tox connection stack in TypeScript, wire-compatible with c-toxcore')
    .version(version())
    .option('--log-level <level>', 'how much to say on stderr: error, warn, info or debug', parseLogLevel, 'info');
  registerIdCommand(cmd);
  registerNodeCommand(cmd);
  registerStatusCommand(cmd);
  registerChatCommand(cmd);
  registerExposeCommand(cmd);
  registerForwardCommand(cmd);
  registerDemoCommand(cmd, integer);
  registerRelayCommand(cmd, integer);
  return cmd;
}

/** Runs the command line; a user mistake is one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  const cmd = program();
  try {
    await cmd.parseAsync(argv);
  } catch (error) {
    const debug = (cmd.opts() as { logLevel?: string }).logLevel === 'debug';
    process.exitCode = reportError(error, (line) => console.error(line), debug);
  }
  if ((cmd.opts() as { logLevel?: string }).logLevel === 'debug') {
    // The command is done and the process should end now: if something still holds the
    // event loop (a leaked socket or timer), say what, for whoever debugs the hang.
    setTimeout(() => console.error(`debug: still running 3 s after the command ended, held by: ${process.getActiveResourcesInfo().join(', ')}`), 3000).unref();
  }
}
