/**
 * The serving side of port forwarding (`toxlink expose NAME HOST:PORT`): answers a friend's
 * channel requests for `tcp://NAME` from its {@link ServiceTable}, and joins each accepted
 * channel to a new TCP connection to the service's target. Names it does not serve are
 * declined with a typed reason; a target it cannot reach resets the channel with one.
 *
 * @see spec/mux.md#exposing-a-service
 * @module
 */
import { connect, type Socket } from 'node:net';
import { SystemClock, type Clock } from '../io/index.ts';
import type { ChannelSocket } from './channel-socket.ts';
import type { ChannelRequestHandler, ConnectionManager } from './connection-manager.ts';
import { Emitter } from './events.ts';
import type { ChannelRequestInfo, ChannelVerdict } from './session.ts';
import { forwardConfig, type ForwardConfig } from './forward-config.ts';
import { ForwardError } from './forward-errors.ts';
import { errorCode, formatReason, type RefusalCode } from './forward-reasons.ts';
import { ServiceTable, type ServiceEntry, type ServiceSpec } from './service-table.ts';
import { Tunnel, type OpenFailure, type TunnelCloseReason, type TunnelClosed, type TunnelStats } from './tunnel.ts';
import { parseServiceUri, type ServiceTarget } from './forward-uri.ts';

/** A friend's request that an exposer declined. */
export interface RefusedRequest {
  readonly friendKey: Uint8Array;
  readonly uri: string;
  readonly code: RefusalCode;
  /** The DECLINE reason the friend was sent. */
  readonly reason: string;
}

/** The events of an {@link Exposer}. */
export interface ExposerEvents {
  /** A friend's channel is joined to a new connection to the target: bytes flow. */
  tunnel: TunnelStats;
  /** A tunnel ended (once per accepted channel). */
  'tunnel-closed': TunnelClosed;
  /** A request for `tcp://…` was declined. */
  refused: RefusedRequest;
  /** A listener threw. */
  error: Error;
}

/** What an {@link Exposer} is built from. */
export interface ExposerOptions {
  /** The channel layer; the exposer becomes its `onChannelRequest` handler. */
  readonly manager: ConnectionManager;
  /** The services to expose at once (more with `expose`). */
  readonly services?: readonly ServiceSpec[];
  /** Decides requests for channel names that are not `tcp://`; without it they are declined. */
  readonly otherRequests?: ChannelRequestHandler;
  /** Timers and stats times (default: the system clock). */
  readonly clock?: Clock;
  /** Limits and timers; see {@link ForwardConfig}. */
  readonly config?: Partial<ForwardConfig>;
}

/** Serves `tcp://NAME` channels from a table of services. See the module comment. */
export class Exposer {
  readonly config: ForwardConfig;
  readonly #manager: ConnectionManager;
  readonly #clock: Clock;
  readonly #table: ServiceTable;
  readonly #other: ChannelRequestHandler | undefined;
  readonly #events: Emitter<ExposerEvents>;
  readonly #tunnels = new Map<number, Tunnel>();
  readonly #offChannel: () => void;
  readonly #idle: Array<() => void> = [];
  #nextId = 1;
  #closed = false;

