/**
 * How fast a session sends lossless packets: a model-based controller in the manner of BBR.
 * It measures the delivery rate (packets the peer acknowledged per millisecond) and the
 * smallest round-trip time, paces packets at a gain times the best recent delivery rate,
 * and keeps at most a small multiple of rate × RTT in flight. Random loss does not shrink
 * it (a lost packet is resent; the measured rate already accounts for it), and a queue
 * that grows shows up as a rate that stops growing, not as loss.
 *
 * Only the sending side uses it: what goes on the wire is c-toxcore's (numbered packets,
 * buffer-start acknowledgements, request packets), so a c-toxcore peer sees nothing new.
 *
 * Phases: **startup** doubles the rate every round trip until three rounds in a row grow it
 * by less than a quarter; **drain** sends below the rate until the queue it built is gone;
 * **probe** cycles the pacing gain through 1.25, 0.75 and six rounds of 1, so the rate
 * keeps finding out whether more is possible; **probe-rtt**, when the minimum RTT is 10 s
 * old, holds 4 packets in flight for 200 ms so that a standing queue drains and the true
 * minimum shows again.
 *
 * @see spec/netcrypto.md#congestion-control
 * @module
 */

/** The startup gain, 2/ln 2: the smallest that doubles the delivery rate each round. */
export const STARTUP_GAIN = 2.885;

/**
 * In startup the slow-start floor of the window (it doubles each round trip) stops at this
 * share of the largest window (one half: 1024 packets by default). Where the window is not
 * what limits the rate (loopback, both ends on one event loop) slow start alone took it to
 * the 2048-packet cap, which the sender put out in one burst while the receiver could not
 * read: the kernel dropped 500–700 datagrams at the start of every fresh transfer. A cap
 * relative to the model's window (twice it) stopped that too, but also kept startup from
 * finding the rate of a receiver that acknowledges in bursts (a c-toxcore peer reading once
 * per iteration: 2 MB/s in place of 22). The model's own window may still reach the cap.
 */
export const STARTUP_WINDOW_SHARE = 0.5;

/** Pacing gains of the probe phase, one round trip each. */
export const PROBE_GAINS: readonly number[] = [1.25, 0.75, 1, 1, 1, 1, 1, 1];

/**
 * The window in the probe phase, in rate × RTT: enough for acknowledgements that come in
 * bursts, while a queue that the pacing rate's noise builds stays short.
 */
export const PROBE_WINDOW_GAIN = 1.5;

/** The aggregation allowance never exceeds this many ms of the bandwidth. */
export const MAX_AGGREGATION_MS = 100;

/**
 * Over a TCP relay the window holds at least this many ms of the bandwidth. Sender, relay
 * and receiver each read what their socket holds (up to 64 KiB) and handle it in one go,
 * acknowledgements included, so a loaded relay path keeps packets in batches for
 * milliseconds even when its idle RTT is a tenth of one; a window of rate × idle RTT plus
 * the acknowledgement allowance (about 70 packets on loopback) left that pipeline mostly
 * empty. The queues there are TCP's, not a bottleneck's that drops.
 */
export const RELAY_BATCH_MS = 8;

/** Round trips the bandwidth filter remembers. */
export const BANDWIDTH_ROUNDS = 10;

/** How long a minimum RTT sample counts, ms. */
export const MIN_RTT_WINDOW_MS = 10_000;

/** The probe-rtt phase holds the window at this many packets… */
export const PROBE_RTT_WINDOW_PACKETS = 4;

/** …for at least this long (ms), and one round trip. */
export const PROBE_RTT_MS = 200;

/** Loss above this share is not compensated for in rate samples (one half). */
export const MAX_COMPENSATED_LOSS = 0.5;

/**
 * Runs of consecutive lost packet numbers longer than this are a buffer overflowing, not
 * random loss (at 40 % random loss, 6 % of losses start a run of three or more).
 */
export const MAX_RANDOM_LOSS_RUN = 2;

/** A round's loss share counts once it covers this many packets. */
export const LOSS_SAMPLE_PACKETS = 16;

/** Settings of a {@link CongestionControl}. */
export interface CongestionSettings {
  readonly initialWindowPackets: number;
  /**
   * Packets added to the window for acknowledgements that come in bursts: a receiver
   * acknowledges every so many packets, so that many can be in flight unacknowledged
   * whatever the RTT says.
   */
  readonly ackAllowancePackets: number;
  readonly minWindowPackets: number;
  readonly maxWindowPackets: number;
  readonly initialRttMs: number;
  readonly maxPacketsPerMs: number;
}

