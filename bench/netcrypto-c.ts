/**
 * Builds bench/c/netcrypto-bench.c, c-toxcore's own lossless throughput and round-trip
 * figures over loopback (two Tox instances in one process), into bench/c/build/.
 *
 * As a script it builds the program and runs it, passing its arguments through:
 *
 *   node --import=tsx bench/netcrypto-c.ts [seconds] [tight|interval ...]
 *
 * Output: the C program's JSON lines ({name, impl: "c-toxcore", value, unit, ...}); see the
 * header comment of bench/c/netcrypto-bench.c for what each figure means.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The C source. */
export const NETCRYPTO_BENCH_SOURCE = join(here, 'c', 'netcrypto-bench.c');
/** Where it is built (gitignored). */
export const NETCRYPTO_BENCH_BINARY = join(here, 'c', 'build', 'netcrypto-bench');

/** Compiler and linker flags for c-toxcore: pkg-config's, else the Debian static library. */
function toxcoreFlags(): string[] {
  try {
    const text = execFileSync('pkg-config', ['--cflags', '--libs', 'toxcore'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return text.split(/\s+/).filter((f) => f !== '');
  } catch {
    const lib = '/usr/lib/x86_64-linux-gnu/libtoxcore.a';
    if (!existsSync(lib)) throw new Error('c-toxcore not found: neither pkg-config toxcore nor libtoxcore.a (apt-get install libtoxcore-dev)');
    return [lib, '-lsodium', '-lpthread'];
  }
}

/**
 * Compiles a C benchmark of bench/c against c-toxcore when its binary is missing or older
 * than its source, and returns the binary's path. Compiles to a temporary file first and
 * renames it into place, so a concurrent run never sees half a binary. Throws with the
 * compiler's output on failure.
 */
export function buildCBench(source: string, binary: string): string {
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  mkdirSync(join(here, 'c', 'build'), { recursive: true });
  const cc = process.env['CC'] !== undefined && process.env['CC'] !== '' ? process.env['CC'] : 'cc';
  const temp = `${binary}.${process.pid}.tmp`;
  const args = ['-O2', '-std=c11', '-Wall', '-Wextra', '-o', temp, source, ...toxcoreFlags(), '-lm'];
  try {
    execFileSync(cc, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    renameSync(temp, binary);
  } catch (error) {
    rmSync(temp, { force: true });
    const e = error as Error & { stderr?: Buffer };
    throw new Error(`compiling ${source} failed: ${cc} ${args.join(' ')}\n${e.stderr?.toString() ?? e.message}`);
  }
  return binary;
}

/** Builds bench/c/netcrypto-bench.c (see {@link buildCBench}). */
export function buildNetcryptoBench(): string {
  return buildCBench(NETCRYPTO_BENCH_SOURCE, NETCRYPTO_BENCH_BINARY);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const seconds = Number(args.find((a) => /^[0-9.]+$/.test(a)) ?? 10);
  const modes = Math.max(1, args.filter((a) => a === 'tight' || a === 'interval').length || 2);
  // Per mode: two connects (up to 60 s each), two transfers, up to 10 s of round trips.
  const timeout = modes * (2 * 60 + 2 * seconds + 10 + 30) * 1000;
  execFileSync(buildNetcryptoBench(), args, { stdio: ['ignore', 'inherit', 'inherit'], timeout });
}
