/**
 * Virtual time. A {@link SimClock} never reads the wall clock: time moves only when the
 * test says so, and then every timer due in the window runs, in due order, ties in the
 * order they were set, including timers that those timers set.
 *
 * @see spec/io.md#the-simulated-clock
 * @module
 */

import type { Clock, Timer } from './clock.ts';
import {
  DEFAULT_IDLE_LIMIT_MS,
  defaultSimClockConfig,
  verifySimClockConfig,
  type SimClockConfig,
} from './config.ts';
import { ClockError, RunawayTimersError } from './errors.ts';
import { TimerQueue } from './timer-queue.ts';

/** Lets queued microtasks (promise continuations) run; uses no time, real or virtual. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock whose time moves only when `advance`, `advanceTo` or `runUntilIdle` is called. */
export class SimClock implements Clock {
  private readonly config: SimClockConfig;
  private readonly queue = new TimerQueue();
  private nowMs: number;
  private running = false;
  private yieldRequested = false;

  constructor(options: Partial<SimClockConfig> = {}) {
    this.config = { ...defaultSimClockConfig, ...options };
    verifySimClockConfig(this.config);
    this.nowMs = this.config.startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    return this.setTimerAt(this.nowMs + (delayMs > 0 ? delayMs : 0), fn);
  }

  /** Like `setTimer`, at an absolute virtual time; a time in the past means now. */
  setTimerAt(atMs: number, fn: () => void): Timer {
    if (this.queue.size >= this.config.maxPendingTimers) {
      throw new ClockError(`more than ${this.config.maxPendingTimers} timers pending`);
    }
    const due = atMs > this.nowMs ? atMs : this.nowMs;
    return this.queue.push(due, fn);
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.queue.size;
  }

  /** When the next timer is due, or undefined when none is pending. */
  nextDue(): number | undefined {
    return this.queue.peekDue();
  }

  /** Moves time forward by `ms`, firing every timer due on the way. Returns how many fired. */
  advance(ms: number): number {
    return this.advanceTo(this.nowMs + ms);
  }

  /** Moves time to `atMs` (not backwards), firing every timer due on the way. */
  advanceTo(atMs: number): number {
    this.checkTarget(atMs);
    const fired = this.runSync(atMs);
    this.nowMs = atMs;
    return fired;
  }

  /**
   * Fires timers until none is pending or the next one is more than `limitMs` away from
   * the time of the call. Time stops at the last timer fired, not at the limit.
   */
  runUntilIdle(limitMs: number = DEFAULT_IDLE_LIMIT_MS): number {
    const deadline = this.nowMs + limitMs;
    this.checkTarget(deadline);
    return this.runSync(deadline);
  }

  /**
   * Like `advance`, but lets promise continuations run after each timer that settled a
   * promise (see {@link SimClock.requestYield}), so `await`-style code keeps pace with
   * virtual time.
   */
  async advanceAsync(ms: number): Promise<number> {
    const atMs = this.nowMs + ms;
    this.checkTarget(atMs);
    const fired = await this.runAsync(atMs);
    this.nowMs = atMs;
    return fired;
  }

  /** Like `runUntilIdle`, yielding to promise continuations as `advanceAsync` does. */
  async runUntilIdleAsync(limitMs: number = DEFAULT_IDLE_LIMIT_MS): Promise<number> {
    const deadline = this.nowMs + limitMs;
    this.checkTarget(deadline);
    return this.runAsync(deadline);
  }

  /**
   * Asks an async run to let microtasks run once the current timer returns. Simulated
   * transports call it whenever a timer settles a promise.
   */
  requestYield(): void {
    this.yieldRequested = true;
  }

  private checkTarget(atMs: number): void {
    if (!(atMs >= this.nowMs)) {
      throw new ClockError(`cannot move time from ${this.nowMs} ms to ${String(atMs)} ms`);
    }
    if (this.running) throw new ClockError('the clock is already running (advance called from a timer?)');
  }

  private runSync(deadline: number): number {
    this.running = true;
    let fired = 0;
    try {
      while (this.fireNext(deadline, fired)) fired++;
    } finally {
      this.running = false;
      this.yieldRequested = false;
    }
    return fired;
  }

  private async runAsync(deadline: number): Promise<number> {
    this.running = true;
    let fired = 0;
    try {
      await yieldToEventLoop();
      while (this.fireNext(deadline, fired)) {
        fired++;
        if (this.yieldRequested) {
          this.yieldRequested = false;
          await yieldToEventLoop();
        }
      }
    } finally {
      this.running = false;
      this.yieldRequested = false;
    }
    return fired;
  }

  /** Fires the next timer due by `deadline`; false when there is none. */
  private fireNext(deadline: number, firedSoFar: number): boolean {
    const due = this.queue.peekDue();
    if (due === undefined || due > deadline) return false;
    if (firedSoFar >= this.config.maxTimersPerRun) {
      throw new RunawayTimersError(this.config.maxTimersPerRun, this.nowMs);
    }
    const next = this.queue.popDue(deadline) as { due: number; fn: () => void };
    this.nowMs = next.due;
    next.fn();
    return true;
  }
}
