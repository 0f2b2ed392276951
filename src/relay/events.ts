/**
 * A small typed event emitter for the relay server and client. Listeners run after the
 * state they report is fully updated; a listener that throws is reported through the
 * emitter's error hook and does not disturb the state machine.
 *
 * @see spec/relay.md#the-client
 * @module
 */

/** A listener of one event. */
export type Listener<T> = (value: T) => void;

/** Events named by the keys of `M`, each with one argument of its type. */
export class Emitter<M extends object> {
  readonly #listeners: { [K in keyof M]?: Array<Listener<M[K]>> } = {};
  readonly #onError: (error: Error) => void;

  /** `onError` receives what a listener threw. */
  constructor(onError: (error: Error) => void) {
    this.#onError = onError;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    const list = (this.#listeners[event] ??= []) as Array<Listener<M[K]>>;
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Calls the listeners of `event` in the order they were added. */
  emit<K extends keyof M>(event: K, value: M[K]): void {
    const list = this.#listeners[event] as Array<Listener<M[K]>> | undefined;
    if (list === undefined || list.length === 0) return;
    for (const listener of list.length === 1 ? list : [...list]) {
      try {
        listener(value);
      } catch (error) {
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
