/**
 * Runs `toxlink …` as a child process, as a user would (through `src/cli/main.ts` under
 * tsx), for the CLI tests: its stdout lines are kept and can be awaited, stdin can be
 * written, and it is stopped by its PID (the test's teardown kills it with SIGKILL if it is
 * still there, and a hard time limit does too). Every wait is bounded.
 */
import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A running `toxlink`. */
export interface ToxlinkChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Every stdout line so far. */
  readonly lines: string[];
  stderr(): string;
  /** The first stdout line from `from` on that matches, within `ms`; rejects with what was seen. */
  waitLine(match: RegExp | ((line: string) => boolean), ms?: number, from?: number): Promise<string>;
  /** Writes one line to stdin. */
  send(line: string): void;
  /** Closes stdin. */
  endInput(): void;
  /**
   * Sends the signal by PID; resolves with the exit code, or the name of the signal that
   * ended it. A process still there after `ms` (default 30 s) is killed with SIGKILL and
   * the promise rejects with its last output, so a stop that hangs fails with the evidence.
   */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | NodeJS.Signals | null>;
  /** The exit code, or the name of the signal that ended the process. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

/** Options of {@link toxlink}. */
export interface ToxlinkOptions {
  /** Extra environment (e.g. `XDG_CONFIG_HOME`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Killed with SIGKILL after this long whatever happens (default 300 s: a loaded machine is slow). */
  readonly limitMs?: number;
}

/** Starts `toxlink ...args`; its teardown is registered on `t`. */
export function toxlink(t: ExecutionContext, args: readonly string[], options: ToxlinkOptions = {}): ToxlinkChild {
  // The child also ends itself if this test process dies without its teardown (ava ends a
  // worker whose test timed out without running teardowns): it checks once a second that
  // its parent is still this process, so no toxlink outlives the test that started it.
  const guard = `setInterval(() => { if (process.ppid !== ${process.pid}) process.exit(99); }, 1000).unref();`;
  const script = `${guard} import('./src/cli/main.ts').then((m) => m.main(['node', 'toxlink', ...${JSON.stringify(args)}]))`;
  const proc = spawn(process.execPath, ['--import=tsx', '-e', script], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  if (proc.pid === undefined) throw new Error('toxlink did not start');
  const pid = proc.pid;
  const lines: string[] = [];
  let buffered = '';
  let err = '';
  const wakers = new Set<() => void>();
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const w of wakers) w();
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString('utf8')).slice(-64 * 1024);
  });
  proc.stdin!.on('error', () => undefined);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => proc.once('exit', (code, signal) => {
    for (const w of wakers) w();
    resolve(code ?? signal);
  }));
  const kill = (signal: NodeJS.Signals): void => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  };
  const hard = setTimeout(() => kill('SIGKILL'), options.limitMs ?? 300_000);
  void exited.then(() => clearTimeout(hard));
  t.teardown(async () => {
    kill('SIGKILL');
    await exited;
  });
  return {
    proc, pid, lines, exited,
    stderr: () => err,
    waitLine: async (match, ms = 30_000, from = 0) => {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      const deadline = Date.now() + ms;
      for (;;) {
        const found = lines.slice(from).find(test);
        if (found !== undefined) return found;
        if (Date.now() > deadline || proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(`no line matching ${String(match)} within ${ms} ms from toxlink ${args.join(' ')}\nstdout:\n${lines.join('\n')}\nstderr:\n${err}`);
        }
        await new Promise<void>((resolve) => {
          const done = (): void => {
            wakers.delete(done);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(done, 200);
          wakers.add(done);
        });
      }
    },
    send: (line) => {
      proc.stdin!.write(`${line}\n`);
    },
    endInput: () => {
      proc.stdin!.end();
    },
    stop: async (signal = 'SIGTERM', ms = 30_000) => {
      kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          kill('SIGKILL');
          reject(new Error(`toxlink ${args.join(' ')} still running ${ms} ms after ${signal}\nstdout (last 20 lines):\n${lines.slice(-20).join('\n')}\nstderr (last 4 KiB):\n${err.slice(-4096)}`));
        }, ms);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A JSON line's object (the tests' parse of `toxlink node --json` output). */
export function json(line: string): Record<string, unknown> {
  return JSON.parse(line) as Record<string, unknown>;
}
