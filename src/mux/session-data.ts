/**
 * A session's data path: the friend's data and EOF frames into each channel's receive
 * queue, the queue to the channel's socket once the carrier's batch is over, credit back
 * as the reader takes bytes, and what the sockets ask of the session (write, end, read,
 * reset) through their port.
 *
 * @see spec/mux.md#flow-control
 * @see spec/mux.md#channelsocket
 * @module
 */
import type { MuxChannel } from './channel.ts';
import { SessionPort, type PortOps } from './channel-port.ts';
import { ChannelSocket } from './channel-socket.ts';
import { ChannelState } from './control.ts';
import { MuxError } from './errors.ts';
import type { SessionCore } from './session-core.ts';
import { clipUtf8 } from './text.ts';

const RESOLVED = Promise.resolve();

/** One session's data path. Internal to the session's files. */
export class DataPath {
  readonly #core: SessionCore;
  /** Channels whose received bytes wait for a pump to their sockets. */
  #pumps: MuxChannel[] = [];

  constructor(core: SessionCore) {
    this.#core = core;
  }

  /** A data frame: `length` bytes of `packet` from `start` (offsets, not a view: a view per frame costs more than its copy). */
  onData(id: number, packet: Uint8Array, start: number, length: number): void {
    const core = this.#core;
    const ch = core.channels.get(id);
    if (ch === undefined) return core.drop('unknown-channel');
    if (ch.phase === 'requesting' || ch.phase === 'withdrawn') return core.drop('stale-frame');
    if (ch.phase === 'deciding') return core.drop('data-before-accept');
    if (ch.receiveEnded) return core.drop('data-after-eof');
    if (length === 0) {
      ch.receiveEnded = true;
      ch.eofReceived = true;
      if (ch.finished) core.forget(ch);
      this.pump(ch);
      return;
    }
    if (ch.received + length > ch.advertised) {
      core.drop('window-exceeded');
      return this.violation(ch, `sent ${ch.received + length - ch.advertised} bytes beyond its credit`);
    }
    ch.arrived(length);
    core.stats.bytesReceived += length;
    ch.queue.append(packet, start, length);
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
      this.pump(ch);
    }
  };

  /** Hands queued bytes to the socket while it wants them; then EOF if the friend sent it. */
  pump(ch: MuxChannel): void {
    const socket = ch.socket;
    if (socket === undefined || socket.destroyed) return;
    const out = this.#core.out;
    while (ch.wantRead) {
      const chunk = ch.queue.take();
      if (chunk === undefined) break;
      ch.consumed += chunk.length;
      if (ch.creditOwed > 0) out.creditDue(ch);
      if (!socket.push(chunk)) ch.wantRead = false;
      if (socket.destroyed) return;
    }
    if (ch.eofReceived && !ch.endPushed && ch.queue.bytes === 0 && !socket.destroyed) {
      ch.endPushed = true;
      socket.push(null);
    }
  }

  /** The friend broke the rules on one channel: RESET it and fail the socket. */
  violation(ch: MuxChannel, what: string): void {
    const core = this.#core;
    const message = `the friend broke the protocol on the channel "${ch.uri}": ${what}`;
    core.control({ type: 'channel', channel: ch.id, state: ChannelState.RESET, reason: clipUtf8(`protocol error: ${what}`, core.config.maxReasonBytes) });
    ch.sendEnded = true;
    ch.receiveEnded = true;
    core.forget(ch);
    const error = new MuxError('protocol-error', message);
    core.failSend(ch, error);
    ch.queue.clear();
    ch.socket?.abort({ code: 'protocol-error', message }, error);
  }

  // ---- the socket's side ----

  /** What every socket of this session asks of it, made once per session (see {@link SessionPort}). */
  readonly #ops: PortOps = {
    write: (ch, chunk, done) => {
      const out = this.#core.out;
      if (ch.phase !== 'open' || ch.sendEnded || this.#core.closed) {
        out.later(() => done(new MuxError('connection-closed', 'the channel is closed')));
        return;
      }
      ch.chunk = chunk;
      ch.chunkAt = 0;
      ch.chunkDone = done;
      out.ready(ch);
      out.schedule();
    },
    end: (ch, done) => {
      const out = this.#core.out;
      if (ch.phase !== 'open' || ch.sendEnded || this.#core.closed) {
        out.later(() => done(ch.sendEnded ? null : new MuxError('connection-closed', 'the channel is closed')));
        return;
      }
      ch.endWanted = true;
      ch.endDone = done;
      out.ready(ch);
      out.schedule();
    },
    read: (ch) => {
      ch.wantRead = true;
      this.pump(ch);
    },
    reset: (ch, error) => this.#resetHere(ch, error),
  };

  /** The socket of a channel that just opened. */
  socketFor(ch: MuxChannel): ChannelSocket {
    const core = this.#core;
    const socket = new ChannelSocket(new SessionPort(this.#ops, ch), { friendKey: core.friendKey, uri: ch.uri, channelId: ch.id, initiator: ch.local }, {
      readable: core.config.readableHighWaterMark, writable: core.config.writableHighWaterMark,
    });
    ch.socket = socket;
    return socket;
  }

  /** `destroy()` on the socket: RESET if the channel is still open on the wire. */
  #resetHere(ch: MuxChannel, error: Error | null): void {
    const core = this.#core;
    core.failSend(ch, error ?? new MuxError('connection-closed', 'the channel was destroyed'));
    ch.queue.clear();
    ch.wantRead = false;
    if (core.closed || core.channels.get(ch.id) !== ch || ch.phase !== 'open') return;
    if (!ch.finished) {
      const reason = error === null ? 'destroyed' : error.message || error.name;
      core.control({ type: 'channel', channel: ch.id, state: ChannelState.RESET, reason: clipUtf8(reason, core.config.maxReasonBytes) });
    }
    ch.sendEnded = true;
    ch.receiveEnded = true;
    core.forget(ch);
    core.out.schedule();
  }
}
