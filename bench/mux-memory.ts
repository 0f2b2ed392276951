/**
 * The memory figure of bench/mux.ts, each multiplexer in a fresh child process, so that
 * nothing another figure left behind (a timer still holding a closed connection, a JIT
 * artefact) moves the baseline. As a child: `node --import=tsx bench/mux-memory.ts INDEX
 * BUILD COUNT` prints `{"bytesPerChannel": n}` (INDEX into `muxers()`, BUILD `compiled` or
 * `source`).
 *
 * @module
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killChild, trackChild, withTimeout } from './children.ts';

const self = fileURLToPath(import.meta.url);

/** Runs the figure for `muxers()[index]` in a child; bytes per open idle channel, both ends. */
export async function memoryInChild(index: number, build: 'compiled' | 'source', count: number, limitMs = 60_000): Promise<number> {
  const child = fork(self, [String(index), build, String(count)], { execArgv: ['--import=tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  if (child.pid === undefined) throw new Error('no pid for the memory child');
  const pid = child.pid;
  trackChild(pid, () => child.exitCode !== null || child.signalCode !== null);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  try {
    await withTimeout(new Promise<void>((done) => child.once('exit', () => done())), limitMs, 'the memory child');
  } finally {
    killChild(pid);
  }
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`the memory child printed nothing (exit ${child.exitCode ?? child.signalCode})`);
  const parsed = JSON.parse(line) as { bytesPerChannel?: number; error?: string };
  if (parsed.bytesPerChannel === undefined) throw new Error(parsed.error ?? 'no figure');
  return parsed.bytesPerChannel;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === self) {
  const [index, build, count] = [Number(process.argv[2]), process.argv[3] === 'source' ? 'source' : 'compiled', Number(process.argv[4])] as const;
  try {
    const { loadHarness, loadToxlink } = await import('./compiled.ts');
    const h = await loadHarness(build);
    const kind = h.impls.muxers(await loadToxlink(build))[index];
    const { memoryPerChannel } = h.alone;
    if (kind === undefined) throw new Error(`no multiplexer ${index}`);
    console.log(JSON.stringify({ bytesPerChannel: await memoryPerChannel(kind, count) }));
  } catch (error) {
    console.log(JSON.stringify({ error: String((error as Error)?.stack ?? error) }));
  }
  process.exit(0);
}
