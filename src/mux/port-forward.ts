/**
 * The using side of port forwarding (`toxlink forward FRIEND NAME --listen
 * 127.0.0.1:PORT`): a TCP listener on a local port, where every accepted connection opens a
 * channel to the friend's `tcp://NAME` and is joined to it. A friend's service looks like a
 * local TCP port. Given a {@link ConnectionHold}, it holds the friend connection while it
 * is used and lets it go after `idleTimeoutMs` without traffic ({@link IdleHold}).
 *
 * @see spec/mux.md#forwarding-a-local-port
 * @see spec/mux.md#idle-timeout
 * @module
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SystemClock, type Clock } from '../io/index.ts';
import type { ConnectionManager } from './connection-manager.ts';
import { isMuxError } from './errors.ts';
import { Emitter } from './events.ts';
import { forwardConfig, type ForwardConfig } from './forward-config.ts';
import { ForwardError } from './forward-errors.ts';
import { type ConnectionHold, IdleHold } from './idle-hold.ts';
import { formatReason, parseReason } from './forward-reasons.ts';
import { Tunnel, type OpenFailure, type TunnelCloseReason, type TunnelClosed, type TunnelStats } from './tunnel.ts';
import { serviceUri } from './forward-uri.ts';

/** Where a forward listens. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** The events of a {@link PortForward}. */
export interface PortForwardEvents {
  /** The listener is up (the bound port, when 0 was asked for). */
  listening: ListenAddress;
  /** A local connection came in; its channel is being opened. */
  connection: TunnelStats;
  /** Its channel is open: bytes flow. */
  tunnel: TunnelStats;
  /** A tunnel ended (once per local connection, however far it got). */
  'tunnel-closed': TunnelClosed;
  /** The friend connection was let go after `quietMs` without traffic; `tunnels` open ones were closed with it. */
  idle: { readonly quietMs: number; readonly tunnels: number };
  /** A local connection came after `idle`: the friend connection is taken again. */
  wake: TunnelStats;
  /** The listener failed after it was up, or a listener threw. */
  error: Error;
}

/** What a {@link PortForward} is built from. */
export interface PortForwardOptions {
  /** The channel layer the channels are opened through. */
  readonly manager: ConnectionManager;
  /** The friend whose service it is (32-byte long-term key). */
  readonly friendKey: Uint8Array;
  /** The service name the friend exposes. */
  readonly service: string;
  /** The local address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** The local port (default 0: any free port, see `address`). */
  readonly port?: number;
  /** Each channel's receive window, bytes (default the manager's `windowBytes`). */
  readonly windowBytes?: number;
  /** Stats times (default: the system clock). */
  readonly clock?: Clock;
  /** Limits and timers; see {@link ForwardConfig}. */
  readonly config?: Partial<ForwardConfig>;
  /**
   * Holds the friend connection: acquired when the forward starts listening, released when
   * it closes, and, with `idleTimeoutMs`, released after that long without traffic and
   * acquired again on the next local connection. Without it the forward does not touch the
   * friend connection (the manager's connector brings it up as it does).
   */
  readonly hold?: ConnectionHold;
}

/** A local port that leads to a friend's service. See the module comment. */
export class PortForward {
  readonly config: ForwardConfig;
  readonly friendKey: Uint8Array;
  readonly service: string;
  readonly #manager: ConnectionManager;
  readonly #uri: string;
  readonly #host: string;
  readonly #port: number;
  readonly #windowBytes: number | undefined;
  readonly #clock: Clock;
  readonly #events: Emitter<PortForwardEvents>;
  readonly #tunnels = new Map<number, Tunnel>();
  readonly #server: Server;
  readonly #hold: IdleHold | undefined;
  #address: ListenAddress | undefined;
  #nextId = 1;
  #state: 'new' | 'listening' | 'closed' = 'new';
  #closing: Promise<void> | undefined;
  #starting: Promise<ListenAddress> | undefined;
  readonly #idle: Array<() => void> = [];

