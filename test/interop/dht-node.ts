/**
 * Test helper: a toxlink DHT node on a real UDP socket on 127.0.0.1, with the system clock,
 * closed by the test's teardown.
 */
import type { ExecutionContext } from 'ava';
import { NodeNetwork, SystemClock } from '../../src/io/index.ts';
import { DhtNode } from '../../src/dht/index.ts';

export interface LiveDht {
  readonly dht: DhtNode;
  readonly port: number;
}

export async function startDht(t: ExecutionContext): Promise<LiveDht> {
  const network = new NodeNetwork();
  const socket = await network.bindUdp({ host: '127.0.0.1', port: 0 });
  const clock = new SystemClock();
  const dht = new DhtNode({ clock, sender: socket });
  socket.onReceive((data, from) => dht.receive(data, from));
  t.teardown(async () => {
    dht.close();
    await socket.close();
  });
  return { dht, port: socket.local.port };
}

/** Resolves when `check` is true, polling every 100 ms; rejects after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < Math.ceil(timeoutMs / 100); i++) {
    if (check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (check()) return Date.now() - started;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
