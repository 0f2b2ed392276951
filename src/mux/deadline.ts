/**
 * One AbortSignal for one wait: it fires on a timeout on the given clock, or when any of
 * the signals it follows fires, each with its own typed error as the reason.
 *
 * @see spec/mux.md#opening-a-channel
 * @module
 */
import type { Clock, Timer } from '../io/index.ts';
import type { MuxError } from './errors.ts';

/** A signal to follow, and the error to abort with when it fires. */
export interface Follow {
  readonly signal: AbortSignal | undefined;
  readonly error: () => MuxError;
}

/** A timeout and some signals, as one signal. Call `dispose` when the wait is over. */
export class Deadline {
  /** Made when `signal` is first read: most waits end without anyone reading it, and an AbortController costs microseconds. */
  #controller: AbortController | undefined;
  #reason: MuxError | undefined;
  readonly #timer: Timer;
  /** Made when a followed signal is listened to (most waits follow none). */
  #offs: Array<() => void> | undefined;
  /**
   * Plain callbacks for the abort: a listener on an AbortSignal costs microseconds, one here
   * does not. Most waits have one listener (their open), kept without a Set.
   */
  #listener: (() => void) | undefined;
  #listeners: Set<() => void> | undefined;

  constructor(clock: Clock, timeoutMs: number, timeoutError: () => MuxError, follow: readonly Follow[]) {
    this.#timer = clock.setTimer(timeoutMs, () => this.#abort(timeoutError()));
    for (const f of follow) {
      const signal = f.signal;
      if (signal === undefined) continue;
      if (signal.aborted) {
        this.#abort(f.error());
        continue;
      }
      const onAbort = (): void => this.#abort(f.error());
      signal.addEventListener('abort', onAbort, { once: true });
      (this.#offs ??= []).push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  /** Fires once, with a `MuxError` as its reason. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** The error the wait ended with, once it has fired; undefined until then. */
  get reason(): MuxError | undefined {
    return this.#reason;
  }

  /**
   * Calls `listener` once when the deadline fires (at once if it has); returns the function
   * that stops it. The same as a listener on `signal`, without an EventTarget's cost.
   */
  onAbort(listener: () => void): () => void {
    if (this.#reason !== undefined) {
      listener();
      return () => {};
    }
    if (this.#listener === undefined && this.#listeners === undefined) {
      this.#listener = listener;
      return () => {
        if (this.#listener === listener) this.#listener = undefined;
      };
    }
    const set = (this.#listeners ??= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Settles as `promise` does, or rejects with the reason when the deadline fires first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.#reason !== undefined) {
      promise.catch(() => {});
      return Promise.reject(this.#reason);
    }
    return new Promise<T>((resolve, reject) => {
      const off = this.onAbort(() => {
        promise.catch(() => {});
        reject(this.#reason!);
      });
      promise.then(
        (value) => {
          off();
          resolve(value);
        },
        (error: unknown) => {
          off();
          reject(error as Error);
        },
      );
    });
  }

  /** Fires now with `error` (unless it fired already). */
  abort(error: MuxError): void {
    this.#abort(error);
  }

  /** Stops the timer and the following. */
  dispose(): void {
    this.#timer.cancel();
    const offs = this.#offs;
    this.#offs = undefined;
    if (offs !== undefined) for (const off of offs) off();
  }

  #abort(error: MuxError): void {
    if (this.#reason !== undefined) return;
    this.#reason = error;
    this.#controller?.abort(error);
    const first = this.#listener;
    const rest = this.#listeners === undefined ? [] : [...this.#listeners];
    this.#listener = undefined;
    this.#listeners = undefined;
    first?.();
    for (const listener of rest) listener();
  }
}
