/**
 * The typed errors of the Messenger API: what a user of the API can get wrong, with one
 * code per case of c-toxcore's `TOX_ERR_FRIEND_ADD`, `TOX_ERR_FRIEND_SEND_MESSAGE`,
 * `TOX_ERR_SET_INFO` and `TOX_ERR_FRIEND_CUSTOM_PACKET`. Nothing that arrives from the
 * network throws one: a bad packet is dropped and counted.
 *
 * @see spec/messenger.md#messenger-errors
 * @module
 */

/** Why a Messenger call failed. */
export type MessengerErrorCode =
  // ─── Adding a friend (TOX_ERR_FRIEND_ADD_*) ───
  /** `NULL`: the Tox ID, key or message is missing (not a string or bytes). */
  | 'null'
  /** `TOO_LONG`: a friend request message over 1016 bytes; also a name, status message, message or packet too long. */
  | 'too-long'
  /** `NO_MESSAGE`: a friend request with an empty message. */
  | 'no-message'
  /** `OWN_KEY`: our own key. */
  | 'own-key'
  /** `ALREADY_SENT`: already a friend, or our request to that Tox ID is already waiting. */
  | 'already-sent'
  /** `BAD_CHECKSUM`: the Tox ID's checksum does not match, or its key is not a valid key. */
  | 'bad-checksum'
  /** `SET_NEW_NOSPAM`: our request was waiting for another nospam of that friend; it now goes to this one. */
  | 'set-new-nospam'
  /** `MALLOC`: no room for another friend (the friend layer's `maxFriends`). */
  | 'malloc'
  /** A Tox ID that is not 76 hex characters or 38 bytes (c-toxcore's API has no such case: it takes 38 bytes). */
  | 'bad-address'
  // ─── Everything else ───
  /** No friend with that number or key (`FRIEND_NOT_FOUND`). */
  | 'friend-not-found'
  /** The friend is not online (`FRIEND_NOT_CONNECTED`). */
  | 'friend-not-connected'
  /** The session's send queue is full (`SENDQ`): wait with `Messenger.whenWritable`. */
  | 'sendq'
  /** An empty message or packet (`EMPTY`). */
  | 'empty'
  /** A custom packet whose first byte is outside its range (`INVALID`). */
  | 'bad-packet-id'
  /** A value out of range: a user status, a nospam, a message type. */
  | 'bad-value'
  /** `acceptRequest` for a key no pending friend request came from. */
  | 'no-request'
  /** A wait ended by its `AbortSignal`. */
  | 'aborted'
  /** A wait ran out of time (its `timeoutMs`, on the Messenger's clock). */
  | 'timeout'
  /** A setting out of its range. */
  | 'bad-config'
  /** The Messenger is closed. */
  | 'closed';

/** An error of the Messenger API. `code` is stable; the message says what to fix. */
export class MessengerError extends Error {
  override readonly name: string = 'MessengerError';
  constructor(readonly code: MessengerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * `SET_NEW_NOSPAM`: not quite a failure, as in c-toxcore. The friend was waiting for our
 * request at another nospam; the request now goes to the new one. `friendNumber` is that friend.
 */
export class SetNewNospamError extends MessengerError {
  override readonly name: string = 'SetNewNospamError';
  constructor(readonly friendNumber: number) {
    super('set-new-nospam', `friend ${friendNumber} was already added with another nospam: the request now goes to the new one`);
  }
}
