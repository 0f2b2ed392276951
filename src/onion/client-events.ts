/**
 * Events of the onion client. They go through the io floor's `Emitter`: listeners run
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
