/**
 * A small typed emitter for the manager. Listeners run after the state they report is
 * complete; one that throws does not disturb the channel layer: what it threw goes to the
 * `onError` hook given at construction.
 *
 * @see spec/mux.md#connectionmanager
 * @module
 */

/** A listener of one event. */
export type Listener<T> = (value: T) => void;

/** Events named by the keys of `M`, each with one argument of its type. */
export class Emitter<M extends object> {
  readonly #listeners = new Map<keyof M, Array<Listener<never>>>();
  readonly #onError: (error: Error) => void;

  constructor(onError: (error: Error) => void) {
    this.#onError = onError;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    let list = this.#listeners.get(event);
    if (list === undefined) this.#listeners.set(event, (list = []));
    list.push(listener as Listener<never>);
    return () => {
      const i = list.indexOf(listener as Listener<never>);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Whether anyone listens to `event`. */
  has<K extends keyof M>(event: K): boolean {
    return (this.#listeners.get(event)?.length ?? 0) > 0;
  }

  /** Calls the listeners of `event`, in the order they were added. */
  emit<K extends keyof M>(event: K, value: M[K]): void {
    const list = this.#listeners.get(event) as Array<Listener<M[K]>> | undefined;
    if (list === undefined || list.length === 0) return;
    for (const listener of [...list]) {
      try {
        listener(value);
      } catch (error) {
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
