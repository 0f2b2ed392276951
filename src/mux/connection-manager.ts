/**
 * The channel layer's front door (Jami's ConnectionManager): `connectDevice(friend, uri)`
 * gives a {@link ChannelSocket} to a named service of a friend, bringing the friend
 * connection up through the connector if it is not; `onChannelRequest` decides what the
 * friend may open here, `onConnectionRequest` whether a friend's channel layer is talked to
 * at all. One {@link MuxSession} per friend connection; carriers the friend brought up are
 * attached as they appear.
 *
 * @see spec/mux.md#connectionmanager
 * @see spec/mux.md#opening-a-channel
 * @module
 */
import type { Clock } from '../io/index.ts';
import type { MuxCarrier, MuxConnector } from './carrier.ts';
import type { ChannelSocket } from './channel-socket.ts';
import { muxConfig, type MuxConfig } from './config.ts';
import { decodeControl, encodeControl } from './control.ts';
import { Deadline } from './deadline.ts';
import { MuxError } from './errors.ts';
import { Emitter } from './events.ts';
import { KEY_SIZE, checkKey, keyOf } from './friend-key.ts';
import { CONTROL_CHANNEL, MUX_PACKET_ID, PacketBuilder, decodeMuxPacket } from './frame.ts';
import { MuxSession } from './session.ts';
import type { ChannelEntry, ChannelRefusal, ChannelRequestInfo, ChannelVerdict, SessionHost } from './session-host.ts';
import { MuxStats } from './stats.ts';
import { checkUri } from './text.ts';

/**
 * Decides whether a friend may open a channel: true to accept; false, or a
 * {@link ChannelRefusal} whose reason the friend is told, to decline. May be async.
 */
export type ChannelRequestHandler = (request: ChannelRequestInfo) => ChannelVerdict | Promise<ChannelVerdict>;

/** Decides whether a friend's channel layer is talked to at all: true to accept. May be async. */
export type ConnectionRequestHandler = (friendKey: Uint8Array) => boolean | Promise<boolean>;

/** Options of one `connectDevice`. */
export interface ConnectDeviceOptions {
  /** Give up after this long, bringing the connection up and the answer together (default `connectTimeoutMs`). */
  readonly timeoutMs?: number;
  /** Give up when this fires (the request is withdrawn with RESET if it was sent). */
  readonly signal?: AbortSignal;
  /** This channel's receive window, bytes (default `windowBytes`, at most `maxWindowBytes`). */
  readonly windowBytes?: number;
}

/** The callback form of `connectDevice`: an error, or the socket. */
export type ConnectDeviceCallback = (error: Error | undefined, socket: ChannelSocket | undefined) => void;

/** A friend connection that ended. */
export interface ConnectionClosed {
  readonly friendKey: Uint8Array;
  /** Why: `connection-closed` (the carrier, or the friend's GOAWAY), `refused`, `manager-closed`. */
  readonly error: MuxError;
}

/** The events of a {@link ConnectionManager}. */
export interface ConnectionManagerEvents {
  /** A channel the friend opened and `onChannelRequest` accepted: the socket is ready. */
  channel: ChannelSocket;
  /** A friend's channel layer answered (its VERSION arrived): channels to it cost one round trip. */
  'connection-ready': Uint8Array;
  /** A friend's session ended; its channels failed with the same error. */
  'connection-closed': ConnectionClosed;
  /** A listener of this manager threw (the manager goes on). */
  error: Error;
}

/** What a {@link ConnectionManager} is built from. */
export interface ConnectionManagerOptions {
  /** Our long-term public key (it decides which channel ids are ours). */
  readonly selfKey: Uint8Array;
  /** Finds or brings up friend connections. */
  readonly connector: MuxConnector;
  /** Timeouts run on it. */
  readonly clock: Clock;
  /** Limits and timers; see {@link MuxConfig}. */
  readonly config?: Partial<MuxConfig>;
}

