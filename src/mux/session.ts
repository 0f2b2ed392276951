/**
 * One friend's channels over one carrier (dhtnet's MultiplexedSocket): the face the
 * manager holds. It is handed packets and the carrier's drain and close, opens our
 * channels, and ends. What it shares with its parts is in {@link SessionCore}; the
 * friend's control messages go to its {@link ControlPath}, data frames to its
 * {@link DataPath}; its {@link FrameSender} hands packets to the carrier. It reads no clock
 * but the one it is given, and sets one timer per pending decision.
 *
 * @see spec/mux.md#sessions
 * @see spec/mux.md#channel-states
 * @module
 */
import type { MuxCarrier } from './carrier.ts';
import { MuxChannel } from './channel.ts';
import type { ChannelCloseCode, ChannelSocket } from './channel-socket.ts';
import type { IdParity } from './channel-ids.ts';
import { ChannelState, MUX_VERSION, encodeControl } from './control.ts';
import { MuxError } from './errors.ts';
import { CONTROL_CHANNEL, FRAME_HEADER_SIZE, MUX_PACKET_ID, PacketBuilder, RESERVED_CHANNEL, isMuxPacket } from './frame.ts';
import type { FrameSender } from './sender.ts';
import { ControlPath } from './session-control.ts';
import { SessionCore } from './session-core.ts';
import { DataPath } from './session-data.ts';
import { signalScope, type ChannelEntry, type OpenScope, type SessionHost } from './session-host.ts';
import type { MuxStats } from './stats.ts';
import { clipUtf8 } from './text.ts';

/** Kept for the files that import these from here (port forwarding's exposer). */
export type { ChannelRequestInfo, ChannelVerdict } from './session-host.ts';

/** The channels with one friend over one carrier. Made by the `ConnectionManager`. */
export class MuxSession {
  /** The carrier it speaks over. */
  readonly carrier: MuxCarrier;
  /** The friend's long-term public key. */
  readonly friendKey: Uint8Array;
  /** The ids we open channels with. */
  readonly parity: IdParity;
  /** Counters of this session. */
  readonly stats: MuxStats;
  readonly #core: SessionCore;
  readonly #out: FrameSender;
  readonly #data: DataPath;
  readonly #control: ControlPath;