/** What the controller is told about a packet the peer acknowledged. */
export interface DeliverySample {
  /** Packets delivered when this one was last sent. */
  readonly deliveredAtSend: number;
  /** When the delivery count last moved, as of that send (ms). */
  readonly deliveredTimeAtSend: number;
  /** When the packet delivered most recently at that time had been sent (ms). */
  readonly firstSentTimeAtSend: number;
  /** When this packet was last sent (ms). */
  readonly sentAt: number;
  /** Whether the sender had nothing more to send when it went out. */
  readonly appLimited: boolean;
  /** Whether it was sent more than once (its RTT sample is ambiguous). */
  readonly resent: boolean;
}

/** The phase of the controller. */
export type CongestionPhase = 'startup' | 'drain' | 'probe' | 'probe-rtt';

/** The rate and window of one session. Times are milliseconds. */
export class CongestionControl {
  readonly #s: CongestionSettings;
  /** Packets acknowledged so far. */
  delivered = 0;
  /** When `delivered` last grew. */
  deliveredTime = 0;
  /** When the most recently delivered packet had been sent. */
  lastDeliveredSentAt = 0;
  phase: CongestionPhase = 'startup';
  /** The smallest RTT seen in the last 10 s (Infinity before any sample). */
  minRttMs = Infinity;
  #minRttAt = 0;
  /** Smoothed RTT. */
  srttMs: number;
  /** Smoothed mean deviation of the RTT (TCP's RTTVAR). */
  rttVarMs: number;
  /** The best delivery rate of the last 10 rounds, packets per ms (0 before any sample). */
  bandwidth = 0;
  readonly #filter: Array<{ round: number; rate: number }> = [];
  #round = 0;
  #nextRoundDelivered = 0;
  #fullBandwidth = 0;
  #fullRounds = 0;
  #cycle = 0;
  #cycleAt = 0;
  #pacingGain = STARTUP_GAIN;
  #windowGain = STARTUP_GAIN;
  #roundLost = 0;
  #epochStart = -1;
  #epochAcked = 0;
  readonly #extraFilter: Array<{ round: number; extra: number }> = [];
  /**
   * The most packets acknowledged beyond what the bandwidth explains, over the last 10
   * round trips: how bursty the peer's acknowledgements are. A c-toxcore receiver reads
   * its socket once per iteration and acknowledges a whole iteration's packets at once;
   * the window must hold that many more than rate × RTT or the sender idles between bursts.
   */
  extraAcked = 0;
  #roundRandomLost = 0;
  #run = 0;
  #roundDelivered = 0;
  #roundMinRtt = Infinity;
  #probeRttUntil = -1;
  #probeRttMin = Infinity;
  #queueFree = true;
  /** The smoothed share of packets lost per round trip, 0 to 1. */
  lossRate = 0;
  /**
   * Whether packets go through a TCP relay (the session sets it): the window then holds at
   * least `RELAY_BATCH_MS` of the bandwidth.
   */
  relayPath = false;

  constructor(settings: CongestionSettings) {
    this.#s = settings;
    this.srttMs = settings.initialRttMs;
    this.rttVarMs = settings.initialRttMs / 2;
  }

  /** The RTT the model works with: the windowed minimum, or the initial guess. */
  get rttMs(): number {
    return Number.isFinite(this.minRttMs) ? this.minRttMs : this.srttMs;
  }