  constructor(options: ExposerOptions) {
    this.config = forwardConfig(options.config);
    this.#manager = options.manager;
    this.#clock = options.clock ?? new SystemClock();
    this.#other = options.otherRequests;
    this.#table = new ServiceTable(this.config.maxServices);
    for (const spec of options.services ?? []) this.#table.add(spec);
    this.#events = new Emitter((error) => {
      if (this.#events.has('error')) this.#events.emit('error', error);
      else queueMicrotask(() => { throw error; });
    });
    this.#manager.onChannelRequest((request) => this.#decide(request));
    this.#offChannel = this.#manager.on('channel', (socket) => this.#onChannel(socket));
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ExposerEvents>(event: K, listener: (value: ExposerEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Exposes one more service; throws a {@link ForwardError} (`bad-name`, `bad-target`, `duplicate-service`, …). */
  expose(spec: ServiceSpec): ServiceEntry {
    if (this.#closed) throw new ForwardError('closed', 'the exposer is closed');
    return this.#table.add(spec);
  }

  /** Stops exposing `name`: later requests are declined; tunnels open to it stay. Returns whether it was exposed. */
  unexpose(name: string): boolean {
    return this.#table.remove(name);
  }

  /** The services exposed. */
  services(): ServiceEntry[] {
    return this.#table.list();
  }

  /** Every tunnel not yet closed, with its counters. */
  tunnels(): TunnelStats[] {
    return [...this.#tunnels.values()].map((t) => t.stats());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops serving: hands `onChannelRequest` back to `otherRequests` (or to no one), resets
   * every tunnel (`closed` on the wire, a TCP reset to each target), and resolves once all
   * are closed. The manager itself stays open.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#manager.onChannelRequest(this.#other);
      this.#offChannel();
      for (const tunnel of [...this.#tunnels.values()]) {
        tunnel.fail({ code: 'closed', message: 'the exposer was closed' }, formatReason('closed', 'the service is no longer exposed'));
      }
    }
    if (this.#tunnels.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #decide(request: ChannelRequestInfo): ChannelVerdict | Promise<ChannelVerdict> {
    const parsed = parseServiceUri(request.uri);
    if (parsed === undefined) return this.#other === undefined ? false : this.#other(request);
    if (parsed === 'bad-uri') return this.#refuse(request, 'bad-uri', 'the name after tcp:// is not a service name');
    if (this.#table.lookup(parsed.name, request.friendKey) === undefined) {
      return this.#refuse(request, 'unknown-service', `no service "${parsed.name}" is exposed to you`);
    }
    if (this.#tunnels.size >= this.config.maxTunnels) {
      return this.#refuse(request, 'too-many-tunnels', `${this.config.maxTunnels} tunnels are open`);
    }
    return true;
  }

  #refuse(request: ChannelRequestInfo, code: RefusalCode, detail: string): ChannelVerdict {
    const reason = formatReason(code, detail);
    this.#events.emit('refused', { friendKey: Uint8Array.from(request.friendKey), uri: request.uri, code, reason });
    return { reason };
  }

  /** A channel the manager accepted: ours if it is `tcp://NAME`. */
  #onChannel(channel: ChannelSocket): void {
    const parsed = parseServiceUri(channel.uri);
    if (parsed === undefined || parsed === 'bad-uri') return;
    const tunnel = new Tunnel({ id: this.#nextId++, side: 'expose', friendKey: channel.friendKey, service: parsed.name }, this.#clock, {
      joined: (t) => this.#events.emit('tunnel', t.stats()),
      closed: (t, reason) => this.#tunnelClosed(t, reason),
    });
    this.#tunnels.set(tunnel.id, tunnel);
    tunnel.attachChannel(channel);
    // Looked up again: the table may have changed while the request was decided.
    const service = this.#closed ? undefined : this.#table.lookup(parsed.name, channel.friendKey);
    if (service === undefined) {
      tunnel.fail({ code: 'closed', message: `the service "${parsed.name}" is no longer exposed` },
        formatReason('closed', 'the service is no longer exposed'));
      return;
    }
    tunnel.openTcp(this.#connect(service.target, tunnel.signal), (error) => this.#connectFailed(error));
  }

  /** A TCP connection to `target`, bounded by `connectTimeoutMs` and `signal`. */
  #connect(target: ServiceTarget, signal: AbortSignal): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true });
      let settled = false;
      const settle = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) {
          resolve(socket);
        } else {
          socket.destroy();
          reject(error);
        }
      };
      const onAbort = (): void => settle(signal.reason as Error);
      const timer = this.#clock.setTimer(this.config.connectTimeoutMs, () => settle(new ConnectTimeout(this.config.connectTimeoutMs)));
      // Kept after 'connect' too, until the tunnel adds its own: an error is never unheard.
      socket.on('error', (error) => settle(error));
      socket.once('connect', () => settle(undefined));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #connectFailed(error: unknown): OpenFailure {
    if (error instanceof ConnectTimeout) {
      return {
        reason: { code: 'connect-failed', message: error.message, cause: error },
        wireReason: formatReason('connect-timeout', `no connection to the service within ${error.ms} ms`),
      };
    }
    // The friend is told the error code only, never the target's address.
    const code = errorCode(error);
    return {
      reason: { code: 'connect-failed', message: `could not connect to the service's target: ${code}`, cause: error as Error },
      wireReason: formatReason('connect-failed', code),
    };
  }

  #tunnelClosed(tunnel: Tunnel, reason: TunnelCloseReason): void {
    this.#tunnels.delete(tunnel.id);
    this.#events.emit('tunnel-closed', { tunnel: tunnel.stats(), reason });
    if (this.#tunnels.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}

/** A connect that took longer than `connectTimeoutMs`. */
class ConnectTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no connection to the service's target within ${ms} ms`);
  }
}
