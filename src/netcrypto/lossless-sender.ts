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
  /** When the most recently sent packet known to have arrived was sent (RACK's xmit_ts). */
  #latestDeliveredSentAt = -Infinity;
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
   * How old a packet asked for must be before it is taken as lost when no packet sent after
   * it is known to have arrived: a smoothed round trip and a quarter, plus its variation (four
   * times the mean deviation, at most one more round trip), so a packet still on its way is
   * not sent twice. Not capped at a multiple of the minimum RTT: on a path that queues (a
   * TCP relay holds packets for milliseconds in socket buffers) the minimum says nothing
   * about how long a packet in flight takes, and a cap made every request resend the whole
   * flight (measured through a toxlink relay: 89,000–128,000 duplicates for 9,000–29,000
   * new packets, 1–4 MB/s).
   */
  get resendAfterMs(): number {
    const cc = this.cc;
    return Math.max(1, cc.srttMs * 1.25 + Math.min(4 * cc.rttVarMs, cc.srttMs));
  }

  /**
   * A packet asked for that was sent this long before one that arrived is lost: a quarter of
   * the minimum RTT, for datagrams that overtake each other.
   */
  get reorderWindowMs(): number {
    const min = this.cc.minRttMs;
    return Number.isFinite(min) ? min / 4 : 1;
  }

  /**
   * The packet number our request packets carry, which tells the peer where our numbers
   * end: one past the first number never sent (our buffer's end when everything went out).
   * The peer takes the numbers below it that it has not seen as missing, so its answer
   * describes every packet we sent, the last ones included (which frees those that arrived
   * after its last gap); the numbers queued and never sent are not in it. The buffer's end
   * (c-toxcore's choice) made a receiver ask for up to 1024 packets never sent, each
   * answer walking them all.
   */
  get numbersEnd(): number {
    const b = this.buffer;
    return b.nextToSend === b.end ? b.end : (b.nextToSend + 1) >>> 0;
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
   * A request packet's payload arrived at `nowMs`: frees what it says arrived, then queues
   * for resending each packet it asks for that is lost: sent before a packet that arrived
   * (by more than `reorderWindowMs`), or longer than `resendAfterMs` ago. A packet asked for
   * and sent after everything known to have arrived may be on its way still: over a relay a
   * request lists the whole flight.
   */
  onRequest(payload: Uint8Array, nowMs: number): void {
    const { requested, end } = decodeRequestPayload(payload, this.buffer.start, this.buffer.end);
    let r = 0;
    const asked: Outgoing[] = [];
    for (let n = this.buffer.start; n !== end; n = (n + 1) >>> 0) {
      if (r < requested.length && requested[r] === n) {
        r++;
        const p = this.buffer.get(n);
        if (p !== undefined && p.sentAt >= 0 && !p.queuedForResend) asked.push(p);
        continue;
      }
      const p = this.buffer.take(n);
      if (p !== undefined) this.#delivered(p, nowMs);
    }
    const threshold = this.resendAfterMs;
    const overtaken = this.#latestDeliveredSentAt - this.reorderWindowMs;
    for (const p of asked) {
      if (p.sentAt < overtaken || nowMs - p.sentAt > threshold) this.#lose(p);
    }
  }

  /**
   * Nothing was acknowledged for a while: the packet at the buffer start, if it was sent
   * longer than `resendAfterMs` ago, is sent again at once (the tail of a burst may be lost
   * with no later packet to reveal the gap), whatever the window says: packets that are
   * neither known to have arrived nor judged lost can fill a window (a small one, in
   * probe-rtt), and nothing else would free it.
   */
  onTimeout(nowMs: number): boolean {
    const p = this.buffer.get(this.buffer.start);
    if (p === undefined || p.sentAt < 0 || nowMs - p.sentAt <= this.resendAfterMs) return false;
    if (!p.queuedForResend) this.#lose(p);
    p.queuedForResend = false;
    this.#send(p, nowMs);
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
    this.cc.onSend(nowMs, this.#inFlight);
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
      if (!p.queuedForResend) continue; // sent already, by a timeout
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
    // A packet sent more than once that is back sooner than a minimum RTT after its last
    // send: the copy that arrived was an earlier one, so that send time says nothing.
    if (p.sentAt > this.#latestDeliveredSentAt && (p.sends === 1 || nowMs - p.sentAt >= this.cc.minRttMs)) {
      this.#latestDeliveredSentAt = p.sentAt;
    }
    this.cc.onDelivered(nowMs, {
      deliveredAtSend: p.deliveredAtSend, deliveredTimeAtSend: p.deliveredTimeAtSend,
      firstSentTimeAtSend: p.firstSentTimeAtSend, sentAt: p.sentAt, appLimited: p.appLimited, resent: p.sends > 1,
    }, this.#inFlight);
  }
}
