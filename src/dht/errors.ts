/**
 * Typed errors of the DHT layer. These are for mistakes an API user can make (a key of
 * the wrong size, one friend too many, a bad configuration value); nothing that arrives
 * from the network throws one: the receive path drops bad packets instead.
 *
 * @see spec/dht.md#close-list
 * @see spec/dht.md#friend-search
 * @see spec/dht.md#timers
 * @module
 */

/** Why a DHT call was refused. */
export type DhtErrorCode =
  /** A public key that is not 32 bytes. */
  | 'bad-key-size'
  /** An argument out of its range (a negative count, an 8-byte id of another size). */
  | 'bad-argument'
  /** The friend table holds `maxFriends` searched keys already (c-toxcore has no bound). */
  | 'too-many-friends'
  /** One searched key holds `DHT_FRIEND_MAX_LOCKS` (32) references already (`dht_addfriend`). */
  | 'too-many-locks'
  /** The random id source kept returning ids that are zero or already in use. */
  | 'id-exhausted'
  /** A configuration value out of range; see {@link ConfigError}. */
  | 'bad-config';

/** An API call the DHT cannot accept. `code` is stable; the message says what to fix. */
export class DhtError extends Error {
  override readonly name: string = 'DhtError';
  constructor(readonly code: DhtErrorCode, message: string) {
    super(message);
  }
}

/**
 * A `DhtConfig` value out of range (see `verifyDhtConfig`). `field` names the setting; the message says the
 * allowed range and, where c-toxcore constrains it, why.
 */
export class ConfigError extends DhtError {
  override readonly name: string = 'ConfigError';
  constructor(readonly field: string, message: string) {
    super('bad-config', message);
  }
}
