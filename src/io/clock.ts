/**
 * Time, as protocol objects see it. Nothing in toxlink reads the wall clock or calls
 * `setTimeout` itself: it is handed a {@link Clock}. The system clock and the simulator's
 * virtual clock both implement it, so protocol timers (8 s, 32 s, 122 s, 5 min) run in
 * simulated time in tests.
 *
 * @see spec/introduction.md#time
 * @see spec/io.md#time
 * @module
 */

/** A pending timer; cancelling twice, or after it fired, does nothing. */
export interface Timer {
  cancel(): void;
}

/** Monotonic milliseconds and one-shot timers. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /**
   * Calls `fn` once, `delayMs` milliseconds from now (a negative delay counts as 0).
   * Timers due at the same instant run in the order they were set.
   */
  setTimer(delayMs: number, fn: () => void): Timer;
}
