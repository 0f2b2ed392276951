/**
 * Counters of the Messenger: what it sent and received, and what it dropped, by reason.
 * Every packet from a friend's session and every friend request it refuses is counted
 * under exactly one reason.
 *
 * @see spec/messenger.md#bad-input
 * @module
 */
import type { DecodeErrorCode } from '../wire/index.ts';

/** Why the Messenger dropped something that came from the network. */
export type MessengerDropReason =
  /** A Messenger packet that does not decode (a name too long, a user status of 3, an empty message, …). */
  | `malformed-${DecodeErrorCode}`
  /** A packet other than online (24) from a friend that has not said it is online yet (c-toxcore drops it too). */
  | 'not-online'
  /** An id the Messenger does not handle: file transfers, conferences, A/V, ids nobody defined. Ignored. */
  | 'unknown-id'
  /** A lossy packet with an A/V id (192–199), which toxlink does not handle. */
  | 'lossy-av'
  /** A friend request from a key whose request we saw lately (`MAX_RECEIVED_STORED`). */
  | 'request-repeated'
  /** A friend request for a nospam that is not ours (made from an old Tox ID of ours). */
  | 'request-wrong-nospam'
  /** A friend request from someone already our friend. */
  | 'request-from-friend';

/** Counts by reason. */
export class MessengerDropCounts {
  readonly #counts = new Map<MessengerDropReason, number>();
  total = 0;

  add(reason: MessengerDropReason): void {
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1);
    this.total++;
  }

  /** Drops for `reason`. */
  get(reason: MessengerDropReason): number {
    return this.#counts.get(reason) ?? 0;
  }

  /** A plain object of the non-zero counts. */
  toJSON(): Partial<Record<MessengerDropReason, number>> {
    return Object.fromEntries(this.#counts) as Partial<Record<MessengerDropReason, number>>;
  }
}

/** Counters of a {@link Messenger}. */
export class MessengerStats {
  messagesSent = 0;
  messagesReceived = 0;
  receiptsDelivered = 0;
  /** Friend requests sent (each send, repeats included), and those taken in (after the filters). */
  friendRequestsSent = 0;
  friendRequestsReceived = 0;
  customLosslessSent = 0;
  customLosslessReceived = 0;
  customLossySent = 0;
  customLossyReceived = 0;
  /** Transitions of friends to online (an online packet read) and to offline. */
  wentOnline = 0;
  wentOffline = 0;
  readonly dropped = new MessengerDropCounts();
}