  /** @internal Made by the manager; sends VERSION at once. */
  constructor(host: SessionHost<MuxSession>, carrier: MuxCarrier, selfKey: Uint8Array) {
    const core = new SessionCore(host, carrier, selfKey, (reason) => this.carrierClosed(reason));
    this.#core = core;
    this.#out = core.out;
    this.carrier = carrier;
    this.friendKey = core.friendKey;
    this.parity = core.parity;
    this.stats = core.stats;
    this.#data = new DataPath(core);
    this.#control = new ControlPath(core, this.#data, {
      ready: () => host.ready(this),
      end: (error, code) => this.#end(error, code),
    });
    this.#out.control({ type: 'version', version: MUX_VERSION });
    this.#out.flush();
  }

  /** Whether the session ended. */
  get closed(): boolean {
    return this.#core.closed;
  }

  /** The version both speak, once the friend's VERSION arrived. */
  get version(): number | undefined {
    const peer = this.#core.peerVersion;
    return peer === undefined ? undefined : Math.min(MUX_VERSION, peer);
  }

  /** Channels in the table (any phase). */
  get channelCount(): number {
    return this.#core.channels.size;
  }

  /** Our opens waiting for an answer. */
  get pendingOpens(): number {
    return this.#core.requesting;
  }

  /** The table, for status displays. */
  channels(): ChannelEntry[] {
    return [...this.#core.channels.values()].map((c) => ({ channelId: c.id, uri: c.uri, initiator: c.local, phase: c.phase }));
  }

  // ---- opening ----

  /**
   * Sends REQUEST for `uri` and resolves with the socket on ACCEPT. Rejects with a
   * {@link MuxError} (`declined`, `too-many-channels`, `too-many-pending`, `no-free-id`,
   * `connection-closed`, …) or with the wait's reason when `within` (an AbortSignal or an
   * {@link OpenScope}) ends it first (then the request is withdrawn with RESET).
   */
  open(uri: string, window: number, within: AbortSignal | OpenScope): Promise<ChannelSocket> {
    const core = this.#core;
    const config = core.config;
    const scope = within instanceof AbortSignal ? signalScope(within) : within;
    if (core.closed) return Promise.reject(new MuxError('connection-closed', 'the connection to the friend is closed'));
    if (scope.reason !== undefined) return Promise.reject(scope.reason);
    if (core.channels.size >= config.maxChannels) {
      return Promise.reject(new MuxError('too-many-channels', `${config.maxChannels} channels with this friend already (maxChannels)`));
    }
    if (core.requesting >= config.maxPendingOpens) {
      return Promise.reject(new MuxError('too-many-pending', `${config.maxPendingOpens} opens to this friend wait for an answer (maxPendingOpens)`));
    }
    const id = core.ids.take((n) => core.channels.has(n));
    if (id === undefined) return Promise.reject(new MuxError('no-free-id', 'every channel id of ours is in use'));
    const ch = new MuxChannel(id, uri, true, window, 'requesting');
    core.channels.set(id, ch);
    core.requesting++;
    core.control({ type: 'channel', channel: id, state: ChannelState.REQUEST, name: uri, window });
    return new Promise<ChannelSocket>((resolve, reject) => {
      ch.opened = { resolve, reject };
      ch.cleanup = scope.onAbort(() => this.#withdraw(ch, scope.reason!));
      this.#out.schedule();
    });
  }

  #withdraw(ch: MuxChannel, error: Error): void {
    const core = this.#core;
    if (ch.phase !== 'requesting' || core.closed) return;
    core.settleOpen(ch);
    ch.phase = 'withdrawn';
    core.control({ type: 'channel', channel: ch.id, state: ChannelState.RESET, reason: clipUtf8(`withdrawn: ${error.message}`, core.config.maxReasonBytes) });
    ch.opened?.reject(error);
    ch.opened = undefined;
    this.#out.schedule();
  }

  // ---- receiving ----

  /** A packet from the carrier. Never throws: what does not parse is dropped and counted. */
  receive(packet: Uint8Array): void {
    const core = this.#core;
    if (core.closed || packet[0] !== MUX_PACKET_ID) return;
    core.stats.packetsReceived++;
    // Checked whole first (a malformed packet is refused whole), then walked in place.
    if (!isMuxPacket(packet)) {
      core.drop('malformed-packet');
      return;
    }
    for (let at = 1; at < packet.length;) {
      if (core.closed) return;
      const length = (packet[at]! << 8) | packet[at + 1]!;
      const channel = (packet[at + 2]! << 8) | packet[at + 3]!;
      const start = at + FRAME_HEADER_SIZE;
      at = start + length;
      if (channel === CONTROL_CHANNEL) this.#control.onControl(packet.subarray(start, at));
      else if (channel === RESERVED_CHANNEL) core.drop('reserved-channel');
      else this.#data.onData(channel, packet, start, length);
    }
    this.#out.flush();
  }

  /** The carrier takes packets again. */
  drained(): void {
    this.#out.drained();
  }

  // ---- ending ----

  /** The carrier closed: every channel fails with `connection-closed`. */
  carrierClosed(reason: string): void {
    this.#end(new MuxError('connection-closed', `the connection to the friend closed (${reason})`, undefined), 'connection-closed');
  }

  /** Ends the session here: GOAWAY to the friend (if the carrier takes it), every channel fails with `error`. */
  close(error: MuxError): void {
    if (this.#core.closed) return;
    if (!this.carrier.closed) {
      const b = new PacketBuilder();
      b.add(CONTROL_CHANNEL, encodeControl({ type: 'goaway', reason: clipUtf8(error.message, this.#core.config.maxReasonBytes) }));
      try {
        this.carrier.send(b.finish());
      } catch {
        // The carrier is going away as well: nothing to tell.
      }
    }
    this.#end(error, 'manager-closed');
  }

  #end(error: MuxError, code: ChannelCloseCode): void {
    const core = this.#core;
    if (core.closed) return;
    core.closed = true;
    for (const ch of core.channels.values()) {
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
    core.channels.clear();
    this.#out.clear();
    core.requesting = 0;
    core.deciding = 0;
    this.#out.runCompletions();
    core.host.closed(this, error);
  }
}
