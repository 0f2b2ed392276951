/**
 * A token bucket per source, for requests that cost us work or make us send more than we
 * received (nodes requests, ping requests, forwarded DHT requests). c-toxcore 0.2.18 has no
 * such limit; the defaults are far above what a c-toxcore peer sends, so it never notices.
 *
 * Each source may spend `burst` requests at once and earns `ratePerSecond` back. Sources
 * are kept in a table of at most `maxSources`; the least recently seen gives way, and a
 * source that comes back after being dropped starts with a full bucket.
 *
 * Tokens are counted in thousandths, so that integer rates and millisecond times refill
 * exactly, with no rounding drift.
 *
 * @see spec/dht.md#timers
 * @module
 */
import { DhtError } from './errors.ts';

/** Shape of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Tokens earned per second (> 0). */
  readonly ratePerSecond: number;
  /** Bucket size: requests allowed at once after a quiet spell (integer ≥ 1). */
  readonly burst: number;
  /** Sources tracked at once (integer ≥ 1). */
  readonly maxSources: number;
}

interface Bucket {
  /** Thousandths of a token. */
  milli: number;
  lastMs: number;
}

const MILLI = 1000;

/** Per-source token buckets in a bounded table. */
export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxSources: number;
  /** Least recently seen first. */
  readonly #sources = new Map<string, Bucket>();
  #denied = 0;

  constructor(options: RateLimiterOptions) {
    const { ratePerSecond, burst, maxSources } = options;
    if (typeof ratePerSecond !== 'number' || !Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
      throw new DhtError('bad-argument', `ratePerSecond must be a finite number > 0, got ${String(ratePerSecond)}`);
    }
    if (!Number.isInteger(burst) || burst < 1) throw new DhtError('bad-argument', `burst must be an integer ≥ 1, got ${burst}`);
    if (!Number.isInteger(maxSources) || maxSources < 1) throw new DhtError('bad-argument', `maxSources must be an integer ≥ 1, got ${maxSources}`);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.maxSources = maxSources;
  }

  /**
   * Whether `source` (say `host:port`) may make one more request at `now`; if so, one
   * token is spent. Time that goes backwards earns nothing.
   */
  allow(source: string, now: number): boolean {
    const full = this.burst * MILLI;
    let bucket = this.#sources.get(source);
    if (bucket) {
      this.#sources.delete(source);
      const earned = Math.max(0, now - bucket.lastMs) * this.ratePerSecond; // ms × tokens/s = thousandths
      bucket.milli = Math.min(full, bucket.milli + earned);
      bucket.lastMs = Math.max(bucket.lastMs, now);
    } else {
      if (this.#sources.size >= this.maxSources) this.#sources.delete(this.#sources.keys().next().value!);
      bucket = { milli: full, lastMs: now };
    }
    this.#sources.set(source, bucket);
    if (bucket.milli < MILLI) {
      this.#denied++;
      return false;
    }
    bucket.milli -= MILLI;
    return true;
  }

  /** Forgets sources whose bucket has filled up again: they are as good as new. */
  prune(now: number): number {
    let dropped = 0;
    const full = this.burst * MILLI;
    for (const [source, bucket] of this.#sources) {
      if (bucket.milli + Math.max(0, now - bucket.lastMs) * this.ratePerSecond >= full) {
        this.#sources.delete(source);
        dropped++;
      }
    }
    return dropped;
  }

  /** Sources tracked. */
  get size(): number {
    return this.#sources.size;
  }

  /** Requests refused so far. */
  get denied(): number {
    return this.#denied;
  }
}
