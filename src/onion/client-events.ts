/**
 * Events of the onion client, and the small typed emitter they go through. Listeners run
 * after the state they report is fully updated; a listener that throws is reported through
 * 'error' and does not disturb the client.
 *
 * @see spec/onion.md#the-onion-client
 * @module
 */
import type { PackedNode } from '../wire/index.ts';

/** The events of an `OnionClient` and their arguments. */
export interface OnionClientEventMap {
  /**
   * A friend's DHT key announcement was taken (its no-replay number above the last one):
   * the friend's DHT key this session, and the TCP relays it named (its UDP nodes were asked
   * for the friend's address already). Fires for every announcement taken, also when the
   * key did not change.
   */
  'dht-key': { readonly realPublicKey: Uint8Array; readonly dhtPublicKey: Uint8Array; readonly relays: PackedNode[]; readonly via: 'onion' | 'dht' };
  /**
   * A friend request from someone who is not our friend: its nospam (as `tox_self_get_nospam`
   * gives ours) and message. The receiver checks the nospam is its own; a sender is taken
   * once per nospam until 32 others were taken.
   */
  'friend-request': { readonly realPublicKey: Uint8Array; readonly nospam: number; readonly message: Uint8Array };
  /** `onion_connection_status` went from none to connected, or back. */
  connection: { readonly connected: boolean };
  /** A bug: an exception inside the client or a listener. */
  error: Error;
}

/** A listener of one event. */
export type OnionListener<T> = (value: T) => void;

/** Events named by the keys of `M`, each with one argument of its type. */
export class OnionEvents<M extends { error: Error }> {
  readonly #listeners: { [K in keyof M]?: Array<OnionListener<M[K]>> } = {};

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M>(event: K, listener: OnionListener<M[K]>): () => void {
    const list = (this.#listeners[event] ??= []) as Array<OnionListener<M[K]>>;
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Calls the listeners of `event` in the order they were added. */
  emit<K extends keyof M>(event: K, value: M[K]): void {
    const list = this.#listeners[event] as Array<OnionListener<M[K]>> | undefined;
    if (list === undefined || list.length === 0) return;
    for (const listener of [...list]) {
      try {
        listener(value);
      } catch (error) {
        if (event === 'error') continue;
        this.emit('error', (error instanceof Error ? error : new Error(String(error))) as M['error']);
      }
    }
  }
}
