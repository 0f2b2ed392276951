/**
 * The state one session's parts share — its channel table, its sender, its counters and
 * whether it ended — and the few steps they all take: count a drop, take a channel out of
 * the table, fail what waits to be sent. The {@link MuxSession} is the face; its control
 * path (session-control.ts) and data path (session-data.ts) work on this.
 *
 * @see spec/mux.md#sessions
 * @see spec/mux.md#channel-states
 * @module
 */
import type { MuxCarrier } from './carrier.ts';
import type { MuxChannel } from './channel.ts';
import { IdAllocator, idParity, type IdParity } from './channel-ids.ts';
import type { MuxConfig } from './config.ts';
import { FrameSender, type OutgoingControl } from './sender.ts';
import type { SessionHost } from './session-host.ts';
import { MuxStats, type MuxDropReason } from './stats.ts';

/** One session's shared state. Internal to the session's files. */
export class SessionCore {
  readonly host: SessionHost;
  readonly config: MuxConfig;
  readonly carrier: MuxCarrier;
  /** The friend's long-term public key (a copy). */
  readonly friendKey: Uint8Array;
  /** The ids we open channels with, and the friend's. */
  readonly parity: IdParity;
  readonly peerParity: IdParity;
  readonly ids: IdAllocator;
  readonly stats = new MuxStats();
  /** Every channel with an id taken, by id. */
  readonly channels = new Map<number, MuxChannel>();
  readonly out: FrameSender;
  /** The friend's VERSION, once it arrived. */
  peerVersion: number | undefined;
  closed = false;
  /** Our opens waiting for an answer, and the friend's requests waiting for our handler. */
  requesting = 0;
  deciding = 0;

  constructor(host: SessionHost, carrier: MuxCarrier, selfKey: Uint8Array, carrierFailed: (reason: string) => void) {
    this.host = host;
    this.config = host.config;
    this.carrier = carrier;
    this.friendKey = Uint8Array.from(carrier.friendKey);
    this.parity = idParity(selfKey, this.friendKey);
    this.peerParity = this.parity === 'odd' ? 'even' : 'odd';
    this.ids = new IdAllocator(this.parity);
    const core = this;
    this.out = new FrameSender({
      get closed() {
        return core.closed;
      },
      autoWindowBytes: this.config.autoWindowBytes,
      send: (packet) => carrier.send(packet),
      failed: (error) => carrierFailed(`sending failed: ${(error as Error)?.message ?? String(error)}`),
      finished: (ch) => this.forget(ch),
      counted: (packets, bytes) => {
        this.stats.packetsSent += packets;
        this.stats.bytesSent += bytes;
      },
    });
  }

  /** Queues a control message. */
  control(message: OutgoingControl): void {
    this.out.control(message);
  }

  /** Counts a drop here and at the manager. */
  drop(reason: MuxDropReason): void {
    this.stats.drop(reason);
    this.host.drop(reason);
  }

  /** Takes `ch` out of the table: its id is free. */
  forget(ch: MuxChannel): void {
    if (this.channels.get(ch.id) === ch) this.channels.delete(ch.id);
    ch.phase = 'done';
    ch.cleanup?.();
    ch.cleanup = undefined;
  }

  /** Ends the wait of one of our opens: counters and listeners. */
  settleOpen(ch: MuxChannel): void {
    this.requesting--;
    ch.cleanup?.();
    ch.cleanup = undefined;
  }

  /** Fails what waits to be sent on `ch` (after the current step). */
  failSend(ch: MuxChannel, error: Error): void {
    for (const done of ch.discardSend()) this.out.later(() => done(error));
  }
}
