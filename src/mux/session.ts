/**
 * One friend's channels over one carrier (dhtnet's MultiplexedSocket): the control channel,
 * the channel table and each channel's life, credit both ways, and the faces its sockets
 * talk to. It is handed packets and the carrier's drain and close; its
 * {@link FrameSender} hands packets to the carrier. It reads no clock but the one it is
 * given, and sets one timer per pending decision.
 *
 * @see spec/mux.md#sessions
 * @see spec/mux.md#channel-states
 * @see spec/mux.md#flow-control
 * @module
 */
import type { Clock } from '../io/index.ts';
import type { MuxCarrier } from './carrier.ts';
import { MuxChannel, type ChannelPhase } from './channel.ts';
import { ChannelSocket, type ChannelCloseCode } from './channel-socket.ts';
import { SessionPort, type PortOps } from './channel-port.ts';
import { IdAllocator, idParity, isIdOf, type IdParity } from './channel-ids.ts';
import type { MuxConfig } from './config.ts';
import { ChannelState, MUX_VERSION, decodeControl, encodeControl, type ChannelMessage, type ControlMessage } from './control.ts';
import { MuxError } from './errors.ts';
import { CONTROL_CHANNEL, FRAME_HEADER_SIZE, MUX_PACKET_ID, PacketBuilder, RESERVED_CHANNEL, isMuxPacket } from './frame.ts';
import { FrameSender } from './sender.ts';
import { MuxStats, type MuxDropReason } from './stats.ts';
import { clipUtf8, utf8Length } from './text.ts';

const RESOLVED = Promise.resolve();

/** A friend's request for a channel, as `onChannelRequest` handlers see it. */
export interface ChannelRequestInfo {
  /** The friend's long-term public key. */
  readonly friendKey: Uint8Array;
  /** The name it asks for. */
  readonly uri: string;
  /** The id it chose. */
  readonly channelId: number;
}

/** A refusal with the reason the friend is told in its DECLINE (cut to `maxReasonBytes`). */
export interface ChannelRefusal {
  readonly reason: string;
}

/** An `onChannelRequest` answer: true accepts; false, or a {@link ChannelRefusal} with a reason, declines. */
export type ChannelVerdict = boolean | ChannelRefusal;

/**
 * What an open waits within: a way to hear the wait end, cheaper than an AbortSignal (an
 * AbortController, and a listener on its signal, cost microseconds per open). A `Deadline`
 * is one; `open` takes an AbortSignal as well.
 */
export interface OpenScope {
  /** The error the wait ended with, once it has; undefined while it goes on. */
  readonly reason: Error | undefined;
  /** Calls `listener` once when the wait ends; returns the function that stops it. */
  onAbort(listener: () => void): () => void;
}