/** Where the manager stands with one carrier. */
interface Attachment {
  readonly carrier: MuxCarrier;
  readonly key: string;
  readonly offs: Array<() => void>;
  session: MuxSession | undefined;
  /** Set while `onConnectionRequest` decides about the friend's session. */
  decision: object | undefined;
  /** Packets that came while deciding. */
  early: Uint8Array[];
}

/** Opens and accepts named channels with friends. See the module comment. */
export class ConnectionManager {
  /** The limits and timers in force. */
  readonly config: MuxConfig;
  /** Drops of every session, all together (each session's traffic is in `session(key).stats`). */
  readonly stats = new MuxStats();
  readonly #selfKey: Uint8Array;
  /** `#selfKey` in hex, as the tables key friends (made once: an open compares with it). */
  readonly #selfHex: string;
  readonly #connector: MuxConnector;
  readonly #clock: Clock;
  readonly #events: Emitter<ConnectionManagerEvents>;
  readonly #host: SessionHost<MuxSession>;
  readonly #attachments = new Map<MuxCarrier, Attachment>();
  readonly #sessions = new Map<string, MuxSession>();
  readonly #bringUps = new Map<string, Promise<MuxSession>>();
  readonly #waiting = new Map<string, number>();
  #closed = false;
  /** The waits under way (opens and bring-ups): closing the manager ends them. */
  readonly #deadlines = new Set<Deadline>();
  readonly #offCarrier: (() => void) | undefined;
  #channelHandler: ChannelRequestHandler | undefined;
  #connectionHandler: ConnectionRequestHandler | undefined;

