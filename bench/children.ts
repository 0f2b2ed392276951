/**
 * The child processes and daemons a bench starts, each ended by its pid: when the bench
 * exits, on SIGINT or SIGTERM, or when the bench asks. Shared by the benches.
 */

/** Our children by pid, each with a test of whether it has exited (its pid may then be reused). */
const children = new Map<number, () => boolean>();

/** Other cleanups to run at exit (daemons the bench started), by key. */
const atExit = new Map<object, () => void>();

/** Tracks a child until `killChild` or the bench's exit. */
export function trackChild(pid: number, exited: () => boolean): void {
  children.set(pid, exited);
}

/** Whether `pid` is tracked and not yet killed. */
export function isTracked(pid: number): boolean {
  return children.has(pid);
}

/** Kills a tracked child with SIGKILL, unless it has exited; forgets it either way. */
export function killChild(pid: number): void {
  const exited = children.get(pid);
  if (exited === undefined) return;
  children.delete(pid);
  if (exited()) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs `cleanup` at exit unless `untrack(key)` is called first. */
export function atExitUntil(key: object, cleanup: () => void): void {
  atExit.set(key, cleanup);
}

/** Drops a cleanup registered with `atExitUntil`. */
export function untrack(key: object): void {
  atExit.delete(key);
}

process.on('exit', () => {
  for (const pid of [...children.keys()]) killChild(pid);
  for (const cleanup of atExit.values()) {
    try {
      cleanup();
    } catch {
      // nothing more to do at exit
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => process.exit(130));
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
