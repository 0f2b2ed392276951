/**
 * Typed errors of the onion client. Only a caller can cause one — a configuration value
 * out of range, a key of the wrong size, a friend request for someone not added, too many
 * friends, using a closed client; nothing that arrives from the network throws: the
 * receive path drops bad packets and counts them (`OnionClientStats`).
 *
 * @see spec/onion.md#the-onion-client
 * @module
 */
/** Why an onion client call was refused. */
export type OnionClientErrorCode =
  /** A key that is not 32 bytes, or a DHT key pair that is not the DHT node's. */
  | 'bad-key'
  /** A configuration value out of range; see {@link OnionClientConfigError}. */
  | 'bad-config'
  /** A friend request or friend operation for a key that was not added with `addFriend`. */
  | 'not-a-friend'
  /** `addFriend` beyond `maxFriends`. */
  | 'too-many-friends'
  /** A friend request message empty or longer than a 0.2.18 receiver takes over the onion (943 bytes), or a nospam not a u32. */
  | 'bad-request'
  /** The client was closed. */
  | 'closed';

/** An API call an onion client cannot accept. `code` is stable; the message says what to fix. */
export class OnionClientError extends Error {
  override readonly name: string = 'OnionClientError';
  constructor(readonly code: OnionClientErrorCode, message: string) {
    super(message);
  }
}

/** An `OnionClientConfig` value out of range: `field` names the setting, the message the allowed range. */
export class OnionClientConfigError extends OnionClientError {
  override readonly name: string = 'OnionClientConfigError';
  constructor(readonly field: string, message: string) {
    super('bad-config', message);
  }
}
