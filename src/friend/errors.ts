/**
 * The typed errors of the friend layer: what an API user can get wrong (a key that is not
 * 32 bytes, a friend not held, a friend request message too long, a setting out of range).
 * Nothing that arrives from the network throws one: a bad packet is dropped and counted.
 *
 * @see spec/friend.md#errors
 * @module
 */

/** Why an operation of the friend layer failed. */
export type FriendErrorCode =
  /** A setting out of its range. */
  | 'bad-config'
  /** A public key that is not 32 bytes. */
  | 'bad-key'
  /** No friend with that real public key is held (`lock` it first). */
  | 'unknown-friend'
  /** `maxFriends` friends are held already. */
  | 'too-many-friends'
  /** The friend is locked `maxLocks` times already. */
  | 'too-many-locks'
  /** The friend is not online: there is no session to send on. */
  | 'not-connected'
  /** A friend request message that is empty or longer than 1016 bytes, or a nospam that is not a u32. */
  | 'bad-request'
  /** A payload refused by net_crypto (empty, too long, an id outside its kind's range). */
  | 'bad-payload'
  /** The friend layer is closed. */
  | 'closed';

/** An error of the friend layer. `code` is stable; the message says what to fix. */
export class FriendError extends Error {
  override readonly name: string = 'FriendError';
  constructor(readonly code: FriendErrorCode, message: string) {
    super(message);
  }
}
