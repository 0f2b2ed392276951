/**
 * toxlink's relay in a child process (bench/relay-server.ts), for bench/relay-c.ts: started,
 * asked for its counters over IPC, and stopped, always by its pid (bench/children.ts tracks
 * it until then, so that a bench that fails or is interrupted still ends it).
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { RelayEndpoint } from '../src/relay/index.ts';
import { fromHex } from '../src/wire/index.ts';
import type { ServerReply, ServerRequest } from './relay-server.ts';
import { killChild, trackChild, withTimeout } from './children.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const REPLY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 5_000;

/** toxlink's relay in a child process. */
export interface RelayChild {
  readonly pid: number;
  readonly endpoint: RelayEndpoint;
  /** The relay's public key, upper-case hex (as the C peer takes it). */
  readonly publicKeyHex: string;
  /** The server's counters (`TcpRelayServer.stats`, and the onion hop's). */
  stats(): Promise<Record<string, unknown>>;
  /** Asks the child to stop, then kills it by its pid if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/** Forks bench/relay-server.ts with `args` (`--onion` for an onion hop); resolves once it listens. */
export async function startRelayChild(args: readonly string[] = []): Promise<RelayChild> {
  const child: ChildProcess = fork(join(here, 'relay-server.ts'), [...args], {
    execArgv: ['--import=tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (child.pid === undefined) throw new Error('no pid for the relay child');
  const pid = child.pid;
  trackChild(pid, () => child.exitCode !== null || child.signalCode !== null);
  const waiters = new Map<string, Array<(r: ServerReply) => void>>();
  child.on('message', (reply: ServerReply) => waiters.get(reply.kind)?.shift()?.(reply));
  const next = <K extends ServerReply['kind']>(kind: K): Promise<Extract<ServerReply, { kind: K }>> =>
    withTimeout(new Promise((resolve) => {
      const list = waiters.get(kind) ?? [];
      list.push(resolve as (r: ServerReply) => void);
      waiters.set(kind, list);
    }), REPLY_TIMEOUT_MS, `relay child '${kind}'`);
  try {
    const ready = await next('ready');
    return {
      pid,
      endpoint: { address: { host: '127.0.0.1', port: ready.port }, publicKey: fromHex(ready.publicKey) },
      publicKeyHex: ready.publicKey.toUpperCase(),
      stats: async () => {
        const reply = next('stats');
        child.send({ kind: 'stats' } satisfies ServerRequest);
        return (await reply).stats;
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null && child.connected) {
          child.send({ kind: 'stop' } satisfies ServerRequest);
          await withTimeout(new Promise((resolve) => child.once('exit', resolve)), EXIT_TIMEOUT_MS, 'relay child exit').catch(() => undefined);
        }
        killChild(pid);
      },
    };
  } catch (error) {
    killChild(pid);
    throw error;
  }
}