  constructor(options: PortForwardOptions) {
    this.config = forwardConfig(options.config);
    if (!(options.friendKey instanceof Uint8Array) || options.friendKey.length !== 32) {
      throw new ForwardError('bad-key', 'a friend key is 32 bytes');
    }
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ForwardError('bad-option', `a port is 0 to 65535, got ${port}`);
    this.#manager = options.manager;
    this.friendKey = Uint8Array.from(options.friendKey);
    this.service = options.service;
    this.#uri = serviceUri(options.service);
    this.#host = options.host ?? '127.0.0.1';
    this.#port = port;
    this.#windowBytes = options.windowBytes;
    this.#clock = options.clock ?? new SystemClock();
    this.#events = new Emitter((error) => {
      if (this.#events.has('error')) this.#events.emit('error', error);
      else queueMicrotask(() => { throw error; });
    });
    this.#hold = options.hold === undefined ? undefined : new IdleHold(this.#clock, this.config.idleTimeoutMs, options.hold, {
      busy: () => [...this.#tunnels.values()].some((t) => t.state === 'opening'),
      idle: (quietMs) => this.#goIdle(quietMs),
      error: (error) => this.#events.emit('error', error),
    });
    // Paused until the channel is open: the client's first bytes wait in its socket.
    this.#server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.#onLocal(socket));
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof PortForwardEvents>(event: K, listener: (value: PortForwardEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Starts listening; resolves with the bound address. Rejects with a {@link ForwardError} `listen-failed` or `closed`. */
  listen(): Promise<ListenAddress> {
    if (this.#state === 'closed') return Promise.reject(new ForwardError('closed', 'the port forward is closed'));
    if (this.#state === 'listening') return Promise.reject(new ForwardError('bad-option', 'the port forward is listening already'));
    this.#state = 'listening';
    const started = new Promise<ListenAddress>((resolve, reject) => {
      const onError = (error: Error): void => {
        this.#state = 'closed';
        reject(new ForwardError('listen-failed', `could not listen on ${this.#host}:${this.#port}: ${(error as { code?: string }).code ?? error.message}`, { cause: error }));
      };
      this.#server.once('error', onError);
      this.#server.listen({ host: this.#host, port: this.#port }, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (error) => this.#events.emit('error', error));
        const bound = this.#server.address() as AddressInfo;
        this.#address = { host: bound.address, port: bound.port };
        if (this.#state === 'closed') {
          // close() came while the listener started: close() frees the port once it is bound.
          reject(new ForwardError('closed', 'the port forward was closed while it started'));
          return;
        }
        this.#hold?.need();
        this.#events.emit('listening', this.#address);
        resolve(this.#address);
      });
    });
    this.#starting = started;
    return started;
  }

  /** The bound address, once listening. */
  get address(): ListenAddress | undefined {
    return this.#address;
  }

  /** Every tunnel not yet closed, with its counters. */
  tunnels(): TunnelStats[] {
    return [...this.#tunnels.values()].map((t) => t.stats());
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Whether the friend connection is held now (always false without a `hold`). */
  get held(): boolean {
    return this.#hold?.held ?? false;
  }

  /**
   * Stops listening (the port is free at once), resets every tunnel (a TCP reset to each
   * local client, `closed` on the wire to the friend), and resolves once every socket is
   * closed. The manager itself stays open. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#state = 'closed';
    // A listen under way is waited for, so that the port is free when this resolves.
    const serverClosed = (this.#starting ?? Promise.resolve()).catch(() => {}).then(() => new Promise<void>((resolve) => {
      if (!this.#server.listening) resolve();
      else this.#server.close(() => resolve());
    }));
    for (const tunnel of [...this.#tunnels.values()]) {
      tunnel.fail({ code: 'closed', message: 'the port forward was closed' }, formatReason('closed', 'the port forward was closed'));
    }
    this.#hold?.close();
    const tunnelsClosed = this.#tunnels.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#closing = Promise.all([serverClosed, tunnelsClosed]).then(() => {});
    return this.#closing;
  }

  #onLocal(socket: Socket): void {
    if (this.#state === 'closed') {
      socket.on('error', () => {});
      socket.resetAndDestroy();
      return;
    }
    const tunnel = new Tunnel({ id: this.#nextId++, side: 'forward', friendKey: this.friendKey, service: this.service }, this.#clock, {
      joined: (t) => this.#events.emit('tunnel', t.stats()),
      closed: (t, reason) => this.#tunnelClosed(t, reason),
      ...(this.#hold === undefined ? {} : { activity: () => this.#hold!.touch() }),
    });
    this.#tunnels.set(tunnel.id, tunnel);
    tunnel.attachTcp(socket);
    this.#events.emit('connection', tunnel.stats());
    if (this.#tunnels.size > this.config.maxTunnels) {
      const error = new ForwardError('too-many-tunnels', `${this.config.maxTunnels} tunnels are open (maxTunnels)`);
      tunnel.fail({ code: 'too-many-tunnels', message: error.message, cause: error }, '');
      return;
    }
    if (this.#hold?.need() === true) this.#events.emit('wake', tunnel.stats());
    const opening = this.#manager.connectDevice(this.friendKey, this.#uri, {
      signal: tunnel.signal, timeoutMs: this.config.openTimeoutMs, ...(this.#windowBytes === undefined ? {} : { windowBytes: this.#windowBytes }),
    });
    tunnel.openChannel(opening, openFailure);
  }

  /** The idle timeout passed: every tunnel still open goes, then the hold is released. */
  #goIdle(quietMs: number): void {
    const open = [...this.#tunnels.values()];
    const seconds = `${Math.round(quietMs / 1000)} s`;
    for (const tunnel of open) {
      tunnel.fail({ code: 'idle', message: `no traffic for ${seconds}: the friend connection was let go` }, formatReason('idle', `no traffic for ${seconds}`));
    }
    this.#events.emit('idle', { quietMs, tunnels: open.length });
  }

  #tunnelClosed(tunnel: Tunnel, reason: TunnelCloseReason): void {
    this.#tunnels.delete(tunnel.id);
    this.#events.emit('tunnel-closed', { tunnel: tunnel.stats(), reason });
    if (this.#tunnels.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}

/** A rejected `connectDevice`, as a tunnel's close reason. */
function openFailure(error: unknown): OpenFailure {
  const cause = error instanceof Error ? error : new Error(String(error));
  if (isMuxError(error, 'declined')) {
    const remote = error.remoteReason ?? '';
    return { reason: { code: 'declined', message: error.message, remoteReason: remote, remoteCode: parseReason(remote).code, cause }, wireReason: '' };
  }
  return { reason: { code: 'open-failed', message: cause.message, cause }, wireReason: '' };
}
