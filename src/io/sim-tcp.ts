/**
 * One end of a simulated TCP connection. Bytes are cut into segments, serialised through
 * the host's uplink, and delivered in order after the link's latency; a lost segment is
 * delayed by a retransmission, never dropped. Ending and closing follow `node:net` with
 * half-open off: when one side ends, the other ends too, and both close once each side's
 * end has arrived.
 *
 * @see spec/io.md#tcp-in-the-simulator
 * @module
 */

import { formatAddress } from './address.ts';
import type { Timer } from './clock.ts';
import { StreamClosedError, StreamResetError, type StreamResetReason } from './errors.ts';
import type { SimFabric, SimHostView } from './sim-fabric.ts';
import { oneWayDelay } from './sim-link.ts';
import type { Address, StreamCloseHandler, StreamConnection } from './transport.ts';

/** A lost segment is retransmitted at most this many times before it goes through anyway. */
const MAX_RETRANSMITS = 16;

/** A chunk of bytes, or the end of the stream (`data` undefined), on its way to the peer. */
interface Segment {
  readonly data: Uint8Array | undefined;
  arriveAt: number;
}

/** A simulated TCP connection end. Made by `SimHost.connectTcp` and `listenTcp`. */
export class SimStream implements StreamConnection {
  private peer!: SimStream;
  private out: Segment[] = [];
  private timer: Timer | undefined;
  private lastArrival = 0;
  private blockedSince: number | undefined;
  private buffered = 0;
  private needDrain = false;
  private stalled = false;
  private readonly unread: Uint8Array[] = [];
  private unreadBytes = 0;
  private finPending = false;
  private stalledSender: SimStream | undefined;
  private ending = false;
  private writeFinished = false;
  private readEnded = false;
  private closed = false;
  private closeReported = false;
  private closeError: Error | undefined;
  private dataHandler: ((data: Uint8Array) => void) | undefined;
  private drainHandler: (() => void) | undefined;
  private closeHandler: StreamCloseHandler | undefined;

  /** @internal */
  constructor(
    /** @internal The host this end lives on. */
    readonly host: SimHostView,
    private readonly fabric: SimFabric,
    readonly local: Address,
    readonly remote: Address,
  ) {}

  /** @internal Joins two ends into one connection. */
  static pair(a: SimStream, b: SimStream): void {
    a.peer = b;
    b.peer = a;
  }

  /** True once the connection is gone for this end. */
  get isClosed(): boolean {
    return this.closed;
  }

  write(data: Uint8Array): boolean {
    if (this.ending || this.closed) throw new StreamClosedError();
    const { segmentSize, highWaterMark } = this.fabric.tcpConfig;
    for (let offset = 0; offset < data.length; offset += segmentSize) {
      this.enqueue(data.slice(offset, offset + segmentSize));
    }
    this.buffered += data.length;
    const below = this.buffered < highWaterMark;
    if (!below) this.needDrain = true;
    return below;
  }

  onData(handler: (data: Uint8Array) => void): void {
    this.dataHandler = handler;
    if (this.unreadBytes > 0 || this.finPending) this.fabric.clock.setTimer(0, () => this.flushUnread());
  }

  onDrain(handler: () => void): void {
    this.drainHandler = handler;
  }

  onClose(handler: StreamCloseHandler): void {
    this.closeHandler = handler;
    if (this.closed) this.scheduleCloseReport();
  }

