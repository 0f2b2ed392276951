/**
 * The sending half of a session's lossless stream: the send buffer, the congestion
 * controller and the pacer, joined. It decides which packet goes out next (a requested
 * resend before anything new), when (at the pacing rate, within the congestion window), and
 * frees what the peer acknowledged. It never touches a socket: `emit` puts a packet on the
 * wire, and {@link LosslessSender.pump} says how long to wait before calling it again.
 *
 * @see spec/netcrypto.md#lossless-delivery
 * @see spec/netcrypto.md#congestion-control
 * @module
 */
import { CongestionControl } from './congestion.ts';
import type { NetCryptoConfig } from './config.ts';
import { decodeRequestPayload } from './request-packet.ts';
import { type Outgoing, SendBuffer } from './send-buffer.ts';

/** What a pump did and what it waits for. */
export interface PumpResult {
  /** Packets put on the wire. */
  readonly sent: number;
  /** Call again after this many ms (pacing), or `undefined`: wait for an ack or new data. */
  readonly retryInMs: number | undefined;
}

/** The sending half of a lossless stream. */
export class LosslessSender {
  readonly buffer: SendBuffer;
  readonly cc: CongestionControl;
  readonly #emit: (packet: Outgoing) => void;
  readonly #resend: Outgoing[] = [];
  #inFlight = 0;
  #tokens: number;
  #refilledAt = -1;
  #lastLost = -2;
  /** Packets sent again after a request or a timeout. */
  resent = 0;
  /** Packets sent the first time. */
  sent = 0;

  constructor(config: NetCryptoConfig, emit: (packet: Outgoing) => void) {
    this.buffer = new SendBuffer(config.sendQueuePackets);
    this.cc = new CongestionControl({
      initialWindowPackets: config.initialWindowPackets,
      ackAllowancePackets: 2 * config.ackEveryPackets,
      minWindowPackets: config.minWindowPackets,
      maxWindowPackets: Math.min(config.maxWindowPackets, config.sendQueuePackets),
      initialRttMs: config.initialRttMs,
      maxPacketsPerMs: config.maxPacketsPerMs,
    });
    this.#emit = emit;
    this.#tokens = config.initialWindowPackets;
  }

  /** Packets sent and neither acknowledged nor judged lost. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Packets held: unsent, or sent and not known to have arrived. */
  get queued(): number {
    return this.buffer.held;
  }

  /** Packets queued and never sent. */
  get unsent(): number {
    return this.buffer.unsent;
  }

  /** Packet numbers from the first unacknowledged to the next new one: at most the capacity. */
  get span(): number {
    return this.buffer.length;
  }

  /**
   * How old a packet must be before a request for it is taken as a loss: a little over a
   * smoothed round trip, so a packet still on its way is not sent twice. Not capped at a
   * multiple of the minimum RTT: on a path that queues (a TCP relay holds packets for tens
   * of milliseconds in socket buffers) the minimum says nothing about how long a packet in
   * flight takes, and a cap made every request resend the whole flight (measured through a
   * toxlink relay: 89,000–128,000 duplicates for 9,000–29,000 new packets, 1–4 MB/s; without
   * the cap, 13–15 MB/s).
   */
  get resendAfterMs(): number {
    return Math.max(1, this.cc.srttMs * 1.25);
  }

  /** Whether there is something to send now, window and pacing permitting. */
  get hasWork(): boolean {
    return this.#resend.length > 0 || this.buffer.unsent > 0;
  }

  /** Appends a payload; the caller checked the queue has room. */
  queue(payload: Uint8Array): void {
    this.buffer.push(payload);
  }

