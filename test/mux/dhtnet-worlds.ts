/**
 * Test helper: the two places test/mux/dhtnet-scenarios.test.ts runs each scenario, behind
 * one face. `simWorld`: two net_crypto sessions on the simulated network with 5 % loss,
 * jitter and duplication, in simulated time (test/mux/sim-mux.ts). `udpWorld`: two
 * NetCrypto nodes on their own 127.0.0.1 UDP ports with a ConnectionManager each over
 * `cryptoCarrier` (test/forward/helpers.ts), in real time, everything closed in teardown.
 * Every wait is bounded: in simulated milliseconds on the simulator, in real milliseconds
 * over UDP (there it waits for real packets, never for a protocol timer).
 */
import type { ExecutionContext } from 'ava';
import type { ChannelSocket, ConnectionManager, MuxConfig } from '../../src/mux/index.ts';
import { livePair, within } from '../forward/helpers.ts';
import { runUntil, settle } from './helpers.ts';
import { muxSim } from './sim-mux.ts';

export interface WorldPeer {
  readonly key: Uint8Array;
  readonly manager: ConnectionManager;
  /** Every channel the friend opened and this side accepted, in order (each with a no-op 'error' listener). */
  readonly accepted: ChannelSocket[];
}

export interface World {
  readonly name: 'sim' | 'udp';
  readonly alice: WorldPeer;
  readonly bob: WorldPeer;
  /** A size for big transfers that fits the world's time. */
  readonly bigBytes: number;
  /** The promise's value, moving time as needed; throws its error, or after `limitMs`. */
  settle<T>(promise: Promise<T>, limitMs?: number): Promise<T>;
  /** Waits until `done()` (true) or `limitMs` (false). */
  until(done: () => boolean, limitMs?: number): Promise<boolean>;
  /** Kills the net_crypto session under the channels from Bob's side (Alice hears it at once). */
  dropConnection(): void;
}

const LOSSY = { lossRate: 0.05, latencyMs: 10, jitterMs: 5, duplicateRate: 0.01 };

function accepting(manager: ConnectionManager): ChannelSocket[] {
  const list: ChannelSocket[] = [];
  manager.on('channel', (s) => {
    s.on('error', () => {});
    list.push(s);
  });
  return list;
}

/** The simulated world: lossy link, simulated time. */
export async function simWorld(seed: number, mux?: Partial<MuxConfig>): Promise<World> {
  const sim = await muxSim({ seed, link: LOSSY, ...(mux === undefined ? {} : { mux }) });
  return {
    name: 'sim',
    alice: { key: sim.alice.key, manager: sim.alice.manager, accepted: accepting(sim.alice.manager) },
    bob: { key: sim.bob.key, manager: sim.bob.manager, accepted: accepting(sim.bob.manager) },
    bigBytes: 2_000_000,
    settle: (promise, limitMs = 60_000) => settle(sim.clock, promise, limitMs),
    until: (done, limitMs = 60_000) => runUntil(sim.clock, done, limitMs),
    dropConnection: () => sim.bob.peer.node.connection(sim.alice.key)?.close(),
  };
}

/** The real world: loopback UDP, real time; closed in `t`'s teardown. */
export async function udpWorld(t: ExecutionContext, mux?: Partial<MuxConfig>): Promise<World> {
  const { alice, bob } = await livePair(t, mux);
  return {
    name: 'udp',
    alice: { key: alice.key, manager: alice.manager, accepted: accepting(alice.manager) },
    bob: { key: bob.key, manager: bob.manager, accepted: accepting(bob.manager) },
    bigBytes: 4_000_000,
    settle: (promise, limitMs = 20_000) => within(promise, limitMs, 'a promise in the UDP world'),
    async until(done, limitMs = 20_000) {
      const end = performance.now() + limitMs;
      while (!done()) {
        if (performance.now() > end) return false;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return true;
    },
    dropConnection: () => bob.node.connection(alice.key)?.close(),
  };
}
