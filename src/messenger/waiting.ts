/**
 * Waiting in the Messenger: a promise that settles when a condition holds, looked at after
 * every change the Messenger makes, and that an `AbortSignal` or a time limit on the
 * Messenger's clock (simulated time in a simulation) can end early.
 *
 * @see spec/messenger.md#waiting
 * @module
 */
import type { Clock } from '../io/index.ts';
import { MessengerError } from './errors.ts';

/** How long a wait may last, and what can end it early. */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Milliseconds on the Messenger's clock; none: no limit. */
  readonly timeoutMs?: number;
}

/**
 * @internal Resolves with the first value `poll` returns (it is called now and then each time
 * `waiters` are called); rejects with what `poll` throws, `aborted` or `timeout`.
 */
export function waitFor<T>(
  clock: Clock, waiters: Set<() => void>, what: string, options: WaitOptions, poll: () => T | undefined,
): Promise<T> {
  const { signal, timeoutMs } = options;
  let now: T | undefined;
  try {
    now = poll();
  } catch (error) {
    return Promise.reject(error);
  }
  if (now !== undefined) return Promise.resolve(now);
  if (signal?.aborted === true) return Promise.reject(new MessengerError('aborted', `waiting for ${what}: aborted`, { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      waiters.delete(look);
      timer?.cancel();
      signal?.removeEventListener('abort', onAbort);
    };
    const look = (): void => {
      let v: T | undefined;
      try {
        v = poll();
      } catch (error) {
        done();
        reject(error);
        return;
      }
      if (v !== undefined) {
        done();
        resolve(v);
      }
    };
    const onAbort = (): void => {
      done();
      reject(new MessengerError('aborted', `waiting for ${what}: aborted`, { cause: signal?.reason }));
    };
    waiters.add(look);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutMs === undefined ? undefined : clock.setTimer(timeoutMs, () => {
      done();
      reject(new MessengerError('timeout', `waited ${timeoutMs} ms for ${what}`));
    });
  });
}
