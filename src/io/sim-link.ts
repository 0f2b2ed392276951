/**
 * The link model: a default {@link LinkConfig} for every pair of hosts, overrides per
 * ordered pair, and each host's {@link Uplink}, the one serialisation queue its traffic
 * passes through when a bandwidth cap is set.
 *
 * @see spec/io.md#links-loss-latency-duplication
 * @module
 */

import { verifyLinkConfig, verifyUplinkConfig, type LinkConfig, type UplinkConfig } from './config.ts';
import type { Prng } from './prng.ts';

/** Host ids are below this, so that an ordered pair packs into one safe integer. */
const PAIR_STRIDE = 2 ** 26;

/** The one-way delay of one datagram or segment: latency plus a jitter draw. */
export function oneWayDelay(link: LinkConfig, prng: Prng): number {
  return link.jitterMs > 0 ? link.latencyMs + prng.next() * link.jitterMs : link.latencyMs;
}

/** Link configurations: one default, and overrides per ordered (from, to) pair of host ids. */
export class LinkTable {
  private defaults: LinkConfig;
  private readonly pairs = new Map<number, LinkConfig>();

  constructor(defaults: LinkConfig) {
    verifyLinkConfig(defaults);
    this.defaults = defaults;
  }

  /** Changes the default; pairs with an override keep theirs. */
  setDefault(change: Partial<LinkConfig>): void {
    const next = { ...this.defaults, ...change };
    verifyLinkConfig(next);
    this.defaults = next;
  }

  /** Overrides fields of the `from` → `to` direction, on top of what it has now. */
  set(fromId: number, toId: number, change: Partial<LinkConfig>): void {
    const next = { ...this.get(fromId, toId), ...change };
    verifyLinkConfig(next);
    this.pairs.set(fromId * PAIR_STRIDE + toId, next);
  }

  /** Drops the override of the `from` → `to` direction. */
  reset(fromId: number, toId: number): void {
    this.pairs.delete(fromId * PAIR_STRIDE + toId);
  }

  /** The link from `fromId` to `toId`; the default when `toId` is unknown. */
  get(fromId: number, toId: number | undefined): LinkConfig {
    if (toId === undefined || this.pairs.size === 0) return this.defaults;
    return this.pairs.get(fromId * PAIR_STRIDE + toId) ?? this.defaults;
  }
}

/**
 * A host's uplink: a FIFO that serialises bytes at `bytesPerSecond`. With no cap a
 * packet leaves the moment it is sent.
 */
export class Uplink {
  private readonly config: UplinkConfig;
  private busyUntil = 0;
  private doneAt: number[] = [];
  private sizes: number[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(config: UplinkConfig) {
    verifyUplinkConfig(config);
    this.config = config;
  }

  /** Bytes accepted but not yet fully serialised at time `now`. */
  queued(now: number): number {
    this.prune(now);
    return this.queuedBytes;
  }

  /**
   * Queues `size` bytes at `now` and returns when their last byte leaves. A `droppable`
   * packet (a datagram) that would overfill the queue is refused: undefined.
   */
  reserve(now: number, size: number, droppable: boolean): number | undefined {
    const rate = this.config.bytesPerSecond;
    if (rate === Infinity) return now;
    this.prune(now);
    if (droppable && this.queuedBytes + size > this.config.queueBytes) return undefined;
    const done = Math.max(now, this.busyUntil) + (size * 1000) / rate;
    this.busyUntil = done;
    this.doneAt.push(done);
    this.sizes.push(size);
    this.queuedBytes += size;
    return done;
  }

  private prune(now: number): void {
    while (this.head < this.doneAt.length && (this.doneAt[this.head] as number) <= now) {
      this.queuedBytes -= this.sizes[this.head] as number;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.doneAt.length) {
      this.doneAt = this.doneAt.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
