/**
 * Test setup for port forwarding: Bob exposes services through an Exposer, Alice forwards
 * a local port to one of them through a PortForward, over a real net_crypto session on
 * loopback UDP. Every event is logged so a test can wait for one that already happened.
 */
import type { ExecutionContext } from 'ava';
import {
  Exposer, PortForward, type ForwardConfig, type RefusedRequest, type ServiceSpec, type TunnelClosed, type TunnelStats,
} from '../../src/mux/index.ts';
import type { MuxConfig } from '../../src/mux/index.ts';
import { Handles, livePair, type LivePeer } from './helpers.ts';

/** Every value an event gave, and a way to wait for one (past or future). */
export class EventLog<T> {
  readonly items: T[] = [];
  readonly #waiters: Array<{ accept: (v: T) => boolean; resolve: (v: T) => void }> = [];

  push = (value: T): void => {
    this.items.push(value);
    for (const w of [...this.#waiters]) {
      if (w.accept(value)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(value);
      }
    }
  };

  /** The first value `accept` takes, or a rejection after `ms` real milliseconds. */
  until(accept: (v: T) => boolean = () => true, ms = 20_000, what = 'an event'): Promise<T> {
    const past = this.items.find(accept);
    if (past !== undefined) return Promise.resolve(past);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${ms} ms`));
      }, ms);
      const waiter = { accept, resolve: (v: T) => { clearTimeout(timer); resolve(v); } };
      this.#waiters.push(waiter);
    });
  }
}

export interface ForwardSetup {
  alice: LivePeer;
  bob: LivePeer;
  handles: Handles;
  exposer: Exposer;
  forward: PortForward;
  /** The forward's local port. */
  port: number;
  forwardClosed: EventLog<TunnelClosed>;
  forwardOpened: EventLog<TunnelStats>;
  exposerClosed: EventLog<TunnelClosed>;
  exposerOpened: EventLog<TunnelStats>;
  refused: EventLog<RefusedRequest>;
}

export interface SetupOptions {
  /** Bob's services. */
  services: (handles: Handles) => Promise<ServiceSpec[]>;
  /** The service Alice's forward leads to. */
  service: string;
  forwardConfig?: Partial<ForwardConfig>;
  exposerConfig?: Partial<ForwardConfig>;
  mux?: Partial<MuxConfig>;
}

/** Alice's forward to Bob's exposed service; closed (forward, then exposer) in teardown. */
export async function forwardSetup(t: ExecutionContext, options: SetupOptions): Promise<ForwardSetup> {
  const { alice, bob } = await livePair(t, options.mux);
  const handles = new Handles(t);
  const exposer = new Exposer({ manager: bob.manager, services: await options.services(handles), clock: bob.clock, config: options.exposerConfig });
  const forward = new PortForward({
    manager: alice.manager, friendKey: bob.key, service: options.service, clock: alice.clock, config: options.forwardConfig,
  });
  const throwing = (e: Error): void => {
    throw e;
  };
  exposer.on('error', throwing);
  forward.on('error', throwing);
  t.teardown(async () => {
    await forward.close();
    await exposer.close();
  });
  const s: ForwardSetup = {
    alice, bob, handles, exposer, forward, port: 0,
    forwardClosed: new EventLog(), forwardOpened: new EventLog(), exposerClosed: new EventLog(), exposerOpened: new EventLog(), refused: new EventLog(),
  };
  forward.on('tunnel-closed', s.forwardClosed.push);
  forward.on('tunnel', s.forwardOpened.push);
  exposer.on('tunnel-closed', s.exposerClosed.push);
  exposer.on('tunnel', s.exposerOpened.push);
  exposer.on('refused', s.refused.push);
  s.port = (await forward.listen()).port;
  return s;
}
