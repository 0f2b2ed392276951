/**
 * The output side of a session: what waits to go out (control messages, credit, channels
 * with data), and the filling of packets from it — control first, then credit, then the
 * channels' data, each channel for a turn of up to eight full frames — until the carrier
 * says stop. Callbacks into user code (write completions) run after a packet is built and
 * handed over, never in the middle.
 *
 * @see spec/mux.md#fair-share
 * @see spec/mux.md#flow-control
 * @module
 */
import type { MuxChannel } from './channel.ts';
import { encodeControl, type ControlMessage } from './control.ts';
import { Fifo } from './fifo.ts';
import { CONTROL_CHANNEL, MAX_FRAME_BODY, PacketBuilder } from './frame.ts';

/** What a sender needs of its session. */
export interface SenderHost {
  /** Whether the session ended: nothing more is sent. */
  readonly closed: boolean;
  /** The largest a window grows to by itself. */
  readonly autoWindowBytes: number;
  /** Hands a packet to the carrier; false when it wants no more until drain. Throws if it is closed. */
  send(packet: Uint8Array): boolean;
  /** Sending threw: the carrier is gone. */
  failed(error: unknown): void;
  /** Our EOF on `channel` went out, and its other direction had ended already. */
  finished(channel: MuxChannel): void;
  /** Counts what went out. */
  counted(packets: number, dataBytes: number): void;
}

/** A control message this side sends (never an unknown one). */
export type OutgoingControl = Exclude<ControlMessage, { type: 'unknown' }>;

/** A data frame body shorter than this does not start a new frame at the end of a packet. */
const MIN_DATA_FRAME = 32;

/**
 * The data a channel may send in its turn before the next channel's: eight full frames.
 * Frames one at a time would share the connection as evenly, but a reader of one of a
 * hundred busy channels would then get a few KB per batch of packets, and each stream push
 * costs about what copying a few KB does.
 */
const TURN_BYTES = 8 * MAX_FRAME_BODY;

/** Flush rounds in one go before the rest waits for a microtask. */
const FLUSH_ROUNDS = 64;

const EMPTY = new Uint8Array(0);

const RESOLVED = Promise.resolve();

/** Fills packets for one session. */
export class FrameSender {
  readonly #host: SenderHost;
  readonly #control = new Fifo<Uint8Array>();
  readonly #credit = new Fifo<MuxChannel>();
  readonly #ring = new Fifo<MuxChannel>();
  /** The channel whose turn it is (still `inRing`, out of the ring), and the data bytes it sent in it. */
  #current: MuxChannel | undefined;
  #turn = 0;
  /** One builder, reset for each packet (a packet's bytes are its own: see `PacketBuilder`). */
  readonly #builder = new PacketBuilder();
  #completions: Array<() => void> = [];
  #blocked = false;
  #flushQueued = false;
  #flushing = false;
  #again = false;

  constructor(host: SenderHost) {
    this.#host = host;
  }

  /** Control messages waiting to go out. */
  get controlBacklog(): number {
    return this.#control.length;
  }

  /** Queues a control message. */
  control(message: OutgoingControl): void {
    this.#control.push(encodeControl(message));
  }

  /** Puts a channel that has something to send (and credit) in the round, once. */
  ready(ch: MuxChannel): void {
    if (ch.inRing || !ch.ready) return;
    ch.inRing = true;
    this.#ring.push(ch);
  }

  /** A channel's reader took enough for a CREDIT. */
  creditDue(ch: MuxChannel): void {
    if (ch.creditDue) return;
    ch.creditDue = true;
    this.#credit.push(ch);
    this.schedule();
  }

  /** Runs `fn` once the current flush is over (or soon): for callbacks into user code. */
  later(fn: () => void): void {
    this.#completions.push(fn);
    this.schedule();
  }

  /** The carrier takes packets again. */
  drained(): void {
    this.#blocked = false;
    this.flush();
  }

  /** Flushes soon (in a microtask), so that writes of one tick share packets. */
  schedule(): void {
    if (this.#flushing) {
      this.#again = true;
      return;
    }
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    // A promise job, not queueMicrotask: that makes an async resource per call.
    void RESOLVED.then(this.#flushSoon);
  }

  readonly #flushSoon = (): void => {
    this.#flushQueued = false;
    this.flush();
  };

