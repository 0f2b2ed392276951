/**
 * The timers and limits of the Messenger, with c-toxcore 0.2.18's values where `Messenger.c`
 * and `friend_requests.c` fix them and toxlink's own where c-toxcore has none (it runs every
 * check on each 50 ms iteration; toxlink sets a timer for the moment something is due).
 *
 * @see spec/messenger.md#timers-and-bounds
 * @module
 */
import { MAX_SET_TIMEOUT_MS } from '../io/index.ts';
import { MessengerError } from './errors.ts';

/** `FRIENDREQUEST_TIMEOUT`: a sent request not followed by the friend coming online is sent again after 5 s, then 10, 20, … */
export const FRIEND_REQUEST_TIMEOUT_MS = 5_000;

/** `MAX_RECEIVED_STORED`: keys whose friend request we saw, to drop repeats (32). */
export const MAX_RECEIVED_REQUESTS = 32;

/** `MIN_RUN_INTERVAL`: c-toxcore looks for delivered messages every iteration, 50 ms at most apart. */
export const RECEIPT_CHECK_MS = 50;

/** Settings of a {@link Messenger}. */
export interface MessengerConfig {
  /** The first wait before a sent friend request is sent again (5 s); it doubles each time. */
  readonly friendRequestTimeoutMs: number;
  /** The longest wait between two sends of a friend request (c-toxcore: none; toxlink: 24 h). */
  readonly friendRequestMaxTimeoutMs: number;
  /**
   * How soon a friend request that could not go out (the onion has not found the friend yet)
   * is tried again (500 ms; c-toxcore: every iteration).
   */
  readonly friendRequestRetryMs: number;
  /** How often delivered messages are looked for while some await a receipt (50 ms). */
  readonly receiptCheckMs: number;
  /** How soon our name, status message, user status or typing is sent again after the session's queue refused it (1 s). */
  readonly infoRetryMs: number;
  /** Keys whose friend request we remember (32): a repeat from one of them is dropped. */
  readonly maxReceivedRequests: number;
  /** Messages awaiting a receipt per friend (32768, net_crypto's send queue); beyond, `sendMessage` says `sendq`. */
  readonly maxPendingReceipts: number;
}

/** The defaults. */
export const defaultMessengerConfig: Readonly<MessengerConfig> = Object.freeze({
  friendRequestTimeoutMs: FRIEND_REQUEST_TIMEOUT_MS,
  friendRequestMaxTimeoutMs: 24 * 3600_000,
  friendRequestRetryMs: 500,
  receiptCheckMs: RECEIPT_CHECK_MS,
  infoRetryMs: 1_000,
  maxReceivedRequests: MAX_RECEIVED_REQUESTS,
  maxPendingReceipts: 32_768,
});

/** Fills in the defaults and checks every value; throws a `MessengerError` (`bad-config`) naming the bad one. */
export function messengerConfig(partial: Partial<MessengerConfig> = {}): MessengerConfig {
  const c: MessengerConfig = { ...defaultMessengerConfig, ...partial };
  const check = (field: keyof MessengerConfig, min: number, max: number): void => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new MessengerError('bad-config', `messenger config: ${field} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
  };
  check('friendRequestTimeoutMs', 1, MAX_SET_TIMEOUT_MS);
  check('friendRequestMaxTimeoutMs', c.friendRequestTimeoutMs, MAX_SET_TIMEOUT_MS);
  check('friendRequestRetryMs', 1, MAX_SET_TIMEOUT_MS);
  check('receiptCheckMs', 1, MAX_SET_TIMEOUT_MS);
  check('infoRetryMs', 1, MAX_SET_TIMEOUT_MS);
  check('maxReceivedRequests', 1, 65_536);
  check('maxPendingReceipts', 1, 1 << 20);
  return c;
}
