/**
 * The real clock: monotonic milliseconds from `performance.now()`, timers on the event
 * loop. It keeps its own timer queue and one `setTimeout` armed for the earliest timer,
 * so ties run in the order they were set (as the `Clock` contract says) and delays longer
 * than `setTimeout` allows still work.
 *
 * @see spec/io.md#the-system-clock
 * @module
 */

import type { Clock, Timer } from './clock.ts';
import { MAX_SET_TIMEOUT_MS } from './config.ts';
import { TimerQueue } from './timer-queue.ts';

/**
 * A wait of at least this long is stretched to end on a multiple of {@link WAKE_GRID_MS}, so
 * that many long timers (one per connection, each a second or more apart) share a wakeup
 * instead of waking the process once each. Shorter waits (acknowledgements, pacing) are exact.
 */
export const COALESCE_FROM_MS = 200;
/** The wakeup grid of long waits: a long timer may run up to this much after its due time. */
export const WAKE_GRID_MS = 10;

/** Options of a {@link SystemClock}. */
export interface SystemClockOptions {
  /** Do not let pending timers keep the process alive (default false). */
  unref?: boolean;
}

/** A {@link Clock} on `performance.now()` and the Node event loop. */
export class SystemClock implements Clock {
  private readonly queue = new TimerQueue(() => this.disarmIfIdle());
  private readonly unref: boolean;
  private handle: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private armedFor = Infinity;

  constructor(options: SystemClockOptions = {}) {
    this.unref = options.unref ?? false;
  }

  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const due = this.now() + (delayMs > 0 ? delayMs : 0);
    const timer = this.queue.push(due, fn);
    if (due < this.armedFor) this.arm();
    return timer;
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.queue.size;
  }

  private arm(): void {
    this.clear();
    const due = this.queue.peekDue();
    this.armedFor = due ?? Infinity;
    if (due === undefined) return;
    const now = this.now();
    let wait = Math.min(MAX_SET_TIMEOUT_MS, Math.max(0, Math.ceil(due - now)));
    if (wait >= COALESCE_FROM_MS && wait < MAX_SET_TIMEOUT_MS) {
      wait = Math.ceil(Math.ceil(due / WAKE_GRID_MS) * WAKE_GRID_MS - now);
      // Armed for the end of the slot, not the timer's due time: a timer due before the
      // wakeup (a short one set meanwhile) must re-arm, or it would wait for the slot's end.
      this.armedFor = now + wait;
    }
    if (wait === 0) {
      // Due now: run after the I/O already waiting, not a whole millisecond later (Node
      // clamps setTimeout(0) to 1 ms). This is what lets a receiver acknowledge at the end
      // of a batch of datagrams.
      this.immediate = setImmediate(this.fire);
      if (this.unref) this.immediate.unref();
      return;
    }
    this.handle = setTimeout(this.fire, wait);
    if (this.unref) this.handle.unref();
  }

  private clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.handle = undefined;
    this.immediate = undefined;
  }

  /** With nothing left to run, a pending `setTimeout` must not keep the process alive. */
  private disarmIfIdle(): void {
    if (this.queue.size > 0 || (this.handle === undefined && this.immediate === undefined)) return;
    this.clear();
    this.armedFor = Infinity;
  }

  private readonly fire = (): void => {
    this.handle = undefined;
    this.immediate = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    try {
      for (let next = this.queue.popDue(now); next !== undefined; next = this.queue.popDue(now)) {
        next.fn();
      }
    } finally {
      this.arm();
    }
  };
}
