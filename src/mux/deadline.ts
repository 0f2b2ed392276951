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
  readonly #controller = new AbortController();
  readonly #timer: Timer;
  readonly #offs: Array<() => void> = [];

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
    return this.#controller.signal;
  }

  /** Settles as `promise` does, or rejects with the reason when the signal fires first. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.#controller.signal;
    if (signal.aborted) {
      promise.catch(() => {});
      return Promise.reject(signal.reason as Error);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        promise.catch(() => {});
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
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
    if (!this.#controller.signal.aborted) this.#controller.abort(error);
  }
}