  /** Whether nothing waits: no control message, credit, channel to serve or completion. */
  get #idle(): boolean {
    return this.#control.length === 0 && this.#credit.length === 0 && this.#ring.length === 0 && this.#current === undefined && this.#completions.length === 0;
  }

  /** Sends what can go now, then runs the completions; again while they give more work. */
  flush(): void {
    // The receive path flushes after every packet; most often there is nothing to send.
    if (this.#idle && !this.#flushing) return;
    if (this.#flushing) {
      this.#again = true;
      return;
    }
    this.#flushing = true;
    try {
      for (let round = 0; round < FLUSH_ROUNDS; round++) {
        this.#again = false;
        if (!this.#blocked && !this.#host.closed) this.#fill();
        this.runCompletions();
        if (!this.#again) break;
      }
    } finally {
      this.#flushing = false;
    }
    if (this.#again) this.schedule();
  }

  /** Runs the completions waiting, and those they add. */
  runCompletions(): void {
    while (this.#completions.length > 0) {
      const list = this.#completions;
      this.#completions = [];
      for (const fn of list) fn();
    }
  }

  /** Forgets everything queued (the session ended); completions still run. */
  clear(): void {
    this.#control.clear();
    this.#credit.clear();
    this.#ring.clear();
    this.#current = undefined;
  }

  /** Packets and data bytes sent in this fill, told to the host once at its end. */
  #packets = 0;
  #bytes = 0;

  /** Fills packets until the carrier says stop or nothing is left. */
  #fill(): void {
    try {
      this.#fillPackets();
    } finally {
      if (this.#packets > 0 || this.#bytes > 0) this.#host.counted(this.#packets, this.#bytes);
      this.#packets = 0;
      this.#bytes = 0;
    }
  }

  #fillPackets(): void {
    const b = this.#builder;
    while (!this.#blocked && !this.#host.closed) {
      b.reset();
      for (let body = this.#control.peek(); body !== undefined && body.length <= b.room; body = this.#control.peek()) {
        b.add(CONTROL_CHANNEL, body);
        this.#control.shift();
      }
      // Data never overtakes a control message (an ACCEPT must reach the friend before the
      // channel's first bytes): a packet that left one behind goes out as it is.
      if (this.#control.length === 0) {
        this.#fillCredit(b);
        this.#fillData(b);
      }
      if (b.empty) return;
      this.#send(b.finish());
    }
  }

  /** CREDIT for the channels whose readers took enough; a window that held its channel back grows. */
  #fillCredit(b: PacketBuilder): void {
    while (this.#credit.length > 0) {
      const ch = this.#credit.peek()!;
      if (ch.creditOwed > 0) {
        const grow = ch.windowBound && ch.window < this.#host.autoWindowBytes;
        const window = grow ? Math.min(ch.window * 2, this.#host.autoWindowBytes) : ch.window;
        const owed = ch.consumed + window - ch.advertised;
        const body = encodeControl({ type: 'credit', channel: ch.id, credit: owed, window: grow ? window : undefined });
        if (body.length > b.room) return;
        b.add(CONTROL_CHANNEL, body);
        ch.granted(window, owed);
      }
      ch.creditDue = false;
      this.#credit.shift();
    }
  }

  /**
   * Channels in turn, each for up to {@link TURN_BYTES} of data (a frame as long as the
   * room, its credit and its chunk allow, and more frames in the next packets while its
   * turn lasts), or its EOF.
   */
  #fillData(b: PacketBuilder): void {
    let bytes = 0;
    while (b.room >= MIN_DATA_FRAME) {
      let ch = this.#current;
      if (ch !== undefined && !ch.ready) {
        // Its state changed between two fills (its credit, a RESET): the turn is over.
        this.#current = undefined;
        ch.inRing = false;
        continue;
      }
      if (ch === undefined) {
        ch = this.#ring.shift();
        if (ch === undefined) break;
        if (!ch.ready) {
          ch.inRing = false;
          continue;
        }
        // In its turn it stays `inRing`: it is put back at the end when the turn is over.
        this.#current = ch;
        this.#turn = 0;
      }
      if (ch.chunk !== undefined) {
        const n = Math.min(b.room, ch.credit, ch.chunk.length - ch.chunkAt);
        b.add(ch.id, ch.chunk, ch.chunkAt, n);
        ch.chunkAt += n;
        ch.credit -= n;
        ch.sent += n;
        bytes += n;
        this.#turn += n;
        if (ch.chunkAt === ch.chunk.length) {
          const done = ch.chunkDone;
          ch.chunk = undefined;
          ch.chunkDone = undefined;
          if (done !== undefined) this.#completions.push(() => done());
        }
      } else {
        b.add(ch.id, EMPTY);
        ch.sendEnded = true;
        ch.endWanted = false;
        const done = ch.endDone;
        ch.endDone = undefined;
        if (done !== undefined) this.#completions.push(() => done());
        if (ch.finished) this.#host.finished(ch);
      }
      if (this.#turn >= TURN_BYTES || !ch.ready) {
        this.#current = undefined;
        if (ch.ready) this.#ring.push(ch);
        else ch.inRing = false;
      }
    }
    this.#bytes += bytes;
  }

  #send(packet: Uint8Array): void {
    let more: boolean;
    try {
      more = this.#host.send(packet);
    } catch (error) {
      this.#host.failed(error);
      return;
    }
    this.#packets++;
    if (!more) this.#blocked = true;
  }
}
