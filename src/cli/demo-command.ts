/**
 * The options of `toxlink demo`, on the command line parser; what it runs is in
 * `demo.ts`. Exit code 0 when every file arrived with the hash it was sent with, 1 when
 * one did not, or a step took longer than `--timeout`.
 *
 * @see spec/cli.md#toxlink-demo
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { formatBytes, formatRate } from './progress.ts';
import { runDemo } from './demo.ts';

interface DemoFlags {
  size: number;
  files: number;
  timeout: number;
  sim?: boolean;
  seed: number;
  json?: boolean;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** Parses a size: bytes, or a number with `K`, `M`, `G` (powers of 1024, `KiB`… accepted too); 1 byte to 4 GiB. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  if (m === null || unit === undefined) throw new InvalidArgumentError('expected a size such as 8M, 512K or 1048576');
  const bytes = Math.round(Number(m[1]) * unit);
  if (!(bytes >= 1 && bytes <= 4 * 1024 ** 3)) throw new InvalidArgumentError('expected a size from 1 byte to 4G');
  return bytes;
}

/** Adds `demo` to the program; `integer` is the program's range-checked integer parser. */
export function registerDemoCommand(cmd: Command, integer: (min: number, max: number) => (text: string) => number): void {
  cmd
    .command('demo')
    .description('start a local Tox network on 127.0.0.1 (a bootstrap node with a TCP relay, Alice and Bob); '
      + 'Alice befriends Bob and sends him two files on two channels at once. No internet needed.')
    .option('--size <bytes>', 'size of each file: bytes, or with K, M or G', parseSize, 8 * 1024 * 1024)
    .option('--files <n>', 'files to send, one channel each', integer(1, 16), 2)
    .option('--timeout <seconds>', 'give up (exit 1) after this long', integer(1, 3600), 120)
    .option('--sim', 'run on the simulated network instead of real sockets (times are simulated)')
    .option('--seed <n>', 'seed of the simulated network', integer(0, 2 ** 31), 7)
    .option('--json', 'print one JSON line with the result instead of text')
    .action(async (flags: DemoFlags) => {
      const json = flags.json === true;
      const result = await runDemo({
        network: flags.sim === true ? 'sim' : 'udp', seed: flags.seed, fileBytes: flags.size, files: flags.files, timeoutMs: flags.timeout * 1000,
        print: json ? () => {} : (line) => console.log(line),
        ...(json ? {} : { progress: process.stdout }),
      });
      if (json) {
        console.log(JSON.stringify({ event: 'demo', ...result }));
      } else if (result.ok) {
        console.log(`demo done: ${result.files.length} files, ${formatBytes(result.files.reduce((n, f) => n + f.bytes, 0))} at ${formatRate(result.bytesPerSecond)}, every sha256 matches (${(result.wallMs / 1000).toFixed(1)} s in all)`);
      } else {
        console.error(`toxlink demo: failed: ${result.error ?? 'unknown'}`);
      }
      if (!result.ok) process.exitCode = 1;
    });
}