/** An AbortSignal as an {@link OpenScope}. */
function signalScope(signal: AbortSignal): OpenScope {
  return {
    get reason() {
      return signal.aborted ? (signal.reason as Error) : undefined;
    },
    onAbort(listener) {
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
}

/** A channel in the table, for status displays. */
export interface ChannelEntry {
  readonly channelId: number;
  readonly uri: string;
  /** Whether we opened it. */
  readonly initiator: boolean;
  readonly phase: ChannelPhase;
}

/** What a session needs of its manager. Internal: the manager builds it. */
export interface SessionHost {
  readonly config: MuxConfig;
  readonly clock: Clock;
  /** Asks the user whether to accept; may throw or reject. */
  decide(request: ChannelRequestInfo): ChannelVerdict | Promise<ChannelVerdict>;
  /** A channel the friend asked for is open. */
  opened(socket: ChannelSocket): void;
  /** The friend's VERSION arrived. */
  ready(session: MuxSession): void;
  /** The session ended (once); `error` says why. */
  closed(session: MuxSession, error: MuxError): void;
  /** Counts a drop (the manager's totals). */
  drop(reason: MuxDropReason): void;
}

/** The channels with one friend over one carrier. Made by the `ConnectionManager`. */
export class MuxSession {
  /** The carrier it speaks over. */
  readonly carrier: MuxCarrier;
  /** The friend's long-term public key. */
  readonly friendKey: Uint8Array;
  /** The ids we open channels with. */
  readonly parity: IdParity;
  /** Counters of this session. */
  readonly stats = new MuxStats();
  readonly #host: SessionHost;
  readonly #config: MuxConfig;
  readonly #channels = new Map<number, MuxChannel>();
  readonly #ids: IdAllocator;
  readonly #peerParity: IdParity;
  readonly #out: FrameSender;
  #peerVersion: number | undefined;
  #closed = false;
  #requesting = 0;
  #deciding = 0;
  /** Channels whose received bytes wait for a pump to their sockets. */
  #pumps: MuxChannel[] = [];

  /** @internal Made by the manager; sends VERSION at once. */
  constructor(host: SessionHost, carrier: MuxCarrier, selfKey: Uint8Array) {
    this.#host = host;
    this.#config = host.config;
    this.carrier = carrier;
    this.friendKey = Uint8Array.from(carrier.friendKey);
    this.parity = idParity(selfKey, this.friendKey);
    this.#peerParity = this.parity === 'odd' ? 'even' : 'odd';
    this.#ids = new IdAllocator(this.parity);
    const session = this;
    this.#out = new FrameSender({
      get closed() {
        return session.#closed;
      },
      autoWindowBytes: this.#config.autoWindowBytes,
      send: (packet) => carrier.send(packet),
      failed: (error) => this.carrierClosed(`sending failed: ${(error as Error)?.message ?? String(error)}`),
      finished: (ch) => this.#forget(ch),
      counted: (packets, bytes) => {
        this.stats.packetsSent += packets;
        this.stats.bytesSent += bytes;
      },
    });
    this.#out.control({ type: 'version', version: MUX_VERSION });
    this.#out.flush();
  }

  /** Whether the session ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The version both speak, once the friend's VERSION arrived. */
  get version(): number | undefined {
    return this.#peerVersion === undefined ? undefined : Math.min(MUX_VERSION, this.#peerVersion);
  }

  /** Channels in the table (any phase). */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Our opens waiting for an answer. */
  get pendingOpens(): number {
    return this.#requesting;
  }

  /** The table, for status displays. */
  channels(): ChannelEntry[] {
    return [...this.#channels.values()].map((c) => ({ channelId: c.id, uri: c.uri, initiator: c.local, phase: c.phase }));
  }

  // ---- opening ----

  /**
   * Sends REQUEST for `uri` and resolves with the socket on ACCEPT. Rejects with a
   * {@link MuxError} (`declined`, `too-many-channels`, `too-many-pending`, `no-free-id`,
   * `connection-closed`, …) or with the wait's reason when `within` (an AbortSignal or an
   * {@link OpenScope}) ends it first (then the request is withdrawn with RESET).
   */
  open(uri: string, window: number, within: AbortSignal | OpenScope): Promise<ChannelSocket> {
    const scope = within instanceof AbortSignal ? signalScope(within) : within;
    if (this.#closed) return Promise.reject(new MuxError('connection-closed', 'the connection to the friend is closed'));
    if (scope.reason !== undefined) return Promise.reject(scope.reason);
    if (this.#channels.size >= this.#config.maxChannels) {
      return Promise.reject(new MuxError('too-many-channels', `${this.#config.maxChannels} channels with this friend already (maxChannels)`));
    }
    if (this.#requesting >= this.#config.maxPendingOpens) {
      return Promise.reject(new MuxError('too-many-pending', `${this.#config.maxPendingOpens} opens to this friend wait for an answer (maxPendingOpens)`));
    }
    const id = this.#ids.take((n) => this.#channels.has(n));
    if (id === undefined) return Promise.reject(new MuxError('no-free-id', 'every channel id of ours is in use'));
    const ch = new MuxChannel(id, uri, true, window, 'requesting');
    this.#channels.set(id, ch);
    this.#requesting++;
    this.#out.control({ type: 'channel', channel: id, state: ChannelState.REQUEST, name: uri, window });
    return new Promise<ChannelSocket>((resolve, reject) => {
      ch.opened = { resolve, reject };
      ch.cleanup = scope.onAbort(() => this.#withdraw(ch, scope.reason!));
      this.#out.schedule();
    });
  }

  #withdraw(ch: MuxChannel, error: Error): void {
    if (ch.phase !== 'requesting' || this.#closed) return;
    this.#settleOpen(ch);
    ch.phase = 'withdrawn';
    this.#out.control({ type: 'channel', channel: ch.id, state: ChannelState.RESET, reason: clipUtf8(`withdrawn: ${error.message}`, this.#config.maxReasonBytes) });
    ch.opened?.reject(error);
    ch.opened = undefined;
    this.#out.schedule();
  }

  /** Ends the wait of one of our opens: counters and listeners. */
  #settleOpen(ch: MuxChannel): void {
    this.#requesting--;
    ch.cleanup?.();
    ch.cleanup = undefined;
  }

  // ---- receiving ----

  /** A packet from the carrier. Never throws: what does not parse is dropped and counted. */
  receive(packet: Uint8Array): void {
    if (this.#closed || packet[0] !== MUX_PACKET_ID) return;
    this.stats.packetsReceived++;
    // Checked whole first (a malformed packet is refused whole), then walked in place.
    if (!isMuxPacket(packet)) {
      this.#drop('malformed-packet');
      return;
    }
    for (let at = 1; at < packet.length;) {
      if (this.#closed) return;
      const length = (packet[at]! << 8) | packet[at + 1]!;
      const channel = (packet[at + 2]! << 8) | packet[at + 3]!;
      const start = at + FRAME_HEADER_SIZE;
      at = start + length;
      if (channel === CONTROL_CHANNEL) this.#onControl(packet.subarray(start, at));
      else if (channel === RESERVED_CHANNEL) this.#drop('reserved-channel');
      else this.#onData(channel, packet.subarray(start, at));
    }
    this.#out.flush();
  }

  /** The carrier takes packets again. */
  drained(): void {
    this.#out.drained();
  }

  #onControl(body: Uint8Array): void {
    let message: ControlMessage;
    try {
      message = decodeControl(body);
    } catch {
      this.#drop('bad-control');
      return;
    }
    if (message.type === 'goaway') {
      const refused = this.#peerVersion === undefined;
      this.#end(
        new MuxError(refused ? 'refused' : 'connection-closed', refused
          ? `the friend's channel layer refused the connection: ${message.reason}`
          : `the friend's channel layer closed the connection: ${message.reason}`, message.reason),
        'connection-closed',
      );
      return;
    }
    if (message.type === 'version') {
      if (this.#peerVersion !== undefined) return this.#drop('repeated-version');
      this.#peerVersion = message.version;
      this.#host.ready(this);
      return;
    }
    if (this.#peerVersion === undefined) return this.#drop('before-version');
    switch (message.type) {
      case 'channel':
        switch (message.state) {
          case ChannelState.REQUEST: return this.#onRequest(message);
          case ChannelState.ACCEPT: return this.#onAccept(message);
          case ChannelState.RESET: return this.#onReset(message);
          default: return this.#onDecline(message);
        }
      case 'credit': return this.#onCredit(message.channel, message.credit, message.window);
      case 'unknown': return this.#drop('unknown-control');
    }
  }

  #onRequest(m: ChannelMessage): void {
    const id = m.channel;
    const name = m.name ?? '';
    const window = m.window ?? 0;
    if (this.#out.controlBacklog >= this.#config.maxControlBacklog) return this.#drop('control-backlog');
    const decline = (reason: string): void => {
      this.#out.control({ type: 'channel', channel: id, state: ChannelState.DECLINE, reason });
    };
    if (!isIdOf(this.#peerParity, id)) {
      this.#drop('bad-request');
      if (id !== CONTROL_CHANNEL && id !== RESERVED_CHANNEL) decline('the id is not one the requester may choose');
      return;
    }
    if (this.#channels.has(id)) {
      this.#drop('bad-request');
      return decline('the id is in use');
    }
    if (name.length === 0 || utf8Length(name) > this.#config.maxUriBytes) {
      this.#drop('bad-request');
      return decline(`the name must be 1 to ${this.#config.maxUriBytes} UTF-8 bytes`);
    }
    if (this.#channels.size >= this.#config.maxChannels) return decline('too many channels');
    if (this.#deciding >= this.#config.maxPendingAccepts) return decline('too many requests waiting');
    const ch = new MuxChannel(id, name, false, this.#config.windowBytes, 'deciding');
    ch.peerWindow = window;
    ch.credit = window;
    this.#channels.set(id, ch);
    this.#deciding++;
    let verdict: ChannelVerdict | Promise<ChannelVerdict>;
    try {
      verdict = this.#host.decide({ friendKey: this.friendKey, uri: name, channelId: id });
    } catch {
      return this.#decided(ch, false, 'the request handler failed');
    }
    const thenable = typeof verdict === 'object' && verdict !== null && typeof (verdict as Partial<PromiseLike<unknown>>).then === 'function';
    if (!thenable) return this.#answered(ch, verdict);
    // Only a handler that answers later needs a timer (most answer at once).
    if (ch.phase !== 'deciding') return;
    const timer = this.#host.clock.setTimer(this.#config.acceptTimeoutMs, () => {
      this.#decided(ch, false, 'no decision in time');
      this.#out.flush();
    });
    ch.cleanup = () => timer.cancel();
    Promise.resolve(verdict).then(
      (answer) => {
        this.#answered(ch, answer);
        this.#out.flush();
      },
      () => {
        this.#decided(ch, false, 'the request handler failed');
        this.#out.flush();
      },
    );
  }

  /** A handler's verdict: true accepts; a refusal's reason, or `refused`, goes with a DECLINE. */
  #answered(ch: MuxChannel, verdict: unknown): void {
    if (verdict === true) return this.#decided(ch, true, '');
    const reason = typeof verdict === 'object' && verdict !== null ? (verdict as Partial<ChannelRefusal>).reason : undefined;
    this.#decided(ch, false, typeof reason === 'string' && reason.length > 0 ? clipUtf8(reason, this.#config.maxReasonBytes) : 'refused');
  }

  /** The user's answer to a friend's request (once; later answers do nothing). */
  #decided(ch: MuxChannel, yes: boolean, reason: string): void {
    if (ch.phase !== 'deciding' || this.#closed) return;
    this.#deciding--;
    ch.cleanup?.();
    ch.cleanup = undefined;
    if (!yes) {
      this.#forget(ch);
      this.#out.control({ type: 'channel', channel: ch.id, state: ChannelState.DECLINE, reason });
      return;
    }
    ch.phase = 'open';
    this.#out.control({ type: 'channel', channel: ch.id, state: ChannelState.ACCEPT, window: ch.window });
    const socket = this.#socketFor(ch);
    this.#host.opened(socket);
  }

  #onAccept(m: ChannelMessage): void {
    const ch = this.#channels.get(m.channel);
    if (ch === undefined || !ch.local) return this.#drop('unexpected-answer');
    if (ch.phase === 'withdrawn') return this.#forget(ch);
    if (ch.phase !== 'requesting') return this.#drop('unexpected-answer');
    this.#settleOpen(ch);
    ch.phase = 'open';
    ch.peerWindow = m.window ?? 0;
    ch.credit = ch.peerWindow;
    const socket = this.#socketFor(ch);
    const opened = ch.opened;
    ch.opened = undefined;
    opened?.resolve(socket);
  }

  #onDecline(m: ChannelMessage): void {
    const known = m.state === ChannelState.DECLINE;
    const ch = this.#channels.get(m.channel);
    if (ch === undefined || !ch.local || (ch.phase !== 'requesting' && ch.phase !== 'withdrawn')) {
      return this.#drop(known ? 'unexpected-answer' : 'unknown-state');
    }
    const reason = m.reason ?? (known ? 'declined' : `answered with state ${m.state}`);
    if (ch.phase === 'requesting') {
      this.#settleOpen(ch);
      const opened = ch.opened;
      ch.opened = undefined;
      opened?.reject(new MuxError('declined', `the friend declined the channel "${ch.uri}": ${reason}`, reason));
    }
    this.#forget(ch);
  }

  #onReset(m: ChannelMessage): void {
    const ch = this.#channels.get(m.channel);
    if (ch === undefined) return this.#drop('unknown-channel');
    const reason = m.reason ?? 'reset';
    switch (ch.phase) {
      case 'requesting':
      case 'withdrawn':
        return this.#drop('stale-frame');
      case 'deciding':
        // The friend withdrew its request: every REQUEST gets exactly one answer.
        this.#deciding--;
        this.#forget(ch);
        this.#out.control({ type: 'channel', channel: ch.id, state: ChannelState.DECLINE, reason: 'withdrawn' });
        return;
      case 'open':
        ch.sendEnded = true;
        ch.receiveEnded = true;
        this.#forget(ch);
        this.#failSend(ch, new MuxError('reset', `the friend reset the channel "${ch.uri}": ${reason}`, reason));
        ch.queue.clear();
        ch.socket?.abort({ code: 'reset', message: `reset by the friend: ${reason}` },
          new MuxError('reset', `the friend reset the channel "${ch.uri}": ${reason}`, reason));
        return;
      case 'done':
        return;
    }
  }

  #onCredit(id: number, credit: number, window: number | undefined): void {
    const ch = this.#channels.get(id);
    if (ch === undefined) return this.#drop('unknown-channel');
    if (ch.phase !== 'open') return this.#drop('stale-frame');
    if (ch.sendEnded) return;
    if (window !== undefined && window > ch.peerWindow) ch.peerWindow = window;
    let total = ch.credit + credit;
    if (total > ch.peerWindow) {
      this.#drop('credit-overflow');
      total = ch.peerWindow;
    }
    ch.credit = total;
    this.#out.ready(ch);
  }

  #onData(id: number, body: Uint8Array): void {
    const ch = this.#channels.get(id);
    if (ch === undefined) return this.#drop('unknown-channel');
    if (ch.phase === 'requesting' || ch.phase === 'withdrawn') return this.#drop('stale-frame');
    if (ch.phase === 'deciding') return this.#drop('data-before-accept');
    if (ch.receiveEnded) return this.#drop('data-after-eof');
    if (body.length === 0) {
      ch.receiveEnded = true;
      ch.eofReceived = true;
      if (ch.finished) this.#forget(ch);
      this.#pump(ch);
      return;
    }
    if (ch.received + body.length > ch.advertised) {
      this.#drop('window-exceeded');
      return this.#violation(ch, `sent ${ch.received + body.length - ch.advertised} bytes beyond its credit`);
    }
    ch.arrived(body.length);
    this.stats.bytesReceived += body.length;
    ch.queue.append(body);
    if (ch.wantRead) this.#pumpSoon(ch);
  }

  /**
   * Pumps `ch` once the carrier's current batch is handed over: frames that arrive
   * together reach the reader as one chunk, not one stream push per frame (which cost more
   * than the frame's bytes). One promise job per session for all its channels
   * (`queueMicrotask` would make an async resource for each).
   */
  #pumpSoon(ch: MuxChannel): void {
    if (ch.pumpQueued) return;
    ch.pumpQueued = true;
    this.#pumps.push(ch);
    if (this.#pumps.length === 1) void RESOLVED.then(this.#runPumps);
  }

  readonly #runPumps = (): void => {
    const list = this.#pumps;
    this.#pumps = [];
    for (const ch of list) {
      ch.pumpQueued = false;
      this.#pump(ch);
    }
  };

  /** The friend broke the rules on one channel: RESET it and fail the socket. */
  #violation(ch: MuxChannel, what: string): void {
    const message = `the friend broke the protocol on the channel "${ch.uri}": ${what}`;
    this.#out.control({ type: 'channel', channel: ch.id, state: ChannelState.RESET, reason: clipUtf8(`protocol error: ${what}`, this.#config.maxReasonBytes) });
    ch.sendEnded = true;
    ch.receiveEnded = true;
    this.#forget(ch);
    const error = new MuxError('protocol-error', message);
    this.#failSend(ch, error);
    ch.queue.clear();
    ch.socket?.abort({ code: 'protocol-error', message }, error);
  }

  // ---- the socket's side ----

  /** What every socket of this session asks of it, made once per session (see {@link SessionPort}). */
  readonly #ops: PortOps = {
    write: (ch, chunk, done) => {
      if (ch.phase !== 'open' || ch.sendEnded || this.#closed) {
        this.#out.later(() => done(new MuxError('connection-closed', 'the channel is closed')));
        return;
      }
      ch.chunk = chunk;
      ch.chunkAt = 0;
      ch.chunkDone = done;
      this.#out.ready(ch);
      this.#out.schedule();
    },
    end: (ch, done) => {
      if (ch.phase !== 'open' || ch.sendEnded || this.#closed) {
        this.#out.later(() => done(ch.sendEnded ? null : new MuxError('connection-closed', 'the channel is closed')));
        return;
      }
      ch.endWanted = true;
      ch.endDone = done;
      this.#out.ready(ch);
      this.#out.schedule();
    },
    read: (ch) => {
      ch.wantRead = true;
      this.#pump(ch);
    },
    reset: (ch, error) => this.#resetHere(ch, error),
  };

  #socketFor(ch: MuxChannel): ChannelSocket {
    const socket = new ChannelSocket(new SessionPort(this.#ops, ch), { friendKey: this.friendKey, uri: ch.uri, channelId: ch.id, initiator: ch.local }, {
      readable: this.#config.readableHighWaterMark, writable: this.#config.writableHighWaterMark,
    });
    ch.socket = socket;
    return socket;
  }

  /** Hands queued bytes to the socket while it wants them; then EOF if the friend sent it. */
  #pump(ch: MuxChannel): void {
    const socket = ch.socket;
    if (socket === undefined || socket.destroyed) return;
    while (ch.wantRead) {
      const chunk = ch.queue.take();
      if (chunk === undefined) break;
      ch.consumed += chunk.length;
      if (ch.creditOwed > 0) this.#out.creditDue(ch);
      if (!socket.push(chunk)) ch.wantRead = false;
      if (socket.destroyed) return;
    }
    if (ch.eofReceived && !ch.endPushed && ch.queue.bytes === 0 && !socket.destroyed) {
      ch.endPushed = true;
      socket.push(null);
    }
  }

  /** `destroy()` on the socket: RESET if the channel is still open on the wire. */
  #resetHere(ch: MuxChannel, error: Error | null): void {
    this.#failSend(ch, error ?? new MuxError('connection-closed', 'the channel was destroyed'));
    ch.queue.clear();
    ch.wantRead = false;
    if (this.#closed || this.#channels.get(ch.id) !== ch || ch.phase !== 'open') return;
    if (!ch.finished) {
      const reason = error === null ? 'destroyed' : error.message || error.name;
      this.#out.control({ type: 'channel', channel: ch.id, state: ChannelState.RESET, reason: clipUtf8(reason, this.#config.maxReasonBytes) });
    }
    ch.sendEnded = true;
    ch.receiveEnded = true;
    this.#forget(ch);
    this.#out.schedule();
  }

  /** Fails what waits to be sent on `ch` (after the current step). */
  #failSend(ch: MuxChannel, error: Error): void {
    for (const done of ch.discardSend()) this.#out.later(() => done(error));
  }

  /** Takes `ch` out of the table: its id is free. */
  #forget(ch: MuxChannel): void {
    if (this.#channels.get(ch.id) === ch) this.#channels.delete(ch.id);
    ch.phase = 'done';
    ch.cleanup?.();
    ch.cleanup = undefined;
  }

  // ---- ending ----

  /** The carrier closed: every channel fails with `connection-closed`. */
  carrierClosed(reason: string): void {
    this.#end(new MuxError('connection-closed', `the connection to the friend closed (${reason})`, undefined), 'connection-closed');
  }

  /** Ends the session here: GOAWAY to the friend (if the carrier takes it), every channel fails with `error`. */
  close(error: MuxError): void {
    if (this.#closed) return;
    if (!this.carrier.closed) {
      const b = new PacketBuilder();
      b.add(CONTROL_CHANNEL, encodeControl({ type: 'goaway', reason: clipUtf8(error.message, this.#config.maxReasonBytes) }));
      try {
        this.carrier.send(b.finish());
      } catch {
        // The carrier is going away as well: nothing to tell.
      }
    }
    this.#end(error, 'manager-closed');
  }

  #end(error: MuxError, code: ChannelCloseCode): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const ch of this.#channels.values()) {
      const phase = ch.phase;
      ch.phase = 'done';
      ch.cleanup?.();
      ch.cleanup = undefined;
      if (phase === 'requesting') {
        const opened = ch.opened;
        ch.opened = undefined;
        opened?.reject(error);
      } else if (phase === 'open') {
        for (const done of ch.discardSend()) this.#out.later(() => done(error));
        ch.queue.clear();
        ch.socket?.abort({ code, message: error.message }, error);
      }
    }
    this.#channels.clear();
    this.#out.clear();
    this.#requesting = 0;
    this.#deciding = 0;
    this.#out.runCompletions();
    this.#host.closed(this, error);
  }

  #drop(reason: MuxDropReason): void {
    this.stats.drop(reason);
    this.#host.drop(reason);
  }
}
