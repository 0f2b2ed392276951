/**
 * The events of the friend layer, and the small typed emitter that carries them. Listeners
 * run after the layer's state is fully updated; a listener that throws is reported through
 * `error` and does not disturb the layer.
 *
 * @see spec/friend.md#events
 * @module
 */
/** How packets reach a friend now: no session, direct UDP, or through a TCP relay. */
export type FriendPath = 'none' | 'udp' | 'tcp';

/** Where a friend's DHT key came from. */
export type DhtKeySource = 'onion' | 'dht' | 'handshake' | 'api';

/** The events of a {@link FriendConnections}. */
export interface FriendConnectionsEvents {
  /**
   * A friend went online or offline, or, while online, its path changed (UDP ↔ TCP).
   * Offline always has path `none`.
   */
  status: { readonly realPublicKey: Uint8Array; readonly online: boolean; readonly path: FriendPath };
  /**
   * A lossless packet from an online friend for the layer above: every id of 19 to 191
   * (16, 17 and 18 are this layer's own). `data` starts with the id and is the listener's.
   */
  lossless: { readonly realPublicKey: Uint8Array; readonly id: number; readonly data: Uint8Array };
  /** A lossy packet (id 192 to 254) from an online friend, id first. */
  lossy: { readonly realPublicKey: Uint8Array; readonly id: number; readonly data: Uint8Array };
  /**
   * A friend request: over the onion from anyone (`onion`), or over a session from a
   * friend (`session`, id 18). Whether the nospam is ours, and whether to show it, is for
   * the layer above.
   */
  'friend-request': {
    readonly realPublicKey: Uint8Array;
    readonly nospam: number;
    readonly message: Uint8Array;
    readonly via: 'onion' | 'session';
  };
  /** A friend's DHT key changed (once per new key), or was forgotten (`undefined`) when its retry window closed. */
  'dht-key': { readonly realPublicKey: Uint8Array; readonly dhtPublicKey: Uint8Array | undefined; readonly source: DhtKeySource | 'timeout' };
  /** A bug: an exception inside the layer or a listener. */
  error: Error;
}

/** A listener of one event, and the emitter (io's `Emitter`; without a hook, a listener's exception becomes the 'error' event). */
export { Emitter as FriendEmitter, type Listener as FriendListener } from '../io/index.ts';
