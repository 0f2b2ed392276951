/**
 * The small typed emitter every protocol object reports through. Events are the keys of
 * a map type `M`, each with one argument of its type. Listeners run in the order they were
 * added, after the state they report is complete; a listener that throws does not disturb
 * the object that emitted: what it threw goes to the `onError` hook given at construction,
 * or, without one, becomes the emitter's own 'error' event.
 *
 * @see spec/io.md#events
 * @module
 */

/** A listener of one event. */
export type Listener<T> = (value: T) => void;

/** Where an exception thrown by a listener goes, with the event it was listening to. */
export type ListenerErrorHook<M> = (error: Error, event: keyof M) => void;

/** Typed events; see the module comment. */
export class Emitter<M extends object> {
  readonly #listeners = new Map<keyof M, Array<Listener<never>>>();
  readonly #onError: ListenerErrorHook<M>;

  /**
   * `onError` receives what a listener threw. Without it, that becomes the 'error' event
   * (if `M` has one); what an 'error' listener itself throws is then dropped, so that a
   * broken error listener cannot loop.
   */
  constructor(onError?: ListenerErrorHook<M>) {
    this.#onError = onError ?? ((error, event) => {
      if (event !== 'error') this.emit('error' as keyof M, error as M[keyof M]);
    });
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

  /**
   * Calls the listeners of `event`, in the order they were added. A listener added or
   * removed by a listener takes effect from the next `emit`.
   */
  emit<K extends keyof M>(event: K, value: M[K]): void {
    const list = this.#listeners.get(event) as Array<Listener<M[K]>> | undefined;
    if (list === undefined || list.length === 0) return;
    if (list.length === 1) {
      this.#call(list[0]!, event, value);
      return;
    }
    for (const listener of [...list]) this.#call(listener, event, value);
  }

  #call<K extends keyof M>(listener: Listener<M[K]>, event: K, value: M[K]): void {
    try {
      listener(value);
    } catch (error) {
      this.#onError(error instanceof Error ? error : new Error(String(error)), event);
    }
  }
}
