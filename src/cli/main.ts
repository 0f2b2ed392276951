/**
 * The `toxlink` command. For now it has the demo of the foundation; the node, chat,
 * forward and expose commands arrive with their layers.
 *
 * @see spec/introduction.md#goals
 * @module
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { runDemo } from './demo.ts';
import { registerRelayCommand } from './relay-command.ts';

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

function fraction(text: string): number {
  const n = Number(text);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number from 0 to below 1');
  return n;
}

/** Builds the command line parser (exported for tests). */
export function program(): Command {
  const cmd = new Command('toxlink')
    .description('the Tox connection stack in TypeScript, wire-compatible with c-toxcore')
    .version(version());
  cmd
    .command('demo')
    .description('run the built-in demo on a simulated network (no network access needed)')
    .option('--seed <n>', 'seed of the simulated network', integer(0, 2 ** 31), 7)
    .option('--messages <n>', 'datagrams Alice sends', integer(1, 100_000), 100)
    .option('--loss <rate>', 'loss rate of the link, each way', fraction, 0.1)
    .action(async (opts: { seed: number; messages: number; loss: number }) => {
      const r = await runDemo({ seed: opts.seed, messages: opts.messages, lossRate: opts.loss, print: (l) => console.log(l) });
      if (r.receivedByBob === 0) process.exitCode = 1;
    });
  registerRelayCommand(cmd, integer);
  return cmd;
}

/** Runs the command line; a user mistake is one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    console.error(`toxlink: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