  end(): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    this.enqueue(undefined);
  }

  destroy(error?: Error): void {
    if (this.closed) return;
    this.finish(error);
    this.notifyPeer(() => this.peer.finish(undefined));
  }

  /** @internal Breaks the connection at this end (its host moved); the peer hears a reset. */
  reset(reason: StreamResetReason): void {
    if (this.closed) return;
    this.finish(new StreamResetError(reason));
    this.notifyPeer(() => this.peer.finish(new StreamResetError('peer-reset')));
  }

  /** Queues a segment behind the others; it arrives no earlier than they do. */
  private enqueue(data: Uint8Array | undefined): void {
    const clock = this.fabric.clock;
    const link = this.fabric.link(this.host, this.peer.host);
    const prng = this.host.prng;
    const departAt = this.host.uplink.reserve(clock.now(), data?.length ?? 0, false) as number;
    let arriveAt = departAt + oneWayDelay(link, prng);
    const retransmit = this.retransmitDelay();
    for (let i = 0; i < MAX_RETRANSMITS && prng.chance(link.lossRate); i++) arriveAt += retransmit;
    arriveAt = Math.max(arriveAt, this.lastArrival);
    this.lastArrival = arriveAt;
    this.out.push({ data, arriveAt });
    this.schedulePump();
  }

  private retransmitDelay(): number {
    const link = this.fabric.link(this.host, this.peer.host);
    return Math.max(this.fabric.tcpConfig.minRetransmitMs, 2 * link.latencyMs);
  }

  private schedulePump(): void {
    const head = this.out[0];
    if (this.timer !== undefined || this.stalled || this.closed || head === undefined) return;
    this.timer = this.fabric.clock.setTimerAt(head.arriveAt, this.pump);
  }

  /** Delivers every segment that has arrived, in order, unless a partition or the window holds them. */
  private readonly pump = (): void => {
    this.timer = undefined;
    const now = this.fabric.clock.now();
    for (let head = this.out[0]; head !== undefined && head.arriveAt <= now && !this.closed; head = this.out[0]) {
      const peer = this.peer;
      if (this.fabric.partitioned(this.host, peer.host)) {
        this.blockedSince ??= now;
        if (now - this.blockedSince >= this.fabric.tcpConfig.userTimeoutMs) {
          this.finish(new StreamResetError('timeout'));
          peer.finish(new StreamResetError('timeout'));
          return;
        }
        head.arriveAt = now + this.retransmitDelay();
        this.lastArrival = Math.max(this.lastArrival, head.arriveAt);
        break;
      }
      this.blockedSince = undefined;
      if (head.data !== undefined && peer.windowFull()) {
        this.stalled = true;
        peer.stalledSender = this;
        return;
      }
      this.out.shift();
      if (head.data === undefined) {
        this.writeFinished = true;
        peer.receiveEnd();
        this.closeIfDone();
        continue;
      }
      this.buffered -= head.data.length;
      this.fabric.stats.tcp.bytes += head.data.length;
      this.fabric.trace?.record({
        time: now,
        kind: 'tcp',
        from: formatAddress(peer.remote),
        to: formatAddress(this.remote),
        size: head.data.length,
        fate: 'delivered',
      });
      peer.receive(head.data);
      if (this.needDrain && this.buffered <= this.fabric.tcpConfig.lowWaterMark && !this.closed) {
        this.needDrain = false;
        this.drainHandler?.();
      }
    }
    this.schedulePump();
  };

  private windowFull(): boolean {
    return !this.closed && this.dataHandler === undefined && this.unreadBytes >= this.fabric.tcpConfig.receiveWindow;
  }

  private receive(data: Uint8Array): void {
    if (this.closed) return;
    if (this.dataHandler !== undefined && this.unreadBytes === 0) {
      this.dataHandler(data);
      return;
    }
    this.unread.push(data);
    this.unreadBytes += data.length;
  }

  private receiveEnd(): void {
    if (this.closed) return;
    if (this.unreadBytes > 0) {
      this.finPending = true;
      return;
    }
    this.readEnded = true;
    this.end();
    this.closeIfDone();
  }

  /** Hands held bytes to a newly set data handler, then any held end, then wakes a stalled sender. */
  private flushUnread(): void {
    while (!this.closed && this.dataHandler !== undefined && this.unread.length > 0) {
      const data = this.unread.shift() as Uint8Array;
      this.unreadBytes -= data.length;
      this.dataHandler(data);
    }
    if (this.closed || this.unreadBytes > 0) return;
    if (this.finPending) {
      this.finPending = false;
      this.receiveEnd();
    }
    const sender = this.stalledSender;
    if (sender !== undefined) {
      this.stalledSender = undefined;
      sender.stalled = false;
      sender.schedulePump();
    }
  }

  private closeIfDone(): void {
    if (this.readEnded && this.writeFinished) this.finish(undefined);
  }

  /** Runs `fn` at the peer one link latency from now, unless a partition eats the message. */
  private notifyPeer(fn: () => void): void {
    const peer = this.peer;
    const delay = oneWayDelay(this.fabric.link(this.host, peer.host), this.host.prng);
    this.fabric.clock.setTimer(delay, () => {
      if (!peer.closed && !this.fabric.partitioned(this.host, peer.host)) fn();
    });
  }

  /** @internal Closes this end: drops what is queued and reports `error` to the close handler. */
  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error;
    if (error instanceof StreamResetError) this.fabric.stats.tcp.reset++;
    this.timer?.cancel();
    this.timer = undefined;
    this.out = [];
    this.host.forgetStream(this);
    if (this.closeHandler !== undefined) this.scheduleCloseReport();
  }

  private scheduleCloseReport(): void {
    this.fabric.clock.setTimer(0, () => {
      const handler = this.closeHandler;
      if (handler === undefined || this.closeReported) return;
      this.closeReported = true;
      handler(this.closeError);
    });
  }
}