  /**
   * Packets allowed in flight: the window gain times rate × RTT, and in startup at least
   * the initial window plus everything delivered so far (it doubles each round trip, as
   * slow start does, whatever the first rate samples say).
   */
  get window(): number {
    const batches = this.relayPath ? this.bandwidth * RELAY_BATCH_MS : 0;
    const aggregation = Math.max(this.#s.ackAllowancePackets, this.extraAcked, batches);
    const model = this.bandwidth === 0 ? 0 : Math.ceil(this.#windowGain * this.bandwidth * this.rttMs + aggregation);
    if (this.phase === 'probe-rtt') return PROBE_RTT_WINDOW_PACKETS;
    // Startup's slow-start floor stops at half the cap: see STARTUP_WINDOW_SHARE.
    const initial = this.#s.initialWindowPackets;
    const floor = this.phase === 'startup'
      ? Math.min(initial + this.delivered, Math.max(initial, Math.floor(this.#s.maxWindowPackets * STARTUP_WINDOW_SHARE)))
      : this.#s.minWindowPackets;
    return Math.min(this.#s.maxWindowPackets, Math.max(floor, model));
  }

  /** Packets per ms to pace at; before the first rate sample, the startup gain times the initial window per RTT. */
  get pacingRate(): number {
    let rate = this.#pacingGain * this.bandwidth;
    if (this.bandwidth === 0) rate = (STARTUP_GAIN * this.#s.initialWindowPackets) / Math.max(this.rttMs, 0.05);
    return Math.min(this.#s.maxPacketsPerMs, Math.max(rate, 0.001));
  }

  /** An RTT measurement, from the handshake or an acknowledged packet sent once. */
  onRtt(nowMs: number, rttMs: number): void {
    const rtt = Math.max(rttMs, 0.01);
    if (rtt < this.#roundMinRtt) this.#roundMinRtt = rtt;
    if (rtt <= this.minRttMs) {
      this.minRttMs = rtt;
      this.#minRttAt = nowMs;
    } else if (nowMs - this.#minRttAt > MIN_RTT_WINDOW_MS && this.phase === 'probe') {
      // The minimum is old: maybe a queue hides the true one. Drain everything for a moment
      // and measure again.
      this.phase = 'probe-rtt';
      this.#probeRttUntil = -1;
      this.#probeRttMin = Infinity;
    }
    if (this.phase === 'probe-rtt') this.#probeRttMin = Math.min(this.#probeRttMin, rtt);
    this.rttVarMs = this.rttVarMs * 0.75 + Math.abs(this.srttMs - rtt) * 0.25;
    this.srttMs = this.srttMs * 0.875 + rtt * 0.125;
  }

  /**
   * A packet was judged lost (the peer asked for it again, or a timeout); `startsRun` when
   * the packet before it was not lost too.
   */
  onLost(startsRun: boolean): void {
    this.#roundLost++;
    if (startsRun) this.#endRun();
    this.#run++;
  }

  /** A run of consecutive losses ended: short runs are the path's random loss. */
  #endRun(): void {
    if (this.#run > 0 && this.#run <= MAX_RANDOM_LOSS_RUN) this.#roundRandomLost += this.#run;
    this.#run = 0;
  }

  /**
   * Whether losses look random rather than caused by us: in the last round trip some packet
   * came back within 15 % (plus 1 ms) of the minimum RTT, so no queue stands on the path.
   */
  get queueFree(): boolean {
    return this.#queueFree;
  }

  /**
   * One packet acknowledged at `nowMs`, `inFlight` packets still out. Updates the delivery
   * count, the bandwidth filter and the phase.
   */
  onDelivered(nowMs: number, sample: DeliverySample, inFlight: number): void {
    this.delivered++;
    this.#roundDelivered++;
    this.deliveredTime = nowMs;
    this.#trackAggregation(nowMs);
    this.lastDeliveredSentAt = Math.max(this.lastDeliveredSentAt, sample.sentAt);
    if (!sample.resent) this.onRtt(nowMs, nowMs - sample.sentAt);

    const newRound = sample.deliveredAtSend >= this.#nextRoundDelivered;
    if (newRound) {
      this.#round++;
      this.#nextRoundDelivered = this.delivered;
    }

    const interval = Math.max(nowMs - sample.deliveredTimeAtSend, sample.sentAt - sample.firstSentTimeAtSend);
    if (interval > 0 && (interval >= this.rttMs * 0.5 || !Number.isFinite(this.minRttMs))) {
      // With no queue in sight, loss is the path's, not ours: what was lost was carried as far
      // as the loss, so the rate the path takes is the delivery rate over the share that arrives.
      const compensation = this.queueFree ? 1 / (1 - Math.min(this.lossRate, MAX_COMPENSATED_LOSS)) : 1;
      const rate = ((this.delivered - sample.deliveredAtSend) / interval) * compensation;
      if (!sample.appLimited || rate > this.bandwidth) this.#addRate(rate);
    }

    if (newRound) this.#onRoundEnd(nowMs, sample.appLimited);
    this.#advance(nowMs, inFlight);
  }

  #trackAggregation(nowMs: number): void {
    if (this.bandwidth === 0) return;
    const expected = this.#epochStart < 0 ? 0 : this.bandwidth * (nowMs - this.#epochStart);
    if (this.#epochStart < 0 || this.#epochAcked <= expected) {
      this.#epochStart = nowMs;
      this.#epochAcked = 0;
    }
    this.#epochAcked++;
    const extra = Math.min(this.#epochAcked - (this.#epochStart === nowMs ? 0 : expected), this.bandwidth * MAX_AGGREGATION_MS);
    while (this.#extraFilter.length > 0 && this.#extraFilter[this.#extraFilter.length - 1]!.extra <= extra) this.#extraFilter.pop();
    this.#extraFilter.push({ round: this.#round, extra });
    while (this.#extraFilter[0]!.round + BANDWIDTH_ROUNDS < this.#round) this.#extraFilter.shift();
    this.extraAcked = Math.ceil(this.#extraFilter[0]!.extra);
  }

  #addRate(rate: number): void {
    while (this.#filter.length > 0 && this.#filter[this.#filter.length - 1]!.rate <= rate) this.#filter.pop();
    this.#filter.push({ round: this.#round, rate });
    while (this.#filter.length > 0 && this.#filter[0]!.round + BANDWIDTH_ROUNDS < this.#round) this.#filter.shift();
    this.bandwidth = this.#filter[0]!.rate;
  }

  #onRoundEnd(nowMs: number, appLimited: boolean): void {
    const total = this.#roundLost + this.#roundDelivered;
    if (Number.isFinite(this.#roundMinRtt)) {
      this.#queueFree = this.#roundMinRtt <= this.rttMs * 1.15 + 1;
      this.#roundMinRtt = Infinity;
    }
    // Only the loss of rounds without a queue is the path's own, and of that only what was
    // lost one or two in a row: a full buffer drops everything that reaches it while full,
    // random loss rarely takes three packets in a row.
    if (total >= LOSS_SAMPLE_PACKETS) {
      this.#endRun();
      if (this.#queueFree) this.lossRate += (this.#roundRandomLost / total - this.lossRate) / 8;
      this.#roundLost = 0;
      this.#roundRandomLost = 0;
      this.#roundDelivered = 0;
    }
    while (this.#filter.length > 1 && this.#filter[0]!.round + BANDWIDTH_ROUNDS < this.#round) this.#filter.shift();
    if (this.#filter.length > 0) this.bandwidth = this.#filter[0]!.rate;
    if (this.phase !== 'startup' || appLimited) return;
    if (this.bandwidth >= this.#fullBandwidth * 1.25) {
      this.#fullBandwidth = this.bandwidth;
      this.#fullRounds = 0;
      return;
    }
    if (++this.#fullRounds >= 3) {
      this.phase = 'drain';
      this.#pacingGain = 1 / STARTUP_GAIN;
      this.#windowGain = STARTUP_GAIN;
      this.#cycleAt = nowMs;
    }
  }

  /**
   * The phase's clock, when the sender is about to send: a probe-rtt whose time is up ends
   * even if nothing was acknowledged meanwhile (at heavy loss, 4 packets in flight may all
   * be lost, and nothing else would end it).
   */
  onSend(nowMs: number, inFlight: number): void {
    if (this.phase === 'probe-rtt') this.#advance(nowMs, inFlight);
  }

  #advance(nowMs: number, inFlight: number): void {
    if (this.phase === 'probe-rtt') {
      if (this.#probeRttUntil < 0 && inFlight <= PROBE_RTT_WINDOW_PACKETS) {
        this.#probeRttUntil = nowMs + Math.max(PROBE_RTT_MS, this.rttMs);
      } else if (this.#probeRttUntil >= 0 && nowMs >= this.#probeRttUntil) {
        this.minRttMs = Number.isFinite(this.#probeRttMin) ? this.#probeRttMin : this.minRttMs;
        this.#minRttAt = nowMs;
        this.phase = 'probe';
        this.#cycle = 0;
        this.#cycleAt = nowMs;
        this.#pacingGain = PROBE_GAINS[0]!;
      }
      return;
    }
    if (this.phase === 'drain' && inFlight <= this.bandwidth * this.rttMs) {
      this.phase = 'probe';
      this.#windowGain = PROBE_WINDOW_GAIN;
      this.#cycle = 0;
      this.#cycleAt = nowMs;
      this.#pacingGain = PROBE_GAINS[0]!;
    }
    if (this.phase === 'probe' && nowMs - this.#cycleAt >= this.rttMs) {
      this.#cycle = (this.#cycle + 1) % PROBE_GAINS.length;
      this.#cycleAt = nowMs;
      this.#pacingGain = PROBE_GAINS[this.#cycle]!;
    }
  }
}
