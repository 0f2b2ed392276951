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
  readonly #offs: Array<() => void> = [];
  /** Plain callbacks for the abort: a listener on an AbortSignal costs microseconds, one here does not. */
  readonly #listeners = new Set<() => void>();

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
      this.#offs.push(() => signal.removeEventListener('abort', onAbort));
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
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
    for (const off of this.#offs) off();
    this.#offs.length = 0;
  }

  #abort(error: MuxError): void {
    if (this.#reason !== undefined) return;
    this.#reason = error;
    this.#controller?.abort(error);
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }
}