  constructor(options: ConnectionManagerOptions) {
    this.config = muxConfig(options.config);
    checkKey(options.selfKey);
    this.#selfKey = Uint8Array.from(options.selfKey);
    this.#selfHex = keyOf(this.#selfKey);
    this.#connector = options.connector;
    this.#clock = options.clock;
    this.#events = new Emitter((error) => {
      if (this.#events.has('error')) this.#events.emit('error', error);
      else queueMicrotask(() => { throw error; });
    });
    this.#host = {
      config: this.config,
      clock: this.#clock,
      // No handler, or no one to hand the socket to: declined.
      decide: (request) => (this.#channelHandler === undefined || !this.#events.has('channel') ? false : this.#channelHandler(request)),
      opened: (socket) => this.#events.emit('channel', socket),
      ready: (session) => this.#events.emit('connection-ready', session.friendKey),
      closed: (session, error) => this.#sessionClosed(session, error),
      drop: (reason) => this.stats.drop(reason),
    };
    this.#offCarrier = this.#connector.onCarrier?.((carrier) => {
      this.#attach(carrier);
    });
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ConnectionManagerEvents>(event: K, listener: (value: ConnectionManagerEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Sets who decides on a friend's channel requests (replacing the last one). Without one,
   * or without a `channel` listener to take the socket, every request is declined.
   */
  onChannelRequest(handler: ChannelRequestHandler | undefined): void {
    this.#channelHandler = handler;
  }

  /**
   * Sets who decides whether a friend's channel layer is talked to, when it starts a session
   * with us (replacing the last one). Without one, every friend is.
   */
  onConnectionRequest(handler: ConnectionRequestHandler | undefined): void {
    this.#connectionHandler = handler;
  }

  /**
   * Opens the channel `uri` to the friend: resolves with the socket once the friend
   * accepted. Rejects with a {@link MuxError}: `bad-key`, `bad-uri`, `uri-too-long`,
   * `bad-option`, `too-many-pending`, `too-many-channels`, `declined`, `refused`, `timeout`,
   * `aborted`, `connect-failed`, `connection-closed`, `manager-closed`.
   */
  connectDevice(friendKey: Uint8Array, uri: string, options?: ConnectDeviceOptions): Promise<ChannelSocket>;
  /** The callback form (as Jami's): `callback(error, socket)` once, with one of the two. */
  connectDevice(friendKey: Uint8Array, uri: string, callback: ConnectDeviceCallback): void;
  /** The callback form with options. */
  connectDevice(friendKey: Uint8Array, uri: string, options: ConnectDeviceOptions, callback: ConnectDeviceCallback): void;
  connectDevice(
    friendKey: Uint8Array, uri: string, a?: ConnectDeviceOptions | ConnectDeviceCallback, b?: ConnectDeviceCallback,
  ): Promise<ChannelSocket> | void {
    const callback = typeof a === 'function' ? a : b;
    const options = typeof a === 'function' ? {} : (a ?? {});
    const opened = this.#connect(friendKey, uri, options);
    if (callback === undefined) return opened;
    opened.then((socket) => callback(undefined, socket), (error: unknown) => callback(error as Error, undefined));
  }

  /**
   * Attaches a carrier the friend brought up (the connector's `onCarrier` does it by
   * itself): its packets are listened to from now on. Returns false when the manager is
   * closed, the carrier is closed or `maxConnections` carriers are attached.
   */
  attach(carrier: MuxCarrier): boolean {
    return this.#attach(carrier) !== undefined;
  }

  /** Whether a session with the friend is up and its channel layer has answered. */
  isConnected(friendKey: Uint8Array): boolean {
    const session = this.#sessions.get(keyOf(friendKey));
    return session !== undefined && !session.closed && session.version !== undefined;
  }

  /** The friends with a session, answered or not. */
  connections(): Uint8Array[] {
    return [...this.#sessions.values()].filter((s) => !s.closed).map((s) => Uint8Array.from(s.friendKey));
  }

  /** The channel table with a friend (empty without a session). */
  channelList(friendKey: Uint8Array): ChannelEntry[] {
    return this.#sessions.get(keyOf(friendKey))?.channels() ?? [];
  }

  /** The session with a friend, for its counters; undefined without one. */
  session(friendKey: Uint8Array): MuxSession | undefined {
    return this.#sessions.get(keyOf(friendKey));
  }

  /**
   * Ends the session with a friend: GOAWAY to it, and every channel with it fails with
   * `manager-closed`. The friend connection itself stays; a later `connectDevice` (or the
   * friend) starts a new session.
   */
  closeConnectionsWith(friendKey: Uint8Array, reason = 'closed by the application'): void {
    this.#sessions.get(keyOf(friendKey))?.close(new MuxError('manager-closed', `connections with the friend were closed here: ${reason}`, reason));
  }

  /** Ends every session (GOAWAY to each friend), fails every channel and wait, and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const deadline of [...this.#deadlines]) deadline.abort(new MuxError('manager-closed', 'the connection manager was closed'));
    for (const session of [...this.#sessions.values()]) session.close(new MuxError('manager-closed', 'the connection manager was closed'));
    for (const a of this.#attachments.values()) for (const off of a.offs) off();
    this.#attachments.clear();
    this.#offCarrier?.();
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  // ---- opening ----

  async #connect(friendKey: Uint8Array, uri: string, options: ConnectDeviceOptions): Promise<ChannelSocket> {
    if (this.closed) throw new MuxError('manager-closed', 'the connection manager is closed');
    checkKey(friendKey);
    const key = keyOf(friendKey);
    if (key === this.#selfHex) throw new MuxError('bad-key', 'a channel layer cannot open channels to its own key');
    checkUri(uri, this.config.maxUriBytes);
    const window = options.windowBytes ?? this.config.windowBytes;
    if (!Number.isInteger(window) || window < 4096 || window > this.config.maxWindowBytes) {
      throw new MuxError('bad-option', `windowBytes must be an integer from 4096 to ${this.config.maxWindowBytes}, got ${window}`);
    }
    const timeoutMs = options.timeoutMs ?? this.config.connectTimeoutMs;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw new MuxError('bad-option', `timeoutMs must be above 0, got ${timeoutMs}`);
    const waiting = this.#waiting.get(key) ?? 0;
    if (waiting + (this.#sessions.get(key)?.pendingOpens ?? 0) >= this.config.maxPendingOpens) {
      throw new MuxError('too-many-pending', `${this.config.maxPendingOpens} opens to this friend are waiting already (maxPendingOpens)`);
    }
    const deadline = new Deadline(this.#clock, timeoutMs,
      () => new MuxError('timeout', `no channel "${uri}" from the friend within ${timeoutMs} ms`), options.signal === undefined ? [] : [
        { signal: options.signal, error: () => new MuxError('aborted', `the open of "${uri}" was aborted`) },
      ]);
    this.#deadlines.add(deadline);
    const live = this.#sessions.get(key);
    if (live !== undefined && !live.closed) {
      // The session is up (most opens): straight to the REQUEST, without waiting for it.
      try {
        return await live.open(uri, window, deadline);
      } finally {
        this.#deadlines.delete(deadline);
        deadline.dispose();
      }
    }
    try {
      this.#waiting.set(key, waiting + 1);
      let session: MuxSession;
      try {
        session = await deadline.race(this.#sessionFor(friendKey, key));
      } finally {
        const n = (this.#waiting.get(key) ?? 1) - 1;
        if (n > 0) this.#waiting.set(key, n);
        else this.#waiting.delete(key);
      }
      return await session.open(uri, window, deadline);
    } finally {
      this.#deadlines.delete(deadline);
      deadline.dispose();
    }
  }

  /** The live session with the friend, or the one being brought up, or a new bring-up. */
  #sessionFor(friendKey: Uint8Array, key: string): Promise<MuxSession> {
    const live = this.#sessions.get(key);
    if (live !== undefined && !live.closed) return Promise.resolve(live);
    let pending = this.#bringUps.get(key);
    if (pending === undefined) {
      pending = this.#bringUp(friendKey, key).finally(() => this.#bringUps.delete(key));
      pending.catch(() => {});
      this.#bringUps.set(key, pending);
    }
    return pending;
  }

  async #bringUp(friendKey: Uint8Array, key: string): Promise<MuxSession> {
    const deadline = new Deadline(this.#clock, this.config.connectTimeoutMs,
      () => new MuxError('timeout', `the friend connection did not come up within ${this.config.connectTimeoutMs} ms`), []);
    this.#deadlines.add(deadline);
    try {
      let carrier: MuxCarrier;
      try {
        carrier = await deadline.race(this.#connector.connect(Uint8Array.from(friendKey), { signal: deadline.signal }));
      } catch (error) {
        if (error instanceof MuxError) throw error;
        throw new MuxError('connect-failed', `could not connect to the friend: ${(error as Error)?.message ?? String(error)}`);
      }
      if (this.closed) throw new MuxError('manager-closed', 'the connection manager was closed');
      if (keyOf(carrier.friendKey) !== key) throw new MuxError('connect-failed', 'the connector gave a connection to another friend');
      if (carrier.closed) throw new MuxError('connect-failed', 'the connector gave a closed connection');
      const live = this.#sessions.get(key);
      if (live !== undefined && !live.closed) return live;
      const a = this.#attach(carrier);
      if (a === undefined) throw new MuxError('too-many-connections', `${this.config.maxConnections} friend connections are attached (maxConnections)`);
      return a.session !== undefined && !a.session.closed ? a.session : this.#startSession(a);
    } finally {
      this.#deadlines.delete(deadline);
      deadline.dispose();
    }
  }

  // ---- carriers and sessions ----

  #attach(carrier: MuxCarrier): Attachment | undefined {
    const known = this.#attachments.get(carrier);
    if (known !== undefined) return known;
    if (this.closed || carrier.closed || this.#attachments.size >= this.config.maxConnections) return undefined;
    if (!(carrier.friendKey instanceof Uint8Array) || carrier.friendKey.length !== KEY_SIZE) return undefined;
    if (keyOf(carrier.friendKey) === this.#selfHex) return undefined;
    const a: Attachment = { carrier, key: keyOf(carrier.friendKey), offs: [], session: undefined, decision: undefined, early: [] };
    this.#attachments.set(carrier, a);
    a.offs.push(
      carrier.on('packet', (packet) => this.#onPacket(a, packet)),
      carrier.on('drain', () => a.session?.drained()),
      carrier.on('closed', (reason) => this.#onCarrierClosed(a, reason)),
    );
    return a;
  }

  #onCarrierClosed(a: Attachment, reason: string): void {
    for (const off of a.offs) off();
    if (this.#attachments.get(a.carrier) === a) this.#attachments.delete(a.carrier);
    a.decision = undefined;
    a.early = [];
    a.session?.carrierClosed(reason);
  }

  #onPacket(a: Attachment, packet: Uint8Array): void {
    if (packet[0] !== MUX_PACKET_ID || this.closed) return;
    if (a.decision !== undefined) {
      if (a.early.length >= this.config.maxEarlyPackets) this.stats.drop('early-overflow');
      else a.early.push(packet);
      return;
    }
    if (a.session !== undefined && !a.session.closed) {
      a.session.receive(packet);
      return;
    }
    if (!startsSession(packet)) {
      this.stats.drop('no-session');
      return;
    }
    // The friend starts a session: ask whether to talk to it.
    const decision = {};
    a.decision = decision;
    a.early = [packet];
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.#connectionHandler === undefined ? true : this.#connectionHandler(Uint8Array.from(a.carrier.friendKey));
    } catch {
      verdict = false;
    }
    if (typeof verdict === 'boolean') this.#connectionDecided(a, decision, verdict);
    else Promise.resolve(verdict).then((yes) => this.#connectionDecided(a, decision, yes === true), () => this.#connectionDecided(a, decision, false));
  }

  #connectionDecided(a: Attachment, decision: object, yes: boolean): void {
    if (a.decision !== decision) return;
    const early = a.early;
    a.decision = undefined;
    a.early = [];
    if (this.closed || this.#attachments.get(a.carrier) !== a || a.carrier.closed) return;
    if (!yes) {
      const b = new PacketBuilder();
      b.add(CONTROL_CHANNEL, encodeControl({ type: 'goaway', reason: 'refused' }));
      try {
        a.carrier.send(b.finish());
      } catch {
        // Closing anyway.
      }
      return;
    }
    const session = a.session !== undefined && !a.session.closed ? a.session : this.#startSession(a);
    for (const packet of early) session.receive(packet);
  }

  #startSession(a: Attachment): MuxSession {
    const previous = this.#sessions.get(a.key);
    if (previous !== undefined && !previous.closed && previous.carrier !== a.carrier) {
      previous.close(new MuxError('connection-closed', 'the friend connection was replaced by a new one'));
    }
    const session = new MuxSession(this.#host, a.carrier, this.#selfKey);
    a.session = session;
    this.#sessions.set(a.key, session);
    if (a.decision !== undefined) {
      // Our own open started the session while `onConnectionRequest` was deciding: the
      // friend's first packets go to it now, in order, and the decision is moot.
      const early = a.early;
      a.decision = undefined;
      a.early = [];
      for (const packet of early) session.receive(packet);
    }
    return session;
  }

  #sessionClosed(session: MuxSession, error: MuxError): void {
    const key = keyOf(session.friendKey);
    if (this.#sessions.get(key) === session) this.#sessions.delete(key);
    const a = this.#attachments.get(session.carrier);
    if (a !== undefined && a.session === session) a.session = undefined;
    this.#events.emit('connection-closed', { friendKey: Uint8Array.from(session.friendKey), error });
  }
}

/** Whether a packet starts a session: its first frame is a VERSION on channel 0. */
function startsSession(packet: Uint8Array): boolean {
  try {
    const first = decodeMuxPacket(packet)[0];
    return first !== undefined && first.channel === CONTROL_CHANNEL && decodeControl(first.body).type === 'version';
  } catch {
    return false;
  }
}