  /**
   * The peer's buffer start `n` arrived in a data packet at `nowMs`: frees everything below
   * it. Says `invalid`, changing nothing, when `n` is ahead of our buffer's end (not a
   * number we could have sent), and `stale` when it is behind our start.
   */
  acknowledge(n: number, nowMs: number): 'ok' | 'stale' | 'invalid' {
    // An acknowledgement behind ours is an older packet overtaken on the way: nothing to
    // learn from it, and a request list in it is relative to that older start, so it must
    // not be read against ours; its other payloads are fine (c-toxcore drops it whole).
    const behind = (this.buffer.start - n) >>> 0;
    if (behind !== 0 && behind < 0x80000000) return 'stale';
    if (!this.buffer.canAcknowledge(n)) return 'invalid';
    if (n !== this.buffer.start) this.buffer.acknowledge(n, (p) => this.#delivered(p, nowMs));
    return 'ok';
  }

  /**
   * A request packet's payload arrived at `nowMs`: frees what it says arrived and queues
   * for resending what it asks for, if that was last sent longer than a round trip ago.
   */
  onRequest(payload: Uint8Array, nowMs: number): void {
    const { requested, end } = decodeRequestPayload(payload, this.buffer.start, this.buffer.end);
    const threshold = this.resendAfterMs;
    let r = 0;
    for (let n = this.buffer.start; n !== end; n = (n + 1) >>> 0) {
      if (r < requested.length && requested[r] === n) {
        r++;
        const p = this.buffer.get(n);
        if (p !== undefined && p.sentAt >= 0 && !p.queuedForResend && nowMs - p.sentAt > threshold) this.#lose(p);
        continue;
      }
      const p = this.buffer.take(n);
      if (p !== undefined) this.#delivered(p, nowMs);
    }
  }

  /**
   * Nothing was acknowledged for a while: the packet at the buffer start, if it was sent
   * longer than a round trip ago, is sent again (the tail of a burst may be lost with no
   * later packet to reveal the gap).
   */
  onTimeout(nowMs: number): boolean {
    const p = this.buffer.get(this.buffer.start);
    if (p === undefined || p.sentAt < 0 || p.queuedForResend || nowMs - p.sentAt <= this.resendAfterMs) return false;
    this.#lose(p);
    return true;
  }

  /** Sends what the window and the pacer allow at `nowMs`. */
  pump(nowMs: number): PumpResult {
    const rate = this.cc.pacingRate;
    const burst = Math.max(4, rate * 2);
    if (this.#refilledAt < 0) this.#tokens = burst;
    else if (nowMs > this.#refilledAt) this.#tokens = Math.min(burst, this.#tokens + (nowMs - this.#refilledAt) * rate);
    this.#refilledAt = nowMs;
    let sent = 0;
    const window = this.cc.window;
    while (this.#tokens >= 1 && this.#inFlight < window) {
      const p = this.#next();
      if (p === undefined) break;
      this.#tokens -= 1;
      sent++;
      this.#send(p, nowMs);
    }
    const waiting = this.hasWork && this.#inFlight < window;
    return { sent, retryInMs: waiting ? Math.max(0.05, (1 - this.#tokens) / rate) : undefined };
  }

  #next(): Outgoing | undefined {
    while (this.#resend.length > 0) {
      const p = this.#resend.shift()!;
      p.queuedForResend = false;
      if (this.buffer.get(p.number) === p) return p;
    }
    return this.buffer.nextUnsent();
  }

  #send(p: Outgoing, nowMs: number): void {
    if (p.sends > 0) this.resent++;
    else this.sent++;
    p.sends++;
    p.sentAt = nowMs;
    p.deliveredAtSend = this.cc.delivered;
    p.deliveredTimeAtSend = this.#inFlight === 0 ? nowMs : this.cc.deliveredTime;
    p.firstSentTimeAtSend = this.#inFlight === 0 ? nowMs : this.cc.lastDeliveredSentAt;
    if (!p.inFlight) {
      p.inFlight = true;
      this.#inFlight++;
    }
    p.appLimited = !this.hasWork;
    this.#emit(p);
  }

  #lose(p: Outgoing): void {
    this.cc.onLost(p.number !== ((this.#lastLost + 1) >>> 0));
    this.#lastLost = p.number;
    if (p.inFlight) {
      p.inFlight = false;
      this.#inFlight--;
    }
    p.queuedForResend = true;
    this.#resend.push(p);
  }

  #delivered(p: Outgoing, nowMs: number): void {
    if (p.inFlight) {
      p.inFlight = false;
      this.#inFlight--;
    }
    if (p.sentAt < 0) return;
    this.cc.onDelivered(nowMs, {
      deliveredAtSend: p.deliveredAtSend, deliveredTimeAtSend: p.deliveredTimeAtSend,
      firstSentTimeAtSend: p.firstSentTimeAtSend, sentAt: p.sentAt, appLimited: p.appLimited, resent: p.sends > 1,
    }, this.#inFlight);
  }
}
